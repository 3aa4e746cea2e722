//! End-to-end provisioning throughput against `pve-sim` at time scale 0 (tasks finish at once):
//! guests created and running per second through the scmp API (admission, placement, the saga,
//! SQLite), and the same number created directly with `pve-client` (clone + start, each task
//! waited), with the ratio of the two.
//!
//!     cargo bench -p scmp-server --bench provisioning
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pve_client::{ClientConfig, Credentials, PveApi, PveClient, Trust, WaitOptions};
use pve_types::api::guest::{GuestClone, GuestKind, PowerAction};
use pve_types::{NodeName, Vmid};
use reqwest::Method;
use scmp_test_utils::client::keeping_connections;
use scmp_test_utils::helpers::{create_project, create_tenant, quota};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

// The allocator of the `scmp` binary, so the figures are those of what runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const GUESTS: usize = 1000;
const IN_FLIGHT: usize = 64;

fn sim() -> (pve_sim::Simulator, tokio::runtime::Handle) {
    let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
        time_scale: 0.0,
        nodes: 3,
        ..Default::default()
    })
    .unwrap();
    (sim, tokio::runtime::Handle::current())
}

async fn through_scmp() -> f64 {
    // The platform as the tests have it: one simulated site at time scale 0 (three hosts), the
    // server in process, SQLite; as many workers as creations in flight, and inventory sync out of
    // the way.
    let ctx = TestContext::builder("bench-provisioning")
        .sites(1)
        .workers(IN_FLIGHT)
        .sync_interval(Duration::from_secs(30))
        .start()
        .await;
    let admin = &ctx.admin;
    let clusters: Value = admin.get("/sites/fra/clusters").await;
    let cluster = clusters["items"][0]["id"].as_str().unwrap().to_string();
    let _: Value = admin
        .patch(
            &format!("/clusters/{cluster}"),
            &json!({"cpu_overcommit": 32.0}),
        )
        .await;
    let room = quota(100_000, 100_000_000, 10_000_000, 100_000);
    create_tenant(admin, "acme", room).await;
    let project = create_project(admin, "acme", "web", room).await.id;
    let http = keeping_connections(ctx.fingerprint(), IN_FLIGHT);
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
        let body = json!({"name": format!("g{i}"), "kind": "vm", "image": "debian-12",
            "vcpus": 1, "memory_mib": 256, "disk_gib": 3});
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
        }
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(ok, GUESTS, "every creation succeeds");
    GUESTS as f64 / secs
}

async fn direct() -> f64 {
    let (sim, _) = sim();
    let (addr, _t) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = Arc::new(
        PveClient::new(ClientConfig::new(
            format!("https://{addr}").parse().unwrap(),
            Trust::Fingerprint(sim.fingerprint().parse().unwrap()),
            Credentials::parse_token(&sim.token_line()).unwrap(),
        ))
        .unwrap(),
    );
    let wait = WaitOptions {
        first_poll: Duration::from_millis(10),
        ..WaitOptions::default()
    };
    let sem = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..GUESTS {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            let node = NodeName::new(format!("pve{}", 1 + i % 3)).unwrap();
            let template = NodeName::new("pve1").unwrap();
            let vmid = Vmid::new(100 + i as u32).unwrap();
            let upid = c
                .guest_clone(
                    GuestKind::Qemu,
                    &template,
                    Vmid::new(9000).unwrap(),
                    &GuestClone {
                        newid: vmid,
                        name: Some(format!("g{i}")),
                        hostname: None,
                        full: None,
                        target: (node != template).then(|| node.clone()),
                        storage: None,
                        pool: None,
                        description: None,
                    },
                )
                .await
                .unwrap();
            c.wait_task(&upid, wait).await.unwrap();
            let upid = c
                .guest_power(GuestKind::Qemu, &node, vmid, PowerAction::Start)
                .await
                .unwrap();
            c.wait_task(&upid, wait).await.unwrap();
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    GUESTS as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let scmp = through_scmp().await;
    let pve = direct().await;
    println!(
        "provisioning: {GUESTS} guests, {IN_FLIGHT} in flight, pve-sim at time scale 0, SQLite"
    );
    println!("  through scmp (API + saga):   {scmp:>7.1} guests/s");
    println!("  direct pve-client (clone+start): {pve:>7.1} guests/s");
    println!("  ratio direct/scmp:           {:>7.2}x", pve / scmp);
}
