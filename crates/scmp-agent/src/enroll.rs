//! An agent's enrollment, from its site: it trusts the platform's agent listener only if the
//! listener's certificate chains to the CA whose SHA-256 the join token carries, checked in the TLS
//! handshake, before anything is sent; it makes its own key and redeems the token with a
//! certificate request for it.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use scmp_api::{AgentEnroll, AgentEnrolled, JoinTokenText, Problem};
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

/// Trusts a server certificate only under the CA whose SHA-256 is pinned, found in the chain the
/// server sends; the certificate is then checked under that CA as any server certificate
/// (name, validity, server authentication).
#[derive(Debug)]
pub struct PinnedCa {
    sha256: String,
    provider: Arc<CryptoProvider>,
}

impl PinnedCa {
    /// Trusts the CA whose certificate (DER) has this SHA-256 (hex).
    pub fn new(sha256: &str) -> Self {
        Self {
            sha256: sha256.to_ascii_lowercase(),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        }
    }

    /// A TLS client configuration that trusts only that CA.
    pub fn client_config(self) -> Result<rustls::ClientConfig, rustls::Error> {
        let provider = self.provider.clone();
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(self))
            .with_no_client_auth())
    }
}

impl ServerCertVerifier for PinnedCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let ca = intermediates
            .iter()
            .find(|c| hex::encode(Sha256::digest(c.as_ref())) == self.sha256)
            .ok_or_else(|| {
                rustls::Error::General(
                    "the server's certificate is not from the CA the join token names".into(),
                )
            })?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.clone().into_owned())?;
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))?;
        verifier.verify_server_cert(end_entity, &[], server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
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

/// Enrolls with the platform's agent endpoint `server` (`https://host:port`) using a join token.
pub async fn enroll(server: &str, join_token: &str) -> Result<Enrollment, EnrollError> {
    let token: JoinTokenText = join_token.parse().map_err(EnrollError::Token)?;
    let tls = PinnedCa::new(&token.ca_sha256)
        .client_config()
        .map_err(|e| EnrollError::Local(e.to_string()))?;
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| EnrollError::Local(chain(&e)))?;
    let key = rcgen::KeyPair::generate().map_err(|e| EnrollError::Local(e.to_string()))?;
    let csr = rcgen::CertificateParams::default()
        .serialize_request(&key)
        .and_then(|r| r.pem())
        .map_err(|e| EnrollError::Local(e.to_string()))?;
    let url = format!("{}/api/v1/agent/enroll", server.trim_end_matches('/'));
    let body = AgentEnroll {
        join_token: token.to_string(),
        csr,
    };
    let answer = http
        .post(&url)
        .json(&body)
        .send()
        .await
        .map_err(|e| EnrollError::Connect {
            url: server.to_string(),
            message: chain(&e),
        })?;
    let status = answer.status();
    let text = answer.text().await.map_err(|e| EnrollError::Connect {
        url: server.to_string(),
        message: chain(&e),
    })?;
    if !status.is_success() {
        let detail = serde_json::from_str::<Problem>(&text)
            .ok()
            .map(|p| p.detail)
            .unwrap_or(text);
        return Err(EnrollError::Refused {
            status: status.as_u16(),
            detail,
        });
    }
    let enrolled: AgentEnrolled =
        serde_json::from_str(&text).map_err(|e| EnrollError::Local(e.to_string()))?;
    Ok(Enrollment {
        enrolled,
        key_pem: key.serialize_pem(),
    })
}
