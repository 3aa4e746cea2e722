//! `scmp agent run` at a site, as its own process: it enrolls with a join token, links out to the
//! centre over mutual TLS (through a proxy that can cut the link), registers the cluster it fronts
//! at its own site, and carries out the centre's work there with the site's own Proxmox VE token
//! (the centre never holds it). A link cut in the middle of an operation delays it; the operation
//! ends once the agent is back, and nothing is carried out twice. A revoked agent is turned away.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::Duration;

use scmp_api::{
    AgentView, Connectivity, GuestView, JoinTokenCreated, OperationView, Page, SiteView,
};
use scmp_common::OperationState;
use scmp_test_utils::agent_process::AgentProcess;
use scmp_test_utils::edge_site::{cluster_through_agent, out, EdgeSite};
use scmp_test_utils::helpers::{acme_web, create_guest, vm, wait_operation};
use scmp_test_utils::{Client, SimSite, TestContext};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_scmp");

async fn link_state(c: &Client, agent: &str) -> AgentView {
    c.get(&format!("/agents/{agent}")).await
}

fn running(site: &SimSite, vmid: u32) -> bool {
    site.sim.cluster().guests.get(&vmid).map(|g| g.state) == Some(pve_sim::RunState::Running)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agent_at_its_site_carries_out_the_centres_work_over_its_link() {
    let ctx = TestContext::new("edge-agent").await;
    let c = &ctx.admin;
    let mut linked = EdgeSite::start(&ctx, BIN, "edge", false).await;
    let cluster = cluster_through_agent(c, "edge").await;
    let (site, proxy) = (&linked.site, &linked.proxy);
    assert_eq!(cluster.name.as_str(), "edge-1");
    let agent_id = cluster.agent.unwrap().to_string();
    // The centre keeps no secret of the site's: it knows the token's id, never its secret.
    let store = ctx.store().await;
    let record = store.cluster_get(cluster.id).await.unwrap();
    assert!(record.token_secret_sealed.is_empty());
    assert_eq!(record.tls_fingerprint, None);
    assert_eq!(
        link_state(c, &agent_id).await.link.state,
        Connectivity::Connected
    );
    let edge: SiteView = c.get("/sites/edge").await;
    let link = edge.link.expect("a site behind an agent has a link");
    assert_eq!(
        (link.state, link.agents, link.connected),
        (Connectivity::Connected, 1, 1)
    );
    let listed: Page<SiteView> = c.get("/sites").await;
    assert_eq!(
        listed.items[0].link.as_ref().map(|l| l.state),
        Some(Connectivity::Connected)
    );

    // A guest made through the agent.
    let p = acme_web(c, 4).await;
    let g = create_guest(c, &p, &vm("web-1")).await;
    assert_eq!(g.cluster.as_ref().map(|n| n.as_str()), Some("edge-1"));
    let vmid = g.vmid.unwrap();
    assert!(running(site, vmid));

    // The link breaks while a stop is under way: the stop waits for the site, and is carried out
    // once when the agent is back.
    proxy.cut();
    let op: OperationView = c.act(&format!("/guests/{}/stop", g.id)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        running(site, vmid),
        "nothing reaches the site while the link is cut"
    );
    let seen = link_state(c, &agent_id).await;
    assert_ne!(seen.link.state, Connectivity::Connected, "{seen:?}");
    assert!(seen.link.last_error.is_some(), "{seen:?}");
    assert!(seen.link.waiting_commands >= 1, "{seen:?}");
    let edge: SiteView = c.get("/sites/edge").await;
    let link = edge.link.unwrap();
    assert_eq!(link.connected, 0, "{link:?}");
    assert!(link.waiting_commands >= 1, "{link:?}");
    proxy.mend();
    assert_eq!(
        wait_operation(c, &op).await.state,
        OperationState::Succeeded
    );
    assert!(!running(site, vmid));
    assert!(
        linked.agent.count("linked") >= 2,
        "{}",
        linked.agent.output()
    );
    let stops = site
        .sim
        .cluster()
        .tasks
        .iter()
        .filter(|t| t.upid.worker_type() == "qmstop" && t.upid.worker_id() == vmid.to_string())
        .count();
    assert_eq!(stops, 1, "stopped once, though the command was sent again");
    let after: GuestView = c.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(after.cluster_id, Some(cluster.id));

    // Revoked, the agent is turned away at once and does not come back.
    let _: AgentView = c.act(&format!("/agents/{agent_id}/revoke")).await;
    let agent = &mut linked.agent;
    let status = agent.wait_exit(Duration::from_secs(20)).await;
    assert!(matches!(status, Some(s) if !s.success()), "{status:?}");
    assert!(agent.output().contains("revoked"), "{}", agent.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn work_for_a_site_whose_agent_stays_away_fails_after_the_configured_wait() {
    let ctx = TestContext::builder("edge-agent-away")
        .agent_link(scmp_server::LinkSettings {
            command_wait: Duration::from_secs(2),
            ..Default::default()
        })
        .start()
        .await;
    let c = &ctx.admin;
    let _: serde_json::Value = c
        .post("/sites", &json!({"name": "edge", "country": "DE"}))
        .await;
    let token: JoinTokenCreated = c.post("/sites/edge/join-tokens", &json!({})).await;
    let site = SimSite::start(0.0).await;
    let dir = tempfile::tempdir().unwrap();
    let server = ctx.agent_base();
    let agent = AgentProcess::start(
        BIN,
        dir.path(),
        &server,
        Some(&token.token),
        &site,
        "edge-1",
    );
    assert!(
        agent.wait_for("linked", Duration::from_secs(30)).await,
        "{}",
        agent.output()
    );
    cluster_through_agent(c, "edge").await;
    let p = acme_web(c, 4).await;
    let g = create_guest(c, &p, &vm("web-1")).await;
    let vmid = g.vmid.unwrap();

    // The site's agent is gone (a power cut at the site): the stop waits, then fails cleanly.
    agent.kill();
    let op: OperationView = c.act(&format!("/guests/{}/stop", g.id)).await;
    let ended = wait_operation(c, &op).await;
    assert_eq!(ended.state, OperationState::Failed, "{ended:?}");
    let error = ended.error.clone().unwrap_or_default();
    assert!(error.contains("not connected"), "{error}");
    assert!(running(&site, vmid), "nothing reached the site");

    // Back again (same directory: no join token needed), the failed stop is not carried out
    // later, and new work goes through.
    let agent = AgentProcess::start(BIN, dir.path(), &server, None, &site, "edge-1");
    assert!(
        agent.wait_for("linked", Duration::from_secs(30)).await,
        "{}",
        agent.output()
    );
    let op: OperationView = c.act(&format!("/guests/{}/reboot", g.id)).await;
    assert_eq!(
        wait_operation(c, &op).await.state,
        OperationState::Succeeded
    );
    assert!(running(&site, vmid), "the stop that failed never happened");
    drop(agent);
}

/// The `scmp` CLI in its own configuration directory.
fn cli(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    scmp_test_utils::edge_site::cli(BIN, config, args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cut_off_site_is_worked_through_its_own_api_and_the_centre_learns_of_it() {
    let ctx = TestContext::new("edge-site-api").await;
    let c = &ctx.admin;
    let edge = EdgeSite::start(&ctx, BIN, "edge", true).await;
    let (site, proxy, agent) = (&edge.site, &edge.proxy, &edge.agent);
    let (url, fingerprint) = edge.api.clone().unwrap();
    let secret = std::fs::read_to_string(edge.break_glass_file()).unwrap();
    let p = acme_web(c, 4).await;
    let g = create_guest(c, &p, &vm("web-1")).await;
    let vmid = g.vmid.unwrap();

    // The site learns of its guest from the centre.
    let local = Client::new(&url, &fingerprint, Some(secret.trim().to_string()));
    let mut known = false;
    for _ in 0..100 {
        let a = local
            .send(
                reqwest::Method::GET,
                &format!("/projects/{}/guests", p.id),
                None,
            )
            .await;
        if a.status == 200 && a.text.contains("web-1") {
            known = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        known,
        "the site's API lists the guest the centre placed there"
    );
    let nobody = local
        .anonymous()
        .send(
            reqwest::Method::GET,
            &format!("/projects/{}/guests", p.id),
            None,
        )
        .await;
    assert_eq!(nobody.status, 401, "{}", nobody.text);
    assert_eq!(nobody.content_type(), "application/problem+json");

    // Cut off, the site is worked with the same CLI through a context on its own API.
    proxy.cut();
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
    let list = cli(
        config.path(),
        &["guest", "list", "--project", &p.id.to_string()],
    );
    assert!(out(&list).contains("web-1"), "{}", out(&list));
    let stop = cli(config.path(), &["guest", "stop", "web-1"]);
    assert!(stop.status.success(), "{}", out(&stop));
    assert!(!running(site, vmid), "stopped at the site while cut off");
    assert!(
        agent.output().contains("break-glass"),
        "audited loudly at the site"
    );

    // Back: the centre has the site's audit entry, and expects the guest stopped (no drift).
    proxy.mend();
    let mut entry = None;
    for _ in 0..100 {
        let page: Page<scmp_api::AuditEntryView> = c.get("/audit?limit=1000").await;
        entry = page
            .items
            .into_iter()
            .find(|e| e.credential.kind == scmp_common::AuthMethod::BreakGlass);
        if entry.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let entry = entry.expect("the site's audit entry reached the centre");
    assert_eq!(entry.operation, "guest_stop");
    assert!(entry.actor.id.contains("break-glass"), "{entry:?}");
    let after: GuestView = c.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(after.state, scmp_common::GuestState::Stopped);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !running(site, vmid),
        "the centre does not undo what the site did"
    );
    // The entry the site wrote, signed by its agent, is kept and verified with the log.
    let verify: serde_json::Value = c.get("/audit/verify").await;
    assert_eq!(verify["state"], "intact", "{verify}");
    assert_eq!(verify["site_entries"], 1, "{verify}");
}
