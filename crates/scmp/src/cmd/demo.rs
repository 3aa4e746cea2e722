//! `scmp demo`: the whole platform on one machine. The server on SQLite, N simulated edge sites (a
//! three-host Proxmox VE cluster each, in different countries, with a few guests that are not
//! scmp's), the default catalog, and a sample tenant and project with quota. The first sites'
//! clusters are registered through the API and reached directly; the last site is reached through
//! its own `scmp agent run` process, enrolled with a join token, linking out to the server's
//! agents' listener. State lives in the data directory: a second run picks up where the first
//! stopped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pve_sim::{ClockMode, NodeSpec, SimConfig, Simulator};
use reqwest::Method;

use crate::cli::client::Api;
use scmp_api::*;
use scmp_common::Name;

/// Options of `scmp demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the demo keeps its state (database, keys, simulated sites).
    #[arg(long, default_value = "scmp-demo")]
    data_dir: PathBuf,
    /// Address of the API (and the portal). The simulated sites listen on the next ports.
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Number of simulated edge sites (1 to 8).
    #[arg(long, default_value_t = 3)]
    sites: usize,
    /// Proxmox task duration factor: 0 finishes at once, 1 is real timing.
    #[arg(long, default_value_t = 0.05)]
    time_scale: f64,
}

/// The demo's sites: name, country, region.
const SITES: &[(&str, &str, &str)] = &[
    ("frankfurt", "DE", "Hesse"),
    ("paris", "FR", "Ile-de-France"),
    ("amsterdam", "NL", "North Holland"),
    ("vienna", "AT", "Vienna"),
    ("zurich", "CH", "Zurich"),
    ("milan", "IT", "Lombardy"),
    ("madrid", "ES", "Madrid"),
    ("brussels", "BE", "Brussels"),
];

/// Runs the demo until interrupted.
pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=SITES.len()).contains(&args.sites),
        "--sites must be between 1 and {}",
        SITES.len()
    );
    anyhow::ensure!(
        args.time_scale.is_finite() && args.time_scale >= 0.0,
        "--time-scale must be a number >= 0"
    );
    let sites_dir = args.data_dir.join("sites");
    scmp_server::datadir::create_private_dir(&sites_dir)?;
    let mut sims = Vec::new();
    for (i, (name, _, _)) in SITES.iter().take(args.sites).enumerate() {
        let port = args
            .listen
            .port()
            .checked_add(1 + i as u16)
            .context("port out of range")?;
        let addr = SocketAddr::new(args.listen.ip(), port);
        sims.push((
            name,
            start_site(&sites_dir, name, i, addr, args.time_scale).await?,
        ));
    }
    let mut config = scmp_server::ServerConfig::new(args.data_dir.clone(), args.listen);
    config.sync_interval = std::time::Duration::from_secs(3);
    let agents_port = args
        .listen
        .port()
        .checked_add(1 + args.sites as u16)
        .context("port out of range")?;
    config.agent_listen = Some(SocketAddr::new(args.listen.ip(), agents_port));
    let running = scmp_server::start(config)
        .await
        .context("starting the server")?;
    let server = format!("https://{}", running.addr);
    let token = std::fs::read_to_string(args.data_dir.join("admin-token"))
        .context("reading the admin token")?
        .trim()
        .to_string();
    let api = Api::new(&server, &running.fingerprint, Some(token))?;
    seed(&api, &sims, &args.data_dir).await?;
    let agents = running
        .agent_addr
        .map(|a| format!("https://{a}"))
        .context("the agents' listener")?;
    let (edge, (edge_sim, edge_addr)) = sims.last().context("at least one site")?;
    let site_api = SocketAddr::new(
        args.listen.ip(),
        agents_port.checked_add(1).context("port out of range")?,
    );
    let agent = spawn_agent(
        &api,
        &args.data_dir,
        &agents,
        (edge, edge_sim, *edge_addr),
        site_api,
    )
    .await?;
    print_welcome(
        &args.data_dir,
        &server,
        &running.fingerprint,
        &sims,
        agent.id(),
    );
    super::pve_sim::shutdown_signal().await;
    drop(agent);
    for (_, (sim, _)) in &sims {
        sim.save().context("saving a simulated site")?;
    }
    running
        .handle
        .graceful_shutdown(Some(std::time::Duration::from_secs(5)));
    println!("scmp demo: stopped; run it again to continue where you left off");
    Ok(())
}

