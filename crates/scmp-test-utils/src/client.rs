//! A client of the API for tests: typed calls that build the API crate's requests and read its
//! views (and fail the test, naming the problem, when the server refuses), and raw calls that
//! answer the status and the body as they are, for the tests of refusals.

use std::time::Duration;

use pve_client::Trust;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use scmp_api::{Page, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// An answer as it came.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body as JSON (`null` when empty or not JSON).
    pub body: Value,
    /// The body's text.
    pub text: String,
    /// The headers.
    pub headers: HeaderMap,
}

impl Answer {
    /// The content type.
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The body as a problem (fails the test when it is not one).
    pub fn problem(&self) -> Problem {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("not a problem ({e}): {} {}", self.status, self.text))
    }

    /// The first field a problem names.
    pub fn field(&self) -> Option<String> {
        self.body["errors"][0]["field"].as_str().map(str::to_string)
    }

    /// The body as `T` (fails the test when it is not).
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("unexpected answer ({e}): {} {}", self.status, self.text))
    }
}

/// An HTTP client of the server whose certificate has `fingerprint` that keeps up to `idle`
/// connections open, as an SDK or the portal does: for load (the benches). The test [`Client`]
/// keeps none.
pub fn keeping_connections(fingerprint: &str, idle: usize) -> reqwest::Client {
    let tls = Trust::Fingerprint(fingerprint.trim().parse().unwrap())
        .client_config()
        .unwrap();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .pool_max_idle_per_host(idle)
        .build()
        .unwrap()
}

/// An API client with a credential (or none).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    /// A client of the server at `base` (`https://host:port`) whose certificate has `fingerprint`.
    pub fn new(base: &str, fingerprint: &str, token: Option<String>) -> Client {
        let tls = Trust::Fingerprint(fingerprint.trim().parse().unwrap())
            .client_config()
            .unwrap();
        // No connection reuse: a refused over-large body leaves its connection unusable, as it
        // should, and the next request must not meet it.
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
        }
    }

    /// The same server with another bearer token.
    pub fn with_token(&self, token: impl Into<String>) -> Client {
        Client {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    /// The same server without a credential.
    pub fn anonymous(&self) -> Client {
        Client {
            token: None,
            ..self.clone()
        }
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The bearer token in use.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The underlying HTTP client (for requests the helpers do not make, such as cookies).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `method` on a path of the server (`/healthz`, `/api/v1/...`), with an optional JSON body.
    pub async fn request_url(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req.send().await.unwrap()).await
    }

    /// `method` on an API path (`/tenants` is `/api/v1/tenants`), the answer as it is.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.request_url(method, &format!("/api/v1{path}"), body)
            .await
    }

    /// A body of any content type, on an API path.
    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        answer(req.send().await.unwrap()).await
    }

    /// A typed call that must succeed.
    async fn ok<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<Value>) -> T {
        let m = method.clone();
        let a = self.send(method, path, body).await;
        assert!(a.status.is_success(), "{m} {path}: {} {}", a.status, a.text);
        a.json()
    }

    /// `GET path`, read as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> T {
        self.ok(Method::GET, path, None).await
    }

    /// `POST path` with a body, read as `T`.
    pub async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> T {
        let body = serde_json::to_value(body).unwrap();
        self.ok(Method::POST, path, Some(body)).await
    }

    /// `POST path` without a body (an action), read as `T`.
    pub async fn act<T: DeserializeOwned>(&self, path: &str) -> T {
        self.ok(Method::POST, path, None).await
    }

    /// `PUT path` with a body, read as `T`.
    pub async fn put<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> T {
        let body = serde_json::to_value(body).unwrap();
        self.ok(Method::PUT, path, Some(body)).await
    }

    /// `PATCH path` with a body, read as `T`.
    pub async fn patch<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> T {
        let body = serde_json::to_value(body).unwrap();
        self.ok(Method::PATCH, path, Some(body)).await
    }

    /// `DELETE path` that must answer 204.
    pub async fn delete(&self, path: &str) {
        let a = self.send(Method::DELETE, path, None).await;
        assert_eq!(
            a.status,
            StatusCode::NO_CONTENT,
            "DELETE {path}: {}",
            a.text
        );
    }

    /// Every item of a list, page after page.
    pub async fn list_all<T: DeserializeOwned>(&self, path: &str) -> Vec<T> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..10_000 {
            let page_path = match &token {
                Some(t) => format!("{path}{sep}limit=1000&page_token={t}"),
                None => format!("{path}{sep}limit=1000"),
            };
            let page: Page<T> = self.get(&page_path).await;
            items.extend(page.items);
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => return items,
            }
        }
        panic!("{path}: the pages never end");
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers,
    }
}
