//! The portal's pages and its cookie login: HttpOnly, Secure, SameSite=Strict; changes need the
//! CSRF value; logging out revokes the session and clears the cookies.

use reqwest::Method;
use scmp_test_utils::helpers::create_user;
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

/// The cookies a portal login sets, as one `Cookie` header, the CSRF value, and the raw headers.
fn portal_cookies(resp: &reqwest::Response) -> (String, String, Vec<String>) {
    let set: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let value = |name: &str| {
        set.iter()
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .and_then(|rest| rest.split(';').next())
            .unwrap_or_default()
            .to_string()
    };
    let csrf = value("scmp_csrf");
    (
        format!("scmp_session={}; scmp_csrf={csrf}", value("scmp_session")),
        csrf,
        set,
    )
}

async fn login(ctx: &TestContext, body: Value) -> reqwest::Response {
    ctx.admin
        .http()
        .post(format!("{}/portal/session", ctx.admin.base()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_pages_are_served_from_the_binary() {
    let ctx = TestContext::new("portal-pages").await;
    let page = ctx
        .admin
        .anonymous()
        .request_url(Method::GET, "/", None)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("/portal/js/main.js"));
    let js = ctx
        .admin
        .anonymous()
        .request_url(Method::GET, "/portal/js/main.js", None)
        .await;
    assert!(js.content_type().starts_with("text/javascript"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_portal_login_says_what_is_wrong() {
    let ctx = TestContext::new("portal-bad-login").await;
    assert_eq!(
        login(&ctx, json!({"username": "admin"})).await.status(),
        400
    );
    assert_eq!(
        login(&ctx, json!({"token": "scmp_nope_nope"}))
            .await
            .status(),
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_session_needs_the_csrf_value_to_change_anything() {
    let ctx = TestContext::new("portal-csrf").await;
    let r = login(&ctx, json!({"token": ctx.admin.token().unwrap()})).await;
    assert_eq!(r.status(), 201);
    let (cookie, csrf, set) = portal_cookies(&r);
    assert!(set.iter().any(|c| c.starts_with("scmp_session=")
        && c.contains("HttpOnly")
        && c.contains("Secure")
        && c.contains("SameSite=Strict")));
    assert!(set
        .iter()
        .any(|c| c.starts_with("scmp_csrf=") && !c.contains("HttpOnly")));
    let with_cookie = |m: Method, path: &str, csrf: Option<&str>| {
        let mut r = ctx
            .admin
            .http()
            .request(m, format!("{}{path}", ctx.admin.base()))
            .header("cookie", &cookie)
            .json(&json!({"name": "from-portal"}));
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.send()
    };
    let r = with_cookie(Method::GET, "/api/v1/me", None).await.unwrap();
    assert_eq!(r.status(), 200, "reads need no CSRF value");
    for bad in [None, Some("0000")] {
        let r = with_cookie(Method::POST, "/api/v1/tokens", bad)
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let p: Value = r.json().await.unwrap();
        assert!(p["type"].as_str().unwrap().ends_with("/csrf"), "{p}");
    }
    let r = with_cookie(Method::POST, "/api/v1/tokens", Some(&csrf))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_logout_revokes_the_session_and_clears_the_cookies() {
    let ctx = TestContext::new("portal-logout").await;
    create_user(&ctx.admin, "pat", None, Some("a long enough password")).await;
    let r = login(
        &ctx,
        json!({"username": "pat", "password": "a long enough password"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let (cookie, csrf, _) = portal_cookies(&r);
    let me = |cookie: String| {
        ctx.admin
            .http()
            .get(format!("{}/api/v1/me", ctx.admin.base()))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(me(cookie.clone()).await.unwrap().status(), 200);
    let out = ctx
        .admin
        .http()
        .delete(format!("{}/portal/session", ctx.admin.base()))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let (_, _, cleared) = portal_cookies(&out);
    assert!(
        cleared.iter().all(|c| c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert_eq!(
        me(cookie).await.unwrap().status(),
        401,
        "the session is revoked"
    );
}
