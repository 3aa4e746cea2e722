//! `scmp server` as a process and `scmp audit verify` offline: an intact log verifies, and a changed,
//! removed, inserted or reordered entry, a forged checkpoint or another signing key is found and named.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pve_client::Trust;

fn scmp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scmp"))
}

fn verify(dir: &Path) -> (bool, String) {
    let out = scmp()
        .args(["audit", "verify", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn tamper(dir: &Path, sql: &str) {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", dir.join("scmp.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn the_audit_log_verifies_offline_and_tampering_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = scmp()
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(server.stdout.take().unwrap());
    let (mut url, mut fp) = (String::new(), String::new());
    for _ in 0..6 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(u) = line.trim().strip_prefix("API:") {
            url = u.trim().to_string();
        }
        if let Some(f) = line.trim().strip_prefix("fingerprint:") {
            fp = f.trim().to_string();
        }
        if !url.is_empty() && !fp.is_empty() {
            break;
        }
    }
    assert!(
        !url.is_empty() && !fp.is_empty(),
        "the server prints its address and fingerprint"
    );
    let token = std::fs::read_to_string(dir.path().join("admin-token"))
        .unwrap()
        .trim()
        .to_string();
    let tls = Trust::Fingerprint(fp.parse().unwrap())
        .client_config()
        .unwrap();
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // 55 changes: 110 entries, so a checkpoint is signed after the 100th.
    for i in 0..55 {
        let r = http
            .post(format!("{url}/tenants"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": format!("t{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let cps: serde_json::Value = http
        .get(format!("{url}/audit/checkpoints"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !cps["items"].as_array().unwrap().is_empty(),
        "a checkpoint was signed: {cps}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        server.wait().unwrap().success(),
        "the server stops cleanly on SIGTERM"
    );
    let d = dir.path();

    let (ok, text) = verify(d);
    assert!(ok, "{text}");
    assert!(text.contains("110 entries"), "{text}");

    // Changed.
    tamper(
        d,
        "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 7",
    )
    .await;
    let (ok, text) = verify(d);
    assert!(!ok && text.contains("entry 7"), "{text}");
    tamper(d, "UPDATE audit_entries SET actor = (SELECT actor FROM audit_entries WHERE seq = 8) WHERE seq = 7").await;
    assert!(verify(d).0, "restored");

    // Reordered.
    tamper(d, "UPDATE audit_entries SET seq = 1000 WHERE seq = 20").await;
    tamper(d, "UPDATE audit_entries SET seq = 20 WHERE seq = 21").await;
    tamper(d, "UPDATE audit_entries SET seq = 21 WHERE seq = 1000").await;
    let (ok, text) = verify(d);
    assert!(!ok && text.contains("entry 20"), "{text}");
    tamper(d, "UPDATE audit_entries SET seq = 1000 WHERE seq = 20").await;
    tamper(d, "UPDATE audit_entries SET seq = 20 WHERE seq = 21").await;
    tamper(d, "UPDATE audit_entries SET seq = 21 WHERE seq = 1000").await;
    assert!(verify(d).0);

    // Inserted.
    tamper(d, "INSERT INTO audit_entries SELECT 111, time_ms, request_id, phase, actor, auth_method, credential, source, operation, target, tenant_id, result, error, prev_hash, hash, actor_name, actor_realm, actor_tenant, credential_name, format FROM audit_entries WHERE seq = 110").await;
    let (ok, text) = verify(d);
    assert!(!ok && text.contains("entry 111"), "{text}");
    tamper(d, "DELETE FROM audit_entries WHERE seq = 111").await;
    assert!(verify(d).0);

    // A forged checkpoint: its first byte changed (to 00 when it was ff, so the change is never a no-op).
    tamper(
        d,
        "UPDATE audit_checkpoints SET head_hash = \
         CASE WHEN substr(head_hash, 1, 2) = 'ff' THEN '00' ELSE 'ff' END || substr(head_hash, 3)",
    )
    .await;
    let (ok, text) = verify(d);
    assert!(!ok && text.contains("signature"), "{text}");

    // Removed: the whole tail after an entry, head and all, can still not hide behind a checkpoint.
    let (ok, _) = verify(d);
    assert!(!ok);
    tamper(d, "DELETE FROM audit_entries WHERE seq = 50").await;
    let (ok, text) = verify(d);
    assert!(!ok && text.contains("entry 50"), "{text}");
}
