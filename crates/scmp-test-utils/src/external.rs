//! The independent peers the tests start: a Python virtual environment with fakepve and the
//! OpenAPI tools (`scripts/test.sh` makes it and sets `SCMP_TEST_PYTHON`). A test whose peer is
//! missing is skipped, and says so, unless `SCMP_REQUIRE_EXTERNAL` is set (as the test script
//! sets it): then it fails.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Whether the run requires every external peer (`SCMP_REQUIRE_EXTERNAL`).
pub fn required() -> bool {
    std::env::var_os("SCMP_REQUIRE_EXTERNAL").is_some()
}

/// Skips (answers `None`, saying why) or, when peers are required, fails.
pub fn missing<T>(what: &str) -> Option<T> {
    assert!(
        !required(),
        "{what} is missing but SCMP_REQUIRE_EXTERNAL is set: run scripts/test.sh"
    );
    eprintln!("skipped: {what} is missing (scripts/test.sh sets it up)");
    None
}

/// The test environment's Python (`SCMP_TEST_PYTHON`).
pub fn python() -> Option<PathBuf> {
    match std::env::var("SCMP_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => missing("SCMP_TEST_PYTHON"),
    }
}

/// A command installed in the test environment next to its Python.
pub fn venv_tool(name: &str) -> Option<PathBuf> {
    let tool = python()?.with_file_name(name);
    assert!(
        tool.exists(),
        "{name} is not installed in the test environment"
    );
    Some(tool)
}

/// The repository's root (for scripts and fixtures the tests use).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A child process killed (and reaped) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How to reach a running fakepve.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct FakePveInfo {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// Its certificate's fingerprint.
    pub fingerprint: String,
    /// `root@pam`'s password.
    pub password: String,
    /// An API token, `USER@REALM!ID=SECRET`.
    pub token: String,
}

/// The independent fake `fakepve` (PyPI) on loopback; stopped when dropped.
pub struct FakePve {
    /// How to reach it.
    pub info: FakePveInfo,
    _child: Killed,
}

impl FakePve {
    /// Starts fakepve (none when the test environment is not there and not required).
    pub async fn start() -> Option<FakePve> {
        let python = python()?;
        let script = repo_root().join("tests/python/run_fakepve.py");
        let mut child = Command::new(python)
            .arg(script)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting fakepve");
        let stdout = child.stdout.take().unwrap();
        let child = Killed(child);
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        });
        let line = tokio::time::timeout(Duration::from_secs(60), line)
            .await
            .expect("fakepve starts within 60 s")
            .unwrap()
            .unwrap();
        let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        Some(FakePve {
            info,
            _child: child,
        })
    }
}
