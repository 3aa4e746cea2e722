//! `scmp pve-sim` as a user runs it: a real process serving HTTPS, the token file, the fault endpoints
//! under `/sim/`, state saved on exit, and the independent Python client proxmoxer driving it.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pve_client::Trust;
use scmp_test_utils::external::Killed;

/// `scmp pve-sim` running; killed when dropped.
struct Sim {
    child: Killed,
    url: String,
    fingerprint: String,
}

fn start(extra: &[&str]) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .args([
            "pve-sim",
            "--listen",
            "127.0.0.1:0",
            "--time-scale",
            "0",
            "--password",
            "cli-pw",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("scmp pve-sim starts");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let (mut url, mut fingerprint) = (String::new(), String::new());
    for _ in 0..10 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(u) = line.trim().strip_prefix("API:") {
            url = u.trim().trim_end_matches("/api2/json").to_string();
        }
        if let Some(f) = line.trim().strip_prefix("fingerprint:") {
            fingerprint = f.trim().to_string();
        }
        if !url.is_empty() && !fingerprint.is_empty() {
            break;
        }
    }
    assert!(
        !url.is_empty() && !fingerprint.is_empty(),
        "the simulator prints its URL and fingerprint"
    );
    std::thread::spawn(move || for _ in reader.lines() {});
    Sim {
        child: Killed(child),
        url,
        fingerprint,
    }
}

