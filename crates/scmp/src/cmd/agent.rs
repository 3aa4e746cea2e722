//! `scmp agent`: the site agent's side. `scmp agent enroll` redeems a join token with the platform
//! (trusting only the agent CA the token names) and keeps the agent's identity in its data
//! directory: its key sealed with the directory's own secret key, its certificate and the CA.
//! `scmp agent renew` gets a new certificate with the enrolled key; `scmp agent run`
//! (`agent_run`) is the agent at work.

use std::path::PathBuf;

use super::agent_identity::{enroll_into, renew_in, Identity, IDENTITY};
use anyhow::Context;

/// `scmp agent ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Enrolls this site's agent with a join token (`scmp site join-token` makes one).
    Enroll(EnrollArgs),
    /// Renews the agent's certificate with its enrolled key (also after it ran out).
    Renew(RenewArgs),
    /// Runs the agent: links to the platform and serves its commands on this site's cluster
    /// (enrolling first with `--join-token` if the directory holds no agent).
    Run(Box<super::agent_run::RunArgs>),
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

/// Runs an `scmp agent` command.
pub async fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Enroll(args) => enroll(args).await,
        Command::Renew(args) => renew(args).await,
        Command::Run(args) => super::agent_run::run(*args).await,
    }
}

async fn renew(args: RenewArgs) -> anyhow::Result<()> {
    let dir = &args.data_dir;
    let path = dir.join(IDENTITY);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} holds no agent: enroll it first", dir.display()))?;
    let mut identity: Identity = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an agent identity", path.display()))?;
    renew_in(dir, &mut identity).await?;
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
    let done = enroll_into(dir, &args.server, &args.join_token).await?;
    println!(
        "enrolled as agent {} of site {}\n  certificate until {}\n  identity in {}",
        done.enrolled.agent.id,
        done.enrolled.agent.site,
        done.enrolled.agent.certificate_expires_at,
        dir.display()
    );
    Ok(())
}