/// One simulated site: a three-host cluster with its state in `dir`, a few unmanaged guests on first
/// start. Every second site runs Proxmox VE 9.1 (HA rules), the others 8.4 (HA groups), as fleets
/// part-way through an upgrade do.
async fn start_site(
    dir: &Path,
    name: &str,
    index: usize,
    addr: SocketAddr,
    time_scale: f64,
) -> anyhow::Result<(Simulator, SocketAddr)> {
    let state_file = dir.join(format!("{name}.json"));
    let fresh = !state_file.exists();
    let sim = Simulator::new(SimConfig {
        cluster_name: name.to_string(),
        nodes: 3,
        node_spec: NodeSpec::default(),
        password: None,
        time_scale,
        seed: 1 + index as u64,
        clock: ClockMode::Automatic,
        state_file: Some(state_file),
        release: if index % 2 == 1 {
            pve_sim::Release::Pve9
        } else {
            pve_sim::Release::Pve8
        },
    })
    .with_context(|| format!("starting simulated site {name}"))?;
    if fresh {
        let now = sim.now();
        sim.cluster().populate(4 + index * 2, now);
    }
    // The site's own credentials, to look at it as Proxmox VE sees it (curl, proxmoxer).
    pve_sim::write_private(
        &dir.join(format!("{name}.token")),
        format!("{}\n", sim.token_line()).as_bytes(),
    )
    .context("writing the site's token")?;
    pve_sim::write_private(&dir.join(format!("{name}.pem")), sim.cert_pem().as_bytes())
        .context("writing the site's certificate")?;
    let (bound, _task) = sim
        .bind(addr)
        .await
        .with_context(|| format!("site {name}: cannot listen on {addr}"))?;
    Ok((sim, bound))
}

/// Registers sites, clusters, a tenant, a project and the tenant's administrator (`alice`, her
/// password in `dir/alice-password`) on an empty platform.
async fn seed(
    api: &Api,
    sims: &[(&&str, (Simulator, SocketAddr))],
    dir: &Path,
) -> anyhow::Result<()> {
    let sites: Page<SiteView> = api.get("/sites").await?;
    if !sites.items.is_empty() {
        return Ok(());
    }
    let name_of = |n: &str| n.parse::<Name>().context("a demo name");
    let last = sims.len().saturating_sub(1);
    for (i, (name, (sim, addr))) in sims.iter().enumerate() {
        let (_, country, region) = SITES
            .iter()
            .find(|(n, _, _)| n == *name)
            .copied()
            .unwrap_or((name, "DE", ""));
        let site = SiteCreate {
            name: name_of(name)?,
            country: country.parse().context("a demo country")?,
            region: Some(region.to_string()),
            description: Some(format!("Edge location {name}")),
        };
        let _: SiteView = api.call(Method::POST, "/sites", &site).await?;
        if i == last {
            // Its agent registers its cluster (see `spawn_agent`).
            continue;
        }
        let line = sim.token_line();
        let (id, secret) = line.split_once('=').context("simulator token")?;
        let cluster = ClusterCreate {
            name: name_of(&format!("{name}-1"))?,
            endpoint: format!("https://{addr}"),
            token_id: id.parse().context("the simulator's token id")?,
            token_secret: secret.to_string(),
            tls_fingerprint: Some(
                sim.fingerprint()
                    .parse()
                    .context("the simulator's fingerprint")?,
            ),
            cpu_overcommit: None,
            memory_overcommit: None,
        };
        let _: ClusterView = api
            .call(Method::POST, &format!("/sites/{name}/clusters"), &cluster)
            .await
            .with_context(|| format!("registering the cluster of {name}"))?;
    }
    let quota = |v: u64| ResourcesBody {
        vcpus: v,
        memory_mib: v * 4096,
        disk_gib: v * 64,
        guests: v,
        networks: v / 4,
        public_addresses: v / 8,
    };
    let tenant = TenantCreate {
        name: name_of("acme")?,
        description: Some("Sample tenant".into()),
        quota: Some(quota(64)),
        countries: None,
    };
    let _: TenantView = api.call(Method::POST, "/tenants", &tenant).await?;
    let project = ProjectCreate {
        name: name_of("web")?,
        description: Some("Sample project".into()),
        quota: Some(quota(16)),
    };
    let _: ProjectView = api
        .call(Method::POST, "/tenants/acme/projects", &project)
        .await?;
    let password = uuid::Uuid::new_v4().simple().to_string();
    let alice = UserCreate {
        name: name_of("alice")?,
        email: Some("alice@acme.example".into()),
        password: Some(password.clone()),
        tenant: Some("acme".into()),
        realm: None,
        login: None,
    };
    let _: UserView = api.call(Method::POST, "/users", &alice).await?;
    let binding = RoleBindingCreate {
        subject: Subject {
            user: Some("alice".into()),
            group: None,
        },
        role: "tenant-admin".into(),
        scope: ScopeBody::Tenant {
            tenant: "acme".into(),
        },
    };
    let _: RoleBindingView = api.call(Method::POST, "/role-bindings", &binding).await?;
    pve_sim::write_private(
        &dir.join("alice-password"),
        format!("{password}\n").as_bytes(),
    )
    .context("writing alice's password")?;
    Ok(())
}

