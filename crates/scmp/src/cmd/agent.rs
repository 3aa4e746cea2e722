//! `scmp agent`: the site agent's side. `scmp agent enroll` redeems a join token with the platform
//! (trusting only the agent CA the token names) and keeps the agent's identity in its data
//! directory: its key sealed with the directory's own secret key, its certificate and the CA.
//! `scmp agent renew` gets a new certificate with the enrolled key.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// `scmp agent ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Enrolls this site's agent with a join token (`scmp site join-token` makes one).
    Enroll(EnrollArgs),
    /// Renews the agent's certificate with its enrolled key (also after it ran out).
    Renew(RenewArgs),
}

/// Options of `scmp agent renew`.
#[derive(Debug, clap::Args)]
pub struct RenewArgs {
    /// The agent's data directory [default: scmp-agent].
    #[arg(long, env = "SCMP_AGENT_DATA_DIR", default_value = "scmp-agent")]
    data_dir: PathBuf,
}

/// Options of `scmp agent enroll`.
#[derive(Debug, clap::Args)]
pub struct EnrollArgs {
    /// The platform's agent endpoint (`https://HOST:PORT`, its `--agent-listen`).
    #[arg(long, env = "SCMP_AGENT_SERVER")]
    server: String,
    /// The join token (`scmpjoin....`).
    #[arg(long, env = "SCMP_JOIN_TOKEN", hide_env_values = true)]
    join_token: String,
    /// Where the agent keeps its identity and, later, its journal [default: scmp-agent].
    #[arg(long, env = "SCMP_AGENT_DATA_DIR", default_value = "scmp-agent")]
    data_dir: PathBuf,
}

/// What an enrolled agent's directory says about it (`agent.json`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Identity {
    /// The agent.
    pub agent: scmp_common::AgentId,
    /// Its site.
    pub site: scmp_common::SiteId,
    /// The platform's agent endpoint.
    pub server: String,
    /// When its certificate ends.
    pub certificate_expires_at: scmp_common::time::Time,
}

const IDENTITY: &str = "agent.json";

/// Runs an `scmp agent` command.
pub async fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Enroll(args) => enroll(args).await,
        Command::Renew(args) => renew(args).await,
    }
}

async fn renew(args: RenewArgs) -> anyhow::Result<()> {
    let dir = &args.data_dir;
    let path = dir.join(IDENTITY);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} holds no agent: enroll it first", dir.display()))?;
    let mut identity: Identity = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an agent identity", path.display()))?;
    let sealer = scmp_server::secrets::Sealer::load_or_create(dir)?;
    let key = sealer.open(std::fs::read_to_string(dir.join("agent-key.sealed"))?.trim())?;
    let pin = scmp_agent::enroll::ca_sha256(&std::fs::read_to_string(dir.join("agent-ca.pem"))?)?;
    let renewed = scmp_agent::enroll::renew(&identity.server, &pin, identity.agent, &key).await?;
    scmp_server::datadir::write_private(
        &dir.join("agent-cert.pem"),
        renewed.certificate.as_bytes(),
    )?;
    identity.certificate_expires_at = renewed.agent.certificate_expires_at;
    scmp_server::datadir::write_private(
        &path,
        serde_json::to_string_pretty(&identity)?.as_bytes(),
    )?;
    println!(
        "renewed agent {}: certificate until {}",
        identity.agent, identity.certificate_expires_at
    );
    Ok(())
}

async fn enroll(args: EnrollArgs) -> anyhow::Result<()> {
    let dir = &args.data_dir;
    if let Ok(text) = std::fs::read_to_string(dir.join(IDENTITY)) {
        let known: Identity = serde_json::from_str(&text).with_context(|| {
            format!("{} is not an agent identity", dir.join(IDENTITY).display())
        })?;
        anyhow::bail!(
            "{} holds agent {} of site {} already; use another directory to enroll again",
            dir.display(),
            known.agent,
            known.site
        );
    }
    let done = scmp_agent::enroll::enroll(&args.server, &args.join_token).await?;
    keep(dir, &args.server, &done)?;
    println!(
        "enrolled as agent {} of site {}\n  certificate until {}\n  identity in {}",
        done.enrolled.agent.id,
        done.enrolled.agent.site,
        done.enrolled.agent.certificate_expires_at,
        dir.display()
    );
    Ok(())
}

/// Writes the identity: the key sealed, everything private to the agent's user.
fn keep(dir: &Path, server: &str, done: &scmp_agent::enroll::Enrollment) -> anyhow::Result<()> {
    use scmp_server::datadir::{create_private_dir, write_private};
    create_private_dir(dir)?;
    let sealer = scmp_server::secrets::Sealer::load_or_create(dir)?;
    write_private(
        &dir.join("agent-key.sealed"),
        sealer.seal(&done.key_pem)?.as_bytes(),
    )?;
    write_private(
        &dir.join("agent-cert.pem"),
        done.enrolled.certificate.as_bytes(),
    )?;
    write_private(
        &dir.join("agent-ca.pem"),
        done.enrolled.ca_certificate.as_bytes(),
    )?;
    let identity = Identity {
        agent: done.enrolled.agent.id,
        site: done.enrolled.agent.site,
        server: server.to_string(),
        certificate_expires_at: done.enrolled.agent.certificate_expires_at,
    };
    write_private(
        &dir.join(IDENTITY),
        serde_json::to_string_pretty(&identity)?.as_bytes(),
    )?;
    Ok(())
}
