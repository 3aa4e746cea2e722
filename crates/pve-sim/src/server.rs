//! HTTPS serving with PVE's wire behaviour: `{"data": ...}` envelopes, errors in the status line,
//! 401 with an empty body (after PVE's delay), 501 for HEAD and unknown methods, and the injected
//! connection faults (dropped connections, added latency).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::api;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::simulator::{SimError, Simulator};

/// The largest request body accepted (PVE refuses larger POSTs).
const MAX_BODY: usize = 512 * 1024;

pub(crate) async fn accept_loop(sim: Simulator, listener: TcpListener) {
    let tls = match sim.inner.identity.server_config() {
        Ok(cfg) => TlsAcceptor::from(Arc::new(cfg)),
        Err(e) => {
            tracing::error!(error = %e, "cannot build the TLS configuration");
            return;
        }
    };
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let drop_it = !entry_up(&sim) || {
            let mut c = sim.inner.cluster.lock().unwrap_or_else(|e| e.into_inner());
            let rate = c.faults.drop_rate;
            rate > 0.0 && c.draw() < rate
        };
        if drop_it {
            tracing::debug!(%peer, "dropping connection (injected fault)");
            drop(stream);
            continue;
        }
        let tls = tls.clone();
        let sim = sim.clone();
        tokio::spawn(async move {
            let Ok(stream) = tls.accept(stream).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req| {
                let sim = sim.clone();
                async move {
                    // A node that went down answers nothing, not even on connections it had open:
                    // failing the request makes hyper close the connection.
                    if !entry_up(&sim) {
                        return Err(std::io::Error::other("the node is down"));
                    }
                    Ok(handle(sim, req).await)
                }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn reason_phrase(message: &str) -> hyper::ext::ReasonPhrase {
    let line: String = message
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(200)
        .collect();
    hyper::ext::ReasonPhrase::try_from(line.into_bytes())
        .unwrap_or_else(|_| hyper::ext::ReasonPhrase::from_static(b"Error"))
}

fn response(
    status: u16,
    reason: Option<&str>,
    body: Option<serde_json::Value>,
) -> Response<Full<Bytes>> {
    let bytes = match &body {
        Some(v) => Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
        None => Bytes::new(),
    };
    let mut resp = Response::new(Full::new(bytes));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert("Server", HeaderValue::from_static("pve-api-daemon/3.0"));
    h.insert("Cache-Control", HeaderValue::from_static("max-age=0"));
    h.insert("Pragma", HeaderValue::from_static("no-cache"));
    if body.is_some() {
        h.insert(
            "Content-Type",
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
    }
    if let Some(r) = reason {
        resp.extensions_mut().insert(reason_phrase(r));
    }
    resp
}

/// An error as PVE sends it.
fn error_response(e: &ApiError) -> Response<Full<Bytes>> {
    match e.status {
        // Authentication failures, unreachable nodes and unimplemented methods: reason only.
        401 | 595 | 596 | 501 => response(e.status, Some(&e.message), None),
        _ => {
            let mut body = serde_json::json!({"data": null, "message": format!("{}\n", e.message)});
            if let Some(errors) = &e.errors {
                body["errors"] = serde_json::to_value(errors).unwrap_or_default();
            }
            response(e.status, Some(&e.message), Some(body))
        }
    }
}

/// Reads query and body parameters (form or JSON) into one map.
async fn read_params(
    req: Request<Incoming>,
) -> Result<(Method, String, http::HeaderMap, BTreeMap<String, String>), ApiError> {
    let (parts, body) = req.into_parts();
    let mut params = BTreeMap::new();
    if let Some(q) = parts.uri.query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q)
            .map_err(|e| ApiError::new(400, format!("unable to parse query string: {e}")))?;
        params.extend(pairs);
    }
    let body = Limited::new(body, MAX_BODY)
        .collect()
        .await
        .map_err(|_| ApiError::new(413, "Request Entity Too Large"))?
        .to_bytes();
    if !body.is_empty() {
        let ctype = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if ctype.starts_with("application/json") {
            let v: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&body)
                .map_err(|e| ApiError::new(400, format!("unable to parse JSON body: {e}")))?;
            for (k, v) in v {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Bool(b) => u8::from(b).to_string(),
                    serde_json::Value::Null => continue,
                    other => other.to_string(),
                };
                params.insert(k, text);
            }
        } else {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| ApiError::new(400, format!("unable to parse request body: {e}")))?;
            params.extend(pairs);
        }
    }
    Ok((
        parts.method,
        parts.uri.path().to_string(),
        parts.headers,
        params,
    ))
}

