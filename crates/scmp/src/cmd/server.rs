//! `scmp server`: the control plane's API over HTTPS.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use scmp_server::ServerConfig;

/// Options of `scmp server` (each also from the environment).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the SQLite database, the TLS certificate and the admin token live.
    #[arg(long, env = "SCMP_DATA_DIR", default_value = "scmp-data")]
    data_dir: PathBuf,
    /// Address to serve HTTPS on.
    #[arg(long, env = "SCMP_LISTEN", default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Use PostgreSQL instead of SQLite (`postgres://USER@HOST/DB`).
    #[arg(long, env = "SCMP_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let running = scmp_server::start(ServerConfig {
        data_dir: args.data_dir.clone(),
        listen: args.listen,
        database_url: args.database_url,
    })
    .await
    .context("starting the server")?;
    println!("scmp server");
    println!("  API:         https://{}/api/v1", running.addr);
    println!("  fingerprint: {}", running.fingerprint);
    println!(
        "  admin token: {} (written on first start)",
        args.data_dir.join("admin-token").display()
    );
    super::pve_sim::shutdown_signal().await;
    running
        .handle
        .graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    let _ = running.task.await;
    Ok(())
}
