//! Changes to a guest: resizing within the quota (the disk only grows), snapshots, cancelling a
//! creation, and retrying a creation safely with an idempotency key.

use std::time::Duration;

use reqwest::Method;
use scmp_api::{GuestView, OperationView, Page, QuotaBody, SnapshotView, TokenView};
use scmp_common::OperationState;
use scmp_test_utils::helpers::{acme_web, create_guest, try_create_guest, vm, wait_operation};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resize_takes_what_grows_from_the_quota() {
    let ctx = TestContext::with_site("resize").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let op: OperationView = ctx
        .admin
        .patch(
            &format!("/guests/{}?wait=30", g.id),
            &json!({"vcpus": 2, "memory_mib": 2048, "disk_gib": 20}),
        )
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &op).await.state,
        OperationState::Succeeded
    );
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(
        (q.used.vcpus, q.used.memory_mib, q.used.disk_gib),
        (2, 2048, 20)
    );
    let now: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
    assert_eq!((now.vcpus, now.memory_mib, now.disk_gib), (2, 2048, 20));
    let on_pve = ctx.site().sim.cluster().guests[&g.vmid.unwrap()].config["cores"].clone();
    assert_eq!(on_pve, "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_only_grows() {
    let ctx = TestContext::with_site("disk-grows").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let a = ctx
        .admin
        .send(
            Method::PATCH,
            &format!("/guests/{}", g.id),
            Some(json!({"disk_gib": 5})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("disk_gib".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_are_taken_listed_and_deleted() {
    let ctx = TestContext::with_site("snapshots").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let op: OperationView = ctx
        .admin
        .post(
            &format!("/guests/{}/snapshots?wait=30", g.id),
            &json!({"name": "before-upgrade"}),
        )
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &op).await.state,
        OperationState::Succeeded
    );
    let snaps: Page<SnapshotView> = ctx.admin.get(&format!("/guests/{}/snapshots", g.id)).await;
    assert_eq!(snaps.items[0].name, "before-upgrade");
    let op: OperationView = ctx
        .admin
        .act(&format!(
            "/guests/{}/snapshots/before-upgrade/rollback?wait=30",
            g.id
        ))
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &op).await.state,
        OperationState::Succeeded
    );
    let a = ctx
        .admin
        .send(
            Method::DELETE,
            &format!("/guests/{}/snapshots/before-upgrade?wait=30", g.id),
            None,
        )
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &a.json()).await.state,
        OperationState::Succeeded
    );
    let snaps: Page<SnapshotView> = ctx.admin.get(&format!("/guests/{}/snapshots", g.id)).await;
    assert!(snaps.items.is_empty());
    let a = ctx
        .admin
        .send(
            Method::POST,
            &format!("/guests/{}/snapshots", g.id),
            Some(json!({"name": "current"})),
        )
        .await;
    assert_eq!((a.status.as_u16(), a.field()), (400, Some("name".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_creation_is_undone() {
    // Real-looking task times: the clone takes about a second and a half.
    let ctx = TestContext::builder("cancel")
        .sites(1)
        .time_scale(1.0)
        .start()
        .await;
    let p = acme_web(&ctx.admin, 5).await;
    let a = try_create_guest(&ctx.admin, &p, &vm("web1")).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op: OperationView = a.json();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let a = ctx
        .admin
        .send(Method::POST, &format!("/operations/{}/cancel", op.id), None)
        .await;
    assert!(a.status.is_success(), "{}", a.text);
    let done = wait_operation(&ctx.admin, &op).await;
    assert_eq!(done.state, OperationState::Cancelled, "{done:?}");
    assert!(ctx.site().guests().is_empty(), "{:?}", ctx.site().guests());
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 0);
    let a = ctx
        .admin
        .send(Method::POST, &format!("/operations/{}/cancel", op.id), None)
        .await;
    assert_eq!(a.status, 409, "an ended operation stays ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_creates_once() {
    let ctx = TestContext::with_site("idempotency").await;
    let p = acme_web(&ctx.admin, 5).await;
    let url = format!("{}/api/v1/projects/{}/guests", ctx.admin.base(), p.id);
    let post = |token: String, key: &str, body: Value| {
        let req = ctx
            .admin
            .http()
            .post(url.clone())
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            let replayed = r.headers().contains_key("idempotent-replayed");
            let st = r.status().as_u16();
            (st, replayed, r.json::<Value>().await.unwrap())
        }
    };
    let admin = ctx.admin.token().unwrap().to_string();
    let web1 = serde_json::to_value(vm("web1")).unwrap();
    let (st1, r1, op1) = post(admin.clone(), "create-web1", web1.clone()).await;
    let (st2, r2, op2) = post(admin.clone(), "create-web1", web1.clone()).await;
    assert!(st1 == 202 || st1 == 200, "{op1}");
    assert_eq!(
        (st2, r1, r2),
        (st1, false, true),
        "the same answer, replayed"
    );
    assert_eq!(op1["id"], op2["id"], "one operation");
    let (st, _, b) = post(
        admin,
        "create-web1",
        serde_json::to_value(vm("web2")).unwrap(),
    )
    .await;
    assert_eq!(st, 422, "a key used for another request: {b}");
    wait_operation(&ctx.admin, &serde_json::from_value(op1).unwrap()).await;
    let guests: Page<GuestView> = ctx.admin.get(&format!("/projects/{}/guests", p.id)).await;
    assert_eq!(guests.items.len(), 1);
    // Another caller's key is another key.
    let t: TokenView = ctx.admin.post("/tokens", &json!({"name": "second"})).await;
    let (st, _, _) = post(t.secret.unwrap(), "create-web1", web1).await;
    assert_eq!(st, 409, "a new request: the name is taken");
}
