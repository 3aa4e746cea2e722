//! A guest's life on a simulated cluster: a dry run, creation where placement says, its identity
//! on Proxmox, its audit trail, power actions, and deletion that leaves nothing.

use reqwest::Method;
use scmp_api::{AuditEntryView, GuestView, OperationView, Page, PlacementView, QuotaBody};
use scmp_common::{AuthMethod, GuestState, OperationState};
use scmp_test_utils::helpers::{acme_web, create_guest, guest_action, vm, wait_operation};
use scmp_test_utils::TestContext;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_says_where_and_takes_nothing() {
    let ctx = TestContext::with_site("dry-run").await;
    let p = acme_web(&ctx.admin, 5).await;
    let preview: PlacementView = ctx
        .admin
        .post(
            &format!("/projects/{}/guests?dry_run=true", p.id),
            &vm("web1"),
        )
        .await;
    assert_eq!(
        (preview.site.as_str(), preview.cluster.as_str()),
        ("fra", "fra-1")
    );
    assert!(
        preview.reason.contains("hosts passed every filter"),
        "{preview:?}"
    );
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 0, "a dry run takes no quota");
    let none: Page<GuestView> = ctx.admin.get(&format!("/projects/{}/guests", p.id)).await;
    assert!(none.items.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_guest_runs_where_placement_put_it() {
    let ctx = TestContext::with_site("created").await;
    let p = acme_web(&ctx.admin, 5).await;
    let op: OperationView = ctx
        .admin
        .post(&format!("/projects/{}/guests?wait=30", p.id), &vm("web1"))
        .await;
    let op = wait_operation(&ctx.admin, &op).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    assert!(!op.tasks.is_empty(), "UPIDs recorded");
    let g: GuestView = ctx
        .admin
        .get(&format!("/guests/{}", op.guest_id.unwrap()))
        .await;
    assert_eq!(g.state, GuestState::Running);
    let placed = g.placement.clone().unwrap();
    assert_eq!(
        (placed.cluster.as_str(), placed.host.as_str()),
        ("fra-1", g.host.as_deref().unwrap())
    );
    assert!(
        g.addresses[0].starts_with("10.20."),
        "the address its guest agent reports: {g:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_carries_its_identity_on_proxmox() {
    let ctx = TestContext::with_site("identity").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let c = ctx.site().sim.cluster();
    let on_pve = &c.guests[&g.vmid.unwrap()];
    let tags = on_pve.config.get("tags").cloned().unwrap_or_default();
    assert!(
        tags.contains(&format!("scmp-{}", g.id)) && tags.contains("tenant-acme"),
        "{tags}"
    );
    assert!(on_pve.config["description"].contains(&g.id.to_string()));
    assert_eq!(on_pve.config["cores"], "1");
    assert!(on_pve.config.contains_key("sshkeys"));
    assert!(c.pools.contains_key("scmp-acme"), "the tenant's pool");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guests_trail_links_the_request_and_the_proxmox_side() {
    let ctx = TestContext::with_site("trail").await;
    let p = acme_web(&ctx.admin, 5).await;
    let op: OperationView = ctx
        .admin
        .post(&format!("/projects/{}/guests?wait=30", p.id), &vm("web1"))
        .await;
    let op = wait_operation(&ctx.admin, &op).await;
    let log: Page<AuditEntryView> = ctx.admin.get("/audit?operation=guest_create").await;
    assert!(log
        .items
        .iter()
        .any(|a| a.credential.kind == AuthMethod::Workflow
            && a.actor.name.as_deref() == Some("admin")
            && a.request_id == op.request_id
            && a.target.as_str().contains("UPID:")));
    let trail: Page<AuditEntryView> = ctx
        .admin
        .get(&format!("/audit?guest={}", op.guest_id.unwrap()))
        .await;
    assert_eq!(
        trail.items.len(),
        3,
        "begin, end, workflow: {:?}",
        trail.items
    );
    assert!(trail.items.iter().all(|a| a.request_id == op.request_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_actions_stop_start_and_reboot_a_guest() {
    let ctx = TestContext::with_site("power").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    for (action, state) in [
        ("stop", GuestState::Stopped),
        ("start", GuestState::Running),
        ("shutdown", GuestState::Stopped),
        ("start", GuestState::Running),
        ("reboot", GuestState::Running),
    ] {
        let op = guest_action(&ctx.admin, g.id, action).await;
        assert_eq!(op.state, OperationState::Succeeded, "{action}: {op:?}");
        let now: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
        assert_eq!(now.state, state, "after {action}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_guest_leaves_nothing_and_frees_its_quota() {
    let ctx = TestContext::with_site("delete").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let a = ctx
        .admin
        .send(Method::DELETE, &format!("/guests/{}?wait=30", g.id), None)
        .await;
    let op = wait_operation(&ctx.admin, &a.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    assert!(ctx.site().guests().is_empty(), "{:?}", ctx.site().guests());
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 0);
    let a = ctx
        .admin
        .send(Method::GET, &format!("/guests/{}", g.id), None)
        .await;
    assert_eq!(a.status, 404);
}

/// Every saga step (and undo) run twice gives the same result: the second run finds its work done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_holds_with_every_step_run_twice() {
    let ctx = TestContext::builder("twice")
        .sites(1)
        .repeat_steps()
        .start()
        .await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    assert_eq!(ctx.site().guests().len(), 1, "created once");
    for action in ["stop", "start"] {
        assert_eq!(
            guest_action(&ctx.admin, g.id, action).await.state,
            OperationState::Succeeded
        );
    }
    let resize: OperationView = ctx
        .admin
        .patch(
            &format!("/guests/{}?wait=30", g.id),
            &serde_json::json!({"vcpus": 2}),
        )
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &resize).await.state,
        OperationState::Succeeded
    );
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.vcpus, 2, "taken once");
    let a = ctx
        .admin
        .send(Method::DELETE, &format!("/guests/{}?wait=30", g.id), None)
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &a.json()).await.state,
        OperationState::Succeeded
    );
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!((q.used.guests, q.used.vcpus), (0, 0), "released once");
    assert!(ctx.site().guests().is_empty());
}
