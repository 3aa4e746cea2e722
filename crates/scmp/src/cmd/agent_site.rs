//! The site's own API as `scmp agent run --site-api-listen` serves it: its certificate (made at
//! first start, its key sealed in the agent's directory) and the site's break-glass credential
//! (made at first start, written to `break-glass-token` for the site's operators, kept hashed).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use scmp_agent::link::{Outbox, SiteState};
use scmp_agent::site_api::{self, SiteApi, BREAK_GLASS_PREFIX};
use tokio::sync::watch;

const CERT: &str = "site-api-cert.pem";
const KEY: &str = "site-api-key.sealed";
/// The break-glass credential, for the site's operators.
pub const BREAK_GLASS: &str = "break-glass-token";

/// The break-glass credential's hash and the identity it stands for, made at first start.
fn break_glass(
    dir: &Path,
    outbox: &Outbox,
    sealer: &scmp_server::secrets::Sealer,
) -> anyhow::Result<(String, (scmp_common::UserId, scmp_common::CredentialId))> {
    let journal = outbox.journal();
    let hash = match journal.meta("break_glass_sha256")? {
        Some(h) => h,
        None => {
            let secret = format!("{BREAK_GLASS_PREFIX}{}", sealer.random_hex::<24>()?);
            scmp_server::datadir::write_private(
                &dir.join(BREAK_GLASS),
                format!("{secret}\n").as_bytes(),
            )?;
            let h = site_api::break_glass_hash(&secret);
            journal.set_meta("break_glass_sha256", &h)?;
            h
        }
    };
    let user = match journal.meta("break_glass_user")? {
        Some(u) => u.parse().context("the break-glass identity")?,
        None => {
            let u = scmp_common::UserId::new();
            journal.set_meta("break_glass_user", &u.to_string())?;
            u
        }
    };
    let credential = match journal.meta("break_glass_credential")? {
        Some(c) => c.parse().context("the break-glass identity")?,
        None => {
            let c = scmp_common::CredentialId::new();
            journal.set_meta("break_glass_credential", &c.to_string())?;
            c
        }
    };
    Ok((hash, (user, credential)))
}

/// Starts the site's API; keeps serving until the process ends.
pub async fn start(
    dir: &Path,
    listen: SocketAddr,
    agent: Arc<dyn scmp_agent::Agent>,
    outbox: Outbox,
    (site, spending): (
        watch::Receiver<Option<SiteState>>,
        scmp_agent::link::Spending,
    ),
    pve_endpoint: &str,
) -> anyhow::Result<site_api::Running> {
    let sealer = scmp_server::secrets::Sealer::load_or_create(dir)?;
    let (cert, key) = match std::fs::read_to_string(dir.join(CERT)) {
        Ok(cert) => {
            let sealed = std::fs::read_to_string(dir.join(KEY))?;
            (cert, sealer.open(sealed.trim())?)
        }
        Err(_) => {
            let names = vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
                listen.ip().to_string(),
            ];
            let (cert, key) = site_api::self_signed(&names).map_err(anyhow::Error::msg)?;
            scmp_server::datadir::write_private(&dir.join(CERT), cert.as_bytes())?;
            scmp_server::datadir::write_private(&dir.join(KEY), sealer.seal(&key)?.as_bytes())?;
            (cert, key)
        }
    };
    let (hash, user) = break_glass(dir, &outbox, &sealer)?;
    // The site's audit entries are signed with the agent's enrolled key.
    let signer =
        scmp_agent::link::ChainSigner::from_pem(&super::agent_identity::credentials(dir)?.key_pem)
            .map_err(anyhow::Error::msg)?;
    let api = SiteApi {
        agent,
        outbox,
        signer,
        site,
        break_glass_sha256: hash,
        break_glass_user: user,
        pve_endpoint: pve_endpoint.to_string(),
        clock: scmp_common::SystemClock::shared(),
        authz: site_api::Authorizer::new().map_err(anyhow::Error::msg)?,
        sessions: Default::default(),
        spending,
    };
    let (addr, handle) = site_api::serve(api, listen, &cert, &key)
        .await
        .map_err(anyhow::Error::msg)?;
    println!(
        "site API: https://{addr}  fingerprint {}  break-glass credential in {}",
        site_api::fingerprint(&cert).map_err(anyhow::Error::msg)?,
        dir.join(BREAK_GLASS).display()
    );
    Ok(handle)
}
