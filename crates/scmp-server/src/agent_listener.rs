//! The listener site agents connect to: TLS with a certificate from the platform's agent CA (what
//! an agent's join token pins), asking agents for their client certificates under that CA; the
//! site and agent a verified certificate names go with every request of its connection
//! ([`crate::context::PeerAgent`]). It serves the agents' routes only.

use std::net::SocketAddr;
use std::sync::Arc;

use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use scmp_common::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tower::Layer;

use crate::context::{AppState, PeerAgent};

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
    let acceptor = PeerAcceptor(RustlsAcceptor::new(RustlsConfig::from_config(Arc::new(
        tls,
    ))));
    let server = axum_server::from_tcp(listener)
        .acceptor(acceptor)
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

fn peer_of(certs: Option<&[CertificateDer<'_>]>) -> PeerAgent {
    let Some(first) = certs.and_then(|c| c.first()) else {
        return PeerAgent(None);
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(first.as_ref()) else {
        return PeerAgent(None);
    };
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return PeerAgent(None);
    };
    PeerAgent(san.value.general_names.iter().find_map(|n| match n {
        x509_parser::extensions::GeneralName::URI(uri) => crate::agent_ca::parse_agent_uri(uri),
        _ => None,
    }))
}

/// Accepts TLS and puts the peer's [`PeerAgent`] on every request of the connection.
#[derive(Clone)]
struct PeerAcceptor(RustlsAcceptor);

impl<I, S> Accept<I, S> for PeerAcceptor
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Send + 'static,
{
    type Stream = tokio_rustls::server::TlsStream<I>;
    type Service = axum::middleware::AddExtension<S, PeerAgent>;
    type Future =
        futures::future::BoxFuture<'static, std::io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let inner = self.0.clone();
        Box::pin(async move {
            let (stream, service) = inner.accept(stream, service).await?;
            let peer = peer_of(stream.get_ref().1.peer_certificates());
            Ok((stream, axum::Extension(peer).layer(service)))
        })
    }
}
