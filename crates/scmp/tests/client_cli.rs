//! The `scmp` client against a running `scmp server`: login with a token file and with a password,
//! contexts in a 0600 file, operations as sub-commands, table/JSON/YAML output, problems as readable
//! errors, and shell completions.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scmp(config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scmp"));
    c.env("SCMP_CONFIG_DIR", config);
    c
}

fn run(config: &Path, args: &[&str]) -> Output {
    scmp(config).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_client_drives_the_api() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let _server = Server(child);
    let (mut url, mut fp) = (String::new(), String::new());
    while url.is_empty() || fp.is_empty() {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server printed its address"
        );
        if let Some(u) = line.trim().strip_prefix("API:") {
            url = u.trim().trim_end_matches("/api/v1").to_string();
        }
        if let Some(f) = line.trim().strip_prefix("fingerprint:") {
            fp = f.trim().to_string();
        }
    }
    let token_file = data.path().join("admin-token");
    let wrong_fp = vec!["AB"; 32].join(":");
    let o = run(
        cfg,
        &[
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--token-file",
            token_file.to_str().unwrap(),
            "--name",
            "lab",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("logged in as admin"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cfg.join("config.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the context file holds tokens");
    }
    let o = run(
        cfg,
        &[
            "login",
            "--server",
            &url,
            "--fingerprint",
            &wrong_fp,
            "--token-file",
            token_file.to_str().unwrap(),
        ],
    );
    assert!(
        !o.status.success(),
        "a wrong fingerprint is refused: {}",
        text(&o)
    );

    let o = run(
        cfg,
        &[
            "tenant",
            "create",
            "acme",
            "--vcpus",
            "10",
            "--memory-mib",
            "4096",
            "--disk-gib",
            "100",
            "--guests",
            "5",
            "-o",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let t: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(t["quota"]["limits"]["vcpus"], 10);
    let o = run(
        cfg,
        &[
            "project", "create", "web", "--tenant", "acme", "--vcpus", "20",
        ],
    );
    assert!(!o.status.success());
    let err = text(&o);
    assert!(
        err.contains("quota exceeded") && err.contains("quota.vcpus") && err.contains("(422)"),
        "{err}"
    );
    let o = run(
        cfg,
        &[
            "project", "create", "web", "--tenant", "acme", "--vcpus", "4", "--guests", "2",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(cfg, &["tenant", "list"]);
    let table = text(&o);
    assert!(
        table.contains("NAME") && table.contains("acme") && table.contains("4/10 vCPU"),
        "{table}"
    );
    let o = run(cfg, &["tenant", "quota-view", "acme", "-o", "yaml"]);
    assert!(text(&o).contains("vcpus: 10"), "{}", text(&o));
    let o = run(cfg, &["context", "list"]);
    assert!(text(&o).contains("* lab"));
    let o = run(cfg, &["audit", "list", "-o", "json"]);
    assert!(text(&o).contains("project_create"));
    let o = run(cfg, &["audit", "list", "-o", "jsonl"]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.len() >= 6 && lines.iter().all(|e| e["hash"].is_string()),
        "one entry per line"
    );
    let o = run(cfg, &["completions", "bash"]);
    assert!(o.status.success() && text(&o).contains("scmp"));

    // A user with a password logs in through a session.
    let o = run(cfg, &["token", "create", "ci", "-o", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let curl = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .env("SCMP_CONFIG_DIR", cfg)
        .args(["me", "view", "-o", "json"])
        .output()
        .unwrap();
    assert!(text(&curl).contains("admin"));
    let mut create = scmp(cfg)
        .args([
            "user",
            "create",
            "alice",
            "--tenant",
            "acme",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct-horse-battery\n")
        .unwrap();
    let o = create.wait_with_output().unwrap();
    assert!(o.status.success(), "user created: {}", text(&o));
    // A group of the tenant with alice in it; a role bound to the group.
    let o = run(
        cfg,
        &[
            "group", "create", "devs", "--tenant", "acme", "--member", "alice",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        cfg,
        &[
            "role-binding",
            "create",
            "tenant-auditor",
            "--group",
            "devs",
            "--tenant",
            "acme",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        cfg,
        &["role-binding", "list", "--tenant", "acme", "-o", "json"],
    );
    assert!(text(&o).contains("tenant-auditor"), "{}", text(&o));
    let o = run(cfg, &["group", "set-members", "devs"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(cfg, &["user", "list", "--tenant", "acme"]);
    assert!(text(&o).contains("alice"), "{}", text(&o));
    let mut login = scmp(cfg)
        .args([
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--username",
            "alice",
            "--name",
            "alice",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    login
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct-horse-battery\n")
        .unwrap();
    let o = login.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = run(cfg, &["me", "view", "-o", "json"]);
    assert!(text(&o).contains("\"alice\""), "{}", text(&o));
    let o = run(cfg, &["tenant", "delete", "acme"]);
    assert!(
        !o.status.success() && text(&o).contains("(404)"),
        "a user without roles does not see the tenant: {}",
        text(&o)
    );
}
