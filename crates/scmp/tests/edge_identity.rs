//! A site's identity cache: the centre sends a site only the users its policy allows there (the
//! members of its offline groups), with hashes only; cut off, those users log in at the site with
//! their tokens or their passwords and may do what their roles allow, decided by the platform's
//! own policy engine; a user outside the policy is refused, a revocation reaches the site while
//! it is linked, the cache stops working past its validity, and what a cached user did joins the
//! central audit log under that user's name.

#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::Duration;

use reqwest::Method;
use scmp_api::{AuditEntryView, Page, ProjectView, SessionView, TokenView};
use scmp_test_utils::edge_site::EdgeSite;
use scmp_test_utils::helpers::{acme_web, create_group, create_guest, vm};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_scmp");

/// A user of tenant acme with a password and `role` on the project; its token (made through the
/// API with a session, as a user makes one).
async fn user(c: &Client, p: &ProjectView, name: &str, role: &str) -> String {
    let password = format!("{name}-correct-horse-battery");
    let _: serde_json::Value = c
        .post(
            "/users",
            &json!({"name": name, "tenant": "acme", "password": password}),
        )
        .await;
    let _: serde_json::Value = c
        .post(
            "/role-bindings",
            &json!({"subject": {"user": name}, "role": role, "scope": {"project": p.id.to_string()}}),
        )
        .await;
    let session: SessionView = c
        .anonymous()
        .post(
            "/sessions",
            &json!({"username": name, "password": password}),
        )
        .await;
    let t: TokenView = c
        .with_token(session.token)
        .post("/tokens", &json!({"name": "laptop"}))
        .await;
    t.secret.unwrap()
}

/// Waits (bounded) until `token` is answered `status` by the site's `GET /me`.
async fn until_me(site: &Client, token: &str, status: u16) -> bool {
    for _ in 0..150 {
        let a = site
            .with_token(token.to_string())
            .send(Method::GET, "/me", None)
            .await;
        if a.status == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sites_identity_cache_holds_only_its_policys_users_and_lets_them_work_cut_off() {
    // A short validity, so the test sees the cache run out.
    let ctx = TestContext::builder("edge-identity")
        .agent_link(scmp_server::LinkSettings {
            identity_validity: Duration::from_secs(20),
            ..Default::default()
        })
        .start()
        .await;
    let c = &ctx.admin;
    let edge = EdgeSite::start(&ctx, BIN, "edge", true).await;
    let proxy = &edge.proxy;
    let at_site = edge.api_client();
    let p = acme_web(c, 4).await;
    let g = create_guest(c, &p, &vm("web-1")).await;
    let alice = user(c, &p, "alice", "member").await;
    let carol = user(c, &p, "carol", "viewer").await;
    let bob = user(c, &p, "bob", "member").await;
    // The site's policy: only the members of edge-ops (alice and carol, not bob).
    create_group(c, "edge-ops", Some("acme"), &["alice", "carol"]).await;
    let s: scmp_api::SiteView = c
        .put("/sites/edge", &json!({"offline_groups": ["edge-ops"]}))
        .await;
    assert_eq!(s.offline_groups.len(), 1);
    assert!(until_me(&at_site, &alice, 200).await, "alice is cached");

    // Cut off: alice works with her token, carol may look but not act, bob is not held there.
    proxy.cut();
    let a = at_site.with_token(alice.clone());
    let list = a
        .send(Method::GET, &format!("/projects/{}/guests", p.id), None)
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("web-1"));
    let stop = a
        .send(Method::POST, &format!("/guests/{}/stop", g.id), None)
        .await;
    assert_eq!(stop.status, 200, "{}", stop.text);
    let c_view = at_site
        .with_token(carol.clone())
        .send(Method::GET, &format!("/guests/{}", g.id), None)
        .await;
    assert_eq!(c_view.status, 200, "{}", c_view.text);
    let c_start = at_site
        .with_token(carol.clone())
        .send(Method::POST, &format!("/guests/{}/start", g.id), None)
        .await;
    assert_eq!(
        c_start.status, 403,
        "a viewer may not act: {}",
        c_start.text
    );
    let b_me = at_site
        .with_token(bob.clone())
        .send(Method::GET, "/me", None)
        .await;
    assert_eq!(b_me.status, 401, "bob is outside the site's policy");
    // A password login at the site, checked against the cached hash.
    let wrong = at_site
        .anonymous()
        .send(
            Method::POST,
            "/sessions",
            Some(json!({"username": "carol", "password": "not-her-password"})),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let login = at_site
        .anonymous()
        .send(
            Method::POST,
            "/sessions",
            Some(json!({"username": "carol", "password": "carol-correct-horse-battery"})),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let session: SessionView = serde_json::from_str(&login.text).unwrap();
    assert!(until_me(&at_site, &session.token, 200).await);

    // Back: alice's stop is in the central log under her name; her token revoked reaches the
    // site while it is linked.
    proxy.mend();
    let mut entry = None;
    for _ in 0..100 {
        let page: Page<AuditEntryView> = c.get("/audit?limit=1000").await;
        entry = page
            .items
            .into_iter()
            .find(|e| e.request_id.starts_with("site-") && e.operation == "guest_stop");
        if entry.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let entry = entry.expect("the site's entry reached the centre");
    assert_eq!(entry.actor.name.as_deref(), Some("alice"), "{entry:?}");
    assert_eq!(entry.credential.kind, scmp_common::AuthMethod::Token);
    let tokens: Page<TokenView> = c.get("/tokens?user=alice").await;
    c.delete(&format!("/tokens/{}?user=alice", tokens.items[0].id))
        .await;
    assert!(
        until_me(&at_site, &alice, 401).await,
        "a revoked token is refused at the site"
    );
    assert!(until_me(&at_site, &carol, 200).await, "carol still is");

    // Cut off past the cache's validity: nobody of the cache gets in any more.
    proxy.cut();
    assert!(
        until_me(&at_site, &carol, 401).await || {
            tokio::time::sleep(Duration::from_secs(6)).await;
            until_me(&at_site, &carol, 401).await
        },
        "the cache runs out"
    );
    let verify: serde_json::Value = c.get("/audit/verify").await;
    assert_eq!(verify["state"], "intact", "{verify}");
}
