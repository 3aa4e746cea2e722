//! `scmp`: the Secure Cloud Management Platform for Proxmox VE edge locations.
//!
//! One binary for every role; this file only parses the command line and hands over to `cmd`.
#![forbid(unsafe_code)]

mod cmd;

use clap::{Parser, Subcommand};

/// The Secure Cloud Management Platform for Proxmox VE edge locations.
#[derive(Debug, Parser)]
#[command(name = "scmp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the scmp server: the API over HTTPS on SQLite (default) or PostgreSQL.
    Server(cmd::server::Args),
    /// Work with the audit log offline.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Print the OpenAPI document of the API.
    Openapi,
    /// Run a simulated Proxmox VE cluster that speaks the real /api2/json API over HTTPS.
    PveSim(cmd::pve_sim::Args),
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::PveSim(args) => cmd::pve_sim::run(args).await,
            Command::Server(args) => cmd::server::run(args).await,
            Command::Audit(c) => cmd::audit::run(c).await,
            Command::Openapi => {
                println!("{}", scmp_server::openapi_document());
                Ok(())
            }
        }
    })
}
