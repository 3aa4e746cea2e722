//! The simulator's TLS identity: a self-signed certificate like the one PVE generates on install.

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A certificate and its key, as PEM (kept in the saved state so the fingerprint survives restarts).
#[derive(Clone, Serialize, Deserialize)]
pub struct Identity {
    /// Certificate (DER, hex).
    pub cert_der_hex: String,
    /// PKCS#8 private key (DER, hex).
    pub key_der_hex: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(<redacted>)")
    }
}

impl Identity {
    /// A new self-signed certificate for `localhost`, the loopback addresses and the node names.
    pub fn generate(names: &[String]) -> Result<Self, String> {
        let mut sans = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        sans.extend(names.iter().cloned());
        let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = rcgen::CertificateParams::new(sans).map_err(|e| e.to_string())?;
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "PVE Cluster Node");
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().cloned().unwrap_or_else(|| "pve".into()),
        );
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(Self {
            cert_der_hex: hex::encode(cert.der()),
            key_der_hex: hex::encode(key.serialize_der()),
        })
    }

    fn cert_der(&self) -> Vec<u8> {
        hex::decode(&self.cert_der_hex).unwrap_or_default()
    }

    /// The SHA-256 fingerprint, colon-separated upper-case hex as PVE shows it.
    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.cert_der())
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The certificate as PEM.
    pub fn cert_pem(&self) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.cert_der());
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    }

    /// A rustls server configuration serving this identity.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, String> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let key = hex::decode(&self.key_der_hex).map_err(|e| e.to_string())?;
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(self.cert_der())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )
            .map_err(|e| e.to_string())?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(cfg)
    }
}
