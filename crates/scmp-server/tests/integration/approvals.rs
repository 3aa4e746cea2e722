//! Approvals through the API: a large guest waits for two approvers (a tenant admin and a member
//! of the change board) with its quota reserved; its requester cannot approve it, someone else
//! cannot either, nobody approves twice, and the wizard's dry run says who must. A rejection and
//! a deadline passing (in a clock the test moves) give the quota back; so does withdrawing it.

use std::sync::Arc;

use reqwest::Method;
use scmp_api::{
    ApprovalView, GuestCreate, OperationView, Page, PlacementView, PolicyView, ProjectView,
};
use scmp_common::{ApprovalState, ManualClock, OperationState};
use scmp_test_utils::helpers::{
    acme_web, bind_on_tenant, create_group, tenant_user, try_create_guest, vm, wait_operation,
};
use scmp_test_utils::{Client, TestContext};
use serde_json::{json, Value};

/// A policy of tenant acme that holds guests of more than 2 vCPUs for `required` approvals of a
/// tenant admin or a member of its group `change-board`, within `hours`.
fn big_guests_need_approval(required: u32, hours: u32) -> Value {
    json!({"name": "big-guests", "tenant": "acme", "enforcement": "require_approval",
        "message": "guests of more than 2 vCPUs need the change board",
        "builtin": {"kind": "max_size", "vcpus": 2},
        "approval": {"approvers": [
            {"kind": "role", "role": "tenant-admin", "on": "tenant"},
            {"kind": "group", "group": "change-board"}],
            "required": required, "deadline_hours": hours}})
}

fn big_vm(name: &str) -> GuestCreate {
    GuestCreate {
        vcpus: Some(4),
        ..vm(name)
    }
}

async fn used_vcpus(c: &Client, p: &ProjectView) -> u64 {
    let p: ProjectView = c.get(&format!("/projects/{}", p.id)).await;
    p.quota.used.vcpus
}