/// Starts the last site's agent as a process of its own (`scmp agent run`), enrolling it with a
/// fresh join token the first time; its output goes to `dir/agents/<site>.log`.
async fn spawn_agent(
    api: &Api,
    dir: &Path,
    agents: &str,
    (site, sim, addr): (&str, &Simulator, SocketAddr),
    site_api: SocketAddr,
) -> anyhow::Result<tokio::process::Child> {
    let agents_dir = dir.join("agents");
    scmp_server::datadir::create_private_dir(&agents_dir)?;
    let agent_dir = agents_dir.join(site);
    let mut cmd = tokio::process::Command::new(std::env::current_exe().context("the scmp binary")?);
    if !agent_dir.join(super::agent_identity::IDENTITY).exists() {
        let token: JoinTokenCreated = api
            .call(
                Method::POST,
                &format!("/sites/{site}/join-tokens"),
                &JoinTokenCreate { expires_in_s: None },
            )
            .await
            .context("a join token for the demo's agent")?;
        cmd.env("SCMP_JOIN_TOKEN", token.token);
    }
    let line = sim.token_line();
    let (id, secret) = line.split_once('=').context("simulator token")?;
    let log =
        std::fs::File::create(agents_dir.join(format!("{site}.log"))).context("the agent's log")?;
    cmd.args(["agent", "run", "--data-dir"])
        .arg(&agent_dir)
        .args(["--server", agents])
        .args(["--pve", &format!("https://{addr}")])
        .args(["--pve-token-id", id])
        .args(["--pve-fingerprint", &sim.fingerprint()])
        .args(["--cluster", &format!("{site}-1")])
        .args(["--site-api-listen", &site_api.to_string()])
        .env("SCMP_PVE_TOKEN_SECRET", secret)
        .stdout(log.try_clone().context("the agent's log")?)
        .stderr(log)
        .kill_on_drop(true);
    cmd.spawn().context("starting the demo's agent")
}

fn print_welcome(
    dir: &Path,
    server: &str,
    fingerprint: &str,
    sims: &[(&&str, (Simulator, SocketAddr))],
    agent_pid: Option<u32>,
) {
    let d = dir.display();
    println!();
    println!("scmp demo is running");
    println!(
        "  portal:   {server}/   (user alice, password in {d}/alice-password; or the admin token)"
    );
    println!("  API:      {server}/api/v1   (OpenAPI: {server}/api/v1/openapi.json)");
    println!("  TLS:      self-signed, fingerprint {fingerprint}");
    println!("  admin:    token in {d}/admin-token");
    println!("  sites:");
    let last = sims.len().saturating_sub(1);
    for (i, (name, (sim, addr))) in sims.iter().enumerate() {
        let via = if i == last {
            format!(
                "through its agent (pid {}, log {d}/agents/{name}.log)",
                agent_pid.map(|p| p.to_string()).unwrap_or_default()
            )
        } else {
            "reached directly".to_string()
        };
        println!(
            "    {name:<10} Proxmox VE simulator at https://{addr}  ({} hosts), {via}",
            sim.cluster().nodes.len()
        );
    }
    println!();
    println!("Try it (in another terminal):");
    println!(
        "  scmp login --server {server} --fingerprint \"$(cat {d}/tls-fingerprint)\" --token-file {d}/admin-token"
    );
    println!("  scmp guest create web1 --project acme/web --image debian-12 --type small");
    println!("  scmp guest list --project acme/web");
    if let Some((name, (_, addr))) = sims.first() {
        println!();
        println!("See it on the site itself, through the Proxmox VE API:");
        println!(
            "  curl -s --cacert {d}/sites/{name}.pem -H \"Authorization: PVEAPIToken=$(cat {d}/sites/{name}.token)\" https://{addr}/api2/json/cluster/resources"
        );
    }
    println!();
    println!("Stop with Ctrl-C; state stays in {d}.");
}
