//! The site's own API, served by its agent, so the site stays usable while its link to the centre
//! is down: the same paths and types as the platform's API for what it serves (so the same `scmp`
//! CLI works against it through a context), over TLS with the agent's own certificate. Today it
//! takes the site's break-glass credential only, and every request made with it is audited
//! loudly: logged as a warning at the site, and written as the next entry of the site's audit
//! chain (hash-chained, signed with the agent's key) for the centre, which adds it to its audit
//! log with the site as its origin and keeps the entry for `scmp audit verify`.

mod auth;
mod create;
mod govern;
mod problem;
mod record;
mod routes;
mod sessions;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use scmp_common::{CredentialId, UserId};
use tokio::sync::watch;

use crate::command::Agent;
use crate::link::{ChainSigner, Outbox, SiteState};

pub use auth::{break_glass_hash, BREAK_GLASS_PREFIX};
pub use scmp_authz::Authorizer;

/// What the site's API works with.
pub struct SiteApi {
    /// The agent of the site's cluster.
    pub agent: Arc<dyn Agent>,
    /// Where the site's audit entries go (to the centre, through the journal).
    pub outbox: Outbox,
    /// Signs them (the agent's enrolled key).
    pub signer: ChainSigner,
    /// What the centre last told the site about itself.
    pub site: watch::Receiver<Option<SiteState>>,
    /// The SHA-256 (hex) of the break-glass credential.
    pub break_glass_sha256: String,
    /// The identity the break-glass credential stands for, as `GET /me` shows it.
    pub break_glass_user: (UserId, CredentialId),
    /// The site's Proxmox VE API (where guests' consoles are).
    pub pve_endpoint: String,
    /// The site's clock (budgets' and the identity cache's validity, sessions, times shown).
    pub clock: scmp_common::SharedClock,
    /// The platform's policy engine, deciding for the cached users as the centre would.
    pub authz: scmp_authz::Authorizer,
    /// Sessions opened at the site with a cached user's password.
    pub sessions: auth::Sessions,
    /// Held while a guest is made or deleted at the site: one at a time, so two creations never
    /// spend the same part of a budget, and the centre hears of a new budget only after what
    /// was done under the one before ([`crate::link::held`]).
    pub spending: crate::link::Spending,
}

/// Serves the site's API on `listen` with the certificate and key given (PEM); answers the
/// address it took.
pub async fn serve(
    api: SiteApi,
    listen: SocketAddr,
    cert_pem: &str,
    key_pem: &str,
) -> Result<(SocketAddr, Running), String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain =
        vec![CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| e.to_string())?];
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| e.to_string())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls)),
    )
    .handle(handle.clone());
    let app = routes::router(Arc::new(api));
    tokio::spawn(async move {
        if let Err(e) = server
            .serve(app.into_make_service_with_connect_info::<SocketAddr>())
            .await
        {
            tracing::error!(error = %e, "the site's API stopped");
        }
    });
    Ok((addr, Running(handle)))
}

/// The site's API while it serves; it stops when this is shut down (or the process ends).
pub struct Running(axum_server::Handle);

impl Running {
    /// Stops serving.
    pub fn shutdown(&self) {
        self.0.shutdown();
    }
}

/// A self-signed certificate and key (PEM) for the site's API, naming `names`.
pub fn self_signed(names: &[String]) -> Result<(String, String), String> {
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let params = rcgen::CertificateParams::new(names.to_vec()).map_err(|e| e.to_string())?;
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// The SHA-256 fingerprint (`AB:CD:...`) of a certificate in PEM, as `scmp login` pins it.
pub fn fingerprint(cert_pem: &str) -> Result<String, String> {
    use rustls::pki_types::pem::PemObject;
    use sha2::{Digest, Sha256};
    let der = rustls::pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(Sha256::digest(der.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}
