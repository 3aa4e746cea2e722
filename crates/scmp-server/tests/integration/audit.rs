//! The audit trail: every change recorded before it acts and after, refusals too, in a hash
//! chain that holds; filters; what each reader may see of it.

use reqwest::Method;
use scmp_api::{AuditEntryView, AuditVerifyView, Page};
use scmp_common::{AuditPhase, AuditResult, ChainState};
use scmp_test_utils::helpers::{create_tenant, quota, user_with_role};
use scmp_test_utils::TestContext;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_and_refusals_are_audited_before_and_after() {
    let ctx = TestContext::new("audit-trail").await;
    create_tenant(&ctx.admin, "acme", quota(10, 10, 10, 10)).await;
    let refused = ctx
        .admin
        .send(
            Method::POST,
            "/tenants/acme/projects",
            Some(json!({"name": "db", "quota": {"vcpus": 50, "memory_mib": 1, "disk_gib": 1, "guests": 1}})),
        )
        .await;
    assert_eq!(refused.status, 422);
    let log: Vec<AuditEntryView> = ctx.admin.list_all("/audit").await;
    let has = |op: &str, phase: AuditPhase, result: AuditResult| {
        log.iter()
            .any(|e| e.operation == op && e.phase == phase && e.result == result)
    };
    assert!(has(
        "tenant_create",
        AuditPhase::Begin,
        AuditResult::Pending
    ));
    assert!(has("tenant_create", AuditPhase::End, AuditResult::Ok));
    assert!(
        has("project_create", AuditPhase::End, AuditResult::Error),
        "refusals are audited too"
    );
    let end = log
        .iter()
        .find(|e| e.operation == "project_create" && e.phase == AuditPhase::End)
        .unwrap();
    assert_eq!(end.actor.name.as_deref(), Some("admin"));
    assert!(end.error.as_deref().unwrap().contains("quota"), "{end:?}");
    let store = ctx.store().await;
    assert_eq!(store.audit_verify().await.unwrap(), Ok(log.len() as i64));
    let v: AuditVerifyView = ctx.admin.get("/audit/verify").await;
    assert_eq!((v.state, v.entries), (ChainState::Intact, log.len() as i64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_filters_by_operation() {
    let ctx = TestContext::new("audit-filter").await;
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    ctx.admin.delete("/tenants/acme").await;
    let only: Page<AuditEntryView> = ctx.admin.get("/audit?operation=tenant_delete").await;
    assert_eq!(only.items.len(), 2, "begin and end: {:?}", only.items);
    assert!(only.items.iter().all(|e| e.operation == "tenant_delete"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_administrator_reads_its_tenants_entries_only() {
    let ctx = TestContext::new("audit-tenant").await;
    let acme = create_tenant(&ctx.admin, "acme", quota(10, 10, 10, 10)).await;
    let boss = user_with_role(&ctx, "boss", Some(("tenant-admin", Some(acme.id), None))).await;
    let all = boss.send(Method::GET, "/audit", None).await;
    assert_eq!(all.status, 403, "not the platform's log");
    let mine: Page<AuditEntryView> = boss.get("/audit?tenant=acme").await;
    assert!(
        mine.items.iter().all(|e| e.tenant_id == Some(acme.id)),
        "{:?}",
        mine.items
    );
    assert!(
        mine.items.iter().all(|e| e.operation != "tenant_create"),
        "the platform's own entries stay the platform's"
    );
    let verify = boss.send(Method::GET, "/audit/verify", None).await;
    assert_eq!(verify.status, 403);
}
