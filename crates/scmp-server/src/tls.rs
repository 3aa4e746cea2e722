//! The server's TLS identity: a given certificate and key in the data directory, or a self-signed one
//! generated on first start. Its fingerprint is written to `DIR/tls-fingerprint`.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use scmp_common::Error;
use sha2::{Digest, Sha256};

/// Loads `tls-cert.pem` and `tls-key.pem` from `dir`, creating a self-signed pair when absent.
pub fn load_or_create(dir: &Path) -> Result<(Arc<rustls::ServerConfig>, String), Error> {
    let cert_path = dir.join("tls-cert.pem");
    let key_path = dir.join("tls-key.pem");
    if !cert_path.exists() || !key_path.exists() {
        let key = rcgen::KeyPair::generate().map_err(Error::internal)?;
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .map_err(Error::internal)?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "scmp server");
        let cert = params.self_signed(&key).map_err(Error::internal)?;
        crate::datadir::write_private(&key_path, key.serialize_pem().as_bytes())?;
        crate::datadir::write_private(&cert_path, cert.pem().as_bytes())?;
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", cert_path.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| {
            Error::Unavailable(format!("invalid certificate {}: {e}", cert_path.display()))
        })?;
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| Error::Unavailable(format!("invalid key {}: {e}", key_path.display())))?;
    let first = certs
        .first()
        .ok_or_else(|| Error::Unavailable(format!("no certificate in {}", cert_path.display())))?;
    let fingerprint = Sha256::digest(first.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    crate::datadir::write_private(
        &dir.join("tls-fingerprint"),
        format!("{fingerprint}\n").as_bytes(),
    )?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::internal)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::Unavailable(format!("the certificate and key do not match: {e}")))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(cfg), fingerprint))
}
