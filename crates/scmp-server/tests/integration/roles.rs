//! Custom roles through the API: a tenant administrator defines roles for its tenant from rights it
//! holds, binds them inside the tenant only, and every binding follows the role's definition; the
//! platform's roles reach further but are given only by those who hold their rights; a role in use
//! is not deleted; another tenant sees none of it.

use reqwest::Method;
use scmp_api::{MeView, Page, RoleBindingView, RoleDefinition};
use scmp_test_utils::helpers::{acme_web, create_tenant, quota, tenant_user, user_with_role, vm};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

fn bind(user: &str, role: &str, scope: Value) -> Value {
    json!({"subject": {"user": user}, "role": role, "scope": scope})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_admin_defines_roles_from_its_own_rights() {
    let ctx = TestContext::new("custom-roles").await;
    let p = acme_web(&ctx.admin, 2).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    let made = ctx
        .admin
        .send(
            Method::POST,
            "/role-bindings",
            Some(bind("alice", "tenant-admin", json!({"tenant": "acme"}))),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let (bob, _) = tenant_user(&ctx, "bob", "acme").await;

    // Refusals, each naming what is wrong.
    let role = |name: &str, level: &str, actions: &[&str]| json!({"name": name, "level": level, "tenant": "acme", "actions": actions});
    for (body, status, field) in [
        (
            role("quota-raiser", "tenant", &["tenant_quota_update"]),
            403,
            None,
        ),
        (
            role("too-wide", "platform", &["guest_view"]),
            400,
            Some("level"),
        ),
        (
            role("nonsense", "project", &["guest_view", "guest_fly"]),
            400,
            Some("actions[1]"),
        ),
        (
            role("reach", "project", &["project_list"]),
            400,
            Some("actions[0]"),
        ),
        (
            role("viewer", "project", &["guest_view"]),
            400,
            Some("name"),
        ),
        (
            json!({"name": "platform-wide", "level": "project", "actions": ["guest_view"]}),
            403,
            None,
        ),
    ] {
        let a = alice.send(Method::POST, "/roles", Some(body.clone())).await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        if let Some(field) = field {
            assert_eq!(a.body["errors"][0]["field"], field, "{}", a.text);
        }
    }
    let a = alice
        .send(
            Method::POST,
            "/roles",
            Some(role("quota-raiser", "tenant", &["tenant_quota_update"])),
        )
        .await;
    assert!(a.text.contains("tenant_quota_update"), "{}", a.text);

    // A project role made of rights alice holds, bound to bob on the project.
    let made = alice
        .send(
            Method::POST,
            "/roles",
            Some(
                json!({"name": "web-watcher", "level": "project", "tenant": "acme",
                "description": "Watches the web project's guests",
                "actions": ["project_view", "guest_list", "guest_view", "project_quota_view"]}),
            ),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let defined: RoleDefinition = serde_json::from_value(made.body).unwrap();
    assert!(!defined.builtin);
    assert_eq!(defined.actions.len(), 4);
    let guests = format!("/projects/{}/guests", p.id);
    let quota_path = format!("/projects/{}/quota", p.id);
    assert_eq!(bob.send(Method::GET, &guests, None).await.status, 404);
    let binding: RoleBindingView = alice
        .post(
            "/role-bindings",
            &bind("bob", "web-watcher", json!({"project": p.id})),
        )
        .await;
    assert_eq!(bob.send(Method::GET, &guests, None).await.status, 200);
    assert_eq!(bob.send(Method::GET, &quota_path, None).await.status, 200);
    let me: MeView = bob.get("/me").await;
    assert_eq!(me.roles[0].role, "web-watcher");
    assert_eq!(
        bob.send(
            Method::POST,
            &guests,
            Some(serde_json::to_value(vm("x")).unwrap())
        )
        .await
        .status,
        403,
        "creating guests is not in the role"
    );
    // A project role is bound on a project only.
    let a = alice
        .send(
            Method::POST,
            "/role-bindings",
            Some(bind("bob", "web-watcher", json!({"tenant": "acme"}))),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.body["errors"][0]["field"], "scope");

    // A change of the role holds for its bindings at once.
    let changed: RoleDefinition = alice
        .put(
            "/roles/web-watcher",
            &json!({"actions": ["project_view", "guest_list", "guest_view"]}),
        )
        .await;
    assert_eq!(changed.actions.len(), 3);
    assert_eq!(bob.send(Method::GET, &quota_path, None).await.status, 403);
    let a = alice
        .send(
            Method::PUT,
            "/roles/web-watcher",
            Some(json!({"actions": ["guest_view", "tenant_quota_update"]})),
        )
        .await;
    assert_eq!(
        a.status, 400,
        "a project role reaches no tenant: {}",
        a.text
    );

    // In use: not deleted, the binding named.
    let a = alice.send(Method::DELETE, "/roles/web-watcher", None).await;
    assert_eq!(a.status, 409, "{}", a.text);
    assert!(a.text.contains(&binding.id.to_string()), "{}", a.text);
    let gone = alice
        .send(
            Method::DELETE,
            &format!("/role-bindings/{}", binding.id),
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(bob.send(Method::GET, &guests, None).await.status, 404);
    let a = alice.send(Method::DELETE, "/roles/web-watcher", None).await;
    assert_eq!(a.status, 204, "{}", a.text);
    // Built-in roles cannot be changed.
    let a = alice
        .send(
            Method::PUT,
            "/roles/viewer",
            Some(json!({"description": "x"})),
        )
        .await;
    assert_eq!(a.status, 409, "{}", a.text);
    // Every change was audited.
    let audit: Value = ctx.admin.get("/audit?operation=role_create").await;
    assert!(audit.to_string().contains("web-watcher"), "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platforms_roles_are_given_only_by_those_who_hold_their_rights() {
    let mut ctx = TestContext::new("platform-roles").await;
    ctx.add_site("berlin", "DE", 0.0).await;
    acme_web(&ctx.admin, 1).await;
    let globex = create_tenant(&ctx.admin, "globex", quota(0, 0, 0, 0)).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    ctx.admin
        .post::<_, RoleBindingView>(
            "/role-bindings",
            &bind("alice", "tenant-admin", json!({"tenant": "acme"})),
        )
        .await;
    let (bob, _) = tenant_user(&ctx, "bob", "acme").await;
    // A platform role for the infrastructure's readers.
    let _: RoleDefinition = ctx
        .admin
        .post(
            "/roles",
            &json!({"name": "site-reader", "level": "platform",
                "actions": ["site_view", "host_list", "cluster_list"]}),
        )
        .await;
    let carol = user_with_role(&ctx, "carol", None).await;
    let _: RoleBindingView = ctx
        .admin
        .post(
            "/role-bindings",
            &bind("carol", "site-reader", json!("platform")),
        )
        .await;
    assert_eq!(
        carol.send(Method::GET, "/sites/berlin", None).await.status,
        200
    );
    let clusters = carol
        .send(Method::GET, "/sites/berlin/clusters", None)
        .await;
    assert_eq!(clusters.status, 200, "{}", clusters.text);
    let a = carol.send(Method::DELETE, "/sites/berlin", None).await;
    assert_eq!(a.status, 403, "{}", a.text);
    // A tenant-level platform role with a right tenant administrators lack.
    let _: RoleDefinition = ctx
        .admin
        .post(
            "/roles",
            &json!({"name": "quota-keeper", "level": "tenant",
                "actions": ["tenant_view", "tenant_quota_view", "tenant_quota_update"]}),
        )
        .await;
    let roles: Page<RoleDefinition> = alice.get("/roles").await;
    let names: Vec<&str> = roles.items.iter().map(|r| r.name.as_str()).collect();
    assert!(
        names.contains(&"quota-keeper") && names.contains(&"viewer"),
        "{names:?}"
    );
    let a = alice
        .send(
            Method::POST,
            "/role-bindings",
            Some(bind("bob", "quota-keeper", json!({"tenant": "acme"}))),
        )
        .await;
    assert_eq!(
        a.status, 403,
        "nobody grants what they do not hold: {}",
        a.text
    );
    assert!(a.text.contains("tenant_quota_update"), "{}", a.text);
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/role-bindings",
            Some(bind("bob", "quota-keeper", json!({"tenant": "acme"}))),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let raised = bob
        .send(
            Method::PUT,
            "/tenants/acme/quota",
            Some(
                json!({"vcpus": 4096, "memory_mib": 16777216, "disk_gib": 1048576, "guests": 4096, "networks": 64, "public_addresses": 64}),
            ),
        )
        .await;
    assert_eq!(raised.status, 200, "{}", raised.text);
    assert_eq!(
        bob.send(Method::DELETE, "/tenants/acme", None).await.status,
        403
    );
    // Another tenant sees none of acme's roles and cannot bind them.
    let _: RoleDefinition = alice
        .post(
            "/roles",
            &json!({"name": "acme-secret", "level": "tenant", "tenant": "acme",
                "actions": ["tenant_view"]}),
        )
        .await;
    let (gina, _) = tenant_user(&ctx, "gina", "globex").await;
    ctx.admin
        .post::<_, RoleBindingView>(
            "/role-bindings",
            &bind("gina", "tenant-admin", json!({"tenant": globex.id})),
        )
        .await;
    assert_eq!(
        gina.send(Method::GET, "/roles/acme-secret", None)
            .await
            .status,
        404
    );
    let listed = gina.send(Method::GET, "/roles", None).await;
    assert!(!listed.text.contains("acme-secret"), "{}", listed.text);
    let a = gina
        .send(
            Method::POST,
            "/role-bindings",
            Some(bind("gina", "acme-secret", json!({"tenant": globex.id}))),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.body["errors"][0]["field"], "role");
    // Even the platform's administrator binds a tenant's role only inside it.
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/role-bindings",
            Some(bind("gina", "acme-secret", json!({"tenant": globex.id}))),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.text.contains("inside that tenant"), "{}", a.text);
}
