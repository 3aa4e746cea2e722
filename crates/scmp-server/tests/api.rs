//! The API end to end over HTTPS on a fresh data directory: bootstrap, tenants, projects and quotas,
//! problem details for bad input, authorization (401/403/404) swept over every operation of the
//! OpenAPI document, the audit trail, metrics, and the checked-in OpenAPI document.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::collections::BTreeSet;
use std::time::Duration;

use pve_client::Trust;
use reqwest::{Client, Method, StatusCode};
use scmp_common::{Name, TenantId};
use scmp_server::{start, ServerConfig};
use scmp_store::{BindingSubject, CredentialKind, DataStore};
use serde_json::{json, Value};

struct Server {
    base: String,
    http: Client,
    admin: String,
    dir: tempfile::TempDir,
    _running: scmp_server::Running,
}

/// A simulated Proxmox VE cluster on loopback (tasks finish at once) and the body that registers it.
async fn sim(name: &str) -> (pve_sim::Simulator, Value) {
    let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
        time_scale: 0.0,
        ..Default::default()
    })
    .unwrap();
    let (addr, _server) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let line = sim.token_line();
    let (id, secret) = line.split_once('=').unwrap();
    let body = json!({"name": name, "endpoint": format!("https://{addr}"), "token_id": id,
        "token_secret": secret, "tls_fingerprint": sim.fingerprint()});
    (sim, body)
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let running = start(ServerConfig::new(
        dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .await
    .unwrap();
    let fp = std::fs::read_to_string(dir.path().join("tls-fingerprint")).unwrap();
    assert_eq!(fp.trim(), running.fingerprint);
    let tls = Trust::Fingerprint(fp.trim().parse().unwrap())
        .client_config()
        .unwrap();
    // No connection reuse: a refused over-large body leaves its connection unusable, as it should.
    let http = Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let admin = std::fs::read_to_string(dir.path().join("admin-token"))
        .unwrap()
        .trim()
        .to_string();
    Server {
        base: format!("https://{}", running.addr),
        http,
        admin,
        dir,
        _running: running,
    }
}

impl Server {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            ctype,
        )
    }

    /// The tenant `acme` (quota 10 of each) with the project `web` (1 of each).
    async fn acme_web(&self) -> (Value, Value) {
        let (_, t) = self
            .admin(
                Method::POST,
                "/api/v1/tenants",
                Some(json!({"name": "acme", "quota": quota(10, 10, 10, 10)})),
            )
            .await;
        let (_, p) = self
            .admin(
                Method::POST,
                "/api/v1/tenants/acme/projects",
                Some(json!({"name": "web", "quota": quota(1, 1, 1, 1)})),
            )
            .await;
        (t, p)
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (s, v, _) = self.call(method, path, Some(&self.admin), body).await;
        (s, v)
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        ctype: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value, String) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, resp.json().await.unwrap_or(Value::Null), ctype)
    }

    /// A user with one role binding and a token, made directly in the store.
    async fn user(
        &self,
        name: &str,
        role: Option<(&str, Option<TenantId>, Option<scmp_common::ProjectId>)>,
    ) -> String {
        let store = DataStore::open_dir(self.dir.path()).await.unwrap();
        let u = store
            .user_create(&Name::new(name).unwrap(), "", None, None)
            .await
            .unwrap();
        if let Some((role, t, p)) = role {
            store
                .binding_create(&BindingSubject::User(u.id), role, t, p)
                .await
                .unwrap();
        }
        store
            .credential_issue(u.id, CredentialKind::Token, "test", None)
            .await
            .unwrap()
            .text
    }
}

