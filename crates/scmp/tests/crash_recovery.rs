//! The server killed with SIGKILL in the middle of 50 guest creations, then restarted on the same
//! data directory: every creation finishes or unwinds, nothing is left on Proxmox that scmp does not
//! know, and the project's quota equals the guests that exist.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pve_client::Trust;
use reqwest::Method;
use serde_json::{json, Value};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `scmp server`; returns it, its URL and its fingerprint.
fn server(dir: &Path) -> (Killed, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--sync-interval",
            "1",
            "--data-dir",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(match std::env::var("CRASH_TEST_LOG") {
            Ok(p) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .unwrap(),
            ),
            Err(_) => Stdio::null(),
        })
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let (mut url, mut fp) = (String::new(), String::new());
    while url.is_empty() || fp.is_empty() {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server printed its address"
        );
        if let Some(u) = line.trim().strip_prefix("API:") {
            url = u.trim().to_string();
        }
        if let Some(f) = line.trim().strip_prefix("fingerprint:") {
            fp = f.trim().to_string();
        }
    }
    (Killed(child), url, fp)
}

struct Api {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Api {
    fn new(url: &str, fp: &str, token: &str) -> Self {
        let tls = Trust::Fingerprint(fp.parse().unwrap())
            .client_config()
            .unwrap();
        Self {
            http: reqwest::Client::builder()
                .use_preconfigured_tls(tls)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            url: url.to_string(),
            token: token.to_string(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        match r.send().await {
            Ok(resp) => {
                let st = resp.status().as_u16();
                (st, resp.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_finishes_or_unwinds_every_creation() {
    // Tasks take real-looking time (a clone about a second), so the kill lands mid-flight.
    let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
        time_scale: 1.0,
        ..Default::default()
    })
    .unwrap();
    let (addr, _task) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (first, url, fp) = server(dir.path());
    let token = std::fs::read_to_string(dir.path().join("admin-token")).unwrap();
    let api = Api::new(&url, &fp, token.trim());
    let line = sim.token_line();
    let (id, secret) = line.split_once('=').unwrap();
    let quota = json!({"vcpus": 500, "memory_mib": 1_000_000, "disk_gib": 10_000, "guests": 50});
    for (path, body) in [
        ("/sites", json!({"name": "fra", "country": "DE"})),
        (
            "/sites/fra/clusters",
            json!({"name": "fra-1", "endpoint": format!("https://{addr}"), "token_id": id,
                "token_secret": secret, "tls_fingerprint": sim.fingerprint()}),
        ),
        ("/tenants", json!({"name": "acme", "quota": quota})),
        (
            "/tenants/acme/projects",
            json!({"name": "web", "quota": quota}),
        ),
    ] {
        let (st, b) = api.call(Method::POST, path, Some(body)).await;
        assert_eq!(st, 201, "{path}: {b}");
    }
    let (_, projects) = api.call(Method::GET, "/tenants/acme/projects", None).await;
    let project = projects["items"][0]["id"].as_str().unwrap().to_string();

    let mut admitted = 0;
    for i in 0..50 {
        let body = json!({"name": format!("g{i}"), "kind": if i % 4 == 3 { "ct" } else { "vm" },
            "image": if i % 4 == 3 { "debian-12-ct" } else { "debian-12" }, "instance_type": "small"});
        let (st, b) = api
            .call(
                Method::POST,
                &format!("/projects/{project}/guests"),
                Some(body),
            )
            .await;
        assert!(st == 202 || st == 200, "{st} {b}");
        admitted += 1;
    }
    assert_eq!(admitted, 50);
    tokio::time::sleep(Duration::from_millis(700)).await;
    drop(first); // SIGKILL: no shutdown, leases held, tasks in flight.
    let in_flight = sim
        .cluster()
        .guests
        .values()
        .filter(|g| g.lock.is_some())
        .count();
    assert!(in_flight > 0, "the kill should land while Proxmox works");

    let (_second, url, fp) = server(dir.path());
    let api = Api::new(&url, &fp, token.trim());
    // Leases of the dead server expire (30 s), then the new one resumes every operation.
    let mut ops = Value::Null;
    let mut last = Value::Null;
    for _ in 0..240 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, o) = api.call(Method::GET, "/operations?limit=1000", None).await;
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
    let (_, guests) = api
        .call(Method::GET, &format!("/projects/{project}/guests"), None)
        .await;
    let guests = guests["items"].as_array().unwrap().clone();
    let living: Vec<&Value> = guests.iter().filter(|g| g["state"] == "running").collect();
    let succeeded = items.iter().filter(|o| o["state"] == "succeeded").count();
    assert_eq!(living.len(), succeeded, "every success is a running guest");
    for g in guests.iter().filter(|g| g["state"] != "running") {
        assert_eq!(g["state"], "failed", "{g}");
    }
    // Proxmox holds exactly the running guests, each carrying its scmp identity.
    let on_pve: Vec<(u32, String)> = sim
        .cluster()
        .guests
        .iter()
        .filter(|(_, g)| !g.is_template())
        .map(|(id, g)| (*id, g.config.get("tags").cloned().unwrap_or_default()))
        .collect();
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
    let (_, q) = api
        .call(Method::GET, &format!("/projects/{project}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], json!(living.len()), "{q}");
    eprintln!(
        "{in_flight} Proxmox tasks were in flight at the kill; {succeeded} creations succeeded, {} unwound",
        50 - succeeded
    );
}
