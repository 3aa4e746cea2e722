//! The client suite against the independent fake PVE server `fakepve` (PyPI), started on loopback.
//!
//! `scripts/test.sh` installs it into a virtual environment and sets `SCMP_TEST_PYTHON`; without it
//! the test is skipped, unless `SCMP_REQUIRE_EXTERNAL=1` says the peers must be there.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{run_suite, Peer, Target};

struct Fake(Child);

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python() -> Option<String> {
    match std::env::var("SCMP_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("SCMP_REQUIRE_EXTERNAL").is_err(),
                "SCMP_TEST_PYTHON is not set but SCMP_REQUIRE_EXTERNAL is: run scripts/test.sh"
            );
            eprintln!("skipped: SCMP_TEST_PYTHON not set (scripts/test.sh sets it up)");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_against_fakepve() {
    let Some(python) = python() else { return };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/python/run_fakepve.py"
    );
    let mut child = Command::new(python)
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting fakepve");
    let stdout = child.stdout.take().unwrap();
    let fake = Fake(child);
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(std::time::Duration::from_secs(60), line)
        .await
        .expect("fakepve did not start within 60 s")
        .unwrap()
        .unwrap();
    let info: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let target = Target {
        peer: Peer::FakePve,
        url: info["url"].as_str().unwrap().to_string(),
        fingerprint: info["fingerprint"].as_str().unwrap().to_string(),
        password: info["password"].as_str().unwrap().to_string(),
        token: info["token"].as_str().unwrap().to_string(),
    };
    run_suite(&target).await;
    drop(fake);
}
