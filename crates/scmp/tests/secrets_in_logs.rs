//! Secrets never reach the logs: a server running at debug level is given a cluster's API token
//! secret, a user's password and tokens; none of them appears in what it logs.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_logs_no_secret() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let (mut url, mut fp) = (String::new(), String::new());
    while url.is_empty() || fp.is_empty() {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0);
        if let Some(u) = line.trim().strip_prefix("API:") {
            url = u.trim().to_string();
        }
        if let Some(f) = line.trim().strip_prefix("fingerprint:") {
            fp = f.trim().to_string();
        }
    }
    // Read the logs as they come: a full pipe would stall the server.
    let mut stderr = child.stderr.take().unwrap();
    let log_reader = std::thread::spawn(move || {
        let mut logs = String::new();
        let _ = stderr.read_to_string(&mut logs);
        logs
    });
    let admin = std::fs::read_to_string(data.path().join("admin-token"))
        .unwrap()
        .trim()
        .to_string();
    let tls = pve_client::Trust::Fingerprint(fp.parse().unwrap())
        .client_config()
        .unwrap();
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
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
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap();
    let logs = log_reader.join().unwrap();
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