fn quota(v: u64, m: u64, d: u64, g: u64) -> Value {
    json!({"vcpus": v, "memory_mib": m, "disk_gib": d, "guests": g})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_projects_and_quotas() {
    let s = server().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.dir.path().join("admin-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (st, me) = s.admin(Method::GET, "/api/v1/me", None).await;
    assert_eq!(st, 200);
    assert_eq!(me["roles"][0]["role"], "platform-admin");

    let (st, t) = s
        .admin(
            Method::POST,
            "/api/v1/tenants",
            Some(json!({"name": "acme", "quota": quota(100, 4096, 500, 20)})),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["quota"]["limits"]["vcpus"], 100);
    let (st, p) = s
        .admin(
            Method::POST,
            "/api/v1/tenants/acme/projects",
            Some(json!({"name": "web", "quota": quota(60, 2048, 100, 10)})),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (st, problem, ctype) = s
        .call(
            Method::POST,
            "/api/v1/tenants/acme/projects",
            Some(&s.admin),
            Some(json!({"name": "db", "quota": quota(50, 1, 1, 1)})),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(problem["errors"][0]["field"], "quota.vcpus");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("limit 100, allocated 60, requested 50"),
        "{problem}"
    );
    let (st, _) = s
        .admin(
            Method::POST,
            "/api/v1/tenants",
            Some(json!({"name": "acme"})),
        )
        .await;
    assert_eq!(st, 409);
    let (st, q) = s
        .admin(Method::GET, "/api/v1/tenants/acme/quota", None)
        .await;
    assert_eq!(
        (st, q["allocated"]["vcpus"].as_u64()),
        (StatusCode::OK, Some(60))
    );
    let (st, problem) = s
        .admin(
            Method::PUT,
            "/api/v1/tenants/acme/quota",
            Some(quota(10, 4096, 500, 20)),
        )
        .await;
    assert_eq!(
        st, 422,
        "lowering below what projects hold is refused: {problem}"
    );
    let pid = p["id"].as_str().unwrap();
    let (st, _) = s
        .admin(
            Method::PUT,
            &format!("/api/v1/projects/{pid}/quota"),
            Some(quota(30, 1024, 50, 5)),
        )
        .await;
    assert_eq!(st, 200);
    let (st, list) = s
        .admin(Method::GET, "/api/v1/tenants/acme/projects", None)
        .await;
    assert_eq!(
        (st, list["items"].as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );
    let (st, _) = s.admin(Method::DELETE, "/api/v1/tenants/acme", None).await;
    assert_eq!(st, 409, "a tenant with projects stays");
    let (st, _) = s
        .admin(Method::DELETE, &format!("/api/v1/projects/{pid}"), None)
        .await;
    assert_eq!(st, 204);
    let (st, _) = s.admin(Method::DELETE, "/api/v1/tenants/acme", None).await;
    assert_eq!(st, 204);

    // The audit trail: each change recorded before and after, and the chain holds.
    let (st, audit) = s.admin(Method::GET, "/api/v1/audit?limit=1000", None).await;
    assert_eq!(st, 200);
    let items = audit["items"].as_array().unwrap();
    let ops: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap(),
                e["phase"].as_str().unwrap(),
                e["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        ops.contains(&("tenant_create", "begin", "pending"))
            && ops.contains(&("tenant_create", "end", "ok"))
    );
    assert!(
        ops.contains(&("project_create", "end", "error")),
        "refusals are audited too"
    );
    let store = DataStore::open_dir(s.dir.path()).await.unwrap();
    assert_eq!(store.audit_verify().await.unwrap(), Ok(items.len() as i64));
    let (st, only) = s
        .admin(Method::GET, "/api/v1/audit?operation=tenant_delete", None)
        .await;
    assert_eq!(st, 200);
    assert!(only["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["operation"] == "tenant_delete"));
    assert!(!only["items"].as_array().unwrap().is_empty());

    let (st, metrics, _) = s.call(Method::GET, "/metrics", None, None).await;
    let _ = metrics;
    assert_eq!(st, 200);
    let text = s
        .http
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "scmp_http_requests_total{operation=\"POST /api/v1/tenants\",status=\"201\"} 1"
        ),
        "{text}"
    );
    assert_eq!(
        s.http
            .get(format!("{}/readyz", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Every mode below `dir` (the directory itself as "."), for the data directory's checks.
#[cfg(unix)]
fn modes(dir: &std::path::Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = vec![(
        ".".to_string(),
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
    )];
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap().permissions().mode() & 0o777;
        out.push((e.file_name().to_string_lossy().into_owned(), m));
    }
    out.sort();
    out
}

/// The data directory is its owner's alone: 0700, every file in it 0600 (the database and its
/// write-ahead log too); a directory loosened while the server was stopped is repaired at start.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let s = server().await;
    // A write, so that SQLite's write-ahead log exists.
    let (st, _) = s
        .admin(
            Method::POST,
            "/api/v1/tenants",
            Some(json!({"name": "acme"})),
        )
        .await;
    assert_eq!(st, 201);
    let found = modes(s.dir.path());
    assert!(found.iter().any(|(f, _)| f == "scmp.db-wal"), "{found:?}");
    for (file, mode) in &found {
        let want = if file == "." { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{file}: {mode:o} in {found:?}");
    }
    // Loosened behind the server's back, then started again: repaired.
    let dir = s.dir.path().to_path_buf();
    let Server {
        dir: keep,
        _running: running,
        ..
    } = s;
    running.handle.shutdown();
    let _ = running.task.await;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for f in ["scmp.db", "secret-key", "tls-cert.pem"] {
        std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let again = start(ServerConfig::new(
        dir.clone(),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .await
    .unwrap();
    for (file, mode) in modes(&dir) {
        let want = if file == "." { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{file} repaired at start");
    }
    again.handle.shutdown();
    drop(keep);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_problems_never_500() {
    let s = server().await;
    s.admin(
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "acme", "quota": quota(10, 10, 10, 10)})),
    )
    .await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("application/json", b"{not json".to_vec(), 400, "body"),
        ("application/json", br#"{"name": 5}"#.to_vec(), 400, "name"),
        ("application/json", br#"{"name": "ok", "quota": {"vcpus": -1}}"#.to_vec(), 400, "quota.vcpus"),
        ("application/json", br#"{"name": "ok", "surprise": 1}"#.to_vec(), 400, "body"),
        ("application/json", br#"{"name": "../etc/passwd"}"#.to_vec(), 400, "name"),
        ("application/json", br#"{"name": "x'; DROP TABLE tenants;--"}"#.to_vec(), 400, "name"),
        ("application/json", b"{\"name\": \"\xff\xfe\"}".to_vec(), 400, "body"),
        ("application/json", br#"{"name": "ok", "quota": {"vcpus": 99999999999999999999}}"#.to_vec(), 400, "quota.vcpus"),
        ("application/json", br#"{"name": "ok", "quota": {"vcpus": 18446744073709551615, "memory_mib": 1, "disk_gib": 1, "guests": 1}}"#.to_vec(), 400, "quota.vcpus"),
        ("text/plain", b"name=acme".to_vec(), 415, ""),
        ("application/json", vec![b' '; 2 << 20], 413, ""),
    ];
    for (ctype, body, want, field) in cases {
        let (st, p, rtype) = s
            .raw(Method::POST, "/api/v1/tenants", ctype, body.clone())
            .await;
        assert_eq!(
            st.as_u16(),
            want,
            "{}: {p}",
            String::from_utf8_lossy(&body[..body.len().min(60)])
        );
        assert_eq!(rtype, "application/problem+json");
        assert!(
            !p["instance"].as_str().unwrap_or_default().is_empty(),
            "the request id is the instance"
        );
        if !field.is_empty() {
            let named = p["errors"]
                .as_array()
                .and_then(|e| e.first())
                .map(|e| e["field"].clone());
            let is_body = field == "body";
            assert!(
                is_body || named == Some(json!(field)),
                "field for {}: {p}",
                String::from_utf8_lossy(&body[..body.len().min(60)])
            );
        }
    }
    for path in [
        "/api/v1/tenants/..%2F..%2Fetc",
        "/api/v1/tenants/%00",
        "/api/v1/tenants/acme%27%20OR%201=1",
        "/api/v1/nothing",
        "/api/v1/projects/not-a-uuid",
    ] {
        let (st, _, ctype) = s.call(Method::GET, path, Some(&s.admin), None).await;
        assert!(st == 404 || st == 400, "{path}: {st}");
        assert_eq!(ctype, "application/problem+json", "{path}");
    }
    let (st, _, ctype) = s
        .call(Method::PATCH, "/api/v1/tenants", Some(&s.admin), None)
        .await;
    assert_eq!(
        (st.as_u16(), ctype.as_str()),
        (405, "application/problem+json")
    );
    let (st, _, _) = s
        .call(Method::GET, "/api/v1/tenants?limit=0", Some(&s.admin), None)
        .await;
    assert_eq!(st, 400);
    let (st, _, _) = s
        .call(Method::GET, "/api/v1/tenants?bogus=1", Some(&s.admin), None)
        .await;
    assert_eq!(st, 400);
}

/// A request body that is valid for each operation that takes one; an operation missing here fails the
/// sweep, so a new endpoint cannot go unchecked.
fn sample_body(operation: &str) -> Option<Value> {
    match operation {
        "tenant_create" => Some(json!({"name": "intruder"})),
        "project_create" => Some(json!({"name": "intruder"})),
        "tenant_quota_update" | "project_quota_update" => Some(quota(1000, 1000, 1000, 1000)),
        "token_create" => Some(json!({"name": "intruder"})),
        "tenant_update" | "project_update" => Some(json!({"description": "defaced"})),
        "site_create" => Some(json!({"name": "intruder", "country": "DE"})),
        "user_create" => Some(
            json!({"name": "intruder", "tenant": "TENANT", "password": "correct-horse-battery"}),
        ),
        "role_binding_create" => Some(
            json!({"subject": {"user": "admin"}, "role": "tenant-admin", "scope": {"tenant": "TENANT"}}),
        ),
        "session_create" => Some(json!({"username": "admin", "password": "not-the-password"})),
        "cluster_create" => Some(
            json!({"name": "intruder", "endpoint": "https://203.0.113.9:8006",
            "token_id": "root@pam!x", "token_secret": "s",
            "tls_fingerprint": "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"}),
        ),
        "cluster_update" => Some(json!({"drift_action": "repair"})),
        "image_create" => Some(
            json!({"name": "intruder", "kind": "vm", "os": "x", "version": "1", "template": "x"}),
        ),
        "instance_type_create" => {
            Some(json!({"name": "intruder", "vcpus": 1, "memory_mib": 512, "disk_gib": 1}))
        }
        "guest_create" => Some(
            json!({"name": "intruder", "kind": "vm", "image": "debian-12", "instance_type": "small"}),
        ),
        "guest_update" => Some(json!({"vcpus": 2})),
        "guest_migrate" => Some(json!({"host": "pve2"})),
        "group_create" => Some(json!({"name": "intruders", "tenant": "TENANT"})),
        "group_update" => Some(json!({"members": ["admin"]})),
        "user_update" => Some(json!({"email": "intruder@example.invalid"})),
        "site_update" => Some(json!({"description": "defaced"})),
        "snapshot_create" => Some(json!({"name": "intruder"})),
        "guest_start"
        | "guest_stop"
        | "guest_shutdown"
        | "guest_reboot"
        | "snapshot_rollback"
        | "operation_cancel"
        | "host_maintenance_enter"
        | "host_maintenance_exit" => Some(json!({})),
        _ => None,
    }
}

/// Lists answer everyone, filtered to what the caller may see.
const LISTS: &[&str] = &["tenant_list", "operation_list"];

/// Operations every signed-in user may call (about themselves, the catalog, the sites); they must
/// reveal nothing of others.
const SELF_SERVICE: &[&str] = &[
    "me_view",
    "token_list",
    "token_create",
    "token_delete",
    "session_delete",
    "image_list",
    "instance_type_list",
    "site_list",
];

/// Operations without authentication (login): wrong credentials are a 401 for everyone.
const PUBLIC: &[&str] = &["session_create"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_refuses_strangers() {
    let s = server().await;
    let (t, p) = s.acme_web().await;
    let (_, other) = s
        .admin(
            Method::POST,
            "/api/v1/tenants",
            Some(json!({"name": "globex"})),
        )
        .await;
    let other_id: TenantId = other["id"].as_str().unwrap().parse().unwrap();
    let (_, site) = s
        .admin(
            Method::POST,
            "/api/v1/sites",
            Some(json!({"name": "berlin", "country": "DE"})),
        )
        .await;
    let (_sim, body) = sim("ber-1").await;
    let (_, cluster) = s
        .admin(Method::POST, "/api/v1/sites/berlin/clusters", Some(body))
        .await;
    let (st, group) = s
        .admin(
            Method::POST,
            "/api/v1/groups",
            Some(json!({"name": "devs", "tenant": "acme"})),
        )
        .await;
    assert_eq!(st, 201, "{group}");
    let (_, bindings) = s.admin(Method::GET, "/api/v1/role-bindings", None).await;
    let admin_binding = bindings["items"][0]["id"].as_str().unwrap().to_string();
    let (_, admin_tokens) = s.admin(Method::GET, "/api/v1/tokens", None).await;
    let admin_token_id = admin_tokens["items"][0]["id"].as_str().unwrap().to_string();
    let stranger = s
        .user("stranger", Some(("tenant-admin", Some(other_id), None)))
        .await;
    let nobody = s.user("nobody", None).await;
    let doc: Value = s
        .http
        .get(format!("{}/api/v1/openapi.json", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut swept = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let operation = op["operationId"].as_str().unwrap().to_string();
            let concrete = path
                .replace("{tenant}", t["id"].as_str().unwrap())
                .replace("{project}", p["id"].as_str().unwrap())
                .replace("{token}", &admin_token_id)
                .replace("{site}", site["id"].as_str().unwrap())
                .replace("{cluster}", cluster["id"].as_str().unwrap())
                .replace("{user}", "admin")
                .replace("{id}", &admin_binding)
                .replace("{group}", "devs")
                .replace("{guest}", "00000000-0000-4000-8000-0000000000a1")
                .replace("{operation}", "00000000-0000-4000-8000-0000000000a2")
                .replace("{host}", "pve1")
                .replace("{snapshot}", "snap1");
            let m: Method = method.to_uppercase().parse().unwrap();
            let body = if matches!(m, Method::POST | Method::PUT | Method::PATCH) {
                Some(
                    sample_body(&operation)
                        .unwrap_or_else(|| panic!("{operation}: add a sample body to the sweep")),
                )
            } else {
                None
            };
            for token in [
                None,
                Some("scmp_0123456789abcdef0123456789abcdef_00"),
                Some(stranger.as_str()),
                Some(nobody.as_str()),
            ] {
                let (st, answer, ctype) = s.call(m.clone(), &concrete, token, body.clone()).await;
                let who = match token {
                    None => "no credentials",
                    Some(t) if t == stranger => "another tenant's admin",
                    Some(t) if t == nobody => "a user without roles",
                    Some(_) => "a bad token",
                };
                if PUBLIC.contains(&operation.as_str()) {
                    assert_eq!(st, 401, "{operation} as {who}");
                    continue;
                }
                if token.is_none() || token.is_some_and(|t| t.starts_with("scmp_0123")) {
                    assert_eq!(st, 401, "{operation} as {who}");
                    assert_eq!(answer["status"], 401);
                    continue;
                }
                if SELF_SERVICE.contains(&operation.as_str()) {
                    let text = answer.to_string();
                    assert!(
                        !text.contains(&s.admin) && !text.contains(&admin_token_id)
                            || operation == "token_delete",
                        "{operation} as {who} leaks: {text}"
                    );
                    if operation == "token_delete" {
                        assert_eq!(st, 404, "nobody revokes another's token");
                    }
                    continue;
                }
                let text = answer.to_string();
                if LISTS.contains(&operation.as_str()) && st == 200 {
                    assert!(
                        !text.contains("acme") && !text.contains(t["id"].as_str().unwrap()),
                        "{operation} as {who} lists what it may not see: {text}"
                    );
                    continue;
                }
                assert!(
                    matches!(st.as_u16(), 403 | 404),
                    "{operation} as {who}: {st} {answer}"
                );
                assert_eq!(ctype, "application/problem+json");
                assert!(
                    !text.contains("acme"),
                    "{operation} as {who} learns the tenant's name: {text}"
                );
                if st == 404 {
                    // The answer must be the one for something that does not exist at all.
                    let ghost_id = "00000000-0000-4000-8000-00000000dead";
                    let ghost = concrete
                        .replace(t["id"].as_str().unwrap(), ghost_id)
                        .replace(p["id"].as_str().unwrap(), ghost_id);
                    let (gst, gans, _) = s.call(m.clone(), &ghost, token, body.clone()).await;
                    let norm = |v: &Value| {
                        v["detail"]
                            .as_str()
                            .unwrap_or_default()
                            .replace(t["id"].as_str().unwrap(), "ID")
                            .replace(p["id"].as_str().unwrap(), "ID")
                            .replace(ghost_id, "ID")
                    };
                    assert_eq!(
                        (gst, norm(&gans)),
                        (st, norm(&answer)),
                        "{operation} as {who}: 404 differs from a missing one"
                    );
                }
            }
            swept.insert(operation);
        }
    }
    // The sweep covered the whole document.
    let all: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|i| {
            i.as_object()
                .unwrap()
                .values()
                .map(|o| o["operationId"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(swept, all);
    assert!(all.len() >= 15, "{all:?}");
    // And nothing changed.
    let (_, tenants) = s.admin(Method::GET, "/api/v1/tenants", None).await;
    assert_eq!(tenants["items"].as_array().unwrap().len(), 2);
    let (_, q) = s
        .admin(Method::GET, "/api/v1/tenants/acme/quota", None)
        .await;
    assert_eq!(q["limits"]["vcpus"], 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_what_each_user_sees_and_does() {
    let s = server().await;
    let (_, a) = s
        .admin(
            Method::POST,
            "/api/v1/tenants",
            Some(json!({"name": "acme", "quota": quota(100, 100, 100, 100)})),
        )
        .await;
    s.admin(
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "globex"})),
    )
    .await;
    let acme: TenantId = a["id"].as_str().unwrap().parse().unwrap();
    let boss = s
        .user("boss", Some(("tenant-admin", Some(acme), None)))
        .await;
    let (st, list, _) = s
        .call(Method::GET, "/api/v1/tenants", Some(&boss), None)
        .await;
    assert_eq!(st, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme"], "lists show only what the caller may see");
    let (st, p, _) = s
        .call(
            Method::POST,
            "/api/v1/tenants/acme/projects",
            Some(&boss),
            Some(json!({"name": "web", "quota": quota(10, 10, 10, 1)})),
        )
        .await;
    assert_eq!(st, 201);
    let (st, _, _) = s
        .call(Method::DELETE, "/api/v1/tenants/acme", Some(&boss), None)
        .await;
    assert_eq!(st, 403, "sees the tenant, may not delete it");
    let (st, _, _) = s
        .call(Method::GET, "/api/v1/tenants/globex", Some(&boss), None)
        .await;
    assert_eq!(st, 404, "another tenant does not exist for them");
    let pid: scmp_common::ProjectId = p["id"].as_str().unwrap().parse().unwrap();
    let viewer = s
        .user("watcher", Some(("viewer", Some(acme), Some(pid))))
        .await;
    let (st, _, _) = s
        .call(
            Method::GET,
            &format!("/api/v1/projects/{pid}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(st, 200);
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/projects/{pid}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(st, 403);
    // Tokens: created once with their secret, listed without, revoked for good.
    let (st, tok, _) = s
        .call(
            Method::POST,
            "/api/v1/tokens",
            Some(&boss),
            Some(json!({"name": "ci"})),
        )
        .await;
    assert_eq!(st, 201);
    let secret = tok["secret"].as_str().unwrap().to_string();
    let (st, me, _) = s.call(Method::GET, "/api/v1/me", Some(&secret), None).await;
    assert_eq!((st.as_u16(), me["name"].as_str()), (200, Some("boss")));
    let (_, mine, _) = s
        .call(Method::GET, "/api/v1/tokens", Some(&boss), None)
        .await;
    assert!(
        !mine.to_string().contains(&secret),
        "secrets are shown once"
    );
    let id = tok["id"].as_str().unwrap();
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&boss),
            None,
        )
        .await;
    assert_eq!(st, 204);
    let (st, _, _) = s.call(Method::GET, "/api/v1/me", Some(&secret), None).await;
    assert_eq!(st, 401);
    // The tenant admin sees its tenant's audit entries, not the platform's.
    let (st, _, _) = s
        .call(Method::GET, "/api/v1/audit", Some(&boss), None)
        .await;
    assert_eq!(st, 403);
    let (st, audit, _) = s
        .call(Method::GET, "/api/v1/audit?tenant=acme", Some(&boss), None)
        .await;
    assert_eq!(st, 200);
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["operation"] != "tenant_create"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_project_creation_admits_exactly_the_quota() {
    let s = server().await;
    s.admin(
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "acme", "quota": quota(100, 100000, 100000, 1000)})),
    )
    .await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let http = s.http.clone();
            let url = format!("{}/api/v1/tenants/acme/projects", s.base);
            let token = s.admin.clone();
            tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(token)
                    .json(&json!({"name": format!("p{i}"), "quota": quota(10, 1, 1, 1)}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 10, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 422).count(), 40, "{codes:?}");
}

#[test]
fn the_checked_in_openapi_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/scmp.json");
    let now = scmp_server::openapi_document();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, format!("{now}\n")).unwrap();
        return;
    }
    let checked_in =
        std::fs::read_to_string(path).expect("openapi/scmp.json (UPDATE_OPENAPI=1 writes it)");
    assert!(
        checked_in.trim_end() == now.trim_end(),
        "openapi/scmp.json is stale: run UPDATE_OPENAPI=1 cargo test -p scmp-server"
    );
    let doc: Value = serde_json::from_str(&now).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_secrets_are_sealed_and_never_returned() {
    let s = server().await;
    let (_sim, good) = sim("ber-1").await;
    let secret = good["token_secret"].as_str().unwrap().to_string();
    let secret = secret.as_str();
    let (st, site) = s
        .admin(
            Method::POST,
            "/api/v1/sites",
            Some(json!({"name": "berlin", "country": "DE", "region": "BE"})),
        )
        .await;
    assert_eq!(st, 201, "{site}");
    let (st, c) = s
        .admin(
            Method::POST,
            "/api/v1/sites/berlin/clusters",
            Some(good.clone()),
        )
        .await;
    assert_eq!(st, 201, "{c}");
    assert_eq!(c["cpu_overcommit"], 4.0);
    assert_eq!(
        c["health"]["state"], "online",
        "discovered at registration: {c}"
    );
    let (_, hosts) = s
        .admin(Method::GET, "/api/v1/clusters/ber-1/hosts", None)
        .await;
    assert_eq!(hosts["items"].as_array().unwrap().len(), 3, "{hosts}");
    let (_, view) = s.admin(Method::GET, "/api/v1/clusters/ber-1", None).await;
    let (_, list) = s
        .admin(Method::GET, "/api/v1/sites/berlin/clusters", None)
        .await;
    let (_, audit) = s.admin(Method::GET, "/api/v1/audit?limit=1000", None).await;
    for answer in [&c, &view, &list, &audit] {
        assert!(
            !answer.to_string().contains(secret),
            "the secret leaks: {answer}"
        );
    }
    let db = std::fs::read(s.dir.path().join("scmp.db")).unwrap();
    let wal = std::fs::read(s.dir.path().join("scmp.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret is stored in the clear"
        );
    }
    let store = DataStore::open_dir(s.dir.path()).await.unwrap();
    let stored = store.cluster_lookup("ber-1").await.unwrap();
    assert!(!format!("{stored:?}").contains(&stored.token_secret_sealed));
    let sealer = scmp_server::secrets::Sealer::load_or_create(s.dir.path()).unwrap();
    assert_eq!(
        sealer.open(&stored.token_secret_sealed).unwrap(),
        secret,
        "the server can open it"
    );

    let mut bad = Vec::new();
    for (field, value) in [
        ("endpoint", json!("http://pve1.example:8006")),
        ("token_id", json!("root@pam")),
        ("token_secret", json!("")),
        ("tls_fingerprint", json!("AB:CD")),
        (
            "tls_fingerprint",
            json!("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"),
        ),
        ("token_secret", json!("00000000-0000-0000-0000-000000000000")),
        ("cpu_overcommit", json!(0.0)),
        ("memory_overcommit", json!(1000.0)),
        ("name", json!("Bad Name")),
    ] {
        let mut body = good.clone();
        body["name"] = json!("ber-2");
        body[field] = value;
        let (st, p) = s
            .admin(Method::POST, "/api/v1/sites/berlin/clusters", Some(body))
            .await;
        bad.push((field, st.as_u16(), p["errors"][0]["field"].clone()));
    }
    for (field, st, named) in bad {
        assert_eq!((st, named), (400, json!(field)), "{field}");
    }
    let (st, p) = s
        .admin(
            Method::POST,
            "/api/v1/sites",
            Some(json!({"name": "paris", "country": "fr"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), p["errors"][0]["field"].clone()),
        (400, json!("country"))
    );
    let (st, site) = s
        .admin(
            Method::PUT,
            "/api/v1/sites/berlin",
            Some(json!({"region": "Berlin-Mitte"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), site["region"].clone()),
        (200, json!("Berlin-Mitte"))
    );
    let (st, _) = s.admin(Method::DELETE, "/api/v1/sites/berlin", None).await;
    assert_eq!(st, 409, "a site with clusters stays");
    let (st, _) = s
        .admin(Method::DELETE, "/api/v1/clusters/ber-1", None)
        .await;
    assert_eq!(st, 204);
    let (st, _) = s.admin(Method::DELETE, "/api/v1/sites/berlin", None).await;
    assert_eq!(st, 204);
    let (st, _) = s.admin(Method::GET, "/api/v1/sites/berlin", None).await;
    assert_eq!(st, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_roles_and_sessions() {
    let s = server().await;
    s.admin(
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "acme", "quota": quota(10, 10, 10, 10)})),
    )
    .await;
    s.admin(
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "globex"})),
    )
    .await;
    let (st, u) = s
        .admin(
            Method::POST,
            "/api/v1/users",
            Some(json!({"name": "alice", "tenant": "acme", "password": "correct-horse-battery"})),
        )
        .await;
    assert_eq!(st, 201, "{u}");
    let (st, p) = s
        .admin(
            Method::POST,
            "/api/v1/users",
            Some(json!({"name": "bob", "password": "short"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), p["errors"][0]["field"].clone()),
        (400, json!("password"))
    );
    let (st, b) = s
        .admin(Method::POST, "/api/v1/role-bindings", Some(json!({"subject": {"user": "alice"}, "role": "tenant-admin", "scope": {"tenant": "acme"}})))
        .await;
    assert_eq!(st, 201, "{b}");
    let (st, _) = s
        .admin(Method::POST, "/api/v1/role-bindings", Some(json!({"subject": {"user": "alice"}, "role": "tenant-admin", "scope": {"tenant": "globex"}})))
        .await;
    assert_eq!(st, 400, "roles in a tenant only for its users");
    let (st, _) = s
        .admin(
            Method::POST,
            "/api/v1/role-bindings",
            Some(json!({"subject": {"user": "alice"}, "role": "viewer", "scope": "platform"})),
        )
        .await;
    assert_eq!(st, 400, "a project role is not bound on the platform");

    // Login, use the session, log out.
    let (st, session, _) = s
        .call(
            Method::POST,
            "/api/v1/sessions",
            None,
            Some(json!({"username": "alice", "password": "correct-horse-battery"})),
        )
        .await;
    assert_eq!(st, 201, "{session}");
    let token = session["token"].as_str().unwrap().to_string();
    let (st, me, _) = s.call(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        (st.as_u16(), me["roles"][0]["role"].as_str()),
        (200, Some("tenant-admin"))
    );
    // Alice manages her tenant's users, not the platform's.
    let (st, _, _) = s
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&token),
            Some(json!({"name": "carol", "tenant": "acme"})),
        )
        .await;
    assert_eq!(st, 201);
    let (st, _, _) = s
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&token),
            Some(json!({"name": "mallory"})),
        )
        .await;
    assert_eq!(st, 403);
    let (st, _, _) = s
        .call(Method::POST, "/api/v1/role-bindings", Some(&token), Some(json!({"subject": {"user": "carol"}, "role": "platform-admin", "scope": "platform"})))
        .await;
    assert_eq!(st, 403, "no escalation to the platform");
    let (st, _, _) = s
        .call(Method::GET, "/api/v1/users/admin", Some(&token), None)
        .await;
    assert_eq!(st, 404);
    let (st, list, _) = s
        .call(Method::GET, "/api/v1/users?tenant=acme", Some(&token), None)
        .await;
    assert_eq!(
        (st.as_u16(), list["items"].as_array().unwrap().len()),
        (200, 2)
    );
    let (st, _, _) = s
        .call(Method::DELETE, "/api/v1/sessions", Some(&token), None)
        .await;
    assert_eq!(st, 204);
    let (st, _, _) = s.call(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(st, 401, "logged out");

    // Wrong passwords: 401, then throttled; every attempt audited.
    for _ in 0..5 {
        let (st, _, _) = s
            .call(
                Method::POST,
                "/api/v1/sessions",
                None,
                Some(json!({"username": "alice", "password": "wrong-wrong-wrong"})),
            )
            .await;
        assert_eq!(st, 401);
    }
    let (st, p, _) = s
        .call(
            Method::POST,
            "/api/v1/sessions",
            None,
            Some(json!({"username": "alice", "password": "correct-horse-battery"})),
        )
        .await;
    assert_eq!(st, 429, "{p}");
    let (st, _, _) = s
        .call(
            Method::POST,
            "/api/v1/sessions",
            None,
            Some(json!({"username": "nobody", "password": "whatever-whatever"})),
        )
        .await;
    assert_eq!(st, 401, "unknown users get the same answer");
    let (_, audit) = s.admin(Method::GET, "/api/v1/audit?limit=1000", None).await;
    let logins = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] == "session_create" && e["phase"] == "end")
        .count();
    assert_eq!(logins, 8);
    assert!(
        !audit.to_string().contains("correct-horse-battery"),
        "passwords are never recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_grant_their_roles_to_members() {
    let s = server().await;
    let (_, p) = s.acme_web().await;
    let pid = p["id"].as_str().unwrap().to_string();
    let (st, bob) = s
        .admin(
            Method::POST,
            "/api/v1/users",
            Some(json!({"name": "bob", "tenant": "acme"})),
        )
        .await;
    assert_eq!(st, 201, "{bob}");
    let store = DataStore::open_dir(s.dir.path()).await.unwrap();
    let bob_id: scmp_common::UserId = bob["id"].as_str().unwrap().parse().unwrap();
    let token = store
        .credential_issue(bob_id, CredentialKind::Token, "test", None)
        .await
        .unwrap()
        .text;
    let project = format!("/api/v1/projects/{pid}");
    let (st, _, _) = s.call(Method::GET, &project, Some(&token), None).await;
    assert_eq!(st, 404, "no role yet");
    let (st, g) = s
        .admin(
            Method::POST,
            "/api/v1/groups",
            Some(json!({"name": "devs", "tenant": "acme", "members": ["bob"]})),
        )
        .await;
    assert_eq!(st, 201, "{g}");
    assert_eq!(g["members"], json!([bob_id]));
    let (st, b) = s
        .admin(
            Method::POST,
            "/api/v1/role-bindings",
            Some(
                json!({"subject": {"group": "devs"}, "role": "member", "scope": {"project": pid}}),
            ),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["group_id"], g["id"]);
    let (st, _, _) = s.call(Method::GET, &project, Some(&token), None).await;
    assert_eq!(st, 200, "the group's role holds for its member");
    // A tenant's group holds only that tenant's users.
    s.admin(Method::POST, "/api/v1/users", Some(json!({"name": "eve"})))
        .await;
    let (st, e) = s
        .admin(
            Method::PUT,
            "/api/v1/groups/devs",
            Some(json!({"members": ["bob", "eve"]})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["errors"][0]["field"].clone()),
        (400, json!("members[1]"))
    );
    let (st, _) = s
        .admin(
            Method::PUT,
            "/api/v1/groups/devs",
            Some(json!({"members": []})),
        )
        .await;
    assert_eq!(st, 200);
    let (st, _, _) = s.call(Method::GET, &project, Some(&token), None).await;
    assert_eq!(st, 404, "out of the group, out of the role");
    let (st, _) = s.admin(Method::DELETE, "/api/v1/groups/devs", None).await;
    assert_eq!(st, 204);
    let (_, bindings) = s.admin(Method::GET, "/api/v1/role-bindings", None).await;
    assert!(
        !bindings.to_string().contains(g["id"].as_str().unwrap()),
        "its bindings go with it"
    );
    // Users change their own details; passwords keep their rules.
    let (st, b, _) = s
        .call(
            Method::PUT,
            "/api/v1/users/bob",
            Some(&token),
            Some(json!({"password": "short"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), b["errors"][0]["field"].clone()),
        (400, json!("password"))
    );
    let (st, b, _) = s
        .call(
            Method::PUT,
            "/api/v1/users/bob",
            Some(&token),
            Some(json!({"email": "bob@acme.example"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), b["email"].clone()),
        (200, json!("bob@acme.example"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_full_of_what_the_caller_may_see() {
    let s = server().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let (_, t) = s
            .admin(
                Method::POST,
                "/api/v1/tenants",
                Some(json!({"name": format!("t{i}")})),
            )
            .await;
        ids.push(t["id"].as_str().unwrap().parse::<TenantId>().unwrap());
    }
    // carol administers t1 and t4 only.
    let store = DataStore::open_dir(s.dir.path()).await.unwrap();
    let carol = s
        .user("carol", Some(("tenant-admin", Some(ids[1]), None)))
        .await;
    let cu = store.user_lookup("carol").await.unwrap().unwrap().0;
    store
        .binding_create(
            &BindingSubject::User(cu.id),
            "tenant-admin",
            Some(ids[4]),
            None,
        )
        .await
        .unwrap();
    let page = |token: Option<String>, who: Option<String>| {
        let s = &s;
        async move {
            let path = match token {
                Some(t) => format!("/api/v1/tenants?limit=1&page_token={t}"),
                None => "/api/v1/tenants?limit=1".into(),
            };
            let (st, v, _) = s
                .call(
                    Method::GET,
                    &path,
                    Some(who.as_deref().unwrap_or(&s.admin)),
                    None,
                )
                .await;
            assert_eq!(st, 200, "{v}");
            v
        }
    };
    let p1 = page(None, Some(carol.clone())).await;
    assert_eq!(p1["items"][0]["name"], "t1", "{p1}");
    let p2 = page(
        p1["next_page_token"].as_str().map(str::to_string),
        Some(carol.clone()),
    )
    .await;
    assert_eq!(p2["items"][0]["name"], "t4", "{p2}");
    let p3 = page(
        p2["next_page_token"].as_str().map(str::to_string),
        Some(carol.clone()),
    )
    .await;
    assert!(
        p3["items"].as_array().unwrap().is_empty() && p3["next_page_token"].is_null(),
        "{p3}"
    );
    // The admin walks all six, one a page.
    let mut names = Vec::new();
    let mut token = None;
    for _ in 0..10 {
        let p = page(token.clone(), None).await;
        for t in p["items"].as_array().unwrap() {
            names.push(t["name"].as_str().unwrap().to_string());
        }
        token = p["next_page_token"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4", "t5"]);
    let (st, b, _) = s
        .call(
            Method::GET,
            "/api/v1/tenants?page_token=t3",
            Some(&s.admin),
            None,
        )
        .await;
    assert_eq!(
        (st.as_u16(), b["errors"][0]["field"].clone()),
        (400, json!("page_token"))
    );
}

/// The cookies a portal login sets, as one `Cookie` header, and the CSRF value.
fn portal_cookies(resp: &reqwest::Response) -> (String, String, Vec<String>) {
    let set: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let value = |name: &str| {
        set.iter()
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .and_then(|rest| rest.split(';').next())
            .unwrap_or_default()
            .to_string()
    };
    let csrf = value("scmp_csrf");
    (
        format!("scmp_session={}; scmp_csrf={csrf}", value("scmp_session")),
        csrf,
        set,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_is_served_and_its_cookie_session_needs_the_csrf_value() {
    let s = server().await;
    let get = |path: &str| s.http.get(format!("{}{path}", s.base)).send();
    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("/portal/app.js"));
    let js = get("/portal/app.js").await.unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let login = |body: Value| {
        s.http
            .post(format!("{}/portal/session", s.base))
            .json(&body)
            .send()
    };
    // Bad logins are problems that say what is wrong.
    let r = login(json!({"username": "admin"})).await.unwrap();
    assert_eq!(r.status(), 400);
    let r = login(json!({"token": "scmp_nope_nope"})).await.unwrap();
    assert_eq!(r.status(), 401);
    // A token login: HttpOnly, Secure, SameSite=Strict; the CSRF cookie readable by the page.
    let r = login(json!({"token": s.admin})).await.unwrap();
    assert_eq!(r.status(), 201);
    let (cookie, csrf, set) = portal_cookies(&r);
    assert!(set.iter().any(|c| c.starts_with("scmp_session=")
        && c.contains("HttpOnly")
        && c.contains("Secure")
        && c.contains("SameSite=Strict")));
    assert!(set
        .iter()
        .any(|c| c.starts_with("scmp_csrf=") && !c.contains("HttpOnly")));
    let with_cookie = |m: Method, path: &str, csrf: Option<&str>| {
        let mut r = s
            .http
            .request(m, format!("{}{path}", s.base))
            .header("cookie", &cookie)
            .json(&json!({"name": "from-portal"}));
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.send()
    };
    assert_eq!(
        with_cookie(Method::GET, "/api/v1/me", None)
            .await
            .unwrap()
            .status(),
        200,
        "reads need no CSRF value"
    );
    for bad in [None, Some("0000")] {
        let r = with_cookie(Method::POST, "/api/v1/tokens", bad)
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let p: Value = r.json().await.unwrap();
        assert!(p["type"].as_str().unwrap().ends_with("/csrf"), "{p}");
    }
    let r = with_cookie(Method::POST, "/api/v1/tokens", Some(&csrf))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // A password login makes a session; logging out revokes it and clears the cookies.
    s.admin(
        Method::POST,
        "/api/v1/users",
        Some(json!({"name": "pat", "password": "a long enough password"})),
    )
    .await;
    let r = login(json!({"username": "pat", "password": "a long enough password"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (cookie, csrf, _) = portal_cookies(&r);
    let me = |cookie: String| {
        s.http
            .get(format!("{}/api/v1/me", s.base))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(me(cookie.clone()).await.unwrap().status(), 200);
    let out = s
        .http
        .delete(format!("{}/portal/session", s.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let (_, _, cleared) = portal_cookies(&out);
    assert!(
        cleared.iter().all(|c| c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert_eq!(
        me(cookie).await.unwrap().status(),
        401,
        "the session is revoked"
    );
    // The guest filter of the audit log takes guest ids only.
    let (st, p) = s.admin(Method::GET, "/api/v1/audit?guest=nope", None).await;
    assert_eq!(st, 400);
    assert_eq!(p["errors"][0]["field"], "guest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_administrators_see_and_revoke_their_users_tokens_only() {
    let s = server().await;
    let password = "a long enough password";
    let mut tokens = Vec::new();
    for (tenant, user) in [("acme", "ann"), ("acme", "bob"), ("globex", "gus")] {
        s.admin(
            Method::POST,
            "/api/v1/tenants",
            Some(json!({"name": tenant, "quota": quota(1, 1, 1, 1)})),
        )
        .await;
        let (st, _) = s
            .admin(
                Method::POST,
                "/api/v1/users",
                Some(json!({"name": user, "tenant": tenant, "password": password})),
            )
            .await;
        assert_eq!(st, 201);
        let (_, session, _) = s
            .call(
                Method::POST,
                "/api/v1/sessions",
                None,
                Some(json!({"username": user, "password": password})),
            )
            .await;
        tokens.push(session["token"].as_str().unwrap().to_string());
    }
    for (user, tenant) in [("ann", "acme"), ("gus", "globex")] {
        let (st, _) = s
            .admin(
                Method::POST,
                "/api/v1/role-bindings",
                Some(json!({"role": "tenant-admin", "subject": {"user": user}, "scope": {"tenant": tenant}})),
            )
            .await;
        assert_eq!(st, 201);
    }
    let (ann, bob, gus) = (&tokens[0], &tokens[1], &tokens[2]);
    let (st, t, _) = s
        .call(
            Method::POST,
            "/api/v1/tokens",
            Some(bob),
            Some(json!({"name": "ci"})),
        )
        .await;
    assert_eq!(st, 201);
    let id = t["id"].as_str().unwrap();
    // Another tenant's administrator does not even learn that bob exists.
    let (st, _, _) = s
        .call(Method::GET, "/api/v1/tokens?user=bob", Some(gus), None)
        .await;
    assert_eq!(st, 404);
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}?user=bob"),
            Some(gus),
            None,
        )
        .await;
    assert_eq!(st, 404);
    // bob's tenant administrator sees the token (never its secret) and revokes it.
    let (st, list, _) = s
        .call(Method::GET, "/api/v1/tokens?user=bob", Some(ann), None)
        .await;
    assert_eq!(st, 200);
    assert_eq!(list["items"][0]["id"], id);
    assert!(list["items"][0]["secret"].is_null());
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}?user=bob"),
            Some(ann),
            None,
        )
        .await;
    assert_eq!(st, 204);
    let (_, list, _) = s.call(Method::GET, "/api/v1/tokens", Some(bob), None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}
