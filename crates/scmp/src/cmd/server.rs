//! `scmp server`: the control plane's API over HTTPS. Settings come from flags, then the environment,
//! then the TOML file given with `--config`, then the defaults (`docs/server.md` lists every key).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use scmp_server::ServerConfig;
use serde::Deserialize;

/// Options of `scmp server` (each also from the environment).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A TOML file with any of the keys below.
    #[arg(long, env = "SCMP_CONFIG")]
    config: Option<PathBuf>,
    /// Where the SQLite database, the keys, the TLS certificate and the admin token live
    /// [default: scmp-data].
    #[arg(long, env = "SCMP_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to serve HTTPS on [default: 127.0.0.1:8443].
    #[arg(long, env = "SCMP_LISTEN")]
    listen: Option<SocketAddr>,
    /// Use PostgreSQL instead of SQLite (`postgres://USER@HOST/DB`).
    #[arg(long, env = "SCMP_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Seconds between inventory syncs of every cluster [default: 5].
    #[arg(long, env = "SCMP_SYNC_INTERVAL")]
    sync_interval: Option<f64>,
    /// Operations this server runs at once [default: 32].
    #[arg(long, env = "SCMP_WORKERS")]
    workers: Option<usize>,
    /// Address site agents connect to (mutual TLS under the platform's agent CA); off when not
    /// given.
    #[arg(long, env = "SCMP_AGENT_LISTEN")]
    agent_listen: Option<SocketAddr>,
    /// A name agents reach the server by, for the agent listener's certificate (repeat for more)
    /// [default: localhost and 127.0.0.1].
    #[arg(long = "agent-name", env = "SCMP_AGENT_NAMES", value_delimiter = ',')]
    agent_names: Vec<String>,
    /// Seconds a command for a site waits for its agent to be linked and to answer, before its
    /// operation fails and unwinds [default: 300].
    #[arg(long, env = "SCMP_AGENT_WAIT")]
    agent_wait: Option<f64>,
    /// Seconds between pings on agents' links; silent for three, an agent is dropped [default: 10].
    #[arg(long, env = "SCMP_AGENT_PING")]
    agent_ping: Option<f64>,
    /// The server's URL as others reach it, for the links it sends out (ITSM callbacks)
    /// [default: https:// and the listening address].
    #[arg(long, env = "SCMP_PUBLIC_URL")]
    public_url: Option<String>,
}

/// The configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    data_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    sync_interval: Option<f64>,
    workers: Option<usize>,
    agent_listen: Option<SocketAddr>,
    agent_names: Option<Vec<String>>,
    agent_wait: Option<f64>,
    agent_ping: Option<f64>,
    public_url: Option<String>,
}

fn read_file(path: &Path) -> anyhow::Result<File> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("{} is not a valid configuration", path.display()))
}

/// Flags and environment over the file over the defaults.
fn resolve(args: Args) -> anyhow::Result<ServerConfig> {
    let file = match &args.config {
        Some(p) => read_file(p)?,
        None => File::default(),
    };
    let mut config = ServerConfig::new(
        args.data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("scmp-data")),
        args.listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8443))),
    );
    config.database_url = args.database_url.or(file.database_url);
    config.fault_step = std::env::var("SCMP_FAULT_STEP")
        .ok()
        .filter(|s| !s.is_empty());
    if let Some(s) = args.sync_interval.or(file.sync_interval) {
        anyhow::ensure!(
            s.is_finite() && (0.1..=3600.0).contains(&s),
            "sync_interval must be between 0.1 and 3600 seconds"
        );
        config.sync_interval = std::time::Duration::from_secs_f64(s);
    }
    if let Some(w) = args.workers.or(file.workers) {
        anyhow::ensure!(
            (1..=1024).contains(&w),
            "workers must be between 1 and 1024"
        );
        config.workers = w;
    }
    config.agent_listen = args.agent_listen.or(file.agent_listen);
    let names = if args.agent_names.is_empty() {
        file.agent_names.unwrap_or_default()
    } else {
        args.agent_names
    };
    if !names.is_empty() {
        config.agent_names = names;
    }
    if let Some(s) = args.agent_wait.or(file.agent_wait) {
        anyhow::ensure!(
            s.is_finite() && (1.0..=86_400.0).contains(&s),
            "agent_wait must be between 1 and 86400 seconds"
        );
        config.agent_link.command_wait = std::time::Duration::from_secs_f64(s);
    }
    if let Some(s) = args.agent_ping.or(file.agent_ping) {
        anyhow::ensure!(
            s.is_finite() && (0.1..=300.0).contains(&s),
            "agent_ping must be between 0.1 and 300 seconds"
        );
        config.agent_link.ping_interval = std::time::Duration::from_secs_f64(s);
    }
    config.public_url = args.public_url.or(file.public_url);
    if let Some(u) = &config.public_url {
        anyhow::ensure!(
            u.starts_with("https://") && url::Url::parse(u).is_ok(),
            "public_url must be an https:// URL"
        );
    }
    Ok(config)
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let config = resolve(args)?;
    let data_dir = config.data_dir.clone();
    let running = scmp_server::start(config)
        .await
        .context("starting the server")?;
    // A closed standard output (a supervisor that stopped reading) must not stop the server.
    // The admin token's line comes last: a supervisor (or a test) reads up to it.
    let agents = running
        .agent_addr
        .map(|a| format!("  agents:      https://{a}\n"))
        .unwrap_or_default();
    let banner = format!(
        "scmp server\n  API:         https://{}/api/v1\n{agents}  fingerprint: {}\n  admin token: {} (written on first start)\n",
        running.addr,
        running.fingerprint,
        data_dir.join("admin-token").display()
    );
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    }
    super::pve_sim::shutdown_signal().await;
    running
        .handle
        .graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    let _ = running.task.await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(config: Option<PathBuf>, listen: Option<&str>) -> Args {
        Args {
            config,
            data_dir: None,
            listen: listen.map(|l| l.parse().unwrap()),
            database_url: None,
            sync_interval: None,
            workers: None,
            agent_listen: None,
            agent_names: Vec::new(),
            agent_wait: None,
            agent_ping: None,
            public_url: None,
        }
    }

    #[test]
    fn flags_over_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("scmp.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/scmp\"\nlisten = \"127.0.0.1:9443\"\n",
        )
        .unwrap();
        let c = resolve(args(Some(file.clone()), None)).unwrap();
        assert_eq!(
            (c.data_dir, c.listen.port()),
            (PathBuf::from("/srv/scmp"), 9443)
        );
        let c = resolve(args(Some(file), Some("127.0.0.1:7443"))).unwrap();
        assert_eq!(c.listen.port(), 7443);
        let c = resolve(args(None, None)).unwrap();
        assert_eq!(
            (c.data_dir, c.listen.port(), c.database_url),
            (PathBuf::from("scmp-data"), 8443, None)
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("scmp.toml");
        std::fs::write(&file, "listn = \"127.0.0.1:9443\"\n").unwrap();
        let err = format!("{:#}", resolve(args(Some(file.clone()), None)).unwrap_err());
        assert!(err.contains("listn"), "{err}");
        std::fs::write(&file, "listen = \"not an address\"\n").unwrap();
        assert!(resolve(args(Some(file), None)).is_err());
    }
}