fn http(fingerprint: &str) -> reqwest::Client {
    let tls = Trust::Fingerprint(fingerprint.parse().unwrap())
        .client_config()
        .unwrap();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn token(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

#[tokio::test]
async fn serves_the_api_with_a_token_file_and_fault_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let sim = start(&["--token-file", token_file.to_str().unwrap(), "--nodes", "3"]);
    let line = token(&token_file);
    assert!(line.starts_with("root@pam!scmp="), "{line}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let c = http(&sim.fingerprint);
    let auth = format!("PVEAPIToken={line}");
    let get = |path: &str| {
        c.get(format!("{}{path}", sim.url))
            .header("Authorization", &auth)
            .send()
    };

    let v: serde_json::Value = get("/api2/json/version")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"]["version"], "8.4.14");
    let r = c
        .get(format!("{}/sim/state", sim.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "the fault endpoints need the same credentials"
    );
    assert!(r.bytes().await.unwrap().is_empty());

    let r = c
        .post(format!("{}/sim/nodes/pve3/down", sim.url))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let nodes: serde_json::Value = get("/api2/json/nodes").await.unwrap().json().await.unwrap();
    let pve3 = nodes["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "pve3")
        .unwrap()
        .clone();
    assert_eq!(pve3["status"], "offline");
    let r = get("/api2/json/nodes/pve3/status").await.unwrap();
    assert_eq!(r.status().as_u16(), 595);
    c.post(format!("{}/sim/nodes/pve3/up", sim.url))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();

    let r = c
        .put(format!("{}/sim/faults", sim.url))
        .header("Authorization", &auth)
        .form(&[("task_failure_rate", "1")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let state: serde_json::Value = get("/sim/state").await.unwrap().json().await.unwrap();
    assert_eq!(state["data"]["faults"]["task_failure_rate"], 1.0);
    assert_eq!(state["data"]["quorate"], true);
    let r = c
        .put(format!("{}/sim/faults", sim.url))
        .header("Authorization", &auth)
        .form(&[("task_failure_rate", "lots")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn saves_its_state_on_exit() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim.json");
    let token_file = dir.path().join("token");
    let args = [
        "--state-file",
        state.to_str().unwrap(),
        "--token-file",
        token_file.to_str().unwrap(),
    ];
    let sim = start(&args);
    let auth = format!("PVEAPIToken={}", token(&token_file));
    let c = http(&sim.fingerprint);
    let r = c
        .post(format!("{}/api2/json/pools", sim.url))
        .header("Authorization", &auth)
        .form(&[("poolid", "kept")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let pid = sim.child.0.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let mut sim = sim;
    let exit = sim.child.0.wait().unwrap();
    assert!(exit.success(), "exits cleanly on SIGTERM");
    let again = start(&args);
    assert_eq!(
        again.fingerprint, sim.fingerprint,
        "same certificate after a restart"
    );
    let pools: serde_json::Value = http(&again.fingerprint)
        .get(format!("{}/api2/json/pools", again.url))
        .header(
            "Authorization",
            format!("PVEAPIToken={}", token(&token_file)),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pools["data"][0]["poolid"], "kept");
}

#[test]
fn proxmoxer_drives_the_simulator() {
    let Some(python) = scmp_test_utils::external::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let sim = start(&["--token-file", token_file.to_str().unwrap()]);
    let hostport = sim.url.trim_start_matches("https://").to_string();
    let (host, port) = hostport.rsplit_once(':').unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/python/proxmoxer_drive.py"
    );
    let out = Command::new(python)
        .args([
            script,
            host,
            port,
            &sim.fingerprint,
            "cli-pw",
            &token(&token_file),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "proxmoxer run failed");
    assert!(
        stdout.contains("proxmoxer: 10 passed, 0 failed"),
        "{stdout}"
    );
}

/// The community's Prometheus exporter for Proxmox VE (prometheus-pve-exporter, PyPI) scrapes the
/// simulator with every collector on, and gets every metric family it reads from a real cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prometheus_exporter_scrapes_the_simulator() {
    let Some(python) = scmp_test_utils::external::python() else {
        return;
    };
    let exporter = python.with_file_name("pve_exporter");
    assert!(
        exporter.exists(),
        "prometheus-pve-exporter is installed next to the Python"
    );
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let cert_file = dir.path().join("cert.pem");
    let sim = start(&[
        "--token-file",
        token_file.to_str().unwrap(),
        "--cert-file",
        cert_file.to_str().unwrap(),
    ]);
    let line = token(&token_file);
    // A guest, so that guest metrics have something to say.
    let c = http(&sim.fingerprint);
    let r = c
        .post(format!("{}/api2/json/nodes/pve1/qemu/9000/clone", sim.url))
        .header("Authorization", format!("PVEAPIToken={line}"))
        .form(&[("newid", "100"), ("name", "web1")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (user_token, secret) = line.split_once('=').unwrap();
    let (user, token_name) = user_token.split_once('!').unwrap();
    let config = dir.path().join("pve.yml");
    std::fs::write(
        &config,
        format!(
            "default:\n  user: {user}\n  token_name: {token_name}\n  token_value: {secret}\n  verify_ssl: {}\n",
            cert_file.display()
        ),
    )
    .unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(exporter)
        .arg("--config.file")
        .arg(&config)
        .arg("--web.listen-address")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _exporter = Sim {
        child: Killed(child),
        url: String::new(),
        fingerprint: String::new(),
    };
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let target = sim.url.trim_start_matches("https://");
    let url = format!("http://127.0.0.1:{port}/pve?target={target}&cluster=1&node=1");
    let mut scraped = None;
    for _ in 0..100 {
        // The exporter serves plain HTTP; the client's TLS settings do not matter for it.
        if let Ok(r) = c.get(&url).send().await {
            scraped = Some((r.status(), r.text().await.unwrap_or_default()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, body) = scraped.expect("the exporter answers");
    drop(_exporter);
    let logged = errors.join().unwrap_or_default();
    assert_eq!(status, 200, "{body}\n{logged}");
    for family in [
        "pve_up{",
        "pve_version_info{",
        "pve_node_info{",
        "pve_cluster_info{",
        "pve_guest_info{",
        "pve_storage_info{",
        "pve_cpu_usage_ratio{",
        "pve_not_backed_up_total{id=\"cluster/edge\"} 1.0",
        "pve_not_backed_up_info{id=\"qemu/100\"} 1.0",
        "# TYPE pve_onboot_status gauge",
        "pve_subscription_info{",
        "pve_subscription_status{",
        "pve_ha_state{",
        "pve_lock_state{",
    ] {
        assert!(body.contains(family), "{family} missing:\n{body}\n{logged}");
    }
    assert!(!logged.contains("Traceback"), "{logged}");
}
