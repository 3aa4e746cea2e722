//! The client's errors: typed so that a caller can act on them (fix a parameter, re-authenticate,
//! treat a missing guest as gone, retry later on an unreachable node).

use std::collections::BTreeMap;

use pve_types::endpoint::{Endpoint, ParamsError};
use pve_types::Upid;

/// What went wrong with a call to Proxmox VE.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `Parameter verification failed.`: the `errors` map says which parameter and why.
    #[error("{endpoint}: parameter verification failed: {}", format_errors(.errors))]
    Parameter {
        /// The call.
        endpoint: Endpoint,
        /// The message (reason phrase or `message`).
        message: String,
        /// Per-parameter messages, trimmed.
        errors: BTreeMap<String, String>,
    },
    /// 401: no ticket, an invalid ticket or token, wrong password. PVE sends the reason in the status line.
    #[error("{endpoint}: authentication failed: {reason}")]
    Authentication {
        /// The call.
        endpoint: Endpoint,
        /// The status line's reason.
        reason: String,
    },
    /// 403: authenticated but not allowed.
    #[error("{endpoint}: permission denied: {reason}")]
    Permission {
        /// The call.
        endpoint: Endpoint,
        /// The reason.
        reason: String,
    },
    /// The object does not exist (PVE answers 500 "... does not exist", or 404 for unknown paths).
    #[error("{endpoint}: not found: {message}")]
    NotFound {
        /// The call.
        endpoint: Endpoint,
        /// PVE's message.
        message: String,
    },
    /// 595/596: the node that should answer is unreachable behind the API proxy.
    #[error("{endpoint}: node unreachable ({status}): {reason}")]
    NodeUnreachable {
        /// The call.
        endpoint: Endpoint,
        /// 595 or 596.
        status: u16,
        /// The reason.
        reason: String,
    },
    /// Any other error status (a conflict such as a locked guest is a 500 with the text here).
    #[error("{endpoint}: PVE answered {status}: {message}")]
    Api {
        /// The call.
        endpoint: Endpoint,
        /// HTTP status.
        status: u16,
        /// The reason phrase or message.
        message: String,
    },
    /// The connection failed or broke.
    #[error("{endpoint}: transport error")]
    Transport {
        /// The call.
        endpoint: Endpoint,
        /// Whether the request may have reached the server.
        maybe_sent: bool,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The server's certificate was refused (not the pinned one, or not signed by the CA): the
    /// connection was not made.
    #[error("{endpoint}: the server's certificate was refused: {detail}")]
    Certificate {
        /// The call.
        endpoint: Endpoint,
        /// Why (the TLS library's words).
        detail: String,
    },
    /// The call did not finish within its timeout.
    #[error("{endpoint}: timed out after {timeout_ms} ms")]
    Timeout {
        /// The call.
        endpoint: Endpoint,
        /// The timeout.
        timeout_ms: u64,
    },
    /// The answer is not what the endpoint returns (malformed JSON, wrong types, truncated).
    #[error("{endpoint}: cannot decode the answer: {detail}")]
    Decode {
        /// The call.
        endpoint: Endpoint,
        /// What did not fit.
        detail: String,
    },
    /// The answer is larger than the client accepts.
    #[error("{endpoint}: answer larger than {limit} bytes")]
    BodyTooLarge {
        /// The call.
        endpoint: Endpoint,
        /// The limit.
        limit: usize,
    },
    /// A task ended with an error; the tail of its log says why.
    #[error("task {upid} failed: {exitstatus}")]
    TaskFailed {
        /// The task.
        upid: Box<Upid>,
        /// Its exit status.
        exitstatus: String,
        /// The last lines of its log.
        log_tail: Vec<String>,
    },
    /// A task did not stop within the wait's deadline.
    #[error("task {upid} still running after {waited_ms} ms")]
    TaskTimeout {
        /// The task.
        upid: Box<Upid>,
        /// How long we waited.
        waited_ms: u64,
    },
    /// The request could not be built from its parameters.
    #[error(transparent)]
    Request(#[from] ParamsError),
    /// The client could not be set up (TLS, URL).
    #[error("client configuration: {0}")]
    Config(String),
}

fn format_errors(errors: &BTreeMap<String, String>) -> String {
    errors
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The error's kind, for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// See [`Error::Parameter`].
    Parameter,
    /// See [`Error::Authentication`].
    Authentication,
    /// See [`Error::Permission`].
    Permission,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::NodeUnreachable`].
    NodeUnreachable,
    /// See [`Error::Api`].
    Api,
    /// See [`Error::Transport`].
    Transport,
    /// See [`Error::Certificate`].
    Certificate,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Decode`] and [`Error::BodyTooLarge`].
    Decode,
    /// See [`Error::TaskFailed`].
    TaskFailed,
    /// See [`Error::TaskTimeout`].
    TaskTimeout,
    /// See [`Error::Request`] and [`Error::Config`].
    Usage,
}

