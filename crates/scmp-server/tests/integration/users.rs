//! Users and role bindings: a tenant's users for a tenant's roles, no escalation beyond the
//! caller's own scope.

use reqwest::Method;
use scmp_api::{Page, UserView};
use scmp_test_utils::helpers::{bind_on_tenant, create_tenant, create_user, quota};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

const PASSWORD: &str = "correct-horse-battery";

async fn acme_and_globex_with_alice(ctx: &TestContext) {
    create_tenant(&ctx.admin, "acme", quota(10, 10, 10, 10)).await;
    create_tenant(&ctx.admin, "globex", quota(0, 0, 0, 0)).await;
    create_user(&ctx.admin, "alice", Some("acme"), Some(PASSWORD)).await;
}

async fn alice(ctx: &TestContext) -> Client {
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    let s: scmp_api::SessionView = ctx
        .admin
        .anonymous()
        .post(
            "/sessions",
            &json!({"username": "alice", "password": PASSWORD}),
        )
        .await;
    ctx.admin.with_token(s.token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_is_at_least_twelve_characters() {
    let ctx = TestContext::new("password-length").await;
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/users",
            Some(json!({"name": "bob", "password": "short"})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("password".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_in_a_tenant_go_only_to_its_users() {
    let ctx = TestContext::new("binding-tenant").await;
    acme_and_globex_with_alice(&ctx).await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/role-bindings",
            Some(json!({"subject": {"user": "alice"}, "role": "tenant-admin", "scope": {"tenant": "globex"}})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("subject.user".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_is_bound_only_at_its_level() {
    let ctx = TestContext::new("binding-level").await;
    acme_and_globex_with_alice(&ctx).await;
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/role-bindings",
            Some(json!({"subject": {"user": "alice"}, "role": "viewer", "scope": "platform"})),
        )
        .await;
    assert_eq!((a.status.as_u16(), a.field()), (400, Some("scope".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_administrator_manages_its_tenants_users_only() {
    let ctx = TestContext::new("user-managers").await;
    acme_and_globex_with_alice(&ctx).await;
    let alice = alice(&ctx).await;
    let carol: UserView = alice
        .post("/users", &json!({"name": "carol", "tenant": "acme"}))
        .await;
    assert_eq!(carol.tenant.as_deref(), Some("acme"));
    let a = alice
        .send(Method::POST, "/users", Some(json!({"name": "mallory"})))
        .await;
    assert_eq!(a.status, 403, "no platform users");
    let a = alice
        .send(
            Method::POST,
            "/role-bindings",
            Some(json!({"subject": {"user": "carol"}, "role": "platform-admin", "scope": "platform"})),
        )
        .await;
    assert_eq!(a.status, 403, "no escalation to the platform");
    let a = alice.send(Method::GET, "/users/admin", None).await;
    assert_eq!(a.status, 404, "platform staff are not hers to see");
    let list: Page<UserView> = alice.get("/users?tenant=acme").await;
    assert_eq!(list.items.len(), 2);
    let a = alice.send(Method::GET, "/users", None).await;
    assert_eq!(a.status, 403, "not every user of the platform");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_deletes_themselves() {
    let ctx = TestContext::new("self-delete").await;
    let a = ctx.admin.send(Method::DELETE, "/users/admin", None).await;
    assert_eq!(a.status, 403, "{}", a.text);
}
