//! Requests as values: an [`Endpoint`] (method + path template) and an [`ApiRequest`] ready to send.
//!
//! Every request the client can make is built here, without IO, so a test can check each one against the
//! official PVE API schema and a fake can answer it.

use std::fmt;

use serde::Serialize;

/// The HTTP methods PVE's API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpMethod {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Update.
    Put,
    /// Delete.
    Delete,
}

impl HttpMethod {
    /// The method as PVE's schema spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        }
    }

    /// Whether repeating the call is harmless (only reads are).
    pub fn is_idempotent_read(self) -> bool {
        matches!(self, HttpMethod::Get)
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One method on one path of the PVE API, e.g. `POST /nodes/{node}/qemu/{vmid}/clone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template below `/api2/json`, with `{param}` placeholders.
    pub path: &'static str,
}

impl Endpoint {
    /// Declares an endpoint.
    pub const fn new(method: HttpMethod, path: &'static str) -> Self {
        Self { method, path }
    }

    /// The names of the placeholders in the path template, in order.
    pub fn path_params(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut rest = self.path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push(&rest[start + 1..start + len]);
            rest = &rest[start + len + 1..];
        }
        out
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A request ready to send: the endpoint, the filled path and the parameters as PVE reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// What is called.
    pub endpoint: Endpoint,
    /// Path below `/api2/json`, placeholders filled and percent-encoded.
    pub path: String,
    /// Path parameters by name (as PVE's schema names them), for checks.
    pub path_params: Vec<(&'static str, String)>,
    /// Query (GET/DELETE) or form (POST/PUT) parameters, in PVE's text form (booleans as 0/1).
    pub params: Vec<(String, String)>,
}

/// Parameters that could not be turned into PVE's form.
#[derive(Debug, thiserror::Error)]
#[error("parameters of {endpoint} are not an object of scalars: {reason}")]
pub struct ParamsError {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// What was wrong.
    pub reason: String,
}

impl ApiRequest {
    /// Builds a request; `path_values` fill the placeholders in order.
    pub fn new(endpoint: Endpoint, path_values: &[&dyn fmt::Display]) -> Self {
        let names = endpoint.path_params();
        let mut path = String::with_capacity(endpoint.path.len() + 16);
        let mut path_params = Vec::with_capacity(names.len());
        let mut rest = endpoint.path;
        for (name, value) in names.iter().zip(path_values) {
            let placeholder = format!("{{{name}}}");
            if let Some(pos) = rest.find(&placeholder) {
                path.push_str(&rest[..pos]);
                let value = value.to_string();
                path.push_str(&encode_segment(&value));
                path_params.push((*name, value));
                rest = &rest[pos + placeholder.len()..];
            }
        }
        path.push_str(rest);
        Self {
            endpoint,
            path,
            path_params,
            params: Vec::new(),
        }
    }

    /// Adds parameters from a serializable struct: `None` is left out, booleans become `1`/`0`.
    pub fn with_params<T: Serialize>(mut self, params: &T) -> Result<Self, ParamsError> {
        let value = serde_json::to_value(params).map_err(|e| ParamsError {
            endpoint: self.endpoint,
            reason: e.to_string(),
        })?;
        let serde_json::Value::Object(map) = value else {
            return Err(ParamsError {
                endpoint: self.endpoint,
                reason: "not an object".into(),
            });
        };
        for (k, v) in map {
            let text = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::Bool(b) => u8::from(b).to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s,
                other => {
                    return Err(ParamsError {
                        endpoint: self.endpoint,
                        reason: format!("{k} is {other}"),
                    })
                }
            };
            self.params.push((k, text));
        }
        Ok(self)
    }

    /// Adds one parameter.
    pub fn param(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.params.push((key.to_string(), value.to_string()));
        self
    }
}

/// Percent-encodes one path segment (UPIDs contain `:` and `@`, which PVE accepts raw, but `!` and
/// anything outside the unreserved set is encoded).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_path_and_params() {
        const E: Endpoint = Endpoint::new(HttpMethod::Post, "/nodes/{node}/qemu/{vmid}/clone");
        assert_eq!(E.path_params(), vec!["node", "vmid"]);
        #[derive(Serialize)]
        struct P {
            newid: u32,
            full: Option<bool>,
            name: Option<String>,
        }
        let r = ApiRequest::new(E, &[&"pve1", &9000])
            .with_params(&P {
                newid: 101,
                full: Some(true),
                name: None,
            })
            .unwrap();
        assert_eq!(r.path, "/nodes/pve1/qemu/9000/clone");
        // The order of parameters means nothing to PVE (and depends on serde_json's map features).
        let mut params = r.params.clone();
        params.sort();
        assert_eq!(
            params,
            vec![("full".into(), "1".into()), ("newid".into(), "101".into())]
        );
    }

    #[test]
    fn encodes_segments() {
        const E: Endpoint = Endpoint::new(HttpMethod::Get, "/nodes/{node}/tasks/{upid}/status");
        let r = ApiRequest::new(E, &[&"pve1", &"UPID:pve1:1:2:3:x::root@pam!tok:"]);
        assert_eq!(
            r.path,
            "/nodes/pve1/tasks/UPID:pve1:1:2:3:x::root@pam%21tok:/status"
        );
    }
}
