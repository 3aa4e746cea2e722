//! Groups: the roles bound to a group hold for its members, while they are members; a tenant's
//! group holds that tenant's users only; deleting a group takes its bindings.

use reqwest::Method;
use scmp_api::{GroupView, Page, RoleBindingView, UserView};
use scmp_test_utils::helpers::{acme_web, create_group, create_user};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

/// bob of acme, with a token, and the project he will be given a role on.
async fn bob(ctx: &TestContext) -> (Client, UserView, String) {
    let p = acme_web(&ctx.admin, 1).await;
    let bob = create_user(&ctx.admin, "bob", Some("acme"), None).await;
    let token = ctx
        .store()
        .await
        .credential_issue(bob.id, scmp_store::CredentialKind::Token, "test", None)
        .await
        .unwrap()
        .text;
    (ctx.admin.with_token(token), bob, p.id.to_string())
}

async fn member_role(ctx: &TestContext, project: &str) -> RoleBindingView {
    ctx.admin
        .post(
            "/role-bindings",
            &json!({"subject": {"group": "devs"}, "role": "member", "scope": {"project": project}}),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_groups_role_holds_for_its_members() {
    let ctx = TestContext::new("group-role").await;
    let (bob_client, bob, project) = bob(&ctx).await;
    let path = format!("/projects/{project}");
    assert_eq!(
        bob_client.send(Method::GET, &path, None).await.status,
        404,
        "no role yet"
    );
    let g = create_group(&ctx.admin, "devs", Some("acme"), &["bob"]).await;
    assert_eq!(g.members, vec![bob.id]);
    let b = member_role(&ctx, &project).await;
    assert_eq!(b.group_id, Some(g.id));
    assert_eq!(bob_client.send(Method::GET, &path, None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_the_group_out_of_the_role() {
    let ctx = TestContext::new("group-leave").await;
    let (bob_client, _, project) = bob(&ctx).await;
    create_group(&ctx.admin, "devs", Some("acme"), &["bob"]).await;
    member_role(&ctx, &project).await;
    let _: GroupView = ctx.admin.put("/groups/devs", &json!({"members": []})).await;
    let a = bob_client
        .send(Method::GET, &format!("/projects/{project}"), None)
        .await;
    assert_eq!(a.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenants_group_holds_that_tenants_users_only() {
    let ctx = TestContext::new("group-members").await;
    bob(&ctx).await;
    create_group(&ctx.admin, "devs", Some("acme"), &["bob"]).await;
    create_user(&ctx.admin, "eve", None, None).await;
    let a = ctx
        .admin
        .send(
            Method::PUT,
            "/groups/devs",
            Some(json!({"members": ["bob", "eve"]})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("members[1]".into()))
    );
    let a = ctx
        .admin
        .send(
            Method::PUT,
            "/groups/devs",
            Some(json!({"members": ["nosuch"]})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("members[0]".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_group_takes_its_bindings() {
    let ctx = TestContext::new("group-delete").await;
    let (_, _, project) = bob(&ctx).await;
    let g = create_group(&ctx.admin, "devs", Some("acme"), &["bob"]).await;
    member_role(&ctx, &project).await;
    ctx.admin.delete("/groups/devs").await;
    let left: Page<RoleBindingView> = ctx.admin.get("/role-bindings").await;
    assert!(left.items.iter().all(|b| b.group_id != Some(g.id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_change_their_own_details_within_the_rules() {
    let ctx = TestContext::new("user-self").await;
    let (bob_client, _, _) = bob(&ctx).await;
    let a = bob_client
        .send(
            Method::PUT,
            "/users/bob",
            Some(json!({"password": "short"})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("password".into()))
    );
    let u: UserView = bob_client
        .put("/users/bob", &json!({"email": "bob@acme.example"}))
        .await;
    assert_eq!(u.email.as_deref(), Some("bob@acme.example"));
}
