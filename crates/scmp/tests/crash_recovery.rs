//! The server killed with SIGKILL in the middle of 50 guest creations, then restarted on the same
//! data directory: every creation finishes or unwinds, nothing is left on Proxmox that scmp does not
//! know, and the project's quota equals the guests that exist.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use reqwest::Method;
use scmp_api::{ClusterView, QuotaBody, SiteView};
use scmp_test_utils::helpers::{create_project, create_tenant, quota};
use scmp_test_utils::process::ServerProcess;
use scmp_test_utils::SimSite;
use serde_json::{json, Value};

/// `scmp server` with inventory every second (its log to `CRASH_TEST_LOG` when set).
fn server(dir: &Path) -> ServerProcess {
    let stderr = match std::env::var("CRASH_TEST_LOG") {
        Ok(p) => Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .unwrap(),
        ),
        Err(_) => Stdio::null(),
    };
    ServerProcess::start(
        env!("CARGO_BIN_EXE_scmp"),
        dir,
        &["--sync-interval", "1"],
        &[],
        stderr,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_finishes_or_unwinds_every_creation() {
    // Tasks take real-looking time (a clone about a second), so the kill lands mid-flight.
    let site = SimSite::start(1.0).await;
    let sim = &site.sim;
    let dir = tempfile::tempdir().unwrap();
    let first = server(dir.path());
    let api = first.admin();
    let _: SiteView = api
        .post("/sites", &json!({"name": "fra", "country": "DE"}))
        .await;
    let _: ClusterView = api
        .post("/sites/fra/clusters", &site.cluster_create("fra-1"))
        .await;
    let room = quota(500, 1_000_000, 10_000, 50);
    create_tenant(&api, "acme", room).await;
    let project = create_project(&api, "acme", "web", room)
        .await
        .id
        .to_string();

    let mut admitted = 0;
    for i in 0..50 {
        let body = json!({"name": format!("g{i}"), "kind": if i % 4 == 3 { "ct" } else { "vm" },
            "image": if i % 4 == 3 { "debian-12-ct" } else { "debian-12" }, "instance_type": "small"});
        let a = api
            .send(
                Method::POST,
                &format!("/projects/{project}/guests"),
                Some(body),
            )
            .await;
        assert!(
            a.status == 202 || a.status == 200,
            "{} {}",
            a.status,
            a.text
        );
        admitted += 1;
    }
    assert_eq!(admitted, 50);
    tokio::time::sleep(Duration::from_millis(700)).await;
    first.kill(); // SIGKILL: no shutdown, leases held, tasks in flight.
    let in_flight = sim
        .cluster()
        .guests
        .values()
        .filter(|g| g.lock.is_some())
        .count();
    assert!(in_flight > 0, "the kill should land while Proxmox works");

    let second = server(dir.path());
    let api = second.admin();
    // Leases of the dead server expire (30 s), then the new one resumes every operation.
    let mut ops = Value::Null;
    let mut last = Value::Null;
    for _ in 0..240 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        // The server may still be starting: an answer that is not a page is waited out.
        let o = api
            .send(Method::GET, "/operations?limit=1000", None)
            .await
            .body;
        let items = o["items"].as_array().cloned().unwrap_or_default();
        last = o.clone();
        if items.len() == 50
            && items
                .iter()
                .all(|op| op["state"] == "succeeded" || op["state"] == "failed")
        {
            ops = o;
            break;
        }
    }
    let items = ops["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not every operation ended: {last}"))
        .clone();
    let guests = api
        .send(Method::GET, &format!("/projects/{project}/guests"), None)
        .await
        .body;
    let guests = guests["items"].as_array().unwrap().clone();
    let living: Vec<&Value> = guests.iter().filter(|g| g["state"] == "running").collect();
    let succeeded = items.iter().filter(|o| o["state"] == "succeeded").count();
    assert_eq!(living.len(), succeeded, "every success is a running guest");
    for g in guests.iter().filter(|g| g["state"] != "running") {
        assert_eq!(g["state"], "failed", "{g}");
    }
    // Proxmox holds exactly the running guests, each carrying its scmp identity.
    let on_pve = site.guests();
    assert_eq!(
        on_pve.len(),
        living.len(),
        "no orphan on Proxmox: {on_pve:?}"
    );
    for g in &living {
        let vmid = g["vmid"].as_u64().unwrap() as u32;
        let tags = &on_pve.iter().find(|(v, _)| *v == vmid).unwrap().1;
        assert!(tags.contains(g["id"].as_str().unwrap()), "{tags}");
    }
    let q: QuotaBody = api.get(&format!("/projects/{project}/quota")).await;
    assert_eq!(q.used.guests, living.len() as u64);
    eprintln!(
        "{in_flight} Proxmox tasks were in flight at the kill; {succeeded} creations succeeded, {} unwound",
        50 - succeeded
    );
}
