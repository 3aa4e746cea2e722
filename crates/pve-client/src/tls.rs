//! Trust in the server: the certificate pinned by its SHA-256 fingerprint (PVE's self-signed certificates
//! are the norm), verified against a given CA, or verified under the CA whose SHA-256 is pinned (an
//! scmp agent's join token). There is no "accept anything" mode.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

pub use pve_types::{Fingerprint, FingerprintError};

/// How the client decides to trust the server.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Accept exactly the certificate with this SHA-256 fingerprint.
    Fingerprint(Fingerprint),
    /// Verify the chain and name against these PEM CA certificates.
    CaPem(String),
    /// Verify the chain and name under the CA, sent by the server in its chain, whose certificate
    /// (DER) has this SHA-256 (hex).
    CaSha256(String),
}

impl Trust {
    /// The rustls client configuration that enforces this trust (for other HTTPS clients of a PVE
    /// host, such as the simulator's fault endpoints).
    pub fn client_config(&self) -> Result<rustls::ClientConfig, String> {
        Ok(self.builder()?.with_no_client_auth())
    }

    /// The same, presenting a client certificate (its chain, PEM) and its key (PEM).
    pub fn client_config_with_cert(
        &self,
        chain_pem: &str,
        key_pem: &str,
    ) -> Result<rustls::ClientConfig, String> {
        use rustls::pki_types::pem::PemObject;
        let chain = rustls_pemfile_certs(&mut chain_pem.as_bytes())?;
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
            .map_err(|e| format!("invalid key: {e}"))?;
        self.builder()?
            .with_client_auth_cert(chain, key)
            .map_err(|e| e.to_string())
    }

    fn builder(
        &self,
    ) -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>, String>
    {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        match self {
            Trust::Fingerprint(fp) => {
                Ok(builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(PinnedVerifier {
                        fingerprint: *fp,
                        provider,
                    })))
            }
            Trust::CaPem(pem) => {
                let mut roots = rustls::RootCertStore::empty();
                let mut reader = pem.as_bytes();
                for cert in rustls_pemfile_certs(&mut reader)? {
                    roots.add(cert).map_err(|e| e.to_string())?;
                }
                if roots.is_empty() {
                    return Err("no CA certificate in the given PEM".into());
                }
                Ok(builder.with_root_certificates(roots))
            }
            Trust::CaSha256(sha256) => {
                Ok(builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(PinnedCaVerifier {
                        sha256: sha256.to_ascii_lowercase(),
                        provider,
                    })))
            }
        }
    }
}

/// Reads the certificates of a PEM bundle.
fn rustls_pemfile_certs(reader: &mut &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(reader)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("invalid PEM: {e}"))
}

/// Accepts the one certificate whose fingerprint is pinned. The handshake signatures are still verified
/// with that certificate's key, so a peer must hold its private key.
#[derive(Debug)]
struct PinnedVerifier {
    fingerprint: Fingerprint,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = Fingerprint::of_der(end_entity.as_ref());
        if seen == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "server certificate fingerprint {seen} does not match the pinned {}",
                self.fingerprint
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        tls12(&self.provider, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        tls13(&self.provider, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        schemes(&self.provider)
    }
}

/// Trusts a server certificate only under the CA whose SHA-256 is pinned, found in the chain the
/// server sends; the certificate is then checked under that CA like any server certificate (name,
/// validity, server authentication).
#[derive(Debug)]
struct PinnedCaVerifier {
    sha256: String,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCaVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use sha2::{Digest, Sha256};
        let ca = intermediates
            .iter()
            .find(|c| hex::encode(Sha256::digest(c.as_ref())) == self.sha256)
            .ok_or_else(|| {
                rustls::Error::General("the server's certificate is not from the pinned CA".into())
            })?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.clone().into_owned())?;
        rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?
        .verify_server_cert(end_entity, &[], server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        tls12(&self.provider, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        tls13(&self.provider, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        schemes(&self.provider)
    }
}

// The handshake's signatures, checked with the provider's algorithms by both verifiers.

fn tls12(
    provider: &CryptoProvider,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    verify_tls12_signature(
        message,
        cert,
        dss,
        &provider.signature_verification_algorithms,
    )
}

fn tls13(
    provider: &CryptoProvider,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    verify_tls13_signature(
        message,
        cert,
        dss,
        &provider.signature_verification_algorithms,
    )
}

fn schemes(provider: &CryptoProvider) -> Vec<SignatureScheme> {
    provider
        .signature_verification_algorithms
        .supported_schemes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_round_trip() {
        let s = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
        let f: Fingerprint = s.parse().unwrap();
        assert_eq!(f.to_string(), s);
        assert_eq!(s.to_lowercase().parse::<Fingerprint>().unwrap(), f);
        assert!("AB:CD".parse::<Fingerprint>().is_err());
        assert!("zz".parse::<Fingerprint>().is_err());
    }

    #[test]
    fn ca_mode_needs_a_certificate() {
        assert!(Trust::CaPem(String::new()).client_config().is_err());
    }
}
