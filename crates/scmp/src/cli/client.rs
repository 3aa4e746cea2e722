//! Calls to the API with the context's pinned certificate and token. Requests are built from the
//! API crate's request types and answers read into its view types, so a field the server renamed
//! fails here, loudly, instead of printing nothing; problems become readable errors.

use std::time::Duration;

use anyhow::{bail, Context as _};
use pve_client::Trust;
use reqwest::Method;
use scmp_api::{Page, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::config::Context;

/// An API client for one context.
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// A problem answer as an error message: the detail, then each field at fault.
fn problem_text(status: reqwest::StatusCode, text: &str) -> String {
    let Ok(p) = serde_json::from_str::<Problem>(text) else {
        return format!("HTTP {status}");
    };
    let mut message = p.detail;
    for e in p.errors {
        message.push_str(&format!("\n  {}: {}", e.field, e.message));
    }
    message
}

impl Api {
    /// A client for `server`, trusting exactly the certificate with `fingerprint`.
    pub fn new(server: &str, fingerprint: &str, token: Option<String>) -> anyhow::Result<Self> {
        let fp = fingerprint.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
        let tls = Trust::Fingerprint(fp)
            .client_config()
            .map_err(|e| anyhow::anyhow!(e))?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(60))
            .build()?;
        let server = server.trim_end_matches('/');
        anyhow::ensure!(
            server.starts_with("https://"),
            "the server URL must start with https://"
        );
        Ok(Self {
            http,
            base: format!("{server}/api/v1"),
            token,
        })
    }

    /// A client for a context.
    pub fn from_context(c: &Context) -> anyhow::Result<Self> {
        Self::new(&c.server, &c.fingerprint, Some(c.token.clone()))
    }

    /// Sends a request; the answer's text on success, the problem as an error otherwise.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.context("the server did not answer")?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if status.is_success() {
            return Ok(text);
        }
        bail!("{} ({})", problem_text(status, &text), status.as_u16())
    }

    /// Reads an answer of the type the operation answers.
    fn read<T: DeserializeOwned>(path: &str, text: &str) -> anyhow::Result<T> {
        serde_json::from_str(text)
            .with_context(|| format!("the server's answer to {path} is not what this client reads"))
    }

    /// `GET path`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let text = self.send(Method::GET, path, None).await?;
        Self::read(path, &text)
    }

    /// `GET path` of an answer that is text (a CSV export).
    pub async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        self.send(Method::GET, path, None).await
    }

    /// `method path` with a request body of the operation's request type.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let body = serde_json::to_value(body)?;
        let text = self.send(method, path, Some(body)).await?;
        Self::read(path, &text)
    }

    /// `method path` with a request body, of an operation that answers 204.
    pub async fn call_done<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> anyhow::Result<()> {
        let body = serde_json::to_value(body)?;
        self.send(method, path, Some(body)).await.map(|_| ())
    }

    /// `POST path` without a body (an action such as `guest_start`).
    pub async fn post<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let text = self.send(Method::POST, path, None).await?;
        Self::read(path, &text)
    }

    /// `DELETE path` of an operation that answers 204.
    pub async fn delete(&self, path: &str) -> anyhow::Result<()> {
        self.send(Method::DELETE, path, None).await.map(|_| ())
    }

    /// `DELETE path` of an operation that answers something (an operation, for a guest).
    pub async fn delete_answering<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let text = self.send(Method::DELETE, path, None).await?;
        Self::read(path, &text)
    }

    /// Every item of a list, page after page (`next_page_token`).
    pub async fn list<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<Vec<T>> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page_path = match &token {
                // Page tokens are URL-safe base64.
                Some(t) => format!("{path}{sep}limit=1000&page_token={t}"),
                None => format!("{path}{sep}limit=1000"),
            };
            let page: Page<T> = self.get(&page_path).await?;
            items.extend(page.items);
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(items)
    }
}

/// `TENANT/PROJECT` to the project's id (an id passes through).
pub async fn project_id(a: &Api, key: &str) -> anyhow::Result<String> {
    let Some((tenant, project)) = key.split_once('/') else {
        return Ok(key.to_string());
    };
    let list: Vec<scmp_api::ProjectView> = a.list(&format!("/tenants/{tenant}/projects")).await?;
    list.iter()
        .find(|p| p.name.as_str() == project)
        .map(|p| p.id)
        .map(|id| id.to_string())
        .with_context(|| format!("no project '{project}' in tenant '{tenant}'"))
}

/// A query string of the given parameters (`?a=1&b=x`), empty when none is given.
pub fn query(params: &[(&str, Option<&str>)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in params {
        if let Some(v) = v {
            q.append_pair(k, v);
            any = true;
        }
    }
    if any {
        format!("?{}", q.finish())
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_as_messages() {
        let text = r#"{"type":"https://scmp.example/problems/invalid-input","title":"Bad Request","status":400,"detail":"invalid name","instance":"r1","errors":[{"field":"name","message":"must start with a letter"}]}"#;
        let m = problem_text(reqwest::StatusCode::BAD_REQUEST, text);
        assert_eq!(m, "invalid name\n  name: must start with a letter");
        assert_eq!(
            problem_text(reqwest::StatusCode::BAD_GATEWAY, "<html>"),
            "HTTP 502 Bad Gateway"
        );
    }

    #[test]
    fn queries_leave_out_what_is_not_given() {
        assert_eq!(query(&[("tenant", None)]), "");
        assert_eq!(
            query(&[
                ("tenant", Some("acme")),
                ("actor", None),
                ("since", Some("a b"))
            ]),
            "?tenant=acme&since=a+b"
        );
    }
}
