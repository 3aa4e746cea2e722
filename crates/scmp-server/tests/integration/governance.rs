//! Governance policies through the API: a platform residency policy refuses a creation naming
//! itself and, once widened in a new version, lets it through; a tenant's warning goes ahead with
//! the warning on the operation and in the wizard's dry run; a project's size limit refuses a
//! resize; bad parameters and rules that do not fit the input are refused at the field; a dry run
//! finds what a stricter policy would have refused; another tenant sees none of it.

use reqwest::Method;
use scmp_api::{
    OperationView, Page, PlacementView, PolicyDryRunReport, PolicyVersionView, PolicyView,
    RoleBindingView,
};
use scmp_common::OperationState;
use scmp_test_utils::helpers::{acme_web, create_tenant, quota, tenant_user, vm, wait_operation};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_refuse_warn_and_version() {
    let ctx = TestContext::with_site("governance").await;
    let p = acme_web(&ctx.admin, 10).await;
    let guests = format!("/projects/{}/guests", p.id);
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    ctx.admin
        .post::<_, RoleBindingView>(
            "/role-bindings",
            &json!({"subject": {"user": "alice"}, "role": "tenant-admin", "scope": {"tenant": "acme"}}),
        )
        .await;

    // The platform keeps guests in France: the site in Germany is refused, naming the policy.
    let made: PolicyView = ctx
        .admin
        .post(
            "/policies",
            &json!({"name": "residency", "enforcement": "deny",
                "builtin": {"kind": "allowed_countries", "countries": ["FR"]}}),
        )
        .await;
    assert_eq!(made.version, 1);
    assert!(made.cedar.contains("forbid"), "{}", made.cedar);
    let body = serde_json::to_value(vm("web1")).unwrap();
    let refused = alice.send(Method::POST, &guests, Some(body.clone())).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["policy"], "residency");
    assert!(refused.body["type"].as_str().unwrap().ends_with("/policy"));
    assert!(refused.text.contains("only in FR"), "{}", refused.text);
    // A stale version is not applied; the current one is.
    let widened = json!({"version": 1,
        "builtin": {"kind": "allowed_countries", "countries": ["FR", "DE"]}});
    let v2: PolicyView = ctx.admin.put("/policies/residency", &widened).await;
    assert_eq!(v2.version, 2);
    let stale = ctx
        .admin
        .send(Method::PUT, "/policies/residency", Some(widened))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let versions: Vec<PolicyVersionView> = ctx.admin.get("/policies/residency/versions").await;
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    let a = alice.send(Method::POST, &guests, Some(body)).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op: OperationView = serde_json::from_value(a.body).unwrap();
    assert_eq!(
        wait_operation(&alice, &op).await.state,
        OperationState::Succeeded
    );

    // The tenant asks for a cost-centre tag: a warning, on the preview and on the operation.
    let _: PolicyView = alice
        .post(
            "/policies",
            &json!({"name": "cost-centre", "tenant": "acme", "enforcement": "warn",
                "message": "tag guests with their cost centre",
                "builtin": {"kind": "required_tags", "tags": ["cc-4711"]}}),
        )
        .await;
    let body = serde_json::to_value(vm("web2")).unwrap();
    let preview: PlacementView = alice.post(&format!("{guests}?dry_run=true"), &body).await;
    assert_eq!(preview.policy_warnings.len(), 1, "{preview:?}");
    assert_eq!(preview.policy_warnings[0].policy, "cost-centre");
    let a = alice.send(Method::POST, &guests, Some(body)).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op: OperationView = serde_json::from_value(a.body).unwrap();
    assert_eq!(op.warnings[0].message, "tag guests with their cost centre");
    wait_operation(&alice, &op).await;

    // The project's guests stay small: a resize beyond is refused.
    let _: PolicyView = alice
        .post(
            "/policies",
            &json!({"name": "web-small", "project": p.id, "enforcement": "deny",
                "builtin": {"kind": "max_size", "vcpus": 2}}),
        )
        .await;
    let g: Value = alice.get(&guests).await;
    let web1 = g["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "web1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = alice
        .send(
            Method::PATCH,
            &format!("/guests/{web1}"),
            Some(json!({"vcpus": 4})),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.body["policy"], "web-small");

    // Production projects need backups: a label makes the project one, and guests without a
    // backup policy are refused there.
    let _: PolicyView = ctx
        .admin
        .post(
            "/policies",
            &json!({"name": "backups-in-production", "enforcement": "deny",
                "builtin": {"kind": "backup_required", "project_label": "env=production"}}),
        )
        .await;
    let body = serde_json::to_value(vm("web3")).unwrap();
    let labels = format!("/projects/{}/labels", p.id);
    let bad = alice
        .send(
            Method::PUT,
            &labels,
            Some(json!({"labels": {"Env": "production"}})),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(bad.body["errors"][0]["field"], "labels.Env");
    let labelled: scmp_api::ProjectView = alice
        .put(&labels, &json!({"labels": {"env": "production"}}))
        .await;
    assert_eq!(labelled.labels["env"], "production");
    let a = alice.send(Method::POST, &guests, Some(body.clone())).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.body["policy"], "backups-in-production");
    let _: scmp_api::ProjectView = alice.put(&labels, &json!({"labels": {}})).await;
    let preview = alice
        .send(Method::POST, &format!("{guests}?dry_run=true"), Some(body))
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    let a = alice
        .send(
            Method::PUT,
            "/tenants/acme/labels",
            Some(json!({"labels": {"tier": "gold"}})),
        )
        .await;
    assert_eq!(
        a.status, 403,
        "tenant labels are the platform's: {}",
        a.text
    );

    // Refused at the field: a parameter out of bounds, a rule that does not fit the input, a
    // platform policy by a tenant administrator.
    for (who, body, status, field) in [
        (
            &alice,
            json!({"name": "bad-country", "tenant": "acme", "enforcement": "deny",
                "builtin": {"kind": "allowed_countries", "countries": ["France"]}}),
            400,
            Some("builtin.countries[0]"),
        ),
        (
            &alice,
            json!({"name": "bad-rule", "tenant": "acme", "enforcement": "deny",
                "cedar": "forbid (principal, action, resource) when { context.request.cpus > 4 };"}),
            400,
            Some("cedar"),
        ),
        (
            &alice,
            json!({"name": "both", "tenant": "acme", "enforcement": "deny",
                "cedar": "forbid (principal, action, resource);",
                "builtin": {"kind": "max_size", "vcpus": 2}}),
            400,
            Some("builtin"),
        ),
        (
            &alice,
            json!({"name": "mine-everywhere", "enforcement": "deny",
                "builtin": {"kind": "max_size", "vcpus": 2}}),
            403,
            None,
        ),
    ] {
        let a = who
            .send(Method::POST, "/policies", Some(body.clone()))
            .await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        if let Some(field) = field {
            assert_eq!(a.body["errors"][0]["field"], field, "{}", a.text);
        }
    }

    // A dry run: a naming rule would have refused both creations.
    let report: PolicyDryRunReport = alice
        .post(
            "/policies/dry-run",
            &json!({"policy": {"name": "db-names", "project": p.id, "enforcement": "deny",
                "builtin": {"kind": "name_pattern", "pattern": "db-*"}}}),
        )
        .await;
    let names: Vec<&str> = report.hits.iter().map(|h| h.guest.as_str()).collect();
    assert!(
        names.contains(&"web1") && names.contains(&"web2"),
        "{report:?}"
    );
    assert!(report.examined >= 2);
    let nothing = alice.send(Method::GET, "/policies/db-names", None).await;
    assert_eq!(nothing.status, 404, "a dry run keeps nothing");

    // A custom Cedar policy at the tenant: containers only in working hours.
    let custom = json!({"name": "office-hours", "tenant": "acme", "enforcement": "deny",
        "message": "containers are made in office hours only",
        "cedar": "forbid (principal, action == Scmp::Action::\"guest_create\", resource)\nwhen { context.request.kind == \"ct\" && (context.time.hour < 0) };"});
    let made = alice.send(Method::POST, "/policies", Some(custom)).await;
    assert_eq!(made.status, 201, "{}", made.text);

    // Another tenant sees the platform's policies, none of acme's.
    let globex = create_tenant(&ctx.admin, "globex", quota(0, 0, 0, 0)).await;
    let (gina, _) = tenant_user(&ctx, "gina", "globex").await;
    ctx.admin
        .post::<_, RoleBindingView>(
            "/role-bindings",
            &json!({"subject": {"user": "gina"}, "role": "tenant-admin", "scope": {"tenant": globex.id}}),
        )
        .await;
    let seen: Page<PolicyView> = gina.get("/policies").await;
    let names: Vec<String> = seen.items.iter().map(|p| p.name.to_string()).collect();
    assert_eq!(names, ["backups-in-production", "residency"]);
    assert_eq!(
        gina.send(Method::GET, "/policies/cost-centre", None)
            .await
            .status,
        404
    );
    let mine: Page<PolicyView> = alice.get("/policies").await;
    assert_eq!(mine.items.len(), 5, "{:?}", mine.items);
    let schema = alice.send(Method::GET, "/policies/schema", None).await;
    assert!(schema.text.contains("backup_policy"), "{}", schema.text);

    let audit: Value = ctx.admin.get("/audit?operation=policy_update").await;
    assert!(audit.to_string().contains("policy"), "{audit}");
}
