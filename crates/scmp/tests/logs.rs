//! What the server logs: secrets never (a server running at debug level is given a cluster's API
//! token secret, a user's password and tokens; none of them appears in what it logs), and every line
//! of a request with its request id, operation id and actor, so a 500 can be traced from the
//! `instance` of its answer.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::io::Read;
use std::process::Stdio;

use scmp_test_utils::process::ServerProcess;

/// A `scmp server` process whose logs are collected as it writes them.
struct Logged {
    process: ServerProcess,
    url: String,
    admin: String,
    http: reqwest::Client,
    logs: std::thread::JoinHandle<String>,
    data: tempfile::TempDir,
}

impl Logged {
    fn start(rust_log: &str) -> Self {
        let data = tempfile::tempdir().unwrap();
        let mut process = ServerProcess::start(
            env!("CARGO_BIN_EXE_scmp"),
            data.path(),
            &[],
            &[("RUST_LOG", rust_log)],
            Stdio::piped(),
        );
        // Read the logs as they come: a full pipe would stall the server.
        let mut stderr = process.child.0.stderr.take().unwrap();
        let logs = std::thread::spawn(move || {
            let mut logs = String::new();
            let _ = stderr.read_to_string(&mut logs);
            logs
        });
        let admin = process.admin();
        Self {
            url: process.api_url(),
            admin: admin.token().unwrap().to_string(),
            http: admin.http().clone(),
            process,
            logs,
            data,
        }
    }

    /// Stops the server and answers everything it logged.
    fn stop(self) -> String {
        self.process.terminate();
        self.logs.join().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_logs_no_secret() {
    let server = Logged::start("debug");
    let (url, http, admin) = (
        server.url.clone(),
        server.http.clone(),
        server.admin.clone(),
    );
    let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
        time_scale: 0.0,
        ..Default::default()
    })
    .unwrap();
    let (sim_addr, _sim_server) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let token_line = sim.token_line();
    let (token_id, cluster_secret) = token_line.split_once('=').unwrap();
    let password = "very-secret-password-42";
    let post = |path: &str, body: serde_json::Value, token: Option<String>| {
        let mut r = http.post(format!("{url}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(
        post(
            "/sites",
            serde_json::json!({"name": "berlin", "country": "DE"}),
            Some(admin.clone())
        )
        .await
        .unwrap()
        .status(),
        201
    );
    let r = post(
        "/sites/berlin/clusters",
        serde_json::json!({"name": "ber-1", "endpoint": format!("https://{sim_addr}"), "token_id": token_id,
            "token_secret": cluster_secret, "tls_fingerprint": sim.fingerprint()}),
        Some(admin.clone()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    assert!(!r.text().await.unwrap().contains(cluster_secret));
    assert_eq!(
        post(
            "/users",
            serde_json::json!({"name": "alice", "password": password}),
            Some(admin.clone())
        )
        .await
        .unwrap()
        .status(),
        201
    );
    let session: serde_json::Value = post(
        "/sessions",
        serde_json::json!({"username": "alice", "password": password}),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let session_token = session["token"].as_str().unwrap().to_string();
    let _ = post(
        "/sessions",
        serde_json::json!({"username": "alice", "password": "wrong-password-123"}),
        None,
    )
    .await
    .unwrap();
    let token: serde_json::Value = post(
        "/tokens",
        serde_json::json!({"name": "ci"}),
        Some(admin.clone()),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let api_token = token["secret"].as_str().unwrap().to_string();
    // A request with a bad token must not log the token either.
    let _ = http
        .get(format!("{url}/me"))
        .bearer_auth("scmp_0123456789abcdef0123456789abcdef_leak")
        .send()
        .await;
    let logs = server.stop();
    assert!(
        logs.contains("DEBUG") || logs.contains("INFO"),
        "the server logged something: {logs}"
    );
    for secret in [
        cluster_secret,
        password,
        "wrong-password-123",
        admin.as_str(),
        session_token.as_str(),
        api_token.as_str(),
        "_leak",
    ] {
        let tail = &secret[secret.len().saturating_sub(16)..];
        assert!(!logs.contains(tail), "a secret is in the logs: ...{tail}");
    }
}

/// A row the server cannot read (damaged outside it) makes a 500 whose `instance` (the request id)
/// finds the log line that explains it, with the operation and the actor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_internal_error_is_found_in_the_log_by_its_instance() {
    let server = Logged::start("info");
    let r = server
        .http
        .post(format!("{}/tenants", server.url))
        .bearer_auth(&server.admin)
        .json(&serde_json::json!({"name": "acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // A name scmp would never store: reading the tenant back fails inside the server.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", server.data.path().join("scmp.db").display());
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE tenants SET name = 'Not A Name' WHERE name = 'acme'")
        .execute(&mut db)
        .await
        .unwrap();
    let r = server
        .http
        .get(format!("{}/tenants", server.url))
        .bearer_auth(&server.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let problem: serde_json::Value = r.json().await.unwrap();
    let instance = problem["instance"].as_str().unwrap().to_string();
    assert!(
        !problem["detail"].as_str().unwrap().contains("Not A Name"),
        "the detail stays in the log: {problem}"
    );
    let logs = server.stop();
    let line = logs
        .lines()
        .find(|l| l.contains("internal error") && l.contains(&instance))
        .unwrap_or_else(|| panic!("no log line names request {instance}:\n{logs}"));
    assert!(line.contains("operation=tenant_list"), "{line}");
    assert!(line.contains("actor=admin"), "{line}");
    assert!(
        line.contains("Not A Name"),
        "the log has the detail: {line}"
    );
}
