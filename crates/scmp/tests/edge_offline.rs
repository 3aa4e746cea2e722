//! A site cut off from the centre makes and deletes guests on its own within its project's
//! escrowed offline budget (held to the governance policies the centre sent it), with the same
//! `scmp` CLI through a context on the site's API, and
//! the centre takes them in when the link is back: the guest made there gets its record (its
//! identity, placement and VMID as made), its share of the quota moves out of the budget, the
//! one made and deleted there leaves nothing behind, and the project's usage is what exists.

#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::Duration;

use scmp_api::{GuestView, Page, ProjectView, SiteBudgetView};
use scmp_test_utils::edge_site::{out, EdgeSite};
use scmp_test_utils::helpers::acme_web;
use scmp_test_utils::{Client, SimSite, TestContext};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_scmp");

fn cli(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    scmp_test_utils::edge_site::cli(BIN, config, args)
}

/// The guests of the simulated cluster running under `name`.
fn at_site(site: &SimSite, name: &str) -> Vec<(u32, bool)> {
    site.sim
        .cluster()
        .guests
        .iter()
        .filter(|(_, g)| {
            g.config
                .get("name")
                .or(g.config.get("hostname"))
                .map(String::as_str)
                == Some(name)
        })
        .map(|(vmid, g)| (*vmid, g.state == pve_sim::RunState::Running))
        .collect()
}

