//! API tokens: shown once, stored hashed, revoked for good; a tenant's administrators see and
//! revoke its users' tokens, nobody else's.

use reqwest::Method;
use scmp_api::{MeView, Page, SessionView, TokenCreate, TokenView};
use scmp_test_utils::helpers::{bind_on_tenant, create_tenant, create_user, quota};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

fn ci() -> TokenCreate {
    TokenCreate {
        name: "ci".into(),
        expires_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_shown_once_and_revoked_for_good() {
    let ctx = TestContext::new("token-once").await;
    let t: TokenView = ctx.admin.post("/tokens", &ci()).await;
    let secret = t.secret.clone().unwrap();
    let me: MeView = ctx.admin.with_token(&secret).get("/me").await;
    assert_eq!((me.name.as_str(), me.credential), ("admin", t.id));
    let mine: Page<TokenView> = ctx.admin.get("/tokens").await;
    assert!(mine.items.iter().all(|t| t.secret.is_none()));
    assert!(!serde_json::to_string(&mine).unwrap().contains(&secret));
    ctx.admin.delete(&format!("/tokens/{}", t.id)).await;
    let a = ctx
        .admin
        .with_token(&secret)
        .send(Method::GET, "/me", None)
        .await;
    assert_eq!(a.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_may_not_expire_in_the_past() {
    let ctx = TestContext::new("token-past").await;
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/tokens",
            Some(json!({"name": "old", "expires_at": "2001-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("expires_at".into()))
    );
}

async fn login(c: &Client, user: &str, password: &str) -> Client {
    let s: SessionView = c
        .anonymous()
        .post(
            "/sessions",
            &json!({"username": user, "password": password}),
        )
        .await;
    c.with_token(s.token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_administrators_see_and_revoke_their_users_tokens_only() {
    let ctx = TestContext::new("token-managers").await;
    let password = "a long enough password";
    for (tenant, user) in [("acme", "ann"), ("acme", "bob"), ("globex", "gus")] {
        if user != "bob" {
            create_tenant(&ctx.admin, tenant, quota(1, 1, 1, 1)).await;
        }
        create_user(&ctx.admin, user, Some(tenant), Some(password)).await;
    }
    bind_on_tenant(&ctx.admin, "tenant-admin", "ann", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "gus", "globex").await;
    let ann = login(&ctx.admin, "ann", password).await;
    let bob = login(&ctx.admin, "bob", password).await;
    let gus = login(&ctx.admin, "gus", password).await;
    let t: TokenView = bob.post("/tokens", &ci()).await;
    // Another tenant's administrator does not even learn that bob exists.
    let a = gus.send(Method::GET, "/tokens?user=bob", None).await;
    assert_eq!(a.status, 404);
    let a = gus
        .send(Method::DELETE, &format!("/tokens/{}?user=bob", t.id), None)
        .await;
    assert_eq!(a.status, 404);
    // bob's tenant administrator sees the token (never its secret) and revokes it.
    let list: Page<TokenView> = ann.get("/tokens?user=bob").await;
    assert_eq!(list.items[0].id, t.id);
    assert!(list.items[0].secret.is_none());
    ann.delete(&format!("/tokens/{}?user=bob", t.id)).await;
    let left: Page<TokenView> = bob.get("/tokens").await;
    assert!(left.items.is_empty());
}
