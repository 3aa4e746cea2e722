//! The platform at scale, measured (figures printed, nothing asserted about time):
//!
//! - `audit`: appends per second to the hash-chained audit log from 64 writers at once, then
//!   the check of the whole chain (what `scmp audit verify` runs) over 1,000,000 entries;
//! - `lists`: every list operation of the API, first pages of 20, asked by 64 clients at once
//!   (pages per second, median and p99), with `me_view` as the floor of a request's cost;
//! - `guests`: 200,000 guests in 1,000 tenants; a tenant's `guest_list` page and `guest_create`
//!   admission (the answer, before the saga runs), each at p50/p99.
//!
//!     cargo bench -p scmp-server --bench scale [-- audit|lists|guests]
#![allow(clippy::unwrap_used)] // A bench may unwrap: a panic fails it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, ResourceKind};
use scmp_store::{AuditRecord, DataStore};
use scmp_test_utils::helpers::{self, quota, vm};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

// The allocator of the `scmp` binary, so the figures are those of what runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 64;

/// Latencies of a series, summarised.
struct Series {
    label: String,
    items: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

impl Series {
    fn print(&self) {
        println!(
            "  {:<28} {:>4} items  {:>8.0}/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            self.label,
            self.items,
            self.per_second,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3
        );
    }
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// An HTTP client that keeps its connections (as an SDK or the portal does).
fn pooled(ctx: &TestContext) -> reqwest::Client {
    scmp_test_utils::client::keeping_connections(ctx.fingerprint(), CLIENTS)
}

/// `clients` tasks each send `per_client` requests made by `request(client, i)`; every answer
/// must be a success.
async fn load(
    label: &str,
    http: &reqwest::Client,
    token: &str,
    clients: usize,
    per_client: usize,
    request: impl Fn(usize, usize) -> (Method, String, Option<Value>) + Send + Sync + 'static,
) -> Series {
    let request = Arc::new(request);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, token, request) = (http.clone(), token.to_string(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(per_client);
            let mut items = 0;
            for i in 0..per_client {
                let (method, url, body) = request(c, i);
                let mut r = http.request(method, &url).bearer_auth(&token);
                if let Some(b) = body {
                    r = r.json(&b);
                }
                let t = Instant::now();
                let answer = r.send().await.unwrap();
                let status = answer.status();
                let v: Value = answer.json().await.unwrap();
                times.push(t.elapsed());
                assert!(status.is_success(), "{url}: {status} {v}");
                items = v["items"].as_array().map(|a| a.len()).unwrap_or(1);
            }
            (times, items)
        }));
    }
    let mut all = Vec::new();
    let mut items = 0;
    for t in tasks {
        let (times, n) = t.await.unwrap();
        all.extend(times);
        items = n;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    Series {
        label: label.to_string(),
        items,
        per_second: all.len() as f64 / secs,
        p50: quantile(&all, 0.5),
        p99: quantile(&all, 0.99),
    }
}

fn record(i: usize) -> AuditRecord {
    AuditRecord {
        request_id: format!("bench-{i}"),
        phase: AuditPhase::End,
        actor: "bench".into(),
        identity: Default::default(),
        auth_method: AuthMethod::Token,
        credential: "t1".into(),
        credential_name: "bench".into(),
        source: "127.0.0.1".into(),
        operation: "guest_create".into(),
        target: AuditTarget::new(ResourceKind::Guest, format!("g{i}")),
        tenant_id: None,
        result: AuditResult::Ok,
        error: String::new(),
    }
}