async fn held(c: &Client, p: &ProjectView, body: GuestCreate) -> OperationView {
    let a = try_create_guest(c, p, &body).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op: OperationView = a.json();
    assert_eq!(op.state, OperationState::AwaitingApproval, "{op:?}");
    op
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_hold_until_enough_approvers_agree() {
    let ctx = TestContext::with_site("approvals").await;
    let p = acme_web(&ctx.admin, 10).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    let (bob, _) = tenant_user(&ctx, "bob", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "bob", "acme").await;
    let (dave, _) = tenant_user(&ctx, "dave", "acme").await;
    create_group(&ctx.admin, "change-board", Some("acme"), &["dave"]).await;
    let (eve, _) = tenant_user(&ctx, "eve", "acme").await;
    let made: PolicyView = ctx
        .admin
        .post("/policies", &big_guests_need_approval(2, 24))
        .await;
    assert_eq!(made.approval.unwrap().required, Some(2));

    // The wizard's dry run says the request needs approval; a small guest does not.
    let guests = format!("/projects/{}/guests", p.id);
    let preview: PlacementView = alice
        .post(&format!("{guests}?dry_run=true"), &big_vm("big1"))
        .await;
    assert_eq!(preview.policy_approvals.len(), 1, "{preview:?}");
    assert_eq!(preview.policy_approvals[0].policy, "big-guests");
    let small: PlacementView = alice
        .post(&format!("{guests}?dry_run=true"), &vm("small1"))
        .await;
    assert!(small.policy_approvals.is_empty());

    // Held with its quota reserved; the requester sees who must approve.
    let before = used_vcpus(&alice, &p).await;
    let op = held(&alice, &p, big_vm("big1")).await;
    assert_eq!(used_vcpus(&alice, &p).await, before + 4);
    let path = format!("/approvals/{}", op.id);
    let a: ApprovalView = alice.get(&path).await;
    assert_eq!(a.state, ApprovalState::Pending);
    assert_eq!(a.requested_by, "alice");
    assert_eq!(a.requirements[0].required, 2);
    assert_eq!(a.requirements[0].approvers.len(), 2);
    assert!(!a.may_decide, "nobody approves their own request");

    // Not the requester, not someone who is no approver, not twice.
    let own = alice
        .send(Method::POST, &format!("{path}/approve"), Some(json!({})))
        .await;
    assert_eq!(own.status, 403, "{}", own.text);
    let other = eve
        .send(Method::POST, &format!("{path}/approve"), Some(json!({})))
        .await;
    assert!(
        [403, 404].contains(&other.status.as_u16()),
        "{}",
        other.text
    );
    let mine: Page<ApprovalView> = bob.get("/approvals?mine=true").await;
    assert_eq!(mine.items.len(), 1);
    assert!(mine.items[0].may_decide);
    let a: ApprovalView = bob
        .post(
            &format!("{path}/approve"),
            &json!({"comment": "fine by me"}),
        )
        .await;
    assert_eq!(a.state, ApprovalState::Pending);
    assert_eq!(a.requirements[0].approvals, 1);
    let twice = bob
        .send(Method::POST, &format!("{path}/approve"), Some(json!({})))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.text);
    let o: OperationView = alice.get(&format!("/operations/{}", op.id)).await;
    assert_eq!(o.state, OperationState::AwaitingApproval);

    // The second approval (the change board's) lets it run.
    let a: ApprovalView = dave.post(&format!("{path}/approve"), &json!({})).await;
    assert_eq!(a.state, ApprovalState::Approved);
    assert!(a.requirements[0].satisfied);
    assert_eq!(
        wait_operation(&alice, &op).await.state,
        OperationState::Succeeded
    );

    // A rejection needs a reason, and gives the quota back.
    let before = used_vcpus(&alice, &p).await;
    let op = held(&alice, &p, big_vm("big2")).await;
    let path = format!("/approvals/{}", op.id);
    let bare = bob
        .send(Method::POST, &format!("{path}/reject"), Some(json!({})))
        .await;
    assert_eq!(bare.status, 400, "{}", bare.text);
    assert_eq!(bare.body["errors"][0]["field"], "comment");
    let a: ApprovalView = bob
        .post(
            &format!("{path}/reject"),
            &json!({"comment": "too big for now"}),
        )
        .await;
    assert_eq!(a.state, ApprovalState::Rejected);
    let o = wait_operation(&alice, &op).await;
    assert_eq!(o.state, OperationState::Cancelled);
    assert!(
        o.error
            .as_deref()
            .unwrap_or_default()
            .contains("rejected by bob: too big"),
        "{o:?}"
    );
    assert_eq!(used_vcpus(&alice, &p).await, before);
    let late = dave
        .send(Method::POST, &format!("{path}/approve"), Some(json!({})))
        .await;
    assert_eq!(late.status, 409, "{}", late.text);

    // Withdrawn by its requester before anyone decided.
    let op = held(&alice, &p, big_vm("big3")).await;
    let cancelled: OperationView = alice
        .post(&format!("/operations/{}/cancel", op.id), &json!({}))
        .await;
    assert_ne!(cancelled.state, OperationState::AwaitingApproval);
    assert_eq!(
        wait_operation(&alice, &op).await.state,
        OperationState::Cancelled
    );
    let a: ApprovalView = alice.get(&format!("/approvals/{}", op.id)).await;
    assert_eq!(a.state, ApprovalState::Cancelled);
    assert_eq!(used_vcpus(&alice, &p).await, before);

    // Another tenant sees none of it.
    ctx.admin
        .post::<_, Value>(
            "/tenants",
            &json!({"name": "globex", "quota": {"vcpus": 8, "memory_mib": 8192, "disk_gib": 100, "guests": 4}}),
        )
        .await;
    let (mallory, _) = tenant_user(&ctx, "mallory", "globex").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "mallory", "globex").await;
    let theirs: Page<ApprovalView> = mallory.get("/approvals").await;
    assert!(theirs.items.is_empty(), "{theirs:?}");
    let a = mallory.send(Method::GET, &path, None).await;
    assert_eq!(a.status, 404, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_passing_rejects_and_gives_the_quota_back() {
    let clock = ManualClock::at(1_800_000_000_000);
    let ctx = TestContext::builder("approval-expiry")
        .clock(clock.clone() as Arc<dyn scmp_common::Clock>)
        .sites(1)
        .start()
        .await;
    let p = acme_web(&ctx.admin, 10).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    create_group(&ctx.admin, "change-board", Some("acme"), &[]).await;
    let _: PolicyView = ctx
        .admin
        .post("/policies", &big_guests_need_approval(1, 2))
        .await;
    let before = used_vcpus(&alice, &p).await;
    let op = held(&alice, &p, big_vm("big1")).await;
    let a: ApprovalView = alice.get(&format!("/approvals/{}", op.id)).await;
    assert_eq!(
        a.deadline,
        scmp_common::time::from_ms(1_800_000_000_000 + 2 * 3_600_000)
    );
    clock.advance(2 * 3_600_000 + 1);
    let o = wait_operation(&alice, &op).await;
    assert_eq!(o.state, OperationState::Cancelled);
    assert!(
        o.error.as_deref().unwrap_or_default().contains("deadline"),
        "{o:?}"
    );
    let a: ApprovalView = alice.get(&format!("/approvals/{}", op.id)).await;
    assert_eq!(a.state, ApprovalState::Expired);
    assert_eq!(used_vcpus(&alice, &p).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_rules_are_checked_before_they_are_kept() {
    let ctx = TestContext::new("approval-rules").await;
    acme_web(&ctx.admin, 1).await;
    create_group(&ctx.admin, "change-board", Some("acme"), &[]).await;
    create_group(&ctx.admin, "elsewhere", None, &[]).await;
    let refused = |field: &'static str, body: Value| {
        let admin = ctx.admin.clone();
        async move {
            let a = admin.send(Method::POST, "/policies", Some(body)).await;
            assert_eq!(a.status, 400, "{}", a.text);
            assert_eq!(a.body["errors"][0]["field"], field, "{}", a.text);
        }
    };
    let mut no_rule = big_guests_need_approval(1, 1);
    no_rule.as_object_mut().unwrap().remove("approval");
    refused("approval", no_rule).await;
    let mut warn_with_rule = big_guests_need_approval(1, 1);
    warn_with_rule["enforcement"] = json!("warn");
    refused("approval", warn_with_rule).await;
    let mut nobody = big_guests_need_approval(1, 1);
    nobody["approval"]["approvers"] = json!([]);
    refused("approval.approvers", nobody).await;
    let mut no_such_group = big_guests_need_approval(1, 1);
    no_such_group["approval"]["approvers"] = json!([{"kind": "group", "group": "nobody"}]);
    refused("approval.approvers[0]", no_such_group).await;
    let mut no_such_role = big_guests_need_approval(1, 1);
    no_such_role["approval"]["approvers"] =
        json!([{"kind": "role", "role": "overlord", "on": "tenant"}]);
    refused("approval.approvers[0]", no_such_role).await;
    // A platform policy names the platform's groups, not a tenant's.
    let mut platform_wide = big_guests_need_approval(1, 1);
    platform_wide.as_object_mut().unwrap().remove("tenant");
    refused("approval.approvers[1]", platform_wide.clone()).await;
    platform_wide["approval"]["approvers"][1] = json!({"kind": "group", "group": "elsewhere"});
    platform_wide["name"] = json!("platform-wide");
    let _: PolicyView = ctx.admin.post("/policies", &platform_wide).await;
    refused("approval.required", big_guests_need_approval(11, 1)).await;
    refused("approval.deadline_hours", big_guests_need_approval(1, 0)).await;
    let mut plain = big_guests_need_approval(1, 1);
    plain["approval"]["approvers"] =
        json!([{"kind": "role", "role": "tenant-admin", "on": "tenant"}]);
    plain["approval"]["itsm"] =
        json!({"url": "http://tickets.example/changes", "secret": "0123456789abcdef"});
    refused("approval.itsm.url", plain.clone()).await;
    plain["approval"]["itsm"] = json!({"url": "https://tickets.example/changes"});
    refused("approval.itsm.secret", plain.clone()).await;
    plain["approval"]["itsm"] =
        json!({"url": "https://tickets.example/changes", "secret": "0123456789abcdef"});
    let made: PolicyView = ctx.admin.post("/policies", &plain).await;
    let hook = made.approval.unwrap().itsm.unwrap();
    assert_eq!(hook.secret, None, "the secret is never shown");
    // An edit that leaves the secret out keeps it.
    let v2: PolicyView = ctx
        .admin
        .put(
            "/policies/big-guests",
            &json!({"version": 1, "approval": {"approvers": [{"kind": "role", "role": "tenant-admin", "on": "tenant"}],
                "required": 1, "itsm": {"url": "https://tickets.example/v2"}}}),
        )
        .await;
    assert_eq!(
        v2.approval.unwrap().itsm.unwrap().url,
        "https://tickets.example/v2"
    );
}
