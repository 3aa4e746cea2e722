//! The listener site agents connect to: TLS with a certificate from the platform's agent CA (what
//! an agent's join token pins), asking agents for their client certificates under that CA. It
//! serves the agents' routes only.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use scmp_common::Error;

use crate::context::AppState;

/// How long the listener's certificate is good for (it is made afresh at every start).
const SERVER_CERT_MS: i64 = 365 * 86_400_000;

/// Starts serving agents on `listen`; answers the address it took.
pub async fn start(
    state: Arc<AppState>,
    listen: SocketAddr,
    names: &[String],
    handle: axum_server::Handle,
) -> Result<SocketAddr, Error> {
    let ca = state.agent_ca().await?;
    let (cert_pem, key_pem) = ca.issue_server(names, state.clock.now_ms(), SERVER_CERT_MS)?;
    let chain: Vec<CertificateDer<'static>> = [cert_pem.as_str(), ca.cert_pem()]
        .iter()
        .map(|pem| CertificateDer::from_pem_slice(pem.as_bytes()).map_err(Error::internal))
        .collect::<Result<_, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(Error::internal)?;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(chain[1].clone())
        .map_err(|e| Error::internal(format!("the agent CA: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // Enrollment comes without a certificate (the join token is its credential); every other
    // agent route will require one under the CA.
    let clients = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .map_err(Error::internal)?;
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::internal)?
        .with_client_cert_verifier(clients)
        .with_single_cert(chain, key)
        .map_err(Error::internal)?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let app = crate::http::agent_router(state);
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| Error::Unavailable(format!("cannot listen for agents on {listen}: {e}")))?;
    listener.set_nonblocking(true).map_err(Error::internal)?;
    let addr = listener.local_addr().map_err(Error::internal)?;
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls)),
    )
    .handle(handle);
    tokio::spawn(async move {
        if let Err(e) = server
            .serve(app.into_make_service_with_connect_info::<SocketAddr>())
            .await
        {
            tracing::error!(error = %e, "the agent listener stopped");
        }
    });
    Ok(addr)
}
