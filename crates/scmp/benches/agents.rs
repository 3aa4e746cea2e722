//! Site agents at scale, and what the link costs.
//!
//! 1. Throughput: guests created through the API on a site reached in process and on a site
//!    reached through an `scmp agent run` process, in the same run (pve-sim at time scale 0).
//! 2. Scale: `scmp server` as a process of its own; N sites (1,000 unless `SCMP_BENCH_AGENTS`
//!    says otherwise), each a one-host simulated cluster with 60 guests and an agent linked over
//!    real loopback TLS (the agents in this process, each with its own client certificate, link
//!    and journal). It reports the server's resident memory, how long a change at a site takes
//!    to show centrally (p50, p99), and how long after a server restart every agent is linked
//!    again and every cluster looked at afresh, with nothing left in any journal.
//!
//!     cargo bench -p scmp --bench agents [-- throughput|scale]
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use scmp_agent::link::{ClusterHello, Credentials, Journal, LinkOptions, LinkState};
use scmp_test_utils::agent_process::AgentProcess;
use scmp_test_utils::client::keeping_connections;
use scmp_test_utils::helpers::{create_project, create_tenant, quota};
use scmp_test_utils::process::ServerProcess;
use scmp_test_utils::{Client, SimSite, TestContext};
use serde_json::{json, Value};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BIN: &str = env!("CARGO_BIN_EXE_scmp");
const GUESTS: usize = 1000;
const IN_FLIGHT: usize = 64;
const GUESTS_PER_SITE: usize = 60;

