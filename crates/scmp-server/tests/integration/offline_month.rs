//! Thirty days cut off, in scaled time: the centre and the site share a clock the test moves a day
//! at a time; the site's link is cut by a proxy, and through the month a cached user makes,
//! deletes, stops, starts and reboots guests at the site within the project's escrowed budget and
//! the identity cache's validity. When the link comes back nothing is lost and nothing counted
//! twice: every entry the site journaled reaches the centre once, the audit log (the sites'
//! chains with it) verifies, the guests made there are the centre's with their quota, and the
//! project's usage is exactly what exists plus what is left of its budget; and what the site saw
//! happen to a guest while cut off (it stopped behind everyone's back) is in its history with the
//! day it was seen.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use scmp_agent::link::{ChainSigner, Journal, LinkOptions, LinkState, Outbox, Up};
use scmp_agent::site_api::{self, SiteApi};
use scmp_api::{
    AuditEntryView, GuestView, Page, ProjectView, SessionView, SiteBudgetView, TokenView,
};
use scmp_common::{Clock, ManualClock, SystemClock};
use scmp_test_utils::helpers::{acme_web, create_group, create_guest, vm};
use scmp_test_utils::link_proxy::LinkProxy;
use scmp_test_utils::{Client, SimSite, TestContext};
use serde_json::json;

use crate::agent_link::{creds, enrolled, hello, Counting};

const DAY: i64 = 86_400_000;

fn running(site: &SimSite, vmid: u32) -> bool {
    site.sim.cluster().guests.get(&vmid).map(|g| g.state) == Some(pve_sim::RunState::Running)
}

