//! `scmp pve-sim`: a simulated Proxmox VE cluster for demos, tests and benchmarks.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use pve_sim::{ClockMode, NodeSpec, SimConfig, Simulator};

/// Options of `scmp pve-sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to serve HTTPS on (PVE uses port 8006).
    #[arg(long, default_value = "127.0.0.1:8006")]
    listen: SocketAddr,
    /// Number of nodes (3 is one host unit: 2x24 cores, 512 GiB, 32 TB each).
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// Password of root@pam (generated and printed when not given).
    #[arg(long, env = "PVE_SIM_PASSWORD")]
    password: Option<String>,
    /// Write the API token as `root@pam!scmp=SECRET` to this file (mode 0600).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Write the server certificate (PEM) to this file, e.g. for `curl --cacert`.
    #[arg(long)]
    cert_file: Option<PathBuf>,
    /// Task duration factor: 0 finishes tasks at once, 1 is real PVE timing.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Seed of all randomness (same seed, same cluster).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the cluster's state in this file: loaded at start, saved every 10 s and on exit.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Cluster name.
    #[arg(long, default_value = "edge")]
    cluster_name: String,
    /// Use an explicit clock that moves only through `POST /sim/clock/advance`.
    #[arg(long)]
    explicit_clock: bool,
    /// The Proxmox VE release presented: `8.4` (HA groups) or `9.1` (HA rules).
    #[arg(long, default_value = "8.4", value_parser = parse_release)]
    pve_release: pve_sim::Release,
}

fn parse_release(s: &str) -> Result<pve_sim::Release, String> {
    pve_sim::Release::parse(s)
        .ok_or_else(|| format!("'{s}' is not a simulated release (8.4 or 9.1)"))
}

/// Runs the simulator until interrupted.
pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.nodes >= 1, "--nodes must be at least 1");
    anyhow::ensure!(
        args.time_scale.is_finite() && args.time_scale >= 0.0,
        "--time-scale must be a number >= 0"
    );
    let password_given = args.password.is_some();
    let sim = Simulator::new(SimConfig {
        cluster_name: args.cluster_name,
        nodes: args.nodes,
        node_spec: NodeSpec::default(),
        password: args.password,
        time_scale: args.time_scale,
        seed: args.seed,
        clock: if args.explicit_clock {
            ClockMode::Explicit
        } else {
            ClockMode::Automatic
        },
        state_file: args.state_file.clone(),
        release: args.pve_release,
    })
    .context("starting the simulator")?;
    if let Some(path) = &args.token_file {
        pve_sim::write_private(path, format!("{}\n", sim.token_line()).as_bytes())
            .with_context(|| format!("writing the token file {}", path.display()))?;
    }
    if let Some(path) = &args.cert_file {
        std::fs::write(path, sim.cert_pem())
            .with_context(|| format!("writing the certificate file {}", path.display()))?;
    }
    let (addr, server) = sim
        .bind(args.listen)
        .await
        .context("binding the listen address")?;
    println!(
        "pve-sim: Proxmox VE 8.4.14 simulator, {} node(s)",
        args.nodes
    );
    println!("  API:         https://{addr}/api2/json");
    println!("  fingerprint: {}", sim.fingerprint());
    if password_given {
        println!("  login:       root@pam (password as given)");
    } else {
        println!("  login:       root@pam / {}", sim.password());
    }
    match &args.token_file {
        Some(p) => println!(
            "  API token:   root@pam!scmp (secret written to {})",
            p.display()
        ),
        None => {
            println!("  API token:   root@pam!scmp (pass --token-file FILE to receive its secret)")
        }
    }
    println!("  faults:      https://{addr}/sim/state (same credentials)");
    tokio::select! {
        _ = shutdown_signal() => {}
        r = server => { r.context("the server stopped")?; }
    }
    if sim.save().context("saving the state")? {
        println!("pve-sim: state saved");
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
