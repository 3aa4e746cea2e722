//! [`PveClient`]: the HTTPS implementation of [`PveApi`](crate::PveApi).

use std::sync::Arc;
use std::time::Duration;

use pve_types::api::access::{Ticket, TICKET};
use pve_types::endpoint::{ApiRequest, Endpoint, HttpMethod};
use tokio::sync::Mutex;
use url::Url;

use crate::auth::{Credentials, TicketState};
use crate::error::{classify, Error};
use crate::retry::RetryPolicy;
use crate::tls::Trust;

/// Everything the client needs to reach one PVE cluster.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://HOST:8006`.
    pub base_url: Url,
    /// How the server is trusted.
    pub trust: Trust,
    /// How the client authenticates.
    pub credentials: Credentials,
    /// Default timeout of one call (connect to last byte).
    pub timeout: Duration,
    /// Timeout of establishing a connection.
    pub connect_timeout: Duration,
    /// Retries for calls that are safe to repeat.
    pub retry: RetryPolicy,
    /// The largest answer accepted.
    pub max_body_bytes: usize,
    /// Age at which a ticket is renewed (PVE tickets live two hours).
    pub ticket_renew_after: Duration,
}

impl ClientConfig {
    /// A configuration with the defaults: 30 s per call, 4 attempts for safe calls, 64 MiB answers,
    /// tickets renewed after 90 minutes.
    pub fn new(base_url: Url, trust: Trust, credentials: Credentials) -> Self {
        Self {
            base_url,
            trust,
            credentials,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_body_bytes: 64 << 20,
            ticket_renew_after: Duration::from_secs(90 * 60),
        }
    }
}

struct Shared {
    http: reqwest::Client,
    config: ClientConfig,
    api_base: String,
    ticket: Mutex<Option<TicketState>>,
}

/// The Proxmox VE REST client. Cheap to clone; clones share connections and the login ticket.
#[derive(Clone)]
pub struct PveClient {
    shared: Arc<Shared>,
    timeout: Duration,
}

impl std::fmt::Debug for PveClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PveClient")
            .field("base_url", &self.shared.config.base_url.as_str())
            .field("credentials", &self.shared.config.credentials)
            .finish()
    }
}

/// One HTTP answer, before interpretation.
struct RawResponse {
    status: u16,
    reason: Option<String>,
    body: Vec<u8>,
}

