//! The `scmp` client against a running `scmp server`: login with a token file and with a password,
//! contexts in a 0600 file, operations as sub-commands, table/JSON/YAML output, problems as readable
//! errors, and shell completions.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use scmp_test_utils::process::ServerProcess;
use scmp_test_utils::SimSite;

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

/// `scmp server` on a data directory; the process, its URL and its fingerprint.
fn server(data: &Path) -> (ServerProcess, String, String) {
    server_with(data, &[])
}

/// `scmp server` with more options.
fn server_with(data: &Path, args: &[&str]) -> (ServerProcess, String, String) {
    let p = ServerProcess::start(
        env!("CARGO_BIN_EXE_scmp"),
        data,
        args,
        &[],
        Stdio::inherit(),
    );
    let (url, fp) = (p.base.clone(), p.fingerprint.clone());
    (p, url, fp)
}

#[test]
fn the_client_drives_the_api() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let (_server, url, fp) = server(data.path());
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
    // An offline budget at a site: granted out of the project's quota, listed, withdrawn.
    let o = run(cfg, &["site", "create", "edge", "--country", "DE"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        cfg,
        &[
            "project",
            "budget-set",
            "acme/web",
            "--site",
            "edge",
            "--vcpus",
            "2",
            "--guests",
            "1",
            "-o",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let b: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(b["granted"]["vcpus"], 2, "{b}");
    let o = run(
        cfg,
        &[
            "project",
            "budget-set",
            "acme/web",
            "--site",
            "edge",
            "--vcpus",
            "9",
            "--guests",
            "1",
        ],
    );
    assert!(!o.status.success(), "more than the project's quota");
    let o = run(cfg, &["project", "budget-list", "acme/web", "-o", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    let o = run(
        cfg,
        &["project", "budget-withdraw", "acme/web", "--site", "edge"],
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
    let o = run(cfg, &["token", "create", "laptop"]);
    assert!(o.status.success(), "{}", text(&o));
    // The audit log names who acted, also once that user is gone.
    let o = run(cfg, &["context", "use", "lab"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(cfg, &["user", "delete", "alice"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(cfg, &["audit", "list", "--actor", "alice"]);
    let table = text(&o);
    assert!(o.status.success(), "{table}");
    let made = table
        .lines()
        .find(|l| l.contains("token_create"))
        .unwrap_or_else(|| panic!("alice's token_create is listed: {table}"));
    assert!(
        made.contains("alice") && made.contains("acme") && made.contains("session"),
        "by name, tenant and credential: {made}"
    );
    let o = run(cfg, &["audit", "list", "--actor", "alice", "-o", "json"]);
    let page: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let times = page["items"].as_array().unwrap();
    assert!(!times.is_empty());
    assert!(
        times
            .iter()
            .all(|e| e["time"].as_str().is_some_and(|t| t.ends_with('Z'))),
        "times are RFC 3339 in UTC: {page}"
    );
}

/// Guests from the command line: a site with a simulated cluster, a guest created and waited for,
/// and the list and view naming the site it runs at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_are_shown_with_their_site() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let (_server, url, fp) = server(data.path());
    let site = SimSite::start(0.0).await;
    let (sim, addr) = (&site.sim, site.addr);
    let token = config.path().join("fra.token");
    std::fs::write(&token, sim.token_line()).unwrap();
    let admin = data.path().join("admin-token");
    let endpoint = format!("https://{addr}");
    let simfp = sim.fingerprint();
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--token-file",
            admin.to_str().unwrap(),
        ],
        vec!["site", "create", "frankfurt", "--country", "DE"],
        vec![
            "cluster",
            "create",
            "fra-1",
            "--site",
            "frankfurt",
            "--endpoint",
            &endpoint,
            "--token-file",
            token.to_str().unwrap(),
            "--fingerprint",
            &simfp,
        ],
        vec![
            "tenant",
            "create",
            "acme",
            "--vcpus",
            "8",
            "--memory-mib",
            "16384",
            "--disk-gib",
            "200",
            "--guests",
            "4",
            "--networks",
            "2",
        ],
        vec![
            "project",
            "create",
            "web",
            "--tenant",
            "acme",
            "--vcpus",
            "8",
            "--memory-mib",
            "16384",
            "--disk-gib",
            "200",
            "--guests",
            "4",
            "--networks",
            "2",
        ],
        vec![
            "guest",
            "create",
            "web1",
            "--project",
            "acme/web",
            "--image",
            "debian-12",
            "--type",
            "small",
        ],
        vec![
            "network",
            "create",
            "front",
            "--project",
            "acme/web",
            "--site",
            "frankfurt",
            "--cidr",
            "10.30.0.0/24",
            "--gateway",
            "10.30.0.1",
        ],
        vec![
            "security-group",
            "create",
            "web",
            "--project",
            "acme/web",
            "--site",
            "frankfurt",
            "--rule",
            "in tcp 443 cidr=0.0.0.0/0",
        ],
        vec![
            "guest",
            "create",
            "app1",
            "--project",
            "acme/web",
            "--image",
            "debian-12",
            "--type",
            "small",
            "--nic",
            "front",
            "--security-group",
            "web",
        ],
    ];
    for args in &steps {
        let o = run(cfg, args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let o = run(cfg, &["security-group", "list", "acme/web", "-o", "json"]);
    let groups: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(groups["items"][0]["guests"][0], "app1", "{groups}");
    assert_eq!(groups["items"][0]["rules"][0]["ports"], "443", "{groups}");
    let o = run(cfg, &["network", "list", "acme/web"]);
    assert!(text(&o).contains("front"), "{}", text(&o));
    let o = run(cfg, &["guest", "list", "--project", "acme/web"]);
    let table = text(&o);
    assert!(table.contains("SITE"), "{table}");
    let row = table.lines().find(|l| l.contains("web1")).unwrap();
    assert!(
        row.contains("frankfurt") && row.contains("running"),
        "{row}"
    );
    let o = run(cfg, &["guest", "view", "web1", "-o", "json"]);
    let g: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(g["site"], "frankfurt", "{g}");
    assert_eq!(g["cluster"], "fra-1", "{g}");
}

#[test]
fn a_site_agent_enrolls_with_a_join_token_and_is_revoked_from_the_cli() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let (server, url, fp) = server_with(data.path(), &["--agent-listen", "127.0.0.1:0"]);
    let agents = server
        .agents
        .clone()
        .expect("the banner names the agent endpoint");
    let admin = data.path().join("admin-token");
    for step in [
        vec![
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--token-file",
            admin.to_str().unwrap(),
        ],
        vec!["site", "create", "frankfurt", "--country", "DE"],
    ] {
        let o = run(cfg, &step);
        assert!(o.status.success(), "{step:?}: {}", text(&o));
    }
    let o = run(cfg, &["site", "join-token", "frankfurt", "-o", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let made: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let token = made["token"].as_str().unwrap();
    let o = run(
        cfg,
        &["site", "join-token", "frankfurt", "--expires-in", "1"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("expires_in_s"), "{}", text(&o));
    // At the site: the agent enrolls and keeps its identity, its key sealed.
    let site_dir = tempfile::tempdir().unwrap();
    let agent_dir = site_dir.path().join("agent");
    let enroll = |dir: &Path| {
        let o = run(
            cfg,
            &[
                "agent",
                "enroll",
                "--server",
                &agents,
                "--join-token",
                token,
                "--data-dir",
                dir.to_str().unwrap(),
            ],
        );
        (o.status.success(), text(&o))
    };
    let (ok, out) = enroll(&agent_dir);
    assert!(ok, "{out}");
    assert!(out.contains("enrolled as agent"), "{out}");
    let identity: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(agent_dir.join("agent.json")).unwrap())
            .unwrap();
    let agent = identity["agent"].as_str().unwrap().to_string();
    use std::os::unix::fs::PermissionsExt;
    for f in [
        "agent.json",
        "agent-key.sealed",
        "agent-cert.pem",
        "agent-ca.pem",
        "secret-key",
    ] {
        let mode = std::fs::metadata(agent_dir.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    let sealed = std::fs::read_to_string(agent_dir.join("agent-key.sealed")).unwrap();
    assert!(!sealed.contains("PRIVATE KEY"), "the key is kept sealed");
    let o = run(cfg, &["site", "agents", "frankfurt"]);
    assert!(
        o.status.success() && text(&o).contains(&agent),
        "{}",
        text(&o)
    );
    // Renewed with its enrolled key.
    let before = std::fs::read_to_string(agent_dir.join("agent-cert.pem")).unwrap();
    let o = run(
        cfg,
        &["agent", "renew", "--data-dir", agent_dir.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("renewed agent"), "{}", text(&o));
    let after = std::fs::read_to_string(agent_dir.join("agent-cert.pem")).unwrap();
    assert_ne!(before, after, "a new certificate");
    // The same directory is not enrolled twice; the token is not used twice.
    let (ok, out) = enroll(&agent_dir);
    assert!(!ok && out.contains("already"), "{out}");
    let (ok, out) = enroll(&site_dir.path().join("again"));
    assert!(!ok && out.contains("used already"), "{out}");
    // Revoked from the CLI.
    let o = run(cfg, &["site", "agent-revoke", &agent, "-o", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["revoked_at"].is_string(), "{v}");
    let o = run(
        cfg,
        &["agent", "renew", "--data-dir", agent_dir.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("revoked"), "{}", text(&o));
}
