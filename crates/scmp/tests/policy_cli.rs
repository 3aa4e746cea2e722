//! `scmp policy test`: a policy file evaluated against sample request files offline (no server,
//! no configuration): allowed, warned and refused, and a rule that does not fit the input refused
//! with what is wrong.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use std::process::{Command, Output};

fn scmp(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scmp"))
        .env("SCMP_CONFIG_DIR", dir.join("no-config"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const REQUEST: &str = "operation: guest_create
request:
  name: web-1
  kind: vm
  image: debian-12
  vcpus: VCPUS
  memory_mib: 4096
  disk_gib: 20
  site: fra
  country: DE
  bridge: vmbr0
  tags: [web]
actor: {name: alice, groups: [devs]}
project: {name: web, labels: [env=production]}
tenant: {name: acme}
time: {epoch_ms: 1796190075000, hour: 5, weekday: 3}
";

#[test]
fn a_policy_is_tested_against_a_sample_request_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, body: &str| {
        let p = d.join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let small = write("small.yaml", REQUEST.replace("VCPUS", "2").as_str());
    let big = write("big.yaml", REQUEST.replace("VCPUS", "32").as_str());
    let deny = write(
        "deny.yaml",
        "name: small-guests\nenforcement: deny\nbuiltin: {kind: max_size, vcpus: 8}\n",
    );
    let warn = write(
        "warn.yaml",
        "name: ha-in-production\nenforcement: warn\nmessage: production guests want HA\n\
         cedar: |\n  forbid (principal, action, resource)\n  when { context.project.labels.contains(\"env=production\") && !context.request.ha };\n",
    );
    let wrong = write(
        "wrong.yaml",
        "name: wrong\nenforcement: deny\ncedar: \"forbid (principal, action, resource) when { context.request.cores > 2 };\"\n",
    );

    let ok = scmp(
        d,
        &[
            "policy",
            "test",
            "--file",
            &deny,
            "--request",
            &small,
            "-o",
            "json",
        ],
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("\"allowed\""), "{}", text(&ok));
    let no = scmp(
        d,
        &[
            "policy",
            "test",
            "--file",
            &deny,
            "--request",
            &big,
            "-o",
            "json",
        ],
    );
    assert!(!no.status.success());
    assert!(
        text(&no).contains("\"refused\"") && text(&no).contains("at most 8 vCPUs"),
        "{}",
        text(&no)
    );
    let warned = scmp(
        d,
        &[
            "policy",
            "test",
            "--file",
            &warn,
            "--request",
            &big,
            "-o",
            "json",
        ],
    );
    assert!(warned.status.success(), "{}", text(&warned));
    assert!(
        text(&warned).contains("\"warned\"") && text(&warned).contains("want HA"),
        "{}",
        text(&warned)
    );
    let bad = scmp(
        d,
        &["policy", "test", "--file", &wrong, "--request", &small],
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("does not fit"), "{}", text(&bad));
}