impl PveClient {
    /// Builds a client; nothing is sent until the first call.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        if config.base_url.scheme() != "https" {
            return Err(Error::Config(format!(
                "the PVE API is served over HTTPS only, not {}",
                config.base_url
            )));
        }
        let tls = config.trust.client_config().map_err(Error::Config)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        let api_base = format!(
            "{}/api2/json",
            config.base_url.as_str().trim_end_matches('/')
        );
        let timeout = config.timeout;
        Ok(Self {
            shared: Arc::new(Shared {
                http,
                config,
                api_base,
                ticket: Mutex::new(None),
            }),
            timeout,
        })
    }

    /// The same client with another per-call timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            shared: self.shared.clone(),
            timeout,
        }
    }

    /// The cluster's base URL.
    pub fn base_url(&self) -> &Url {
        &self.shared.config.base_url
    }

    /// Sends a request, retrying where that is safe, and returns the `data` of the answer.
    pub async fn send(&self, req: &ApiRequest) -> Result<serde_json::Value, Error> {
        let body = self.send_raw(req).await?;
        answer_data(req.endpoint, 200, None, &body)
    }

    /// Sends a request, retrying where that is safe, and returns the body of a successful answer
    /// (`{"data": ...}`) undecoded, so large answers decode straight into their types.
    pub async fn send_raw(&self, req: &ApiRequest) -> Result<Vec<u8>, Error> {
        let policy = self.shared.config.retry;
        let mut attempt = 1;
        loop {
            let result = self.send_once(req).await;
            match result {
                Err(e)
                    if attempt < policy.max_attempts
                        && is_safe_to_retry(req.endpoint.method, &e) =>
                {
                    tracing::debug!(endpoint = %req.endpoint, attempt, error = %e, "retrying PVE call");
                    tokio::time::sleep(policy.delay(attempt)).await;
                    attempt += 1;
                }
                Err(Error::Authentication { .. }) if self.uses_ticket() && attempt == 1 => {
                    // The ticket may have been invalidated (server restart, expiry): log in once more.
                    *self.shared.ticket.lock().await = None;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn uses_ticket(&self) -> bool {
        matches!(self.shared.config.credentials, Credentials::Password { .. })
    }

    async fn send_once(&self, req: &ApiRequest) -> Result<Vec<u8>, Error> {
        let auth = self.auth_headers(req.endpoint.method).await?;
        let raw = self.http_call(req, &auth).await?;
        if (200..300).contains(&raw.status) {
            Ok(raw.body)
        } else {
            Err(classify(
                req.endpoint,
                raw.status,
                raw.reason.as_deref(),
                &raw.body,
            ))
        }
    }

    /// The headers that authenticate one call, logging in or renewing the ticket first when needed.
    async fn auth_headers(&self, method: HttpMethod) -> Result<Vec<(&'static str, String)>, Error> {
        match &self.shared.config.credentials {
            Credentials::Token { id, secret } => Ok(vec![(
                "Authorization",
                format!("PVEAPIToken={id}={secret}"),
            )]),
            Credentials::Password { username, password } => {
                let mut guard = self.shared.ticket.lock().await;
                let renew_after = self.shared.config.ticket_renew_after;
                let state = match guard.as_ref() {
                    Some(t) if t.is_fresh(renew_after) => t.clone(),
                    Some(old) => {
                        // PVE renews a valid ticket when it is posted as the password.
                        let renewed = self.login(username, &old.ticket).await;
                        match renewed {
                            Ok(t) => t,
                            Err(_) => self.login(username, password).await?,
                        }
                    }
                    None => self.login(username, password).await?,
                };
                *guard = Some(state.clone());
                let mut headers = vec![("Cookie", format!("PVEAuthCookie={}", state.ticket))];
                if method != HttpMethod::Get {
                    headers.push(("CSRFPreventionToken", state.csrf));
                }
                Ok(headers)
            }
        }
    }

    async fn login(&self, username: &str, password: &str) -> Result<TicketState, Error> {
        let req = ApiRequest::new(TICKET, &[])
            .param("username", username)
            .param("password", password);
        let raw = self.http_call(&req, &[]).await?;
        let data = interpret(&req, raw)?;
        let t: Ticket = decode(&req, data)?;
        match (t.ticket, t.csrf_token) {
            (Some(ticket), Some(csrf)) => Ok(TicketState {
                ticket,
                csrf,
                obtained: std::time::Instant::now(),
            }),
            _ => Err(Error::Authentication {
                endpoint: TICKET,
                reason: "login answered without a ticket (second factor required?)".into(),
            }),
        }
    }

    async fn http_call(
        &self,
        req: &ApiRequest,
        headers: &[(&'static str, String)],
    ) -> Result<RawResponse, Error> {
        let url = format!("{}{}", self.shared.api_base, req.path);
        let http = &self.shared.http;
        let mut builder = match req.endpoint.method {
            HttpMethod::Get => http.get(&url).query(&req.params),
            HttpMethod::Delete => http.delete(&url).query(&req.params),
            HttpMethod::Post => http.post(&url).form(&req.params),
            HttpMethod::Put => http.put(&url).form(&req.params),
        };
        for (k, v) in headers {
            builder = builder.header(*k, v);
        }
        builder = builder.timeout(self.timeout);
        let endpoint = req.endpoint;
        let timeout_ms = self.timeout.as_millis() as u64;
        let map_err = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout {
                    endpoint,
                    timeout_ms,
                }
            } else if let Some(detail) = certificate_refusal(&e) {
                Error::Certificate { endpoint, detail }
            } else {
                Error::Transport {
                    endpoint,
                    maybe_sent: !e.is_connect(),
                    source: e,
                }
            }
        };
        let mut resp = builder.send().await.map_err(map_err)?;
        let status = resp.status();
        // PVE puts its error text in the status line; hyper keeps a non-standard reason phrase here.
        let reason = resp
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
            .or_else(|| status.canonical_reason().map(str::to_string));
        let limit = self.shared.config.max_body_bytes;
        if resp.content_length().is_some_and(|n| n as usize > limit) {
            return Err(Error::BodyTooLarge { endpoint, limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(map_err)? {
            if body.len() + chunk.len() > limit {
                return Err(Error::BodyTooLarge { endpoint, limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status: status.as_u16(),
            reason,
            body,
        })
    }
}

/// Reads a raw answer: the `data` of a success, the typed error otherwise.
fn interpret(req: &ApiRequest, raw: RawResponse) -> Result<serde_json::Value, Error> {
    answer_data(req.endpoint, raw.status, raw.reason.as_deref(), &raw.body)
}

/// The `data` of an answer (status, reason phrase, body), or the typed error it carries. Pure: every
/// byte sequence gives a value or an error, never a panic.
pub fn answer_data(
    endpoint: Endpoint,
    status: u16,
    reason: Option<&str>,
    body: &[u8],
) -> Result<serde_json::Value, Error> {
    if !(200..300).contains(&status) {
        return Err(classify(endpoint, status, reason, body));
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| Error::Decode {
        endpoint,
        detail: e.to_string(),
    })?;
    match value {
        serde_json::Value::Object(mut map) => map.remove("data").ok_or_else(|| Error::Decode {
            endpoint,
            detail: "answer has no `data` member".into(),
        }),
        _ => Err(Error::Decode {
            endpoint,
            detail: "answer is not a JSON object".into(),
        }),
    }
}

/// A successful answer's envelope, decoded straight from the bytes.
#[derive(serde::Deserialize)]
struct Envelope<T> {
    data: T,
}

/// Decodes a successful answer's body (`{"data": ...}`) straight into `T`, without an intermediate tree
/// of values (large lists decode several times faster).
pub fn decode_answer<T: serde::de::DeserializeOwned>(
    endpoint: Endpoint,
    body: &[u8],
) -> Result<T, Error> {
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(e) => Ok(e.data),
        // Decode again through a value, for an error message that names what did not fit.
        Err(_) => decode_data(endpoint, answer_data(endpoint, 200, None, body)?),
    }
}

/// Decodes the `data` of an answer into the endpoint's type.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    req: &ApiRequest,
    data: serde_json::Value,
) -> Result<T, Error> {
    decode_data(req.endpoint, data)
}

/// Decodes `data` into `T`, as the typed methods do.
pub fn decode_data<T: serde::de::DeserializeOwned>(
    endpoint: Endpoint,
    data: serde_json::Value,
) -> Result<T, Error> {
    serde_json::from_value(data).map_err(|e| Error::Decode {
        endpoint,
        detail: e.to_string(),
    })
}

/// The TLS library's reason when a connection failed because the server's certificate was
/// refused (the rustls error sits inside I/O errors somewhere down the chain).
fn certificate_refusal(e: &reqwest::Error) -> Option<String> {
    fn find<'a>(e: &'a (dyn std::error::Error + 'static), depth: u8) -> Option<&'a rustls::Error> {
        if depth == 0 {
            return None;
        }
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|i| i as &(dyn std::error::Error + 'static));
        inner
            .and_then(|i| find(i, depth - 1))
            .or_else(|| e.source().and_then(|s| find(s, depth - 1)))
    }
    match find(e, 16)? {
        t @ (rustls::Error::InvalidCertificate(_) | rustls::Error::General(_)) => {
            Some(t.to_string())
        }
        _ => None,
    }
}

/// Reads may always be repeated. Changes only when they certainly did not reach PVE: the connection
/// was never established, or the API proxy could not reach the node (595 is raised while connecting;
/// 596 when the proxied connection failed during the handshake).
fn is_safe_to_retry(method: HttpMethod, e: &Error) -> bool {
    let transient = match e {
        Error::Transport { .. } | Error::Timeout { .. } | Error::NodeUnreachable { .. } => true,
        Error::Api { status, .. } => matches!(status, 502..=504),
        _ => false,
    };
    if method.is_idempotent_read() {
        return transient;
    }
    match e {
        Error::Transport { maybe_sent, .. } => !maybe_sent,
        Error::NodeUnreachable { status: 595, .. } => true,
        Error::NodeUnreachable {
            status: 596,
            reason,
            ..
        } => {
            let r = reason.to_ascii_lowercase();
            r.contains("connect") || r.contains("handshake") || r.contains("tls")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_only_what_is_safe() {
        let unreachable = |status, reason: &str| Error::NodeUnreachable {
            endpoint: Endpoint::new(HttpMethod::Post, "/x"),
            status,
            reason: reason.into(),
        };
        assert!(is_safe_to_retry(
            HttpMethod::Get,
            &unreachable(596, "Broken pipe")
        ));
        assert!(is_safe_to_retry(
            HttpMethod::Post,
            &unreachable(595, "Errors during connection establishment")
        ));
        assert!(!is_safe_to_retry(
            HttpMethod::Post,
            &unreachable(596, "Broken pipe")
        ));
        let api = Error::Api {
            endpoint: Endpoint::new(HttpMethod::Post, "/x"),
            status: 500,
            message: "x".into(),
        };
        assert!(!is_safe_to_retry(HttpMethod::Post, &api));
        assert!(!is_safe_to_retry(HttpMethod::Get, &api));
    }

    #[test]
    fn refuses_plain_http() {
        let cfg = ClientConfig::new(
            "http://127.0.0.1:8006".parse().unwrap(),
            Trust::Fingerprint(crate::Fingerprint([0; 32])),
            Credentials::Password {
                username: "root@pam".into(),
                password: "x".into(),
            },
        );
        assert!(matches!(PveClient::new(cfg), Err(Error::Config(_))));
    }
}
