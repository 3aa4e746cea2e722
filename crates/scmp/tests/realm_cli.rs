//! `scmp realm` against a running `scmp server` and a real OpenLDAP: a realm made from a YAML
//! file with its bind password read from standard input (and never printed), its connection
//! tested step by step, its groups synced after a dry run, and a directory user logging in with
//! `scmp login --username alice@corp`.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_realm_is_managed_and_used_from_the_command_line() {
    let Some(dir) = Slapd::start().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let server = ServerProcess::start(
        env!("CARGO_BIN_EXE_scmp"),
        data.path(),
        &[],
        &[],
        Stdio::inherit(),
    );
    let (url, fp) = (server.base.clone(), server.fingerprint.clone());
    let token_file = data.path().join("admin-token");
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
