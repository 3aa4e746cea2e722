//! Fuzzing the API from its OpenAPI document with an independent tool, schemathesis: thousands of
//! generated requests (valid and invalid) against a real `scmp server` as the platform
//! administrator. No answer may be a server error, and every answer must match the document: its
//! status codes, content types and schemas.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// schemathesis' command, next to the test environment's Python.
fn schemathesis() -> Option<PathBuf> {
    let Ok(python) = std::env::var("SCMP_TEST_PYTHON") else {
        assert!(
            std::env::var("SCMP_REQUIRE_EXTERNAL").is_err(),
            "SCMP_TEST_PYTHON is required here: run scripts/test.sh"
        );
        eprintln!("skipped: SCMP_TEST_PYTHON is not set (scripts/test.sh sets it)");
        return None;
    };
    let st = PathBuf::from(python).with_file_name("st");
    assert!(
        st.exists(),
        "schemathesis is not installed next to {}",
        st.display()
    );
    Some(st)
}

#[test]
fn schemathesis_finds_no_server_error_and_no_undocumented_answer() {
    let Some(st) = schemathesis() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let _server = Killed(child);
    let mut url = String::new();
    while url.is_empty() {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server printed its address"
        );
        if let Some(u) = line.trim().strip_prefix("API:") {
            url = u.trim().to_string();
        }
    }
    let token = std::fs::read_to_string(data.path().join("admin-token")).unwrap();
    let report = tempfile::tempdir().unwrap();
    let out = Command::new(st)
        .current_dir(report.path())
        .args(["run", &format!("{url}/openapi.json")])
        .arg("--tls-verify")
        .arg(data.path().join("tls-cert.pem"))
        .args(["-H", &format!("Authorization: Bearer {}", token.trim())])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-time",
            "40",
            "--seed",
            "20261128",
            "--no-color",
        ])
        // Operations that would take the fuzzer's own access away (its token, session, user or
        // administrator role) are left out: after them every answer would be a 401.
        .args([
            "--exclude-operation-id",
            "session_delete",
            "--exclude-operation-id",
            "token_delete",
            "--exclude-operation-id",
            "user_delete",
            "--exclude-operation-id",
            "role_binding_delete",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("generated"), "{text}");
}
