//! `scmp realm` against a running `scmp server` and a real OpenLDAP: a realm made from a YAML
//! file with its bind password read from standard input (and never printed), its connection
//! tested step by step, its groups synced after a dry run, and a directory user logging in with
//! `scmp login --username alice@corp`; and custom roles defined, listed, changed and deleted with
//! `scmp role`; policies created, viewed, versioned, tried and deleted with `scmp policy`; and a
//! compliance scan and report with `scmp compliance`.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use scmp_test_utils::process::ServerProcess;
use scmp_test_utils::slapd::{self, Slapd};

fn run_with_stdin(config: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .env("SCMP_CONFIG_DIR", config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn run(config: &Path, args: &[&str]) -> Output {
    run_with_stdin(config, args, "")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

/// A server process with the administrator logged in and the tenant `acme`.
struct Lab {
    data: tempfile::TempDir,
    config: tempfile::TempDir,
    url: String,
    fp: String,
    _server: ServerProcess,
}

impl Lab {
    fn start() -> Lab {
        let data = tempfile::tempdir().unwrap();
        let config = tempfile::tempdir().unwrap();
        let server = ServerProcess::start(
            env!("CARGO_BIN_EXE_scmp"),
            data.path(),
            &[],
            &[],
            Stdio::inherit(),
        );
        let (url, fp) = (server.base.clone(), server.fingerprint.clone());
        let token_file = data.path().join("admin-token");
        let cfg = config.path();
        ok(run(
            cfg,
            &[
                "login",
                "--server",
                &url,
                "--fingerprint",
                &fp,
                "--token-file",
                token_file.to_str().unwrap(),
            ],
        ));
        ok(run(cfg, &["tenant", "create", "acme", "--vcpus", "1"]));
        Lab {
            data,
            config,
            url,
            fp,
            _server: server,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_realm_is_managed_and_used_from_the_command_line() {
    let Some(dir) = Slapd::start().await else {
        return;
    };
    let lab = Lab::start();
    let (data, cfg) = (&lab.data, lab.config.path());
    let (url, fp) = (lab.url.clone(), lab.fp.clone());

    let file = data.path().join("corp.yaml");
    let ca = dir.ca_pem.replace('\n', "\n    ");
    std::fs::write(
        &file,
        format!(
            "name: corp\ntype: ldap\ntenant: acme\ndirectory:\n  server1: 127.0.0.1\n  \
             port: {}\n  mode: ldaps\n  ca_pem: |\n    {ca}\n  base_dn: ou=people,{base}\n  \
             bind_dn: {bind}\n  group_dn: ou=groups,{base}\n",
            dir.ldaps_port,
            base = slapd::BASE_DN,
            bind = slapd::BIND_DN,
        ),
    )
    .unwrap();
    let made = ok(run_with_stdin(
        cfg,
        &[
            "realm",
            "create",
            "--file",
            file.to_str().unwrap(),
            "--secret-stdin",
            "-o",
            "json",
        ],
        &format!("{}\n", slapd::BIND_PASSWORD),
    ));
    assert!(made.contains("\"secret_set\": true"), "{made}");
    assert!(!made.contains(slapd::BIND_PASSWORD));
    let listed = ok(run(cfg, &["realm", "list"]));
    assert!(
        listed.contains("corp") && listed.contains("ldap"),
        "{listed}"
    );

    let tested = ok(run(cfg, &["realm", "test", "corp"]));
    for step in ["dns", "tcp", "tls", "bind", "search"] {
        assert!(tested.contains(step), "{tested}");
    }
    let dry = ok(run(
        cfg,
        &[
            "realm",
            "sync",
            "corp",
            "--scope",
            "groups",
            "--dry-run",
            "-o",
            "json",
        ],
    ));
    assert!(
        dry.contains("devs-corp") && dry.contains("\"dry_run\": true"),
        "{dry}"
    );
    ok(run(cfg, &["realm", "sync", "corp", "--scope", "groups"]));
    let groups = ok(run(cfg, &["group", "list", "--tenant", "acme"]));
    assert!(groups.contains("leads-corp"), "{groups}");

    let alice = tempfile::tempdir().unwrap();
    let o = run_with_stdin(
        alice.path(),
        &[
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--username",
            "alice@corp",
        ],
        &format!("{}\n", slapd::password_of("alice")),
    );
    assert!(o.status.success(), "{}", text(&o));
    let me = ok(run(alice.path(), &["me", "view", "-o", "json"]));
    assert!(me.contains("alice-corp"), "{me}");
    let wrong = run_with_stdin(
        alice.path(),
        &[
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--username",
            "alice@corp",
        ],
        "not-her-password\n",
    );
    assert!(!wrong.status.success());
    assert!(text(&wrong).contains("(401)"), "{}", text(&wrong));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_signs_on_from_the_command_line_through_the_browser() {
    use std::io::BufRead;
    let claims = serde_json::json!({"sub": "carol", "email": "carol@corp.example"});
    let provider = scmp_test_utils::oidc::TestProvider::start("scmp", claims).await;
    let lab = Lab::start();
    let (data, cfg) = (&lab.data, lab.config.path());
    let (url, fp) = (lab.url.clone(), lab.fp.clone());
    let file = data.path().join("idp.json");
    let realm = serde_json::json!({"name": "idp", "type": "openid", "tenant": "acme",
        "openid": {"issuer_url": provider.issuer, "client_id": "scmp"}});
    std::fs::write(&file, realm.to_string()).unwrap();
    ok(run_with_stdin(
        cfg,
        &[
            "realm",
            "create",
            "--file",
            file.to_str().unwrap(),
            "--secret-stdin",
        ],
        "client-secret\n",
    ));

    // `scmp login --sso`: it prints the provider's URL; the test is the browser.
    let carol = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scmp"))
        .env("SCMP_CONFIG_DIR", carol.path())
        .args([
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fp,
            "--sso",
            "idp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read every line (the CLI prints more after the URL), handing the URL on.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.starts_with("http://") {
                let _ = tx.send(line);
            }
        }
    });
    let authorize =
        tokio::task::spawn_blocking(move || rx.recv_timeout(std::time::Duration::from_secs(60)))
            .await
            .unwrap()
            .expect("the CLI prints the provider's URL");
    let back = provider.sign_in(&authorize).await;
    assert!(back.as_str().starts_with("http://127.0.0.1:"), "{back}");
    // The browser follows the redirect to the CLI's listener.
    let page = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = format!("{}:{}", back.host_str().unwrap(), back.port().unwrap());
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let target = format!("{}?{}", back.path(), back.query().unwrap_or(""));
        s.write_all(format!("GET {target} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut page = String::new();
        s.read_to_string(&mut page).await.unwrap();
        page
    };
    assert!(page.contains("Signed on"), "{page}");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let me = ok(run(carol.path(), &["me", "view", "-o", "json"]));
    assert!(me.contains("carol-idp"), "{me}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_roles_are_managed_from_the_command_line() {
    let lab = Lab::start();
    let cfg = lab.config.path();
    let actions = ok(run(cfg, &["role", "actions"]));
    assert!(
        actions.contains("guest_operate") && actions.contains("tenant_quota_update"),
        "{actions}"
    );
    let made = ok(run(
        cfg,
        &[
            "role",
            "create",
            "ops",
            "--level",
            "project",
            "--tenant",
            "acme",
            "--action",
            "guest_view,guest_list",
            "--action",
            "guest_operate",
            "-o",
            "json",
        ],
    ));
    assert!(made.contains("\"builtin\": false"), "{made}");
    let listed = ok(run(cfg, &["role", "list", "--tenant", "acme"]));
    assert!(
        listed.contains("ops") && listed.contains("viewer"),
        "{listed}"
    );
    let changed = ok(run(
        cfg,
        &[
            "role",
            "update",
            "ops",
            "--action",
            "guest_view",
            "-o",
            "json",
        ],
    ));
    assert!(!changed.contains("guest_operate"), "{changed}");
    let wrong = run(
        cfg,
        &[
            "role",
            "create",
            "odd",
            "--level",
            "project",
            "--action",
            "tenant_delete",
        ],
    );
    assert!(!wrong.status.success());
    assert!(text(&wrong).contains("actions[0]"), "{}", text(&wrong));
    ok(run(cfg, &["role", "delete", "ops"]));
    let gone = run(cfg, &["role", "view", "ops"]);
    assert!(text(&gone).contains("(404)"), "{}", text(&gone));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_managed_from_the_command_line() {
    let lab = Lab::start();
    let cfg = lab.config.path();
    let file = lab.data.path().join("small.yaml");
    std::fs::write(
        &file,
        "name: small-guests\ntenant: acme\nenforcement: deny\nbuiltin: {kind: max_size, vcpus: 8}\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let made = ok(run(cfg, &["policy", "create", "--file", f, "-o", "json"]));
    assert!(made.contains("\"version\": 1"), "{made}");
    let listed = ok(run(cfg, &["policy", "list"]));
    assert!(listed.contains("small-guests"), "{listed}");
    let viewed = ok(run(cfg, &["policy", "view", "small-guests", "-o", "json"]));
    assert!(viewed.contains("context.request.vcpus > 8"), "{viewed}");
    let update = lab.data.path().join("update.yaml");
    std::fs::write(&update, "version: 1\nenforcement: warn\n").unwrap();
    ok(run(
        cfg,
        &[
            "policy",
            "update",
            "small-guests",
            "--file",
            update.to_str().unwrap(),
        ],
    ));
    let versions = ok(run(
        cfg,
        &["policy", "versions", "small-guests", "-o", "json"],
    ));
    assert!(versions.contains("\"version\": 2"), "{versions}");
    let dry = ok(run(cfg, &["policy", "dry-run", "--file", f, "-o", "json"]));
    assert!(dry.contains("\"examined\": 0"), "{dry}");
    ok(run(cfg, &["policy", "delete", "small-guests"]));

    // Compliance: a scan, the report as JSON and as CSV; approvals waiting (none).
    let scanned = ok(run(cfg, &["compliance", "scan", "acme", "-o", "json"]));
    assert!(scanned.contains("\"scanned_at\""), "{scanned}");
    let csv = ok(run(cfg, &["compliance", "report", "acme", "--csv"]));
    assert_eq!(
        csv.trim(),
        "tenant,project_id,guest_id,guest,policy,enforcement,message,since"
    );
    let waiting = ok(run(cfg, &["approval", "list", "--mine", "-o", "json"]));
    assert!(waiting.contains("\"items\": []"), "{waiting}");
    let none = run(
        cfg,
        &["approval", "view", "00000000-0000-4000-8000-000000000001"],
    );
    assert!(text(&none).contains("(404)"), "{}", text(&none));
}
