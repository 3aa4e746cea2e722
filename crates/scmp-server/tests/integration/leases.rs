//! Leases in a clock the test moves: a guest of a sandbox project gets a 10-day lease from the
//! tenant's policy; its owner is warned 2 days before the end, extends it within the policy's
//! limit (not beyond), and when it runs out the guest is stopped, then after the grace
//! decommissioned through the deletion saga with its quota given back. A guest of another
//! project gets no lease.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use scmp_api::{GuestView, LeaseView, PolicyView, ProjectView};
use scmp_common::{Clock, GuestEventKind, GuestState, ManualClock};
use scmp_test_utils::helpers::{
    bind_on_tenant, create_guest, create_project, create_tenant, quota, room_for, tenant_user, vm,
};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

const DAY: i64 = 86_400_000;

/// Polls a guest (bounded, in real time: the server's loops look every second) until `check`
/// holds; `None` when it is gone.
async fn until(
    c: &Client,
    id: &str,
    check: impl Fn(Option<&GuestView>) -> bool,
) -> Option<GuestView> {
    for _ in 0..120 {
        let a = c.send(Method::GET, &format!("/guests/{id}"), None).await;
        let g: Option<GuestView> = (a.status == 200).then(|| a.json());
        if check(g.as_ref()) {
            return g;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("guest {id} did not get there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_warns_extends_within_its_limit_stops_and_decommissions() {
    let clock = ManualClock::at(1_800_000_000_000);
    let ctx = TestContext::builder("leases")
        .clock(clock.clone() as Arc<dyn scmp_common::Clock>)
        .sites(1)
        .start()
        .await;
    create_tenant(&ctx.admin, "acme", room_for(10)).await;
    let web = create_project(&ctx.admin, "acme", "web", quota(8, 8192, 100, 2)).await;
    let sandbox = create_project(&ctx.admin, "acme", "sandbox", quota(8, 8192, 100, 2)).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    let _: ProjectView = alice
        .put(
            &format!("/projects/{}/labels", sandbox.id),
            &json!({"labels": {"env": "sandbox"}}),
        )
        .await;
    let made: PolicyView = alice
        .post(
            "/policies",
            &json!({"name": "sandbox-lease", "tenant": "acme", "enforcement": "lease",
                "builtin": {"kind": "project_labelled", "project_label": "env=sandbox"},
                "lease": {"days": 10, "max_days": 15, "warn_days": 2, "grace_days": 3}}),
        )
        .await;
    assert_eq!(made.lease.unwrap().days, 10);
    let bad = alice
        .send(
            Method::POST,
            "/policies",
            Some(
                json!({"name": "bad-lease", "tenant": "acme", "enforcement": "lease",
                "builtin": {"kind": "required_tags", "tags": ["x"]},
                "lease": {"days": 10, "max_days": 5}}),
            ),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(bad.body["errors"][0]["field"], "lease.max_days");

    let kept = create_guest(&alice, &web, &vm("keeper")).await;
    assert!(kept.lease.is_none(), "{:?}", kept.lease);
    let g = create_guest(&alice, &sandbox, &vm("trial")).await;
    let lease = g.lease.clone().expect("a lease");
    let t0 = clock.now_ms();
    assert_eq!(lease.expires_at, scmp_common::time::from_ms(t0 + 10 * DAY));
    let id = g.id.to_string();

    // Two days before the end, the owner is warned.
    clock.advance(8 * DAY + 1);
    until(&alice, &id, |g| {
        g.is_some_and(|g| {
            g.events
                .iter()
                .any(|e| e.kind == GuestEventKind::LeaseWarning)
        })
    })
    .await;

    // Extended by 3 days (within the 15-day limit); 3 more would pass it.
    let path = format!("/guests/{id}/lease/extend");
    let extended: LeaseView = alice.post(&path, &json!({"days": 3})).await;
    assert_eq!(
        extended.expires_at,
        scmp_common::time::from_ms(t0 + 13 * DAY)
    );
    assert_eq!(extended.state, "active");
    let beyond = alice
        .send(Method::POST, &path, Some(json!({"days": 3})))
        .await;
    assert_eq!(beyond.status, 400, "{}", beyond.text);
    assert_eq!(beyond.body["errors"][0]["field"], "days");

    // At its end the guest is stopped by the platform.
    clock.advance(5 * DAY);
    let stopped = until(&alice, &id, |g| {
        g.is_some_and(|g| g.state == GuestState::Stopped)
    })
    .await;
    let stopped = stopped.unwrap();
    assert_eq!(stopped.lease.unwrap().state, "stopped");
    assert!(stopped
        .events
        .iter()
        .any(|e| e.kind == GuestEventKind::LeaseEnded));

    // After the grace it is decommissioned, its quota given back; the other guest stays.
    clock.advance(3 * DAY);
    until(&alice, &id, |g| g.is_none()).await;
    let p: ProjectView = alice.get(&format!("/projects/{}", sandbox.id)).await;
    assert_eq!(p.quota.used.guests, 0);
    let other: GuestView = alice.get(&format!("/guests/{}", kept.id)).await;
    assert_eq!(other.state, GuestState::Running);
}
