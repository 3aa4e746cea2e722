//! `scmp agent run`: the site agent at work. It enrolls first if its directory holds no identity
//! yet (with `--join-token`), reaches its Proxmox VE cluster with the site's own API token (the
//! centre never holds it), links to the centre with its client certificate and serves the
//! centre's commands; it renews its certificate at two thirds of its life (and at start, if it ran
//! out while the agent was off).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use scmp_agent::link::{ClusterHello, LinkEnd, LinkOptions, LinkState};
use tokio::sync::watch;

use super::agent_identity::{credentials, enroll_into, load, renew_in, Identity};

/// Options of `scmp agent run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Where the agent keeps its identity [default: scmp-agent].
    #[arg(long, env = "SCMP_AGENT_DATA_DIR", default_value = "scmp-agent")]
    data_dir: PathBuf,
    /// The platform's agent endpoint (`https://HOST:PORT`); needed to enroll, else the enrolled one.
    #[arg(long, env = "SCMP_AGENT_SERVER")]
    server: Option<String>,
    /// A join token, to enroll when the directory holds no agent yet.
    #[arg(long, env = "SCMP_JOIN_TOKEN", hide_env_values = true)]
    join_token: Option<String>,
    /// The cluster's Proxmox VE API (`https://HOST:8006`).
    #[arg(long, env = "SCMP_PVE_URL")]
    pve: String,
    /// The API token the agent uses (`USER@REALM!TOKENID`).
    #[arg(long, env = "SCMP_PVE_TOKEN_ID")]
    pve_token_id: pve_types::Authid,
    /// Its secret (better in the environment than on the command line).
    #[arg(long, env = "SCMP_PVE_TOKEN_SECRET", hide_env_values = true)]
    pve_token_secret: String,
    /// The SHA-256 fingerprint of the cluster's certificate (`pvenode cert info`).
    #[arg(long, env = "SCMP_PVE_FINGERPRINT")]
    pve_fingerprint: pve_types::Fingerprint,
    /// The name the cluster is registered under at the centre.
    #[arg(long, env = "SCMP_CLUSTER_NAME")]
    cluster: scmp_common::Name,
    /// Serve the site's own API here (HTTPS; the site's break-glass credential is in the data
    /// directory), so the site stays usable while its link is down.
    #[arg(long, env = "SCMP_SITE_API_LISTEN")]
    site_api_listen: Option<std::net::SocketAddr>,
}

fn now_ms() -> i64 {
    scmp_common::SystemClock::shared().now_ms()
}

/// Renews when due; answers whether it did.
async fn renew_if_due(dir: &Path, identity: &mut Identity) -> anyhow::Result<bool> {
    let until = identity.certificate_expires_at.as_ms();
    let from = identity
        .certificate_issued_at
        .map(|t| t.as_ms())
        .unwrap_or(until - 24 * 3_600_000);
    if !scmp_agent::enroll::renewal_due(from, until, now_ms()) {
        return Ok(false);
    }
    renew_in(dir, identity).await?;
    Ok(true)
}

/// Runs the agent until interrupted or refused.
pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let dir = args.data_dir.clone();
    let mut identity = match load(&dir)? {
        Some(i) => i,
        None => {
            let (Some(server), Some(token)) = (&args.server, &args.join_token) else {
                anyhow::bail!(
                    "{} holds no agent: give --server and --join-token to enroll it",
                    dir.display()
                );
            };
            enroll_into(&dir, server, token).await?;
            load(&dir)?.context("the enrollment left no identity")?
        }
    };
    renew_if_due(&dir, &mut identity).await?;
    let access = scmp_agent::ClusterAccess {
        endpoint: args.pve.clone(),
        token_id: args.pve_token_id.clone(),
        token_secret: args.pve_token_secret.clone(),
        fingerprint: args.pve_fingerprint,
    };
    let client = scmp_agent::connect(&access).map_err(|e| anyhow::anyhow!("--pve: {e}"))?;
    let missing = scmp_agent::check_privileges(&client)
        .await
        .with_context(|| format!("cannot reach Proxmox VE at {}", args.pve))?;
    if !missing.is_empty() {
        tracing::warn!(missing = ?missing, "the agent's token lacks privileges; the centre will refuse it");
    }
    // The site link's key pair is made and kept here, at the site.
    let agent: Arc<dyn scmp_agent::Agent> = Arc::new(
        scmp_agent::LocalAgent::new(Arc::new(client)).with_link_dir(dir.join("site-link")),
    );
    let options = LinkOptions {
        server: identity.server.clone(),
        agent: identity.agent,
        cluster: ClusterHello {
            name: args.cluster.clone(),
            endpoint: args.pve.clone(),
            token_id: args.pve_token_id.clone(),
            missing_privileges: missing.iter().map(|s| s.to_string()).collect(),
        },
        backoff: (Duration::from_millis(500), Duration::from_secs(30)),
        connect_timeout: Duration::from_secs(15),
    };
    let (creds_tx, creds) = watch::channel(credentials(&dir)?);
    let (state, mut states) = watch::channel(LinkState::Connecting);
    let (stop_tx, stop) = watch::channel(false);
    println!(
        "scmp agent {} of site {}: cluster '{}' at {}, linking to {}",
        identity.agent, identity.site, args.cluster, args.pve, identity.server
    );
    let journal = Arc::new(
        scmp_agent::link::Journal::open(&dir.join("journal.sqlite"))
            .with_context(|| format!("the journal in {}", dir.display()))?,
    );
    let waiting = journal.waiting()?;
    if waiting > 0 {
        println!("{waiting} journaled messages wait for the centre");
    }
    let outbox = scmp_agent::link::Outbox::new(journal.clone());
    let (site_tx, site_rx) = watch::channel(journal.site_state()?);
    // Watching the cluster while cut off, metering the guests made here, telling the centre
    // which budgets the site holds.
    let spending = scmp_agent::link::spawn_site_tasks(
        (agent.clone(), outbox.clone()),
        (site_rx.clone(), states.clone()),
        scmp_common::SystemClock::shared(),
        Default::default(),
        stop.clone(),
    );
    let _site_api = match args.site_api_listen {
        Some(listen) => Some(
            super::agent_site::start(
                &dir,
                listen,
                agent.clone(),
                outbox.clone(),
                (site_rx, spending),
                &args.pve,
            )
            .await?,
        ),
        None => None,
    };
    let link = tokio::spawn(scmp_agent::link::run(
        options, creds, agent, outbox, site_tx, state, stop,
    ));
    tokio::spawn(async move {
        while states.changed().await.is_ok() {
            if let LinkState::Connected { .. } = *states.borrow() {
                println!("linked");
            }
        }
    });
    // Renewal: looked at every minute.
    {
        let dir = dir.clone();
        tokio::spawn(async move {
            let mut identity = identity;
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                match renew_if_due(&dir, &mut identity).await {
                    Ok(true) => match credentials(&dir) {
                        Ok(c) => {
                            creds_tx.send_replace(c);
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot read the renewed certificate"),
                    },
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "renewal failed; trying again in a minute")
                    }
                }
            }
        });
    }
    let mut link = link;
    let end = tokio::select! {
        end = &mut link => end?,
        _ = tokio::signal::ctrl_c() => {
            stop_tx.send_replace(true);
            link.await?
        }
    };
    match end {
        LinkEnd::Stopped => Ok(()),
        LinkEnd::Refused(reason) => anyhow::bail!("the platform refused this agent: {reason}"),
        LinkEnd::Failed(why) => anyhow::bail!("{why}"),
    }
}