/// Creates `GUESTS` guests at `site` through the API; answers guests per second.
async fn create_at(admin: &Client, fingerprint: &str, project: &str, site: &str) -> f64 {
    let http = keeping_connections(fingerprint, IN_FLIGHT);
    let token = admin.token().unwrap().to_string();
    let base = format!("{}/api/v1", admin.base());
    let call = |m: Method, path: String, body: Option<Value>| {
        let mut r = http.request(m, format!("{base}{path}")).bearer_auth(&token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move { r.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let sem = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..GUESTS {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let body = json!({"name": format!("{site}-g{i}"), "kind": "vm", "image": "debian-12",
            "vcpus": 1, "memory_mib": 256, "disk_gib": 3, "site": site});
        let f = call(
            Method::POST,
            format!("/projects/{project}/guests?wait=60"),
            Some(body),
        );
        tasks.push(tokio::spawn(async move {
            let op = f.await;
            drop(permit);
            op
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let op = t.await.unwrap();
        let op = if op["state"] == "succeeded" || op["state"] == "failed" {
            op
        } else {
            let id = op["id"].as_str().unwrap().to_string();
            call(Method::GET, format!("/operations/{id}?wait=60"), None).await
        };
        if op["state"] == "succeeded" {
            ok += 1;
        } else {
            eprintln!("{op}");
        }
    }
    assert_eq!(ok, GUESTS, "every creation succeeds");
    GUESTS as f64 / started.elapsed().as_secs_f64()
}

async fn overcommit(admin: &Client, cluster: &str) {
    let _: Value = admin
        .patch(
            &format!("/clusters/{cluster}"),
            &json!({"cpu_overcommit": 32.0}),
        )
        .await;
}

async fn throughput() {
    let ctx = TestContext::builder("bench-agents")
        .sites(1)
        .workers(IN_FLIGHT)
        .sync_interval(Duration::from_secs(30))
        .start()
        .await;
    let admin = &ctx.admin;
    let _: Value = admin
        .post("/sites", &json!({"name": "edge", "country": "DE"}))
        .await;
    let token: Value = admin.post("/sites/edge/join-tokens", &json!({})).await;
    let edge = SimSite::start(0.0).await;
    let dir = tempfile::tempdir().unwrap();
    let agent = AgentProcess::start(
        BIN,
        dir.path(),
        &ctx.agent_base(),
        token["token"].as_str(),
        &edge,
        "edge-1",
    );
    assert!(agent.wait_for("linked", Duration::from_secs(30)).await);
    for _ in 0..100 {
        let c: Value = admin.get("/sites/edge/clusters").await;
        if c["items"][0]["health"]["last_seen_at"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    overcommit(admin, "fra-1").await;
    overcommit(admin, "edge-1").await;
    let room = quota(100_000, 100_000_000, 10_000_000, 100_000);
    create_tenant(admin, "acme", room).await;
    let project = create_project(admin, "acme", "web", room)
        .await
        .id
        .to_string();
    let direct = create_at(admin, ctx.fingerprint(), &project, "fra").await;
    let linked = create_at(admin, ctx.fingerprint(), &project, "edge").await;
    println!("throughput: {GUESTS} guests per site, {IN_FLIGHT} in flight, pve-sim at time scale 0, SQLite");
    println!("  site reached in process:                 {direct:>7.1} guests/s");
    println!("  site reached through `scmp agent run`:   {linked:>7.1} guests/s");
    println!(
        "  through the agent / in process:          {:>7.1} %",
        100.0 * linked / direct
    );
}

/// One simulated site of the scale run, and its agent's link.
struct Edge {
    sim: pve_sim::Simulator,
    name: String,
    journal: Arc<Journal>,
    linked: tokio::sync::watch::Receiver<LinkState>,
}

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Polls (bounded) until `done` says so; answers how long it took.
async fn until<F, Fut>(limit: Duration, every: Duration, mut done: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if done().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(every).await;
    }
    None
}

/// How many of the sites' clusters were looked at since `after_ms` (all of them, listed per site).
async fn observed_since(admin: &Client, edges: &[Edge], after_ms: i64) -> usize {
    let mut n = 0;
    for chunk in edges.chunks(64) {
        let pages = futures::future::join_all(chunk.iter().map(|e| {
            let admin = admin.clone();
            let path = format!("/sites/{}/clusters", e.name);
            async move { admin.get::<Value>(&path).await }
        }))
        .await;
        for p in pages {
            let seen = p["items"][0]["health"]["last_seen_at"]
                .as_str()
                .and_then(|t| t.parse::<scmp_common::time::Time>().ok())
                .map(|t| t.as_ms())
                .unwrap_or(0);
            if seen > after_ms {
                n += 1;
            }
        }
    }
    n
}

fn now_ms() -> i64 {
    scmp_common::SystemClock::shared().now_ms()
}

async fn scale() {
    let n: usize = std::env::var("SCMP_BENCH_AGENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let data = tempfile::tempdir().unwrap();
    let agent_port = free_port();
    let agent_listen = format!("127.0.0.1:{agent_port}");
    let args = [
        "--agent-listen",
        agent_listen.as_str(),
        "--sync-interval",
        "5",
    ];
    let server = ServerProcess::start(
        BIN,
        data.path(),
        &args,
        &[("RUST_LOG", "error")],
        Stdio::inherit(),
    );
    let pid = server.child.0.id();
    let admin = server.admin();
    let agents = format!("https://{agent_listen}");

    // Sites, simulated clusters, enrollments.
    let setup = Instant::now();
    let mut edges = Vec::with_capacity(n);
    let mut enrollments = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(32) {
        let made = futures::future::join_all(chunk.iter().map(|i| {
            let (admin, agents) = (admin.clone(), agents.clone());
            let name = format!("s{i:04}");
            async move {
                let _: Value = admin
                    .post("/sites", &json!({"name": name, "country": "DE"}))
                    .await;
                let t: Value = admin
                    .post(&format!("/sites/{name}/join-tokens"), &json!({}))
                    .await;
                let e = scmp_agent::enroll::enroll(&agents, t["token"].as_str().unwrap())
                    .await
                    .unwrap();
                (name, e)
            }
        }))
        .await;
        enrollments.extend(made);
    }
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut creds_keep = Vec::new();
    for (i, (name, e)) in enrollments.into_iter().enumerate() {
        let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
            cluster_name: name.clone(),
            nodes: 1,
            time_scale: 0.0,
            seed: i as u64 + 1,
            ..Default::default()
        })
        .unwrap();
        let now = sim.now();
        sim.cluster().populate(GUESTS_PER_SITE, now);
        let (addr, _task) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let line = sim.token_line();
        let (id, secret) = line.split_once('=').unwrap();
        let access = scmp_agent::ClusterAccess {
            endpoint: format!("https://{addr}"),
            token_id: id.parse().unwrap(),
            token_secret: secret.to_string(),
            fingerprint: sim.fingerprint().parse().unwrap(),
        };
        let agent: Arc<dyn scmp_agent::Agent> = Arc::new(scmp_agent::LocalAgent::new(Arc::new(
            scmp_agent::connect(&access).unwrap(),
        )));
        let options = LinkOptions {
            server: agents.clone(),
            agent: e.enrolled.agent.id,
            cluster: ClusterHello {
                name: format!("{name}-1").parse().unwrap(),
                endpoint: access.endpoint.clone(),
                token_id: access.token_id.clone(),
                missing_privileges: vec![],
            },
            backoff: (Duration::from_millis(500), Duration::from_secs(30)),
            connect_timeout: Duration::from_secs(15),
        };
        let (creds_tx, creds) = tokio::sync::watch::channel(Credentials {
            cert_pem: e.enrolled.certificate.clone(),
            key_pem: e.key_pem.clone(),
            ca_pem: e.enrolled.ca_certificate.clone(),
        });
        creds_keep.push(creds_tx);
        let journal = Arc::new(Journal::in_memory().unwrap());
        let (state, linked) = tokio::sync::watch::channel(LinkState::Connecting);
        tokio::spawn(scmp_agent::link::run(
            options,
            creds,
            agent,
            scmp_agent::link::Outbox::new(journal.clone()),
            tokio::sync::watch::channel(None).0,
            state,
            stop.clone(),
        ));
        edges.push(Edge {
            sim,
            name,
            journal,
            linked,
        });
    }
    let all_linked = |edges: &[Edge]| {
        edges
            .iter()
            .all(|e| matches!(*e.linked.borrow(), LinkState::Connected { .. }))
    };
    let linked_in = until(Duration::from_secs(600), Duration::from_millis(200), || {
        let ok = all_linked(&edges);
        async move { ok }
    })
    .await
    .expect("every agent linked");
    let observed_in = until(Duration::from_secs(600), Duration::from_secs(1), || {
        let (admin, edges) = (&admin, &edges);
        async move { observed_since(admin, edges, 0).await == edges.len() }
    })
    .await;
    println!(
        "scale: {n} sites, one agent each ({} guests in all), server on SQLite, sync every 5 s; set up in {:.1} s",
        n * GUESTS_PER_SITE,
        setup.elapsed().as_secs_f64()
    );
    println!(
        "  every agent linked:                  {:>7.1} s",
        linked_in.as_secs_f64()
    );
    let observed_in = observed_in.expect("every cluster looked at");
    println!(
        "  every cluster looked at:             {:>7.1} s after that",
        observed_in.as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(15)).await;
    let (rss, hwm) = rss_kib(pid);
    println!(
        "  server resident memory:              {:>7.1} MiB (peak {:.1} MiB)",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );

    // A change at a site (a guest appears behind scmp's back): how long until the centre shows it.
    let samples = n.min(100);
    let mut latencies = Vec::new();
    let picks: Vec<usize> = (0..samples).map(|k| k * n / samples).collect();
    let mut waits = Vec::new();
    for (k, &i) in picks.iter().enumerate() {
        // Spread over a sync interval, as changes come.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let e = &edges[i];
        {
            let mut c = e.sim.cluster();
            let mut config = BTreeMap::new();
            config.insert("name".to_string(), format!("late-{k}"));
            config.insert("cores".to_string(), "1".to_string());
            config.insert("memory".to_string(), "512".to_string());
            c.guests.insert(
                7000,
                pve_sim::model::Guest::new(
                    7000,
                    pve_types::api::guest::GuestKind::Qemu,
                    "pve1",
                    config,
                ),
            );
        }
        let (admin, path) = (admin.clone(), format!("/clusters/{}-1", e.name));
        waits.push(tokio::spawn(async move {
            until(Duration::from_secs(120), Duration::from_millis(100), || {
                let (admin, path) = (admin.clone(), path.clone());
                async move {
                    let c: Value = admin.get(&path).await;
                    c["health"]["unmanaged_guests"].as_u64() == Some(GUESTS_PER_SITE as u64 + 1)
                }
            })
            .await
        }));
    }
    for w in waits {
        latencies.push(w.await.unwrap().expect("the change showed").as_secs_f64());
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "  a change at a site shown centrally:  p50 {:.1} s, p99 {:.1} s ({} changes)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len()
    );

    // The server restarts: every agent back and caught up.
    server.terminate();
    let restarted_ms = now_ms();
    let restarted = Instant::now();
    let server = ServerProcess::start(
        BIN,
        data.path(),
        &args,
        &[("RUST_LOG", "error")],
        Stdio::inherit(),
    );
    let admin = server.admin();
    let back_in = until(Duration::from_secs(600), Duration::from_millis(200), || {
        let ok = all_linked(&edges);
        async move { ok }
    })
    .await
    .expect("every agent linked again");
    let caught_up = until(Duration::from_secs(600), Duration::from_secs(1), || {
        let (admin, edges) = (&admin, &edges);
        async move {
            observed_since(admin, edges, restarted_ms).await == edges.len()
                && edges.iter().all(|e| e.journal.waiting().unwrap() == 0)
        }
    })
    .await
    .map(|_| restarted.elapsed());
    println!(
        "  after a server restart: every agent linked in {:.1} s; every cluster looked at afresh and every journal empty in {}",
        back_in.as_secs_f64(),
        caught_up
            .map(|d| format!("{:.1} s", d.as_secs_f64()))
            .unwrap_or_else(|| "more than 600 s".into())
    );
    let (rss, hwm) = rss_kib(server.child.0.id());
    println!(
        "  server resident memory after:        {:>7.1} MiB (peak {:.1} MiB)",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    stop_tx.send_replace(true);
    drop(creds_keep);
}

fn main() {
    let which = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if which.is_empty() || which == "throughput" {
            throughput().await;
        }
        if which.is_empty() || which == "scale" {
            scale().await;
        }
    });
}