fn named(site: &SimSite, name: &str) -> usize {
    site.sim
        .cluster()
        .guests
        .values()
        .filter(|g| g.config.get("name").map(String::as_str) == Some(name))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_days_cut_off_lose_nothing_and_count_nothing_twice() {
    let start = SystemClock::shared().now_ms();
    let clock = ManualClock::at(start);
    let ctx = TestContext::builder("offline-month")
        .clock(clock.clone() as Arc<dyn Clock>)
        .agent_link(scmp_server::LinkSettings {
            identity_validity: Duration::from_millis(31 * DAY as u64),
            ..Default::default()
        })
        .start()
        .await;
    let c = &ctx.admin;
    let e = enrolled(&ctx, "edge").await;
    let site = SimSite::start(0.0).await;
    let proxy = LinkProxy::start(ctx.running.agent_addr.unwrap()).await;

    // The agent, in process: its link through the proxy, its journal, and the site's API on the
    // shared clock.
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(Journal::open(&dir.path().join("journal.sqlite")).unwrap());
    let outbox = Outbox::new(journal.clone());
    let agent = Counting::on(&site, Duration::ZERO);
    let (site_tx, site_rx) = tokio::sync::watch::channel(None);
    let Up::Hello(h) = hello(&e, "edge-1") else {
        unreachable!()
    };
    let options = LinkOptions {
        server: proxy.url(),
        agent: e.enrolled.agent.id,
        cluster: h.cluster,
        backoff: (Duration::from_millis(100), Duration::from_millis(500)),
        connect_timeout: Duration::from_secs(5),
    };
    let (_creds_tx, creds_rx) = tokio::sync::watch::channel(creds(&e));
    let (state, states) = tokio::sync::watch::channel(LinkState::Connecting);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    // The site's tasks on the shared clock: the watcher looks every 100 ms while cut off, the
    // meter every 20 ms (each look closes the hours due).
    let spending = scmp_agent::link::spawn_site_tasks(
        (agent.clone(), outbox.clone()),
        (site_rx.clone(), states),
        clock.clone() as Arc<dyn Clock>,
        scmp_agent::link::SiteTaskPeriods {
            watch: Duration::from_millis(100),
            meter: Duration::from_millis(20),
        },
        stop.clone(),
    );
    let link = tokio::spawn(scmp_agent::link::run(
        options,
        creds_rx,
        agent.clone(),
        outbox.clone(),
        site_tx,
        state,
        stop,
    ));
    let (cert, key) = site_api::self_signed(&["127.0.0.1".into()]).unwrap();
    let api = SiteApi {
        agent,
        outbox,
        signer: ChainSigner::from_pem(&e.key_pem).unwrap(),
        site: site_rx,
        break_glass_sha256: site_api::break_glass_hash("scmpbg_unused"),
        break_glass_user: (scmp_common::UserId::new(), scmp_common::CredentialId::new()),
        pve_endpoint: "https://pve.edge.example:8006".into(),
        clock: clock.clone() as Arc<dyn Clock>,
        authz: site_api::Authorizer::new().unwrap(),
        sessions: Default::default(),
        spending,
    };
    let (addr, _serving) = site_api::serve(api, "127.0.0.1:0".parse().unwrap(), &cert, &key)
        .await
        .unwrap();
    let at_site = Client::new(
        &format!("https://{addr}"),
        &site_api::fingerprint(&cert).unwrap(),
        None,
    );

    // At the centre: a project with a central guest at the site, a 31-day budget there, and a
    // member the site's policy lets it hold.
    scmp_test_utils::edge_site::cluster_through_agent(c, "edge").await;
    let p = acme_web(c, 10).await;
    let web = create_guest(c, &p, &vm("web-1")).await;
    let vmid = web.vmid.unwrap();
    let budget = json!({"budget": {"vcpus": 3, "memory_mib": 3072, "disk_gib": 30, "guests": 3},
        "valid_for_s": 31 * 86_400});
    let _: SiteBudgetView = c
        .put(&format!("/projects/{}/site-budgets/edge", p.id), &budget)
        .await;
    let password = "alice-correct-horse-battery";
    let _: serde_json::Value = c
        .post(
            "/users",
            &json!({"name": "alice", "tenant": "acme", "password": password}),
        )
        .await;
    let _: serde_json::Value = c
        .post(
            "/role-bindings",
            &json!({"subject": {"user": "alice"}, "role": "member", "scope": {"project": p.id.to_string()}}),
        )
        .await;
    let session: SessionView = c
        .anonymous()
        .post(
            "/sessions",
            &json!({"username": "alice", "password": password}),
        )
        .await;
    let token: TokenView = c
        .with_token(session.token)
        .post("/tokens", &json!({"name": "laptop"}))
        .await;
    create_group(c, "edge-ops", Some("acme"), &["alice"]).await;
    let _: scmp_api::SiteView = c
        .put("/sites/edge", &json!({"offline_groups": ["edge-ops"]}))
        .await;
    let alice = at_site.with_token(token.secret.unwrap());
    let mut ready = false;
    for _ in 0..150 {
        let me = alice.send(Method::GET, "/me", None).await;
        let projects = alice
            .send(Method::GET, "/tenants/acme/projects", None)
            .await;
        if me.status == 200 && projects.text.contains(&p.id.to_string()) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the site holds alice and knows the project's budget");

    // Thirty days cut off, a day at a time (the site's watcher takes its first look as the link
    // breaks, before anything changes).
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let create = |name: &str| {
        json!({"name": name, "kind": "vm", "image": "debian-12", "vcpus": 1,
            "memory_mib": 1024, "disk_gib": 10})
    };
    let guests = format!("/projects/{}/guests", p.id);
    let mut done: u64 = 0;
    for day in 1..=30 {
        clock.advance(DAY);
        let step = match day {
            1 => Some((Method::POST, guests.clone(), Some(create("local-1")))),
            5 => Some((Method::POST, format!("/guests/{}/stop", web.id), None)),
            10 => Some((Method::POST, format!("/guests/{}/start", web.id), None)),
            15 => Some((Method::POST, guests.clone(), Some(create("local-2")))),
            20 => Some((Method::DELETE, "/guests/local-2".to_string(), None)),
            25 => Some((Method::POST, guests.clone(), Some(create("local-3")))),
            26 => {
                // local-1 stops behind everyone's back (a crash): the site sees it. First the
                // site must have seen it running (its watcher looks every 100 ms).
                let vmid1 = site
                    .sim
                    .cluster()
                    .guests
                    .values()
                    .find(|g| g.config.get("name").map(String::as_str) == Some("local-1"))
                    .map(|g| g.vmid)
                    .unwrap();
                let seen = |want: &'static str| {
                    let journal = journal.clone();
                    async move {
                        for _ in 0..200 {
                            let hit = journal.unacked().unwrap().iter().any(|(_, b)| {
                                matches!(b, scmp_agent::link::UpBody::Event(e)
                                    if e.vmid == vmid1 && e.detail.contains(want))
                            });
                            if hit {
                                return true;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        false
                    }
                };
                assert!(seen("running").await, "the site saw local-1 running");
                site.sim.cluster().guests.get_mut(&vmid1).unwrap().state =
                    pve_sim::RunState::Stopped;
                assert!(
                    seen("stopped (was running)").await,
                    "the site journaled the crash"
                );
                None
            }
            28 => {
                // The centre withdraws the budget, but the site cannot hear it: what it was
                // told stays reserved, and it makes one more guest in what is left of it.
                c.delete(&format!("/projects/{}/site-budgets/edge", p.id))
                    .await;
                let b: Page<SiteBudgetView> =
                    c.get(&format!("/projects/{}/site-budgets", p.id)).await;
                assert_eq!(b.items[0].granted.guests, 3, "still reserved: {b:?}");
                assert_eq!(
                    b.items[0].pending.as_ref().map(|c| c.granted.guests),
                    Some(0),
                    "the cut waits for the site: {b:?}"
                );
                Some((Method::POST, guests.clone(), Some(create("local-4"))))
            }
            29 => Some((Method::POST, format!("/guests/{}/reboot", web.id), None)),
            _ => None,
        };
        if let Some((method, path, body)) = step {
            let a = alice.send(method, &path, body).await;
            assert_eq!(a.status, 200, "day {day}: {}", a.text);
            assert!(!a.text.contains("\"failed\""), "day {day}: {}", a.text);
            done += 1;
        }
    }
    assert_eq!(
        (
            named(&site, "local-1"),
            named(&site, "local-2"),
            named(&site, "local-3"),
            named(&site, "local-4")
        ),
        (1, 0, 1, 1)
    );
    assert!(running(&site, vmid), "web-1 runs, rebooted on day 29");
    assert!(
        journal.waiting().unwrap() >= done,
        "everything the site did waits for the centre"
    );

    // Day 30: the link is back.
    proxy.mend();
    let mut entries = Vec::new();
    for _ in 0..300 {
        let page: Page<AuditEntryView> = c.get("/audit?limit=1000").await;
        entries = page
            .items
            .into_iter()
            .filter(|e| e.request_id.starts_with("site-"))
            .collect();
        if entries.len() as u64 >= done && journal.waiting().unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut ids: Vec<&str> = entries.iter().map(|e| e.request_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, done, "every entry once: {entries:?}");
    assert_eq!(entries.len() as u64, done, "none twice");
    assert!(entries
        .iter()
        .all(|e| e.actor.name.as_deref() == Some("alice")));
    assert_eq!(journal.waiting().unwrap(), 0, "the journal is empty");
    let verify: serde_json::Value = c.get("/audit/verify").await;
    assert_eq!(verify["state"], "intact", "{verify}");
    assert_eq!(verify["site_entries"], done, "{verify}");

    // The guests the site made are the centre's, the one made after the withdrawal too (its
    // share was still reserved); once the site holds the cut, the budget is gone and the
    // project's usage is exactly what exists.
    let page: Page<GuestView> = c.get(&guests).await;
    let mut names: Vec<String> = page.items.iter().map(|g| g.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["local-1", "local-3", "local-4", "web-1"]);
    let mut left = usize::MAX;
    for _ in 0..100 {
        let b: Page<SiteBudgetView> = c.get(&format!("/projects/{}/site-budgets", p.id)).await;
        left = b.items.len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "withdrawn once the site held it");
    let project: ProjectView = c.get(&format!("/projects/{}", p.id)).await;
    let used = &project.quota.used;
    let vcpus: u64 = page.items.iter().map(|g| g.vcpus).sum();
    let memory: u64 = page.items.iter().map(|g| g.memory_mib).sum();
    assert_eq!(
        (used.guests, used.vcpus, used.memory_mib),
        (4, vcpus, memory)
    );
    let web: GuestView = c.get(&format!("/guests/{}", web.id)).await;
    assert_eq!(web.state, scmp_common::GuestState::Running);
    // What the site saw while cut off is in the guest's history, with the day it was seen.
    let l1 = page
        .items
        .iter()
        .find(|g| g.name.as_str() == "local-1")
        .unwrap();
    let l1: GuestView = c.get(&format!("/guests/{}", l1.id)).await;
    let crash = l1
        .events
        .iter()
        .find(|e| {
            e.kind == scmp_common::GuestEventKind::SeenAtSite
                && e.detail.contains("stopped (was running)")
        })
        .unwrap_or_else(|| panic!("{:?}", l1.events));
    assert_eq!(crash.at.as_ms(), start + 26 * DAY);
    let seen_at_site = l1
        .events
        .iter()
        .filter(|e| e.kind == scmp_common::GuestEventKind::SeenAtSite)
        .count();
    assert_eq!(
        seen_at_site, 2,
        "seen made, then stopped, once each: {:?}",
        l1.events
    );

    // What the guests made at the site held, hour by hour, from their making until they were
    // deleted there (local-2, days 15 to 20) or taken in by the centre (the others, once the
    // link was back on day 30): no hour twice, none missed.
    let store = ctx.store().await;
    let mut usage = Vec::new();
    for _ in 0..300 {
        usage = store
            .usage_of_project(p.id, (start, start + 31 * DAY))
            .await
            .unwrap();
        if usage.iter().filter(|u| u.last).count() == 4 && journal.waiting().unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let id_of = |name: &str| {
        page.items
            .iter()
            .find(|g| g.name.as_str() == name)
            .map(|g| g.id)
    };
    let l2 = usage
        .iter()
        .map(|u| u.guest_id)
        .find(|g| {
            ["local-1", "local-3", "local-4"]
                .iter()
                .all(|n| Some(*g) != id_of(n))
        })
        .expect("local-2's usage");
    let spans = [
        (id_of("local-1").unwrap(), start + DAY, start + 30 * DAY),
        (l2, start + 15 * DAY, start + 20 * DAY),
        (
            id_of("local-3").unwrap(),
            start + 25 * DAY,
            start + 30 * DAY,
        ),
        (
            id_of("local-4").unwrap(),
            start + 28 * DAY,
            start + 30 * DAY,
        ),
    ];
    for (guest, from, to) in spans {
        let mine: Vec<_> = usage.iter().filter(|u| u.guest_id == guest).collect();
        assert_eq!(mine.first().map(|u| u.from_ms), Some(from), "{guest}");
        assert_eq!(
            mine.last().map(|u| (u.to_ms, u.last)),
            Some((to, true)),
            "{guest}"
        );
        assert!(
            mine.windows(2).all(|w| w[0].to_ms == w[1].from_ms),
            "{guest}: contiguous"
        );
        assert_eq!(mine.iter().filter(|u| u.last).count(), 1, "{guest}");
        let hours: i64 = mine.iter().map(|u| u.to_ms - u.from_ms).sum();
        assert_eq!(hours, to - from, "{guest}: every hour once");
        assert!(mine
            .iter()
            .all(|u| (u.vcpus, u.memory_mib, u.disk_gib) == (1, 1024, 10)));
    }
    let mut metered: Vec<_> = usage.iter().map(|u| u.guest_id).collect();
    metered.dedup();
    assert_eq!(metered.len(), 4, "only the guests made at the site");
    link.abort();
}