impl Error {
    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Parameter { .. } => ErrorKind::Parameter,
            Error::Authentication { .. } => ErrorKind::Authentication,
            Error::Permission { .. } => ErrorKind::Permission,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::NodeUnreachable { .. } => ErrorKind::NodeUnreachable,
            Error::Api { .. } => ErrorKind::Api,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Certificate { .. } => ErrorKind::Certificate,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } | Error::BodyTooLarge { .. } => ErrorKind::Decode,
            Error::TaskFailed { .. } => ErrorKind::TaskFailed,
            Error::TaskTimeout { .. } => ErrorKind::TaskTimeout,
            Error::Request(_) | Error::Config(_) => ErrorKind::Usage,
        }
    }

    /// Whether it is a missing object.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// The per-parameter messages of a parameter error.
    pub fn parameter_errors(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Error::Parameter { errors, .. } => Some(errors),
            _ => None,
        }
    }
}

impl Error {
    /// The typed error of an error answer (status, reason phrase, body), as the client reads it.
    pub fn from_response(
        endpoint: Endpoint,
        status: u16,
        reason: Option<&str>,
        body: &[u8],
    ) -> Self {
        classify(endpoint, status, reason, body)
    }
}

/// Turns an error status and body into the typed error, reading the reason phrase first, then
/// `message`, then `errors` (their presence differs between PVE point releases).
pub(crate) fn classify(
    endpoint: Endpoint,
    status: u16,
    reason: Option<&str>,
    body: &[u8],
) -> Error {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let body_message = parsed
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(|m| m.as_str())
        .map(|m| m.trim().to_string());
    let errors: BTreeMap<String, String> = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|e| e.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let text = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), text.trim().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let message = reason
        .map(str::to_string)
        .or(body_message)
        .or_else(|| errors.values().next().cloned())
        .unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        400 if !errors.is_empty() => Error::Parameter {
            endpoint,
            message,
            errors,
        },
        401 => Error::Authentication {
            endpoint,
            reason: message,
        },
        403 => Error::Permission {
            endpoint,
            reason: message,
        },
        404 => Error::NotFound { endpoint, message },
        595 | 596 => Error::NodeUnreachable {
            endpoint,
            status,
            reason: message,
        },
        500 if is_not_found_message(&message) => Error::NotFound { endpoint, message },
        _ => Error::Api {
            endpoint,
            status,
            message,
        },
    }
}

/// PVE's wording for missing objects, across its modules.
fn is_not_found_message(m: &str) -> bool {
    let m = m.to_ascii_lowercase();
    m.contains("does not exist")
        || m.contains("no such")
        || m.contains("not found")
        || m.contains("no such resource")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pve_types::HttpMethod;

    const E: Endpoint = Endpoint::new(HttpMethod::Get, "/x");

    #[test]
    fn reason_first_then_message_then_errors() {
        let e = classify(E, 500, Some("boom"), br#"{"message":"other\n"}"#);
        assert!(matches!(e, Error::Api { ref message, .. } if message == "boom"));
        let e = classify(E, 500, None, br#"{"message":"other\n"}"#);
        assert!(matches!(e, Error::Api { ref message, .. } if message == "other"));
        let e = classify(E, 400, None, br#"{"errors":{"vmid":"bad\n"},"data":null}"#);
        assert_eq!(e.parameter_errors().unwrap()["vmid"], "bad");
        let e = classify(
            E,
            500,
            Some("Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist"),
            b"",
        );
        assert!(e.is_not_found());
        let e = classify(E, 401, Some("No ticket"), b"");
        assert_eq!(e.kind(), ErrorKind::Authentication);
        let e = classify(
            E,
            595,
            Some("Errors during connection establishment, proxy handshake: Connection refused"),
            b"",
        );
        assert_eq!(e.kind(), ErrorKind::NodeUnreachable);
        let e = classify(E, 500, None, b"\xff\xfe not json");
        assert_eq!(e.kind(), ErrorKind::Api);
    }
}
