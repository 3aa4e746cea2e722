//! The portal end to end in a real browser: `scmp demo` serves it, and tests/portal/e2e.mjs drives
//! Debian's Chromium through Playwright (log in, create a project, create a guest and watch it run,
//! stop and delete it, log out, tenant isolation, CSRF, session expiry, the platform pages, single
//! sign-on through an OpenID provider and the realms page).
//!
//! scripts/test.sh installs Chromium and the npm packages; `SCMP_SCREENSHOTS=docs/portal` keeps
//! screenshots of the main pages.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use scmp_test_utils::external::{missing, repo_root, Killed};

fn portal_tests() -> PathBuf {
    repo_root().join("tests/portal")
}

/// The browser and the npm packages, or why the test cannot run.
fn prerequisites() -> Result<PathBuf, String> {
    let chromium = PathBuf::from(
        std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string()),
    );
    if !chromium.exists() {
        return Err(format!("{} is not installed", chromium.display()));
    }
    if !portal_tests().join("node_modules/playwright-core").exists() {
        return Err("tests/portal/node_modules is missing (npm ci in tests/portal)".into());
    }
    Ok(chromium)
}

/// A port whose next five are free too (the demo's sites, its agents' listener and its agent's
/// site API are there).
fn free_ports() -> u16 {
    for _ in 0..50 {
        let Ok(l) = TcpListener::bind("127.0.0.1:0") else {
            continue;
        };
        let Ok(addr) = l.local_addr() else { continue };
        let p = addr.port();
        if p > 60000 {
            continue;
        }
        drop(l);
        if (0..6).all(|i| TcpListener::bind(("127.0.0.1", p + i)).is_ok()) {
            return p;
        }
    }
    panic!("no six free ports in a row on loopback");
}

#[test]
fn the_portal_works_in_a_real_browser() {
    let chromium = match prerequisites() {
        Ok(c) => c,
        Err(why) => return missing(&why).unwrap_or(()),
    };
    let data = tempfile::tempdir().unwrap();
    let port = free_ports();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .args(["demo", "--time-scale", "0.01", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let _demo = Killed(child);
    let mut url = String::new();
    for _ in 0..200 {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the demo printed its portal address"
        );
        if let Some(rest) = line.trim().strip_prefix("portal:") {
            url = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            break;
        }
    }
    assert!(url.starts_with("https://"), "portal address: {url}");
    let mut through_agent = false;
    for _ in 0..50 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line.starts_with("Try it") {
            break;
        }
        through_agent |= line.contains("amsterdam") && line.contains("through its agent");
    }
    assert!(
        through_agent,
        "the demo's last site is reached through its agent"
    );
    // Keep reading what the demo prints, so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    let token = std::fs::read_to_string(data.path().join("admin-token")).unwrap();
    // The agent, its own process, registered the site's cluster.
    let fingerprint = std::fs::read_to_string(data.path().join("tls-fingerprint")).unwrap();
    let admin = scmp_test_utils::Client::new(&url, fingerprint.trim(), Some(token.trim().into()));
    let linked = tokio::runtime::Runtime::new().unwrap().block_on(async {
        for _ in 0..200 {
            let page: scmp_api::Page<scmp_api::ClusterView> =
                admin.get("/sites/amsterdam/clusters").await;
            if page.items.iter().any(|c| c.agent.is_some()) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    });
    assert!(linked, "amsterdam-1 registered through its agent");
    // An OpenID provider for the single sign-on step (its server runs on this runtime).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let provider = runtime.block_on(scmp_test_utils::oidc::TestProvider::start(
        "scmp",
        serde_json::json!({"sub": "dave", "email": "dave@blue.example"}),
    ));
    let mut node = Command::new("node");
    if let Ok(dir) = std::env::var("SCMP_SCREENSHOTS") {
        // Relative to the workspace, not to tests/portal where node runs.
        node.env("SCMP_SCREENSHOTS", repo_root().join(dir));
    }
    let out = node
        .arg("e2e.mjs")
        .current_dir(portal_tests())
        .env("SCMP_URL", &url)
        .env("SCMP_ADMIN_TOKEN", token.trim())
        .env("SCMP_OIDC_ISSUER", &provider.issuer)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "the portal e2e run failed:\n{text}");
    assert!(text.contains("portal e2e: all passed"));
}
