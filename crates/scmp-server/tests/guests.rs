//! Guests end to end against simulated Proxmox VE clusters: the lifecycle, quota under concurrency,
//! a failure injected after each step of the creation saga (each unwinds cleanly), drift, and
//! creations against a cluster where tasks fail and connections drop.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::Duration;

use pve_client::Trust;
use reqwest::{Client, Method, StatusCode};
use scmp_server::{start, ServerConfig};
use serde_json::{json, Value};

struct Env {
    base: String,
    http: Client,
    admin: String,
    dir: tempfile::TempDir,
    _running: scmp_server::Running,
    sim: pve_sim::Simulator,
}

async fn env(fault_step: Option<&str>, database_url: Option<String>) -> Env {
    env_with(fault_step, database_url, false).await
}

async fn env_with(fault_step: Option<&str>, database_url: Option<String>, repeat: bool) -> Env {
    env_full(fault_step, database_url, repeat, 0.0).await
}

async fn env_full(
    fault_step: Option<&str>,
    database_url: Option<String>,
    repeat: bool,
    time_scale: f64,
) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap());
    config.sync_interval = Duration::from_millis(300);
    config.fault_step = fault_step.map(str::to_string);
    config.database_url = database_url;
    config.repeat_steps = repeat;
    let running = start(config).await.unwrap();
    let fp = running.fingerprint.parse().unwrap();
    let tls = Trust::Fingerprint(fp).client_config().unwrap();
    let http = Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let admin = std::fs::read_to_string(dir.path().join("admin-token"))
        .unwrap()
        .trim()
        .to_string();
    let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
        time_scale,
        ..Default::default()
    })
    .unwrap();
    let (addr, _server) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let e = Env {
        base: format!("https://{}", running.addr),
        http,
        admin,
        dir,
        _running: running,
        sim: sim.clone(),
    };
    let line = sim.token_line();
    let (id, secret) = line.split_once('=').unwrap();
    let (st, b) = e
        .call(
            Method::POST,
            "/sites",
            Some(json!({"name": "fra", "country": "DE"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let (st, b) = e
        .call(
            Method::POST,
            "/sites/fra/clusters",
            Some(
                json!({"name": "fra-1", "endpoint": format!("https://{addr}"), "token_id": id,
                "token_secret": secret, "tls_fingerprint": sim.fingerprint()}),
            ),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    e
}

impl Env {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.admin);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let st = resp.status();
        let text = resp.text().await.unwrap();
        (st, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A tenant and project with room for `guests` guests; returns the project id.
    async fn project(&self, guests: u64) -> String {
        let quota =
            json!({"vcpus": 1000, "memory_mib": 4_000_000, "disk_gib": 100_000, "guests": guests});
        let (st, b) = self
            .call(
                Method::POST,
                "/tenants",
                Some(json!({"name": "acme", "quota": quota})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let (st, p) = self
            .call(
                Method::POST,
                "/tenants/acme/projects",
                Some(json!({"name": "web", "quota": quota})),
            )
            .await;
        assert_eq!(st, 201, "{p}");
        p["id"].as_str().unwrap().to_string()
    }

    async fn wait_op(&self, op: &Value) -> Value {
        let id = op["id"].as_str().unwrap();
        for _ in 0..300 {
            let (_, o) = self
                .call(Method::GET, &format!("/operations/{id}?wait=5"), None)
                .await;
            if ["succeeded", "failed", "cancelled"].contains(&o["state"].as_str().unwrap_or("")) {
                return o;
            }
        }
        panic!("operation {id} did not end");
    }

    /// Creates a guest in project `p`, waits for it, and answers the guest as the API shows it.
    async fn created(&self, p: &str, body: Value) -> Value {
        let (_, op) = self
            .call(
                Method::POST,
                &format!("/projects/{p}/guests?wait=30"),
                Some(body),
            )
            .await;
        let op = self.wait_op(&op).await;
        assert_eq!(op["state"], "succeeded", "{op}");
        let id = op["guest_id"].as_str().unwrap();
        self.call(Method::GET, &format!("/guests/{id}"), None)
            .await
            .1
    }

    /// Polls a guest (bounded) until `check` holds; answers it then.
    async fn guest_until(&self, id: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let path = format!("/guests/{id}");
        for _ in 0..50 {
            let (_, g) = self.call(Method::GET, &path, None).await;
            if check(&g) {
                return g;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "{what} never happened: {}",
            self.call(Method::GET, &path, None).await.1
        );
    }

    /// Guests on the simulated cluster that are not templates.
    fn sim_guests(&self) -> Vec<(u32, String)> {
        let c = self.sim.cluster();
        c.guests
            .iter()
            .filter(|(_, g)| !g.is_template())
            .map(|(id, g)| (*id, g.config.get("tags").cloned().unwrap_or_default()))
            .collect()
    }
}

fn vm(name: &str) -> Value {
    json!({"name": name, "kind": "vm", "image": "debian-12", "instance_type": "small",
        "cloud_init": {"user": "debian", "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests0000000000000 me@laptop"]},
        "tags": ["web"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guest_lifecycle() {
    lifecycle(false).await;
}

/// Every step (and undo) run twice gives the same result: the second run finds its work done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guest_lifecycle_with_every_step_run_twice() {
    lifecycle(true).await;
}

async fn lifecycle(repeat: bool) {
    let e = env_with(None, None, repeat).await;
    let p = e.project(5).await;
    // A dry run says where the guest would go, and creates nothing.
    let (st, preview) = e
        .call(
            Method::POST,
            &format!("/projects/{p}/guests?dry_run=true"),
            Some(vm("web1")),
        )
        .await;
    assert_eq!(st, 200, "{preview}");
    assert!(
        preview["reason"].as_str().unwrap().contains("fra-1"),
        "{preview}"
    );
    assert_eq!(preview["cluster"], "fra-1", "{preview}");
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], 0, "a dry run takes no quota: {q}");
    let (st, op) = e
        .call(
            Method::POST,
            &format!("/projects/{p}/guests?wait=30"),
            Some(vm("web1")),
        )
        .await;
    assert!(st == 200 || st == 202, "{st} {op}");
    let op = e.wait_op(&op).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    assert!(
        !op["tasks"].as_array().unwrap().is_empty(),
        "UPIDs recorded"
    );
    let gid = op["guest_id"].as_str().unwrap().to_string();
    let (_, g) = e.call(Method::GET, &format!("/guests/{gid}"), None).await;
    assert_eq!(g["state"], "running", "{g}");
    assert_eq!(g["placement"]["cluster"], "fra-1", "{g}");
    assert!(
        g["placement"]["reason"]
            .as_str()
            .unwrap()
            .contains("hosts passed every filter"),
        "{g}"
    );
    assert!(
        g["addresses"][0].as_str().unwrap().starts_with("10.20."),
        "the address its guest agent reports: {g}"
    );
    let vmid = g["vmid"].as_u64().unwrap() as u32;
    {
        let c = e.sim.cluster();
        let pg = &c.guests[&vmid];
        let tags = pg.config.get("tags").cloned().unwrap_or_default();
        assert!(
            tags.contains(&format!("scmp-{gid}")) && tags.contains("tenant-acme"),
            "{tags}"
        );
        assert!(pg.config.get("description").unwrap().contains(&gid));
        assert_eq!(pg.config.get("cores").unwrap(), "1");
        assert!(pg.config.contains_key("sshkeys"));
        assert!(c.pools.contains_key("scmp-acme"), "the tenant's pool");
    }
    // The user's request and the Proxmox side are linked in the audit log by the request id.
    let (_, audit) = e
        .call(Method::GET, "/audit?operation=guest_create&limit=100", None)
        .await;
    let entries = audit["items"].as_array().unwrap();

    assert!(entries.iter().any(|a| a["credential"]["kind"] == "workflow"
        && a["actor"]["name"] == "admin"
        && a["request_id"] == op["request_id"]
        && a["target"].as_str().unwrap().contains("UPID:")));
    // The guest's own trail: its creation request and the Proxmox side of it.
    let (_, trail) = e
        .call(Method::GET, &format!("/audit?guest={gid}"), None)
        .await;
    let trail = trail["items"].as_array().unwrap();
    assert_eq!(trail.len(), 3, "begin, end, workflow: {trail:?}");
    assert!(trail.iter().all(|a| a["request_id"] == op["request_id"]));

    for (action, state) in [
        ("stop", "stopped"),
        ("start", "running"),
        ("reboot", "running"),
    ] {
        let (st, op) = e
            .call(
                Method::POST,
                &format!("/guests/{gid}/{action}?wait=30"),
                None,
            )
            .await;
        assert!(st.is_success(), "{action}: {op}");
        assert_eq!(e.wait_op(&op).await["state"], "succeeded");
        let (_, g) = e.call(Method::GET, &format!("/guests/{gid}"), None).await;
        assert_eq!(g["state"], state, "after {action}");
    }
    // Resize within quota; the disk only grows.
    let (st, op) = e
        .call(
            Method::PATCH,
            &format!("/guests/{gid}?wait=30"),
            Some(json!({"vcpus": 2, "memory_mib": 2048, "disk_gib": 20})),
        )
        .await;
    assert!(st.is_success(), "{op}");
    assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["vcpus"], 2, "{q}");
    assert_eq!(q["used"]["disk_gib"], 20, "{q}");
    let (st, b) = e
        .call(
            Method::PATCH,
            &format!("/guests/{gid}"),
            Some(json!({"disk_gib": 5})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), b["errors"][0]["field"].clone()),
        (400, json!("disk_gib"))
    );
    // Snapshots.
    let (_, op) = e
        .call(
            Method::POST,
            &format!("/guests/{gid}/snapshots?wait=30"),
            Some(json!({"name": "before-upgrade"})),
        )
        .await;
    assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    let (_, snaps) = e
        .call(Method::GET, &format!("/guests/{gid}/snapshots"), None)
        .await;
    assert_eq!(snaps["items"][0]["name"], "before-upgrade", "{snaps}");
    let (_, op) = e
        .call(
            Method::DELETE,
            &format!("/guests/{gid}/snapshots/before-upgrade?wait=30"),
            None,
        )
        .await;
    assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    // Delete: gone from Proxmox, quota released, record gone.
    let (_, op) = e
        .call(Method::DELETE, &format!("/guests/{gid}?wait=30"), None)
        .await;
    assert_eq!(e.wait_op(&op).await["state"], "succeeded", "{op}");
    assert!(e.sim_guests().is_empty(), "{:?}", e.sim_guests());
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], 0, "{q}");
    let (st, _) = e.call(Method::GET, &format!("/guests/{gid}"), None).await;
    assert_eq!(st, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_with_the_field() {
    let e = env(None, None).await;
    let p = e.project(5).await;
    let cases = [
        ("name", json!({"name": "Web 1"})),
        ("image", json!({"image": "windows-95"})),
        ("image", json!({"kind": "ct"})),
        ("instance_type", json!({"instance_type": "huge"})),
        (
            "vcpus",
            json!({"instance_type": null, "vcpus": 0, "memory_mib": 512, "disk_gib": 8}),
        ),
        ("tags[0]", json!({"tags": ["Bad Tag"]})),
        (
            "cloud_init.ssh_keys[0]",
            json!({"cloud_init": {"ssh_keys": ["not a key"]}}),
        ),
        (
            "cloud_init.ip_config",
            json!({"cloud_init": {"ip_config": "ip=999.1.1.1/24"}}),
        ),
        ("site", json!({"site": "atlantis"})),
    ];
    for (field, patch) in cases {
        let mut body = vm("web1");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, b) = e
            .call(Method::POST, &format!("/projects/{p}/guests"), Some(body))
            .await;
        assert_eq!(
            (st.as_u16(), b["errors"][0]["field"].clone()),
            (400, json!(field)),
            "{b}"
        );
    }
    // Nothing fits: refused at once with the reason.
    let mut big = vm("big");
    big["instance_type"] = Value::Null;
    big["vcpus"] = json!(128);
    big["memory_mib"] = json!(4 << 20);
    big["disk_gib"] = json!(10);
    let (st, b) = e
        .call(Method::POST, &format!("/projects/{p}/guests"), Some(big))
        .await;
    assert_eq!(st, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("capacity"), "{b}");
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], 0, "nothing reserved: {q}");
}

async fn quota_race(database_url: Option<String>) {
    let e = env(None, database_url).await;
    let p = e.project(20).await;
    let calls = (0..100).map(|i| {
        let e = &e;
        let p = p.clone();
        async move {
            e.call(
                Method::POST,
                &format!("/projects/{p}/guests"),
                Some(vm(&format!("g{i}"))),
            )
            .await
            .0
        }
    });
    let results = futures::future::join_all(calls).await;
    let admitted = results
        .iter()
        .filter(|s| s.as_u16() == 202 || s.as_u16() == 200)
        .count();
    let refused = results.iter().filter(|s| s.as_u16() == 422).count();
    assert_eq!((admitted, refused), (20, 80), "{results:?}");
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], 20, "{q}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_creations_admit_exactly_twenty_on_sqlite() {
    quota_race(None).await;
}

/// A fresh database on the test PostgreSQL (`None` when there is none and none is required).
async fn fresh_postgres() -> Option<String> {
    let Ok(url) = std::env::var("SCMP_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("SCMP_REQUIRE_EXTERNAL").is_err(),
            "SCMP_TEST_DATABASE_URL is required here"
        );
        eprintln!("skipped: SCMP_TEST_DATABASE_URL is not set (scripts/test.sh sets it)");
        return None;
    };
    let db = format!("guests_{}", uuid::Uuid::new_v4().simple());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let (base, _) = url.rsplit_once('/').expect("a database URL");
    Some(format!("{base}/{db}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_creations_admit_exactly_twenty_on_postgresql() {
    if let Some(url) = fresh_postgres().await {
        quota_race(Some(url)).await;
    }
}

/// Two server replicas on one PostgreSQL: requests spread over both, operations run by whichever
/// replica takes their lease; quota exact, every creation done once, no VMID given twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgresql_share_the_work() {
    let Some(url) = fresh_postgres().await else {
        return;
    };
    let first = env(None, Some(url.clone())).await;
    let p = first.project(20).await;
    // The second replica: same database, same keys (the data directory), its own listener.
    let mut config = ServerConfig::new(
        first.dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
    );
    config.database_url = Some(url);
    config.sync_interval = Duration::from_millis(300);
    let second = start(config).await.unwrap();
    let base2 = format!("https://{}", second.addr);
    let calls = (0..60).map(|i| {
        let (e, p, base2) = (&first, p.clone(), base2.clone());
        async move {
            let base = if i % 2 == 0 { e.base.clone() } else { base2 };
            let r = e
                .http
                .post(format!("{base}/api/v1/projects/{p}/guests"))
                .bearer_auth(&e.admin)
                .json(&vm(&format!("g{i}")))
                .send()
                .await
                .unwrap();
            let st = r.status().as_u16();
            (st, r.json::<Value>().await.unwrap())
        }
    });
    let results = futures::future::join_all(calls).await;
    let admitted: Vec<&Value> = results
        .iter()
        .filter(|(st, _)| *st == 202 || *st == 200)
        .map(|(_, op)| op)
        .collect();
    assert_eq!(admitted.len(), 20, "{results:?}");
    for op in &admitted {
        assert_eq!(first.wait_op(op).await["state"], "succeeded");
    }
    let (_, guests) = first
        .call(Method::GET, &format!("/projects/{p}/guests"), None)
        .await;
    let mut vmids: Vec<u64> = guests["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["vmid"].as_u64().unwrap())
        .collect();
    vmids.sort_unstable();
    vmids.dedup();
    assert_eq!(vmids.len(), 20, "one VMID each");
    assert_eq!(first.sim_guests().len(), 20, "each created once on Proxmox");
    second.handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_after_each_creation_step_unwinds_cleanly() {
    for step in [
        "place",
        "reserve_vmid",
        "pool",
        "clone",
        "configure",
        "ha",
        "start",
        "created",
    ] {
        let e = env_with(Some(step), None, step == "configure").await;
        let p = e.project(5).await;
        let mut body = vm("web1");
        body["ha"] = json!(true);
        let (_, op) = e
            .call(
                Method::POST,
                &format!("/projects/{p}/guests?wait=30"),
                Some(body),
            )
            .await;
        let op = e.wait_op(&op).await;
        assert_eq!(op["state"], "failed", "{step}: {op}");
        assert!(
            op["error"].as_str().unwrap().contains("injected"),
            "{step}: the cause is named: {op}"
        );
        assert!(
            e.sim_guests().is_empty(),
            "{step}: left on Proxmox: {:?}",
            e.sim_guests()
        );
        assert!(e.sim.cluster().ha.is_empty(), "{step}: HA resource left");
        let (_, q) = e
            .call(Method::GET, &format!("/projects/{p}/quota"), None)
            .await;
        assert_eq!(
            q["used"],
            json!({"vcpus": 0, "memory_mib": 0, "disk_gib": 0, "guests": 0}),
            "{step}"
        );
        let (_, g) = e
            .call(
                Method::GET,
                &format!("/guests/{}", op["guest_id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(g["state"], "failed", "{step}: {g}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_outside_scmp_is_reported() {
    let e = env(None, None).await;
    let p = e.project(5).await;
    let g = e.created(&p, vm("web1")).await;
    let gid = g["id"].as_str().unwrap().to_string();
    let vmid = g["vmid"].as_u64().unwrap();
    let node = g["host"].as_str().unwrap().to_string();
    e.sim
        .call(
            "POST",
            &format!("/nodes/{node}/qemu/{vmid}/status/stop"),
            &[],
        )
        .unwrap();
    let mut drift = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (_, g) = e.call(Method::GET, &format!("/guests/{gid}"), None).await;
        drift = g["drift"].as_str().unwrap_or_default().to_string();
        if !drift.is_empty() {
            assert_eq!(g["events"][0]["kind"], "drift", "{g}");
            break;
        }
    }
    assert!(drift.contains("power"), "{drift}");
    // Unmanaged guests are counted, never touched.
    let (_, c) = e.call(Method::GET, "/clusters/fra-1", None).await;
    assert_eq!(c["health"]["unmanaged_guests"], 0, "{c}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_creations_against_a_faulty_cluster_all_end_cleanly() {
    let e = env(None, None).await;
    let p = e.project(200).await;
    e.sim.set_faults(pve_sim::Faults {
        task_failure_rate: 0.2,
        latency_ms: 0,
        drop_rate: 0.05,
    });
    let mut ops = Vec::new();
    for i in 0..200 {
        let (st, op) = e
            .call(
                Method::POST,
                &format!("/projects/{p}/guests"),
                Some(vm(&format!("g{i}"))),
            )
            .await;
        assert!(st.is_success(), "{st} {op}");
        ops.push(op);
    }
    let mut failed = 0;
    for op in &ops {
        let done = e.wait_op(op).await;
        if done["state"] == "failed" {
            failed += 1;
            assert!(!done["error"].as_str().unwrap().is_empty(), "{done}");
        } else {
            assert_eq!(done["state"], "succeeded", "{done}");
        }
    }
    e.sim.set_faults(pve_sim::Faults::default());
    let (_, guests) = e
        .call(
            Method::GET,
            &format!("/projects/{p}/guests?limit=1000"),
            None,
        )
        .await;
    let guests = guests["items"].as_array().unwrap().clone();
    let running: Vec<&Value> = guests.iter().filter(|g| g["state"] == "running").collect();
    assert_eq!(running.len(), 200 - failed);
    // Every failure is clean: nothing of it on Proxmox, no quota held.
    let on_pve = e.sim_guests();
    assert_eq!(on_pve.len(), running.len(), "orphans on Proxmox");
    for g in &running {
        assert!(on_pve
            .iter()
            .any(|(v, tags)| u64::from(*v) == g["vmid"].as_u64().unwrap()
                && tags.contains(g["id"].as_str().unwrap())));
    }
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], json!(running.len()), "{q}");
    eprintln!(
        "{} of 200 creations failed (20% of tasks fail) and were undone",
        failed
    );
    assert!(failed > 0, "the faults were felt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn residency_anti_affinity_migration_and_discovery() {
    let e = env(None, None).await;
    let p = e.project(10).await;
    // Discovery: storage and bridges next to hosts and templates.
    let (_, c) = e.call(Method::GET, "/clusters/fra-1", None).await;
    let storage = c["storage"].as_array().unwrap();
    assert!(
        storage
            .iter()
            .any(|s| s["shared"] == true && s["kind"] == "rbd"),
        "{c}"
    );
    assert_eq!(c["bridges"][0]["name"], "vmbr0", "{c}");
    assert_eq!(c["bridges"][0]["nodes"].as_array().unwrap().len(), 3);

    // Residency: a tenant held to France cannot run in Frankfurt.
    let (st, t) = e
        .call(
            Method::PUT,
            "/tenants/acme",
            Some(json!({"countries": ["FR"]})),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    let (st, b) = e
        .call(
            Method::POST,
            &format!("/projects/{p}/guests"),
            Some(vm("web1")),
        )
        .await;
    assert_eq!(st, 422, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("residency: 3"),
        "{b}"
    );
    let (st, b) = e
        .call(
            Method::PUT,
            "/tenants/acme",
            Some(json!({"countries": ["Germany"]})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), b["errors"][0]["field"].clone()),
        (400, json!("countries[0]"))
    );
    e.call(
        Method::PUT,
        "/tenants/acme",
        Some(json!({"countries": ["DE", "FR"]})),
    )
    .await;

    // Anti-affinity: three of a group on three hosts, no room for a fourth.
    let mut hosts = std::collections::BTreeSet::new();
    for i in 0..3 {
        let mut body = vm(&format!("db{i}"));
        body["anti_affinity_group"] = json!("db");
        let g = e.created(&p, body).await;
        hosts.insert(g["host"].as_str().unwrap().to_string());
    }
    assert_eq!(hosts.len(), 3, "{hosts:?}");
    let mut body = vm("db3");
    body["anti_affinity_group"] = json!("db");
    let (st, b) = e
        .call(Method::POST, &format!("/projects/{p}/guests"), Some(body))
        .await;
    assert_eq!(st, 422, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("anti_affinity: 3"),
        "{b}"
    );

    // Migration: to a named host, then wherever placement says.
    let g = e.created(&p, vm("app")).await;
    let gid = g["id"].as_str().unwrap().to_string();
    let from = g["host"].as_str().unwrap().to_string();
    let to = if from == "pve1" { "pve2" } else { "pve1" };
    let (st, op) = e
        .call(
            Method::POST,
            &format!("/guests/{gid}/migrate?wait=30"),
            Some(json!({"host": to})),
        )
        .await;
    assert!(st.is_success(), "{op}");
    assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    let (_, g) = e.call(Method::GET, &format!("/guests/{gid}"), None).await;
    assert_eq!(
        (g["host"].as_str().unwrap(), g["state"].as_str().unwrap()),
        (to, "running")
    );
    let vmid = g["vmid"].as_u64().unwrap() as u32;
    assert_eq!(
        e.sim.cluster().guests[&vmid].node,
        to,
        "moved on Proxmox too"
    );
    let (_, op) = e
        .call(
            Method::POST,
            &format!("/guests/{gid}/migrate?wait=30"),
            Some(json!({})),
        )
        .await;
    assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    let (_, g) = e.call(Method::GET, &format!("/guests/{gid}"), None).await;
    assert_ne!(g["host"].as_str().unwrap(), to);
    let (st, b) = e
        .call(
            Method::POST,
            &format!("/guests/{gid}/migrate"),
            Some(json!({"host": "pve9"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), b["errors"][0]["field"].clone()),
        (400, json!("host"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_creation_is_undone() {
    // Real-looking task times: the clone takes about a second and a half.
    let e = env_full(None, None, false, 1.0).await;
    let p = e.project(5).await;
    let (st, op) = e
        .call(
            Method::POST,
            &format!("/projects/{p}/guests"),
            Some(vm("web1")),
        )
        .await;
    assert_eq!(st, 202, "{op}");
    let id = op["id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (st, b) = e
        .call(Method::POST, &format!("/operations/{id}/cancel"), None)
        .await;
    assert!(st.is_success(), "{st} {b}");
    let done = e.wait_op(&op).await;
    assert_eq!(done["state"], "cancelled", "{done}");
    assert!(e.sim_guests().is_empty(), "{:?}", e.sim_guests());
    let (_, q) = e
        .call(Method::GET, &format!("/projects/{p}/quota"), None)
        .await;
    assert_eq!(q["used"]["guests"], 0, "{q}");
    let (st, _) = e
        .call(Method::POST, &format!("/operations/{id}/cancel"), None)
        .await;
    assert_eq!(st, 409, "an ended operation stays ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_creates_once() {
    let e = env(None, None).await;
    let p = e.project(5).await;
    let post = |key: &str, body: Value| {
        let req = e
            .http
            .post(format!("{}/api/v1/projects/{p}/guests", e.base))
            .bearer_auth(&e.admin)
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            let replayed = r.headers().contains_key("idempotent-replayed");
            let st = r.status().as_u16();
            (st, replayed, r.json::<Value>().await.unwrap())
        }
    };
    let (st1, r1, op1) = post("create-web1", vm("web1")).await;
    let (st2, r2, op2) = post("create-web1", vm("web1")).await;
    assert!(st1 == 202 || st1 == 200, "{op1}");
    assert_eq!(
        (st2, r1, r2),
        (st1, false, true),
        "the same answer, replayed"
    );
    assert_eq!(op1["id"], op2["id"], "one operation");
    let (st, _, b) = post("create-web1", vm("web2")).await;
    assert_eq!(st, 422, "a key used for another request: {b}");
    e.wait_op(&op1).await;
    let (_, guests) = e
        .call(Method::GET, &format!("/projects/{p}/guests"), None)
        .await;
    assert_eq!(guests["items"].as_array().unwrap().len(), 1, "{guests}");
    // Another caller's key is another key.
    let (_, t) = e
        .call(Method::POST, "/tokens", Some(json!({"name": "second"})))
        .await;
    let other = t["secret"].as_str().unwrap().to_string();
    let r = e
        .http
        .post(format!("{}/api/v1/projects/{p}/guests", e.base))
        .bearer_auth(&other)
        .header("Idempotency-Key", "create-web1")
        .json(&vm("web1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "a new request: the name is taken");
}

/// Inventory's other promises: drift repaired when the cluster asks for it, a guest deleted outside
/// scmp marked missing and adopted again when it comes back (a restore), a host in maintenance kept
/// free of new guests, and an unreachable cluster shown as such, with since when and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repair_adoption_maintenance_and_unreachable() {
    let e = env(None, None).await;
    let p = e.project(10).await;
    let g = e.created(&p, vm("web1")).await;
    let gid = g["id"].as_str().unwrap().to_string();
    let vmid = g["vmid"].as_u64().unwrap() as u32;
    let node = g["host"].as_str().unwrap().to_string();
    // Repair: the cluster asks for it, so a guest stopped behind scmp's back is started again.
    let (st, c) = e
        .call(
            Method::PATCH,
            "/clusters/fra-1",
            Some(json!({"drift_action": "repair"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), c["drift_action"].clone()),
        (200, json!("repair"))
    );
    e.sim
        .call(
            "POST",
            &format!("/nodes/{node}/qemu/{vmid}/status/stop"),
            &[],
        )
        .unwrap();
    let g = e
        .guest_until(&gid, "a repair", |g| {
            g["events"]
                .as_array()
                .is_some_and(|ev| ev.iter().any(|x| x["kind"] == "repaired"))
        })
        .await;
    assert!(g["drift"].is_null(), "in sync: no drift at all: {g}");
    assert_eq!(
        e.sim.cluster().guests[&vmid].state,
        pve_sim::RunState::Running
    );

    // Deleted outside scmp: missing; back again (a restore): adopted where it is.
    let saved = e.sim.cluster().guests.remove(&vmid).unwrap();
    e.guest_until(&gid, "missing", |g| g["state"] == "missing")
        .await;
    e.sim.cluster().guests.insert(vmid, saved);
    let g = e
        .guest_until(&gid, "adoption", |g| g["state"] == "running")
        .await;
    assert!(
        g["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "adopted"),
        "{g}"
    );
    assert!(g["drift"].is_null(), "in sync: no drift at all: {g}");

    // Maintenance: new guests avoid the host.
    let (st, h) = e
        .call(
            Method::POST,
            "/clusters/fra-1/hosts/pve1/maintenance-enter",
            None,
        )
        .await;
    assert_eq!((st.as_u16(), h["maintenance"].clone()), (200, json!(true)));
    for i in 0..4 {
        let g = e.created(&p, vm(&format!("m{i}"))).await;
        assert_ne!(g["host"], "pve1", "{g}");
    }
    e.call(
        Method::POST,
        "/clusters/fra-1/hosts/pve1/maintenance-exit",
        None,
    )
    .await;

    // Unreachable: the node the API is served from goes down; the cluster says so, since when
    // and why. (Another node down only degrades it.)
    e.sim.node_down("pve3");
    let mut c = Value::Null;
    for _ in 0..100 {
        c = e.call(Method::GET, "/clusters/fra-1", None).await.1;
        if c["health"]["state"] == "degraded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(c["health"]["state"], "degraded", "{c}");
    e.sim.node_down("pve1");
    for _ in 0..100 {
        c = e.call(Method::GET, "/clusters/fra-1", None).await.1;
        if c["health"]["state"] == "unreachable" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(c["health"]["state"], "unreachable", "{c}");
    assert!(c["health"]["since"].as_str().unwrap().ends_with('Z'), "{c}");
    assert!(
        !c["health"]["last_error"].as_str().unwrap().is_empty(),
        "{c}"
    );
    e.sim.set_faults(pve_sim::Faults::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_joins_its_vlan_on_a_bridge_its_host_has() {
    let e = env(None, None).await;
    let p = e.project(5).await;
    let mut body = vm("tagged");
    body["network"] = json!({"vlan": 120});
    let g = e.created(&p, body).await;
    assert_eq!(g["network"], json!({"bridge": "vmbr0", "vlan": 120}));
    let vmid = g["vmid"].as_u64().unwrap() as u32;
    let net0 = e.sim.cluster().guests[&vmid].config["net0"].clone();
    assert!(
        net0.contains("bridge=vmbr0") && net0.contains("tag=120") && net0.contains("=BC:24:11:"),
        "on the VLAN, with the MAC address of its clone: {net0}"
    );
    // A bridge no host has: refused, saying which filter removed the hosts.
    let mut body = vm("nowhere");
    body["network"] = json!({"bridge": "vmbr9"});
    let (st, problem) = e
        .call(Method::POST, &format!("/projects/{p}/guests"), Some(body))
        .await;
    assert_eq!(st, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("network: "),
        "{problem}"
    );
    for (network, field) in [
        (json!({"vlan": 0}), "network.vlan"),
        (json!({"vlan": 4095}), "network.vlan"),
        (json!({"bridge": "Bad Bridge"}), "network.bridge"),
    ] {
        let mut body = vm("bad");
        body["network"] = network;
        let (st, problem) = e
            .call(Method::POST, &format!("/projects/{p}/guests"), Some(body))
            .await;
        assert_eq!(st, 400, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vmid_taken_and_a_pool_removed_outside_scmp_are_worked_around() {
    let e = env(None, None).await;
    let p = e.project(5).await;
    let first = e.created(&p, vm("first")).await;
    let vmid = first["vmid"].as_u64().unwrap();
    let (_, op) = e
        .call(
            Method::DELETE,
            &format!("/guests/{}?wait=30", first["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(e.wait_op(&op).await["state"], "succeeded", "{op}");
    // Behind scmp's back: the tenant's pool removed (scmp saw it a moment ago), and a guest made
    // on the VMID scmp would hand out next.
    e.sim.call("DELETE", "/pools/scmp-acme", &[]).unwrap();
    let taken = (vmid + 1).to_string();
    e.sim
        .call(
            "POST",
            "/nodes/pve1/qemu",
            &[("vmid", taken.as_str()), ("name", "not-scmps")],
        )
        .unwrap();
    let second = e.created(&p, vm("second")).await;
    let second_vmid = second["vmid"].as_u64().unwrap();
    assert_ne!(second_vmid, vmid + 1, "another VMID: {second}");
    {
        let c = e.sim.cluster();
        assert_eq!(
            c.guests[&(second_vmid as u32)].pool.as_deref(),
            Some("scmp-acme"),
            "in its tenant's pool, made again"
        );
        assert_eq!(
            c.guests[&((vmid + 1) as u32)].config["name"],
            "not-scmps",
            "the other guest untouched"
        );
    }
    // The disk grows past its template's size when asked to (and is not asked about otherwise).
    let mut big = vm("big");
    big["instance_type"] = Value::Null;
    big["vcpus"] = json!(1);
    big["memory_mib"] = json!(512);
    big["disk_gib"] = json!(12);
    let big = e.created(&p, big).await;
    let c = e.sim.cluster();
    let scsi0 = &c.guests[&(big["vmid"].as_u64().unwrap() as u32)].config["scsi0"];
    assert!(scsi0.contains("size=12G"), "{scsi0}");
}

/// Deleting what others depend on answers 409 `in-use` naming the dependents and changes nothing;
/// deleting in a workable order then removes everything, with what each resource owns. Never a
/// server error. (Every order is walked in the store's own suite, `scmp-store/tests/deletes.rs`.)
async fn deletes_name_their_dependents(database_url: Option<String>) {
    let e = env(None, database_url).await;
    let p = e.project(5).await;
    let (st, u) = e
        .call(
            Method::POST,
            "/users",
            Some(json!({"name": "alice", "tenant": "acme"})),
        )
        .await;
    assert_eq!(st, 201, "{u}");
    let (st, g) = e
        .call(
            Method::POST,
            "/groups",
            Some(json!({"name": "ops", "tenant": "acme", "members": ["alice"]})),
        )
        .await;
    assert_eq!(st, 201, "{g}");
    for body in [
        json!({"subject": {"user": "alice"}, "role": "member", "scope": {"project": p}}),
        json!({"subject": {"group": "ops"}, "role": "tenant-auditor", "scope": {"tenant": "acme"}}),
    ] {
        let (st, b) = e.call(Method::POST, "/role-bindings", Some(body)).await;
        assert_eq!(st, 201, "{b}");
    }
    let guest = e.created(&p, vm("web1")).await;
    let in_use = [
        ("/tenants/acme", vec!["project", "user", "group"]),
        (&format!("/projects/{p}") as &str, vec!["guest"]),
        ("/sites/fra", vec!["cluster"]),
        ("/clusters/fra-1", vec!["guest"]),
        ("/images/debian-12", vec!["guest"]),
    ];
    for (path, kinds) in &in_use {
        let (st, problem) = e.call(Method::DELETE, path, None).await;
        assert_eq!(st, 409, "{path}: {problem}");
        assert!(problem["type"].as_str().unwrap().ends_with("/in-use"));
        let named: Vec<&str> = problem["dependents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert_eq!(&named, kinds, "{path}: {problem}");
        assert!(!problem["instance"].as_str().unwrap().is_empty());
    }
    let (_, project_problem) = e
        .call(Method::DELETE, &format!("/projects/{p}"), None)
        .await;
    assert!(
        project_problem["detail"]
            .as_str()
            .unwrap()
            .contains("'web1'"),
        "the guest is named: {project_problem}"
    );
    // Nothing was lost on the way.
    let (st, _) = e
        .call(
            Method::GET,
            &format!("/guests/{}", guest["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = e.call(Method::GET, "/users/alice", None).await;
    assert_eq!(st, 200);
    // The guest, then everything else, in an order that works.
    let (_, op) = e
        .call(
            Method::DELETE,
            &format!("/guests/{}?wait=30", guest["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    for path in [
        "/users/alice",
        "/groups/ops",
        &format!("/projects/{p}") as &str,
        "/tenants/acme",
        "/images/debian-12",
        "/instance-types/small",
        "/clusters/fra-1",
        "/sites/fra",
    ] {
        let (st, b) = e.call(Method::DELETE, path, None).await;
        assert_eq!(st, 204, "{path}: {b}");
        let (st, _) = e.call(Method::GET, path, None).await;
        assert_eq!(st, 404, "{path} is gone");
    }
    let (_, bindings) = e.call(Method::GET, "/role-bindings", None).await;
    assert_eq!(
        bindings["items"].as_array().unwrap().len(),
        1,
        "only the administrator's own binding is left: {bindings}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_name_their_dependents_on_sqlite() {
    deletes_name_their_dependents(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_name_their_dependents_on_postgresql() {
    if let Some(url) = fresh_postgres().await {
        deletes_name_their_dependents(Some(url)).await;
    }
}

/// Every list operation of the OpenAPI document pages the one way: walked a page of one at a time,
/// it gives what one page of 1000 gives, each item once; a limit out of 1..1000 and a forged page
/// token are refused naming the parameter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_pages_the_same_way() {
    let e = env(None, None).await;
    let p = e.project(10).await;
    let (st, b) = e
        .call(Method::POST, "/tenants", Some(json!({"name": "globex"})))
        .await;
    assert_eq!(st, 201, "{b}");
    let (st, b) = e
        .call(
            Method::POST,
            "/tenants/acme/projects",
            Some(json!({"name": "db"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    for i in 0..2 {
        let (st, b) = e
            .call(
                Method::POST,
                "/users",
                Some(json!({"name": format!("user-{i}"), "tenant": "acme"})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let (st, b) = e
            .call(
                Method::POST,
                "/groups",
                Some(json!({"name": format!("group-{i}"), "tenant": "acme"})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let (st, b) = e
            .call(
                Method::POST,
                "/role-bindings",
                Some(json!({"subject": {"user": format!("user-{i}")}, "role": "viewer", "scope": {"project": p}})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let (st, b) = e
            .call(
                Method::POST,
                "/tokens",
                Some(json!({"name": format!("t{i}")})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let (st, b) = e
            .call(
                Method::POST,
                "/sites",
                Some(json!({"name": format!("site-{i}"), "country": "FR"})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
    }
    // A second cluster at the site.
    let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
        time_scale: 0.0,
        ..Default::default()
    })
    .unwrap();
    let (addr, _second) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let line = sim.token_line();
    let (id, secret) = line.split_once('=').unwrap();
    let (st, b) = e
        .call(
            Method::POST,
            "/sites/fra/clusters",
            Some(
                json!({"name": "fra-2", "endpoint": format!("https://{addr}"), "token_id": id,
                "token_secret": secret, "tls_fingerprint": sim.fingerprint()}),
            ),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let g = e.created(&p, vm("web1")).await;
    e.created(&p, vm("web2")).await;
    let gid = g["id"].as_str().unwrap().to_string();
    for snap in ["one", "two", "three"] {
        let (_, op) = e
            .call(
                Method::POST,
                &format!("/guests/{gid}/snapshots?wait=30"),
                Some(json!({"name": snap})),
            )
            .await;
        assert_eq!(e.wait_op(&op).await["state"], "succeeded");
    }
    // Enough audit entries for two signed checkpoints (one every 100 entries).
    for i in 0..110 {
        let (st, _) = e
            .call(
                Method::PUT,
                "/tenants/acme",
                Some(json!({"description": format!("v{i}")})),
            )
            .await;
        assert_eq!(st, 200);
    }
    let doc: Value = serde_json::from_str(&scmp_server::openapi_document()).unwrap();
    let values = [
        ("{tenant}", "acme".to_string()),
        ("{project}", p.clone()),
        ("{site}", "fra".to_string()),
        ("{cluster}", "fra-1".to_string()),
        ("{guest}", gid.clone()),
    ];
    let mut walked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        if !schema.as_str().is_some_and(|r| r.contains("/Page_")) {
            continue;
        }
        let op = get["operationId"].as_str().unwrap().to_string();
        let mut concrete = path.trim_start_matches("/api/v1").to_string();
        for (k, v) in &values {
            concrete = concrete.replace(k, v);
        }
        assert!(
            !concrete.contains('{'),
            "{op}: no value for a parameter of {path}"
        );
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            params.contains(&"limit") && params.contains(&"page_token"),
            "{op} takes limit and page_token: {params:?}"
        );
        let key = |item: &Value| -> String {
            ["id", "seq", "name", "upid"]
                .iter()
                .find_map(|k| item.get(*k).map(|v| v.to_string()))
                .unwrap_or_else(|| panic!("{op}: an item without a key: {item}"))
        };
        let (st, whole) = e
            .call(Method::GET, &format!("{concrete}?limit=1000"), None)
            .await;
        assert_eq!(st, 200, "{op}: {whole}");
        let all: Vec<String> = whole["items"].as_array().unwrap().iter().map(key).collect();
        assert!(
            all.len() >= 2,
            "{op}: two or more items to page through: {whole}"
        );
        assert!(
            whole.get("next_page_token").is_none(),
            "{op}: one page holds all"
        );
        let mut paged = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..=all.len() {
            let url = match &token {
                Some(t) => format!("{concrete}?limit=1&page_token={t}"),
                None => format!("{concrete}?limit=1"),
            };
            let (st, page) = e.call(Method::GET, &url, None).await;
            assert_eq!(st, 200, "{op}: {page}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 1, "{op}");
            paged.extend(items.iter().map(key));
            match page["next_page_token"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        // The audit log grows with these very reads' neighbours: compare what both saw.
        if op == "audit_list" {
            paged.truncate(all.len());
        }
        assert_eq!(
            paged, all,
            "{op}: pages of one give the same items, once each"
        );
        for bad in ["limit=0", "limit=1001", "page_token=forged"] {
            let (st, problem) = e
                .call(Method::GET, &format!("{concrete}?{bad}"), None)
                .await;
            assert_eq!(st, 400, "{op} ?{bad}: {problem}");
            let field = bad.split('=').next().unwrap();
            assert_eq!(
                problem["errors"][0]["field"], field,
                "{op} ?{bad}: {problem}"
            );
        }
        walked.push(op);
    }
    walked.sort();
    assert_eq!(walked.len(), 16, "every list operation: {walked:?}");
}

/// The independent fake `fakepve` (PyPI), started on loopback; killed when dropped.
struct FakePve {
    child: std::process::Child,
    info: Value,
}

impl Drop for FakePve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts fakepve (none when the test environment is not there and not required).
async fn fakepve() -> Option<FakePve> {
    use std::io::BufRead;
    let Ok(python) = std::env::var("SCMP_TEST_PYTHON") else {
        assert!(
            std::env::var("SCMP_REQUIRE_EXTERNAL").is_err(),
            "SCMP_TEST_PYTHON is required here: run scripts/test.sh"
        );
        eprintln!("skipped: SCMP_TEST_PYTHON is not set (scripts/test.sh sets it)");
        return None;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/python/run_fakepve.py"
    );
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("starting fakepve");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(60), line)
        .await
        .expect("fakepve starts within 60 s")
        .unwrap()
        .unwrap();
    let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    Some(FakePve { child, info })
}

/// An independent PVE fake registered as a cluster: inventory reads it (its cluster is not
/// "unreachable"; what cannot be read makes it degraded, with the reason), and a guest is created
/// on it and deleted again, end to end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_are_made_and_removed_on_fakepve() {
    let Some(fake) = fakepve().await else {
        return;
    };
    let e = env(None, None).await;
    let p = e.project(5).await;
    let (st, b) = e
        .call(
            Method::POST,
            "/sites",
            Some(json!({"name": "lab", "country": "DE"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let token = fake.info["token"].as_str().unwrap();
    let (id, secret) = token.split_once('=').unwrap();
    let (st, b) = e
        .call(
            Method::POST,
            "/sites/lab/clusters",
            Some(
                json!({"name": "fake-1", "endpoint": fake.info["url"], "token_id": id,
                "token_secret": secret, "tls_fingerprint": fake.info["fingerprint"]}),
            ),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let mut cluster = Value::Null;
    for _ in 0..50 {
        let (_, c) = e.call(Method::GET, "/clusters/fake-1", None).await;
        if c["health"]["state"] != "unknown" {
            cluster = c;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let health = &cluster["health"];
    assert!(
        ["online", "degraded"].contains(&health["state"].as_str().unwrap_or("")),
        "read, not unreachable: {cluster}"
    );
    if health["state"] == "degraded" {
        assert!(
            health["last_error"].is_string(),
            "degraded says why: {cluster}"
        );
    }
    assert_eq!(health["pve_version"], "9.0.10", "{cluster}");
    let (_, hosts) = e.call(Method::GET, "/clusters/fake-1/hosts", None).await;
    assert_eq!(hosts["items"].as_array().unwrap().len(), 3, "{hosts}");
    let mut body = vm("web1");
    body["site"] = json!("lab");
    let guest = e.created(&p, body).await;
    assert_eq!(guest["site"], "lab", "{guest}");
    assert_eq!(guest["state"], "running", "{guest}");
    let vmid = guest["vmid"].as_u64().unwrap();
    // What fakepve itself shows.
    let pve = scmp_agent::connect(&scmp_agent::ClusterAccess {
        endpoint: fake.info["url"].as_str().unwrap().to_string(),
        token_id: id.parse().unwrap(),
        token_secret: secret.to_string(),
        fingerprint: fake.info["fingerprint"].as_str().unwrap().parse().unwrap(),
    })
    .unwrap();
    let on_fake = |vmid: u64| {
        let pve = &pve;
        async move {
            pve_client::PveApi::cluster_resources(pve, None)
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.vmid.map(|v| u64::from(v.get())) == Some(vmid))
        }
    };
    let made = on_fake(vmid).await.expect("the guest is on fakepve");
    assert!(
        made.tags.unwrap_or_default().contains("scmp"),
        "it carries its identity"
    );
    let (_, op) = e
        .call(
            Method::DELETE,
            &format!("/guests/{}?wait=30", guest["id"].as_str().unwrap()),
            None,
        )
        .await;
    let op = e.wait_op(&op).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    assert!(on_fake(vmid).await.is_none(), "gone from fakepve");
}