/// Appends `n` entries from `writers` tasks at once; answers appends per second.
async fn append(store: &DataStore, writers: usize, n: usize, from: usize) -> f64 {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..n).step_by(writers) {
                store.audit_append(&record(from + i)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

async fn audit() {
    println!("audit log (SQLite):");
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::open_dir(dir.path()).await.unwrap();
    let mut rates = Vec::new();
    let mut written = 0;
    for _ in 0..5 {
        rates.push(append(&store, CLIENTS, 20_000, written).await);
        written += 20_000;
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "  appends, {CLIENTS} writers: median {:.0}/s (range {:.0} - {:.0}, 5 x 20,000)",
        rates[2], rates[0], rates[4]
    );
    // The rest of a million, written as fast as it goes.
    append(&store, 256, 1_000_000 - written, written).await;
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let verdict = scmp_server::checkpoint::verify_with_key(&store, &[0; 32])
            .await
            .unwrap();
        times.push(t.elapsed());
        assert!(
            matches!(verdict, scmp_server::checkpoint::Verdict::Intact { .. }),
            "{verdict:?}"
        );
    }
    times.sort();
    println!(
        "  verify 1,000,000 entries: median {:.2} s (range {:.2} - {:.2}, 3 runs)",
        times[1].as_secs_f64(),
        times[0].as_secs_f64(),
        times[2].as_secs_f64()
    );
}

async fn lists() {
    println!("lists: first pages of 20, {CLIENTS} clients, 1,280 pages each (SQLite):");
    let ctx = TestContext::with_site("bench-lists").await;
    let c = &ctx.admin;
    let base = format!("{}/api/v1", c.base());
    let token = c.token().unwrap().to_string();
    let q = quota(10_000, 10_000_000, 100_000, 1_000);
    for i in 0..60 {
        helpers::create_tenant(c, &format!("t{i:02}"), q).await;
        let _: Value = c
            .post(
                "/sites",
                &json!({"name": format!("s{i:02}"), "country": "DE"}),
            )
            .await;
    }
    let acme = helpers::create_tenant(c, "acme", q).await;
    for i in 0..30 {
        helpers::create_project(
            c,
            "acme",
            &format!("p{i:02}"),
            quota(100, 100_000, 1_000, 10),
        )
        .await;
        helpers::create_group(c, &format!("g{i:02}"), Some("acme"), &[]).await;
        let _: Value = c
            .post("/tokens", &json!({"name": format!("k{i:02}")}))
            .await;
    }
    for i in 0..60 {
        let u = format!("u{i:02}");
        helpers::create_user(c, &u, Some("acme"), None).await;
        helpers::bind_on_tenant(c, "tenant-auditor", &u, "acme").await;
    }
    let web = helpers::create_project(c, "acme", "web", quota(1000, 1_000_000, 10_000, 100)).await;
    let mut first = None;
    for i in 0..40 {
        let g = helpers::create_guest(c, &web, &vm(&format!("vm{i:02}"))).await;
        first.get_or_insert(g.id);
    }
    let guest = first.unwrap();
    for i in 0..5 {
        let op: Value = c
            .post(
                &format!("/guests/{guest}/snapshots?wait=30"),
                &json!({"name": format!("snap{i}")}),
            )
            .await;
        assert_eq!(op["state"], "succeeded", "{op}");
    }
    let cluster: Value = c.get("/sites/fra/clusters").await;
    let cluster = cluster["items"][0]["id"].as_str().unwrap().to_string();
    let http = pooled(&ctx);
    let paths = [
        ("me_view (reference)", "/me".to_string()),
        ("tenant_list", "/tenants?limit=20".into()),
        ("project_list", "/tenants/acme/projects?limit=20".into()),
        ("user_list", format!("/users?tenant={}&limit=20", acme.id)),
        ("group_list", "/groups?tenant=acme&limit=20".into()),
        (
            "role_binding_list",
            "/role-bindings?tenant=acme&limit=20".into(),
        ),
        ("token_list", "/tokens?limit=20".into()),
        ("site_list", "/sites?limit=20".into()),
        ("cluster_list", "/sites/fra/clusters?limit=20".into()),
        ("host_list", format!("/clusters/{cluster}/hosts?limit=20")),
        ("image_list", "/images?limit=20".into()),
        ("instance_type_list", "/instance-types?limit=20".into()),
        (
            "guest_list",
            format!("/projects/{}/guests?limit=20", web.id),
        ),
        ("operation_list", "/operations?limit=20".into()),
        (
            "snapshot_list",
            format!("/guests/{guest}/snapshots?limit=20"),
        ),
        ("audit_list", "/audit?limit=20".into()),
        (
            "audit_checkpoint_list",
            "/audit/checkpoints?limit=20".into(),
        ),
    ];
    for (label, path) in paths {
        let url = format!("{base}{path}");
        let s = load(label, &http, &token, CLIENTS, 20, move |_, _| {
            (Method::GET, url.clone(), None)
        })
        .await;
        s.print();
    }
}

async fn guests() {
    const TENANTS: usize = 1_000;
    const GUESTS: usize = 200_000;
    println!("{GUESTS} guests in {TENANTS} tenants (SQLite):");
    // Inventory sync would compare 200,000 guests with the site every 300 ms: not this bench.
    let ctx = TestContext::builder("bench-guests")
        .sites(1)
        .sync_interval(Duration::from_secs(3600))
        .start()
        .await;
    let c = &ctx.admin;
    let base = format!("{}/api/v1", c.base());
    let token = c.token().unwrap().to_string();
    let http = pooled(&ctx);
    // Tenants and projects through the API, 64 at a time.
    let q = quota(100_000, 100_000_000, 1_000_000, 10_000);
    let made = load("(setup: tenants)", &http, &token, 50, TENANTS / 50, {
        let (base, q) = (base.clone(), serde_json::to_value(q).unwrap());
        move |c, i| {
            let body = json!({"name": format!("t{:04}", c * 20 + i), "quota": q});
            (Method::POST, format!("{base}/tenants"), Some(body))
        }
    })
    .await;
    made.print();
    // Room at the site for every admission measured (the simulator's hosts are small).
    let clusters: Value = c.get("/sites/fra/clusters").await;
    let cluster = clusters["items"][0]["id"].as_str().unwrap().to_string();
    let _: Value = c
        .patch(
            &format!("/clusters/{cluster}"),
            &json!({"cpu_overcommit": 32.0, "memory_overcommit": 8.0}),
        )
        .await;
    let mut projects = Vec::new();
    for i in 0..TENANTS {
        let p = helpers::create_project(c, &format!("t{i:04}"), "web", q).await;
        projects.push(p);
    }
    // One guest made through the API, then copied in the database to every project.
    let model = helpers::create_guest(c, &projects[0], &vm("model")).await;
    seed_guests(&ctx, &model.id.to_string(), &projects, GUESTS).await;
    let ids: Arc<Vec<String>> = Arc::new(projects.iter().map(|p| p.id.to_string()).collect());
    for clients in [1, 8, CLIENTS] {
        let label = format!("guest_list page of 20, {clients} clients");
        let list = load(&label, &http, &token, clients, 2560 / clients, {
            let (base, ids) = (base.clone(), ids.clone());
            move |c, i| {
                let p = &ids[(c * 997 + i * 131) % ids.len()];
                (
                    Method::GET,
                    format!("{base}/projects/{p}/guests?limit=20"),
                    None,
                )
            }
        })
        .await;
        list.print();
    }
    for clients in [1, 8] {
        let label = format!("guest_create admission, {clients} clients");
        let admit = load(&label, &http, &token, clients, 320 / clients, {
            let (base, ids) = (base.clone(), ids.clone());
            move |c, i| {
                let p = &ids[(c * 97 + i * 13) % ids.len()];
                let body = json!({"name": format!("new-{clients}-{c}-{i}"), "kind": "vm",
                    "image": "debian-12", "vcpus": 1, "memory_mib": 256, "disk_gib": 3});
                (
                    Method::POST,
                    format!("{base}/projects/{p}/guests"),
                    Some(body),
                )
            }
        })
        .await;
        admit.print();
    }
}

/// Copies the guest `model` into `projects` until there are `total` guests, straight in the
/// database (the API would take minutes to make them), and sets each project's usage to match.
async fn seed_guests(
    ctx: &TestContext,
    model: &str,
    projects: &[scmp_api::ProjectView],
    total: usize,
) {
    use sqlx::{Connection, Row};
    let url = format!("sqlite://{}?mode=rw", ctx.dir().join("scmp.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let columns: Vec<String> = sqlx::query("PRAGMA table_info(guests)")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    let per = total / projects.len();
    let select: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
                     substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || \
                     hex(randomblob(6)))"
                .to_string(),
            "name" => "printf('g%06d', n.i)".to_string(),
            "project_id" => "p.id".to_string(),
            "tenant_id" => "p.tenant_id".to_string(),
            "vmid" | "cluster_id" | "node" => "NULL".to_string(),
            other => format!("g.{other}"),
        })
        .collect();
    let t = Instant::now();
    let mut tx = db.begin().await.unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {per}) \
         INSERT INTO guests ({}) SELECT {} FROM guests g, projects p, n WHERE g.id = $1",
        columns.join(", "),
        select.join(", ")
    ))
    .bind(model)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE projects SET used_guests = (SELECT COUNT(*) FROM guests WHERE project_id = projects.id), \
         used_vcpus = (SELECT COALESCE(SUM(vcpus), 0) FROM guests WHERE project_id = projects.id), \
         used_memory_mib = (SELECT COALESCE(SUM(memory_mib), 0) FROM guests WHERE project_id = projects.id), \
         used_disk_gib = (SELECT COALESCE(SUM(disk_gib), 0) FROM guests WHERE project_id = projects.id)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guests")
        .fetch_one(&mut db)
        .await
        .unwrap();
    println!(
        "  (setup: {n} guests copied in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
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
        if which.is_empty() || which == "audit" {
            audit().await;
        }
        if which.is_empty() || which == "lists" {
            lists().await;
        }
        if which.is_empty() || which == "guests" {
            guests().await;
        }
    });
}