/// Whether the node the API is served from is up.
fn entry_up(sim: &Simulator) -> bool {
    let c = sim.inner.cluster.lock().unwrap_or_else(|e| e.into_inner());
    c.node(&c.entry_node)
        .is_some_and(|n| n.state == crate::model::NodeState::Up)
}

async fn handle(sim: Simulator, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let latency = sim
        .inner
        .cluster
        .lock()
        .map(|c| c.faults.latency_ms)
        .unwrap_or(0);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if req.method() == Method::HEAD {
        return error_response(&ApiError::new(501, "method 'HEAD' not available"));
    }
    let (method, path, headers, params) = match read_params(req).await {
        Ok(x) => x,
        Err(e) => return error_response(&e),
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let api_path = match path.strip_prefix("/api2/json") {
        Some(p) => p.to_string(),
        None if path.starts_with("/sim/") || path == "/sim" => {
            let caller = match authenticate(&sim, &header, &method, "/sim").await {
                Ok(c) => c,
                Err(resp) => return resp,
            };
            return match crate::sim_api::handle(&sim, &caller, &method, &path, &params) {
                Ok(v) => response(200, None, Some(serde_json::json!({ "data": v }))),
                Err(e) => error_response(&e),
            };
        }
        None => return error_response(&ApiError::new(404, "Not Found")),
    };
    let api_path = if api_path.is_empty() {
        "/".to_string()
    } else {
        api_path
    };
    let m = method.as_str();
    if !matches!(m, "GET" | "POST" | "PUT" | "DELETE") {
        return error_response(&ApiError::new(501, format!("method '{m}' not available")));
    }
    let caller = if api::is_public(m, &api_path) {
        Caller {
            authid: String::new(),
            ticket: false,
        }
    } else {
        match authenticate(&sim, &header, &method, &api_path).await {
            Ok(c) => c,
            Err(resp) => return resp,
        }
    };
    let now = sim.now();
    let result = {
        let mut c = sim.inner.cluster.lock().unwrap_or_else(|e| e.into_inner());
        api::dispatch(&mut c, &sim.inner.auth, &caller, m, &api_path, params, now)
    };
    match result {
        Ok(reply) => {
            let mut resp = Response::new(Full::new(Bytes::from(reply.into_body())));
            let h = resp.headers_mut();
            h.insert("Server", HeaderValue::from_static("pve-api-daemon/3.0"));
            h.insert("Cache-Control", HeaderValue::from_static("max-age=0"));
            h.insert("Pragma", HeaderValue::from_static("no-cache"));
            h.insert(
                "Content-Type",
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            resp
        }
        Err(e) if e.status == 401 => {
            auth_delay(&sim).await;
            error_response(&e)
        }
        Err(e) => error_response(&e),
    }
}

/// PVE answers failed authentication after a pause (3 s at real timing) to slow down guessing.
async fn auth_delay(sim: &Simulator) {
    let scale = sim
        .inner
        .cluster
        .lock()
        .map(|c| c.time_scale)
        .unwrap_or(0.0);
    let secs = (3.0 * scale).clamp(0.0, 3.0);
    if secs > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    }
}

async fn authenticate(
    sim: &Simulator,
    header: &impl Fn(&str) -> Option<String>,
    method: &Method,
    _path: &str,
) -> Result<Caller, Response<Full<Bytes>>> {
    let result = sim.inner.auth.authenticate(
        header("authorization").as_deref(),
        header("cookie").as_deref(),
        header("csrfpreventiontoken").as_deref(),
        method == Method::GET,
        sim.now(),
    );
    match result {
        Ok(c) => Ok(c),
        Err(reason) => {
            auth_delay(sim).await;
            Err(error_response(&ApiError::unauthorized(reason)))
        }
    }
}

impl Simulator {
    /// Serves HTTPS on `listener` until the task is aborted. In automatic mode a background task moves
    /// the model forward and saves the state every few seconds.
    pub fn serve(&self, listener: TcpListener) -> JoinHandle<()> {
        let sim = self.clone();
        if self.inner.clock.is_automatic() {
            let ticker = self.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                loop {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    drop(ticker.cluster());
                    n += 1;
                    if n.is_multiple_of(40) {
                        if let Err(e) = ticker.save() {
                            tracing::warn!(error = %e, "saving the simulator state failed");
                        }
                    }
                }
            });
        }
        tokio::spawn(async move { accept_loop(sim, listener).await })
    }

    /// Binds `addr` and serves; returns the bound address.
    pub async fn bind(&self, addr: SocketAddr) -> Result<(SocketAddr, JoinHandle<()>), SimError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Io {
                context: format!("binding {addr}"),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| SimError::Io {
            context: "reading the bound address".into(),
            source,
        })?;
        Ok((local, self.serve(listener)))
    }
}
