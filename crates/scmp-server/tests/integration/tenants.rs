//! Tenants, projects and their quotas.

use reqwest::{Method, StatusCode};
use scmp_api::{Page, ProjectView, QuotaBody, TenantView};
use scmp_test_utils::helpers::{create_project, create_tenant, quota};
use scmp_test_utils::TestContext;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_holds_projects_within_its_quota() {
    let ctx = TestContext::new("tenant-quota").await;
    let t = create_tenant(&ctx.admin, "acme", quota(100, 4096, 500, 20)).await;
    assert_eq!(t.quota.limits.vcpus, 100);
    let p = create_project(&ctx.admin, "acme", "web", quota(60, 2048, 100, 10)).await;
    assert_eq!(p.tenant_id, t.id);
    let q: QuotaBody = ctx.admin.get("/tenants/acme/quota").await;
    assert_eq!(
        q.allocated.vcpus, 60,
        "the project's quota is taken from the tenant's"
    );
    let list: Page<ProjectView> = ctx.admin.get("/tenants/acme/projects").await;
    assert_eq!(list.items.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_beyond_the_tenants_room_is_refused_with_the_numbers() {
    let ctx = TestContext::new("project-refused").await;
    create_tenant(&ctx.admin, "acme", quota(100, 4096, 500, 20)).await;
    create_project(&ctx.admin, "acme", "web", quota(60, 2048, 100, 10)).await;
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/tenants/acme/projects",
            Some(json!({"name": "db", "quota": {"vcpus": 50, "memory_mib": 1, "disk_gib": 1, "guests": 1}})),
        )
        .await;
    assert_eq!(a.status, 422);
    assert_eq!(a.content_type(), "application/problem+json");
    assert_eq!(a.field().as_deref(), Some("quota.vcpus"));
    let detail = a.problem().detail;
    assert!(
        detail.contains("limit 100, allocated 60, requested 50"),
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_name_is_taken_once() {
    let ctx = TestContext::new("tenant-taken").await;
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    let a = ctx
        .admin
        .send(Method::POST, "/tenants", Some(json!({"name": "acme"})))
        .await;
    assert_eq!(a.status, 409, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotas_never_fall_below_what_is_held() {
    let ctx = TestContext::new("quota-floor").await;
    create_tenant(&ctx.admin, "acme", quota(100, 4096, 500, 20)).await;
    let p = create_project(&ctx.admin, "acme", "web", quota(60, 2048, 100, 10)).await;
    let a = ctx
        .admin
        .send(
            Method::PUT,
            "/tenants/acme/quota",
            Some(serde_json::to_value(quota(10, 4096, 500, 20)).unwrap()),
        )
        .await;
    assert_eq!(a.status, 422, "below what projects hold: {}", a.text);
    let q: QuotaBody = ctx
        .admin
        .put(
            &format!("/projects/{}/quota", p.id),
            &quota(30, 1024, 50, 5),
        )
        .await;
    assert_eq!(
        q.limits.vcpus, 30,
        "a project's quota moves within the tenant's"
    );
    let t: TenantView = ctx.admin.get("/tenants/acme").await;
    assert_eq!(
        t.quota.allocated.vcpus, 30,
        "and the tenant gets the rest back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_is_deleted_once_it_has_no_projects() {
    let ctx = TestContext::new("tenant-delete").await;
    create_tenant(&ctx.admin, "acme", quota(10, 10, 10, 10)).await;
    let p = create_project(&ctx.admin, "acme", "web", quota(1, 1, 1, 1)).await;
    let a = ctx.admin.send(Method::DELETE, "/tenants/acme", None).await;
    assert_eq!(a.status, 409, "a tenant with projects stays");
    ctx.admin.delete(&format!("/projects/{}", p.id)).await;
    ctx.admin.delete("/tenants/acme").await;
    let a = ctx.admin.send(Method::GET, "/tenants/acme", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_project_creations_admit_exactly_the_quota() {
    let ctx = TestContext::new("project-race").await;
    create_tenant(&ctx.admin, "acme", quota(100, 100_000, 100_000, 1000)).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let c = ctx.admin.clone();
            tokio::spawn(async move {
                let body = json!({"name": format!("p{i}"), "quota": {"vcpus": 10, "memory_mib": 1, "disk_gib": 1, "guests": 1}});
                c.send(Method::POST, "/tenants/acme/projects", Some(body))
                    .await
                    .status
                    .as_u16()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 10, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 422).count(), 40, "{codes:?}");
}
