//! Calls to the API with the context's pinned certificate and token; problems become readable errors.

use std::time::Duration;

use anyhow::{bail, Context as _};
use pve_client::Trust;
use reqwest::Method;
use serde_json::Value;

use super::config::Context;

/// An API client for one context.
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
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

    /// Every item of a list, page after page (`next_page_token`), as one `{items: [...]}`.
    pub async fn list(&self, path: &str) -> anyhow::Result<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page_path = match &token {
                // Page tokens are URL-safe base64.
                Some(t) => format!("{path}{sep}limit=1000&page_token={t}"),
                None => format!("{path}{sep}limit=1000"),
            };
            let page = self.call(Method::GET, &page_path, None).await?;
            if let Some(list) = page["items"].as_array() {
                items.extend(list.iter().cloned());
            }
            match page["next_page_token"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        Ok(serde_json::json!({ "items": items }))
    }

    /// Calls `method path` with an optional JSON body; the answer, or the problem as an error.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
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
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if status.is_success() {
            return Ok(value);
        }
        let mut message = value["detail"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("HTTP {status}"));
        if let Some(errors) = value["errors"].as_array() {
            for e in errors {
                message.push_str(&format!(
                    "\n  {}: {}",
                    e["field"].as_str().unwrap_or("?"),
                    e["message"].as_str().unwrap_or("")
                ));
            }
        }
        bail!("{message} ({})", status.as_u16())
    }
}
