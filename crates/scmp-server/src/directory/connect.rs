//! Connections to a directory: TLS trust (the realm's CA, a pinned certificate fingerprint, or
//! the system's roots; never none), the fallback server, the service account's bind, and the
//! step-by-step connection test.

use std::sync::Arc;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope};
use pve_client::{Fingerprint, Trust};
use scmp_api::{LdapMode, RealmTestStep, RealmTestView};

use super::{Directory, DirectoryError, CONNECT_TIMEOUT, OPERATION_TIMEOUT};

/// Where Debian keeps the system's trusted roots.
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

impl Directory {
    /// The TLS client configuration the realm's settings ask for.
    pub(super) fn tls_config(&self) -> Result<rustls::ClientConfig, String> {
        let trust = match (&self.settings.fingerprint, &self.settings.ca_pem) {
            (Some(fp), _) => Trust::Fingerprint(
                fp.parse::<Fingerprint>()
                    .map_err(|e| format!("fingerprint: {}", e.0))?,
            ),
            (None, Some(pem)) => Trust::CaPem(pem.clone()),
            (None, None) => Trust::CaPem(std::fs::read_to_string(SYSTEM_ROOTS).map_err(|e| {
                format!("no CA given and the system's roots cannot be read ({SYSTEM_ROOTS}: {e})")
            })?),
        };
        trust.client_config()
    }

    fn conn_settings(&self) -> Result<LdapConnSettings, String> {
        let mut s = LdapConnSettings::new().set_conn_timeout(CONNECT_TIMEOUT);
        if self.settings.mode != LdapMode::Ldap {
            s = s
                .set_config(Arc::new(self.tls_config()?))
                .set_starttls(self.settings.mode == LdapMode::StartTls);
        }
        Ok(s)
    }

    /// A connection to the first server that answers.
    pub(super) async fn connect(&self) -> Result<Ldap, DirectoryError> {
        let settings = self.conn_settings().map_err(DirectoryError::Unreachable)?;
        let mut failures = Vec::new();
        for url in self.urls() {
            match LdapConnAsync::with_settings(settings.clone(), &url).await {
                Ok((conn, ldap)) => {
                    tokio::spawn(async move {
                        if let Err(e) = conn.drive().await {
                            tracing::debug!(error = %e, "directory connection ended");
                        }
                    });
                    return Ok(ldap);
                }
                Err(e) => failures.push(format!("{url}: {e}")),
            }
        }
        Err(DirectoryError::Unreachable(failures.join("; ")))
    }

    /// A connection bound as the service account (anonymous when the realm has none).
    pub(super) async fn service(&self) -> Result<Ldap, DirectoryError> {
        let mut ldap = self.connect().await?;
        let (dn, pw) = match (&self.settings.bind_dn, &self.bind_password) {
            (Some(dn), Some(pw)) => (dn.as_str(), pw.as_str()),
            (Some(dn), None) => {
                return Err(DirectoryError::ServiceBind(format!(
                    "{dn} has no password set"
                )))
            }
            (None, _) => return Ok(ldap),
        };
        match tokio::time::timeout(OPERATION_TIMEOUT, ldap.simple_bind(dn, pw)).await {
            Ok(Ok(r)) if r.rc == 0 => Ok(ldap),
            Ok(Ok(r)) => Err(DirectoryError::ServiceBind(format!(
                "{dn}: result {} {}",
                r.rc, r.text
            ))),
            Ok(Err(e)) => Err(DirectoryError::Unreachable(e.to_string())),
            Err(_) => Err(DirectoryError::Unreachable("the bind timed out".into())),
        }
    }
}

fn step(steps: &mut Vec<RealmTestStep>, name: &str, r: Result<String, String>) -> bool {
    let ok = r.is_ok();
    steps.push(RealmTestStep {
        step: name.into(),
        ok,
        detail: r.unwrap_or_else(|e| e),
    });
    ok
}

/// Each step of the way to the first server, stopping at the first that fails.
pub(super) async fn test(d: &Directory) -> RealmTestView {
    let mut steps = Vec::new();
    let done = run(d, &mut steps).await;
    RealmTestView { ok: done, steps }
}

async fn run(d: &Directory, steps: &mut Vec<RealmTestStep>) -> bool {
    let host = d.settings.server1.clone();
    let port = match d.settings.mode {
        LdapMode::Ldaps => d.settings.port.unwrap_or(636),
        _ => d.settings.port.unwrap_or(389),
    };
    let resolved = tokio::net::lookup_host((host.as_str(), port)).await;
    let addrs: Vec<std::net::SocketAddr> = match resolved {
        Ok(a) => a.collect(),
        Err(e) => {
            step(steps, "dns", Err(format!("{host}: {e}")));
            return false;
        }
    };
    let listed = addrs
        .iter()
        .map(|a| a.ip().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if !step(steps, "dns", Ok(format!("{host} is {listed}"))) {
        return false;
    }
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&addrs[..]))
        .await
        .map_err(|_| format!("{host}:{port}: no answer within {CONNECT_TIMEOUT:?}"))
        .and_then(|r| r.map_err(|e| format!("{host}:{port}: {e}")));
    if !step(
        steps,
        "tcp",
        tcp.map(|_| format!("{host}:{port} accepts connections")),
    ) {
        return false;
    }
    let single = Directory {
        settings: scmp_api::DirectorySettings {
            server2: None,
            ..d.settings.clone()
        },
        ..d.clone()
    };
    let tls = match single.connect().await {
        Ok(mut ldap) => {
            let _ = ldap.unbind().await;
            Ok(match d.settings.mode {
                LdapMode::Ldap => {
                    "plain LDAP: no TLS (passwords cross the network in clear)".into()
                }
                LdapMode::Ldaps => "TLS established, certificate trusted".into(),
                LdapMode::StartTls => "StartTLS established, certificate trusted".into(),
            })
        }
        Err(e) => Err(e.to_string()),
    };
    if !step(steps, "tls", tls) {
        return false;
    }
    let mut ldap = match single.service().await {
        Ok(l) => {
            let who = d.settings.bind_dn.as_deref().unwrap_or("anonymous");
            step(steps, "bind", Ok(format!("bound as {who}")));
            l
        }
        Err(e) => {
            step(steps, "bind", Err(e.to_string()));
            return false;
        }
    };
    let filter = single.user_filter(None);
    let attr = single.user_attr().to_string();
    let found = tokio::time::timeout(
        OPERATION_TIMEOUT,
        ldap.with_search_options(ldap3::SearchOptions::new().sizelimit(1))
            .search(&d.settings.base_dn, Scope::Subtree, &filter, vec![attr]),
    )
    .await;
    let _ = ldap.unbind().await;
    let searched = match found {
        Ok(Ok(r)) if r.1.rc == 0 || r.1.rc == 4 => {
            if r.0.is_empty() {
                Err(format!(
                    "no user under {} matches {filter}",
                    d.settings.base_dn
                ))
            } else {
                Ok(format!("users found under {}", d.settings.base_dn))
            }
        }
        Ok(Ok(r)) => Err(format!("result {} {}", r.1.rc, r.1.text)),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the search timed out".into()),
    };
    step(steps, "search", searched)
}
