//! An agent's enrollment, from its site: it trusts the platform's agent listener only if the
//! listener's certificate chains to the CA whose SHA-256 the join token carries, checked in the TLS
//! handshake, before anything is sent; it makes its own key and redeems the token with a
//! certificate request for it.

use pve_client::Trust;
use rustls::pki_types::CertificateDer;
use scmp_api::{AgentEnroll, AgentEnrolled, AgentRenew, JoinTokenText, Problem};
use scmp_common::AgentId;
use sha2::{Digest, Sha256};

/// Why an enrollment did not happen.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The join token's text is not one.
    #[error("the join token: {0}")]
    Token(String),
    /// The platform could not be reached, or is not the one the token names (its CA differs).
    #[error("cannot reach the platform's agent endpoint at {url}: {message}")]
    Connect {
        /// Where.
        url: String,
        /// What failed, with every cause.
        message: String,
    },
    /// The platform refused the enrollment.
    #[error("the platform refused the enrollment ({status}): {detail}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The problem's detail.
        detail: String,
    },
    /// Something here failed (the key, the request).
    #[error("enrollment: {0}")]
    Local(String),
}

/// What an enrolled agent keeps.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// The platform's answer: the agent, its certificate and the CA.
    pub enrolled: AgentEnrolled,
    /// The key the agent made (PKCS#8 PEM), which its certificate is for.
    pub key_pem: String,
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// Sends `body` to `path` on the platform's agent endpoint, trusting only the pinned CA.
async fn post<B: serde::Serialize>(
    server: &str,
    ca_sha256: &str,
    path: &str,
    body: &B,
) -> Result<AgentEnrolled, EnrollError> {
    let tls = Trust::CaSha256(ca_sha256.to_string())
        .client_config()
        .map_err(EnrollError::Local)?;
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| EnrollError::Local(chain(&e)))?;
    let url = format!("{}{path}", server.trim_end_matches('/'));
    let connect = |e: reqwest::Error| EnrollError::Connect {
        url: server.to_string(),
        message: chain(&e),
    };
    let answer = http.post(&url).json(body).send().await.map_err(connect)?;
    let status = answer.status();
    let text = answer.text().await.map_err(connect)?;
    if !status.is_success() {
        let detail = serde_json::from_str::<Problem>(&text)
            .map(|p| p.detail)
            .unwrap_or(text);
        return Err(EnrollError::Refused {
            status: status.as_u16(),
            detail,
        });
    }
    serde_json::from_str(&text).map_err(|e| EnrollError::Local(e.to_string()))
}

fn request_for(key: &rcgen::KeyPair) -> Result<String, EnrollError> {
    rcgen::CertificateParams::default()
        .serialize_request(key)
        .and_then(|r| r.pem())
        .map_err(|e| EnrollError::Local(e.to_string()))
}

/// Enrolls with the platform's agent endpoint `server` (`https://host:port`) using a join token.
pub async fn enroll(server: &str, join_token: &str) -> Result<Enrollment, EnrollError> {
    let token: JoinTokenText = join_token.parse().map_err(EnrollError::Token)?;
    let key = rcgen::KeyPair::generate().map_err(|e| EnrollError::Local(e.to_string()))?;
    let body = AgentEnroll {
        join_token: token.to_string(),
        csr: request_for(&key)?,
    };
    let enrolled = post(server, &token.ca_sha256, "/api/v1/agent/enroll", &body).await?;
    Ok(Enrollment {
        enrolled,
        key_pem: key.serialize_pem(),
    })
}

/// A new certificate for an enrolled agent, asked with a request signed by its enrolled key
/// (`key_pem`); `ca_sha256` is the SHA-256 of the CA it enrolled under.
pub async fn renew(
    server: &str,
    ca_sha256: &str,
    agent: AgentId,
    key_pem: &str,
) -> Result<AgentEnrolled, EnrollError> {
    let key = rcgen::KeyPair::from_pem(key_pem).map_err(|e| EnrollError::Local(e.to_string()))?;
    let body = AgentRenew {
        agent,
        csr: request_for(&key)?,
    };
    post(server, ca_sha256, "/api/v1/agent/renew", &body).await
}

/// Whether a certificate good from `from_ms` to `until_ms` is due for renewal at `now_ms`: at two
/// thirds of its life, or later.
pub fn renewal_due(from_ms: i64, until_ms: i64, now_ms: i64) -> bool {
    now_ms >= from_ms + (until_ms - from_ms) * 2 / 3
}

/// The SHA-256 (hex) of a CA certificate in PEM, as a join token pins it.
pub fn ca_sha256(ca_pem: &str) -> Result<String, EnrollError> {
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_slice(ca_pem.as_bytes())
        .map_err(|e| EnrollError::Local(format!("the CA certificate: {e}")))?;
    Ok(hex::encode(Sha256::digest(der.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_is_due_at_two_thirds_of_a_certificates_life() {
        assert!(!renewal_due(0, 3000, 1999));
        assert!(renewal_due(0, 3000, 2000));
        assert!(renewal_due(0, 3000, 5000), "and after it ran out");
    }
}
