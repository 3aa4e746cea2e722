//! Compliance scans: existing guests are clean until a policy tightens; then a scan reports each
//! violation with the time it was first found (kept by the next scan), as JSON and CSV, with an
//! event on each guest; loosening the policy resolves it at the next scan. Another tenant's
//! administrator sees none of it and cannot scan.

use reqwest::Method;
use scmp_api::{ComplianceReport, GuestView, PolicyView};
use scmp_common::GuestEventKind;
use scmp_test_utils::helpers::{
    acme_web, bind_on_tenant, create_guest, create_tenant, quota, tenant_user, vm,
};
use scmp_test_utils::TestContext;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_after_a_policy_tightens_reports_what_violates_it_since_when() {
    let ctx = TestContext::with_site("compliance").await;
    let p = acme_web(&ctx.admin, 10).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    let web1 = create_guest(&alice, &p, &vm("web1")).await;
    create_guest(&alice, &p, &vm("web2")).await;
    let scan = "/tenants/acme/compliance/scan";
    let clean: ComplianceReport = alice.post(scan, &json!({})).await;
    assert_eq!(clean.guests, 2);
    assert!(clean.violations.is_empty(), "{clean:?}");
    assert!(clean.scanned_at.is_some());

    // The tenant tightens: guests now need a cost-centre tag (warn) and at most 512 MiB (deny).
    for body in [
        json!({"name": "cost-centre", "tenant": "acme", "enforcement": "warn",
            "builtin": {"kind": "required_tags", "tags": ["cc-4711"]}}),
        json!({"name": "tiny", "tenant": "acme", "enforcement": "deny",
            "builtin": {"kind": "max_size", "memory_mib": 512}}),
    ] {
        let _: PolicyView = alice.post("/policies", &body).await;
    }
    let found: ComplianceReport = alice.post(scan, &json!({})).await;
    let mut pairs: Vec<(String, String)> = found
        .violations
        .iter()
        .map(|v| (v.guest.clone(), v.policy.clone()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("web1".into(), "cost-centre".into()),
            ("web1".into(), "tiny".into()),
            ("web2".into(), "cost-centre".into()),
            ("web2".into(), "tiny".into())
        ]
    );
    let tiny = found
        .violations
        .iter()
        .find(|v| v.policy == "tiny")
        .unwrap();
    assert_eq!(tiny.enforcement, "deny");
    let g: GuestView = alice.get(&format!("/guests/{}", web1.id)).await;
    assert!(
        g.events
            .iter()
            .any(|e| e.kind == GuestEventKind::PolicyViolation && e.detail.contains("tiny")),
        "{:?}",
        g.events
    );

    // The next scan keeps when each was first found; the report reads the same.
    let again: ComplianceReport = alice.post(scan, &json!({})).await;
    assert_eq!(again.violations, found.violations);
    let report: ComplianceReport = alice.get("/tenants/acme/compliance").await;
    assert_eq!(report.violations, found.violations);

    // As CSV, one line per violation under a header.
    let csv = alice
        .send(Method::GET, "/tenants/acme/compliance?format=csv", None)
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "tenant,project_id,guest_id,guest,policy,enforcement,message,since"
    );
    assert_eq!(lines.len(), 5, "{}", csv.text);
    assert!(
        lines[1].starts_with(&format!("acme,{},", p.id)),
        "{}",
        lines[1]
    );
    let bad = alice
        .send(Method::GET, "/tenants/acme/compliance?format=xml", None)
        .await;
    assert_eq!(bad.status, 400);

    // Loosened, the next scan resolves what no longer holds.
    alice.delete("/policies/tiny").await;
    let loosened: ComplianceReport = alice.post(scan, &json!({})).await;
    assert_eq!(loosened.violations.len(), 2);
    assert!(loosened
        .violations
        .iter()
        .all(|v| v.policy == "cost-centre"));
    let g: GuestView = alice.get(&format!("/guests/{}", web1.id)).await;
    assert!(g
        .events
        .iter()
        .any(|e| e.kind == GuestEventKind::PolicyResolved && e.detail.contains("tiny")));

    // Another tenant's administrator sees nothing and cannot scan.
    create_tenant(&ctx.admin, "globex", quota(0, 0, 0, 0)).await;
    let (mallory, _) = tenant_user(&ctx, "mallory", "globex").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "mallory", "globex").await;
    for (m, path) in [
        (Method::GET, "/tenants/acme/compliance"),
        (Method::POST, scan),
    ] {
        let a = mallory.send(m, path, Some(json!({}))).await;
        assert_eq!(a.status, 404, "{}", a.text);
    }
}
