//! The HTTP client for what the server calls out to (OpenID providers, ticketing systems): TLS
//! trusting the system's roots, redirects never followed, every call bounded in time.

use std::sync::Arc;
use std::time::Duration;

use scmp_common::Error;

/// Where Debian keeps the system's trusted roots.
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A client that trusts the system's roots, never follows redirects and gives up after `timeout`.
pub fn client(timeout: Duration) -> Result<reqwest::Client, Error> {
    let roots = std::fs::read_to_string(SYSTEM_ROOTS).unwrap_or_default();
    let tls = if roots.is_empty() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(Error::internal)?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()
    } else {
        pve_client::Trust::CaPem(roots)
            .client_config()
            .map_err(Error::internal)?
    };
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(Error::internal)
}