async fn project_guests(c: &Client, p: &ProjectView) -> Vec<GuestView> {
    let page: Page<GuestView> = c.get(&format!("/projects/{}/guests", p.id)).await;
    page.items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cut_off_site_makes_and_deletes_guests_within_its_budget_and_the_centre_takes_them_in() {
    let ctx = TestContext::new("edge-offline").await;
    let c = &ctx.admin;
    let edge = EdgeSite::start(&ctx, BIN, "edge", true).await;
    let (site, proxy) = (&edge.site, &edge.proxy);
    let (url, fingerprint) = edge.api.clone().unwrap();

    // A project with room for 10 guests, 2 of them (2 vCPUs) escrowed at the site.
    let p = acme_web(c, 10).await;
    // A platform policy the site holds to while cut off.
    let _: serde_json::Value = c
        .post(
            "/policies",
            &json!({"name": "local-names", "enforcement": "deny",
                "builtin": {"kind": "name_pattern", "pattern": "local-*"}}),
        )
        .await;
    let budget = json!({"budget": {"vcpus": 2, "memory_mib": 2048, "disk_gib": 40, "guests": 2}});
    let granted: SiteBudgetView = c
        .put(&format!("/projects/{}/site-budgets/edge", p.id), &budget)
        .await;
    assert_eq!(granted.granted.guests, 2);
    let before: ProjectView = c.get(&format!("/projects/{}", p.id)).await;
    assert_eq!(
        before.quota.used.guests, 2,
        "the grant is reserved centrally"
    );

    // The site learns of the project and its budget from the centre.
    let config = tempfile::tempdir().unwrap();
    let token_file = edge.break_glass_file();
    let login = cli(
        config.path(),
        &[
            "login",
            "--server",
            &url,
            "--fingerprint",
            &fingerprint,
            "--token-file",
            token_file.to_str().unwrap(),
            "--name",
            "edge-local",
        ],
    );
    assert!(login.status.success(), "{}", out(&login));
    let mut known = false;
    for _ in 0..100 {
        let list = cli(config.path(), &["project", "list", "--tenant", "acme"]);
        if out(&list).contains("web") {
            known = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(known, "the site knows the project with a budget there");

    // Cut off: made, refused past the budget, made and deleted, all at the site.
    proxy.cut();
    let project = "acme/web".to_string();
    let create = |name: &str| {
        cli(
            config.path(),
            &[
                "guest",
                "create",
                name,
                "--project",
                &project,
                "--vcpus",
                "1",
                "--memory-mib",
                "1024",
                "--disk-gib",
                "10",
            ],
        )
    };
    let stray = create("stray-1");
    assert!(!stray.status.success(), "a policy holds at the site too");
    assert!(
        out(&stray).contains("local-names") && out(&stray).contains("local-*"),
        "{}",
        out(&stray)
    );
    assert!(at_site(site, "stray-1").is_empty(), "and nothing made");
    let made = create("local-1");
    assert!(made.status.success(), "{}", out(&made));
    let local = at_site(site, "local-1");
    assert_eq!(local.len(), 1, "made on the cluster while cut off");
    let (vmid, running) = local[0];
    assert!(running, "and started");
    let console = cli(
        config.path(),
        &["guest", "console", "local-1", "-o", "json"],
    );
    assert!(console.status.success(), "{}", out(&console));
    let seen: serde_json::Value = serde_json::from_slice(&console.stdout).unwrap();
    assert_eq!(seen["protocol"], "novnc", "{seen}");
    assert!(
        seen["url"]
            .as_str()
            .unwrap()
            .contains(&format!("vmid={vmid}")),
        "{seen}"
    );
    let tmp = create("local-tmp");
    assert!(tmp.status.success(), "{}", out(&tmp));
    let over = create("local-3");
    assert!(!over.status.success(), "past the budget: refused");
    assert!(
        out(&over).contains("budget"),
        "the refusal says why: {}",
        out(&over)
    );
    assert!(at_site(site, "local-3").is_empty(), "and nothing made");
    let gone = cli(config.path(), &["guest", "delete", "local-tmp"]);
    assert!(gone.status.success(), "{}", out(&gone));
    assert!(at_site(site, "local-tmp").is_empty(), "deleted at the site");
    // With room again, the site may make another.
    let again = create("local-2");
    assert!(again.status.success(), "{}", out(&again));

    // Back: the centre takes the site's guests in, exactly as they are.
    proxy.mend();
    let mut taken = Vec::new();
    for _ in 0..200 {
        taken = project_guests(c, &p).await;
        if taken.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut names: Vec<String> = taken.iter().map(|g| g.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["local-1", "local-2"], "{taken:?}");
    let g1 = taken.iter().find(|g| g.name.as_str() == "local-1").unwrap();
    assert_eq!(g1.vmid, Some(vmid));
    assert_eq!(g1.site.as_ref().map(|s| s.as_str()), Some("edge"));
    assert_eq!(g1.state, scmp_common::GuestState::Running);
    assert_eq!((g1.vcpus, g1.memory_mib, g1.disk_gib), (1, 1024, 10));
    // Quota: the two guests, and what is left of the budget, nothing more.
    let after: ProjectView = c.get(&format!("/projects/{}", p.id)).await;
    let budgets: Page<SiteBudgetView> = c.get(&format!("/projects/{}/site-budgets", p.id)).await;
    let left = &budgets.items[0].granted;
    assert_eq!(left.guests, 0, "the budget's share moved into the guests");
    assert_eq!(after.quota.used.guests, 2);
    assert_eq!(after.quota.used.vcpus, 2);
    // The site's entries (two made, one made and deleted) are in the log, verified.
    let verify: serde_json::Value = c.get("/audit/verify").await;
    assert_eq!(verify["state"], "intact", "{verify}");
    assert_eq!(verify["site_entries"], 4, "{verify}");
    // The centre's desired state now includes them: no drift reported, nothing undone.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(at_site(site, "local-1"), vec![(vmid, true)]);
    let g1: GuestView = c.get(&format!("/guests/{}", g1.id)).await;
    assert_eq!(g1.drift, None, "{g1:?}");
    // The centre points at the same console the site did.
    let central: scmp_api::ConsoleView = c.get(&format!("/guests/{}/console", g1.id)).await;
    assert_eq!(central.url, seen["url"].as_str().unwrap());
}
