//! Login sessions: a password becomes a short-lived token; wrong passwords are throttled per user
//! name (unknown names answered the same), every attempt audited, no password ever recorded; the
//! throttle and the session end with time (a clock the test moves).

use std::sync::Arc;

use reqwest::Method;
use scmp_api::{AuditEntryView, MeView, SessionView};
use scmp_common::ManualClock;
use scmp_test_utils::helpers::{create_tenant, create_user, quota};
use scmp_test_utils::TestContext;
use serde_json::json;

const PASSWORD: &str = "correct-horse-battery";

async fn with_alice(ctx: &TestContext) {
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    create_user(&ctx.admin, "alice", Some("acme"), Some(PASSWORD)).await;
}

async fn login(ctx: &TestContext, user: &str, password: &str) -> scmp_test_utils::Answer {
    ctx.admin
        .anonymous()
        .send(
            Method::POST,
            "/sessions",
            Some(json!({"username": user, "password": password})),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_gives_a_session_until_logout() {
    let ctx = TestContext::new("session").await;
    with_alice(&ctx).await;
    let a = login(&ctx, "alice", PASSWORD).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let s: SessionView = a.json();
    let alice = ctx.admin.with_token(&s.token);
    let me: MeView = alice.get("/me").await;
    assert_eq!(me.name.as_str(), "alice");
    let a = alice.send(Method::DELETE, "/sessions", None).await;
    assert_eq!(a.status, 204);
    let a = alice.send(Method::GET, "/me", None).await;
    assert_eq!(a.status, 401, "logged out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_throttled_and_every_attempt_audited() {
    let ctx = TestContext::new("throttle").await;
    with_alice(&ctx).await;
    for _ in 0..5 {
        assert_eq!(login(&ctx, "alice", "wrong-wrong-wrong").await.status, 401);
    }
    let a = login(&ctx, "alice", PASSWORD).await;
    assert_eq!(a.status, 429, "even the right password waits: {}", a.text);
    let a = login(&ctx, "nobody", "whatever-whatever").await;
    assert_eq!(a.status, 401, "unknown users get the same answer");
    let log: Vec<AuditEntryView> = ctx.admin.list_all("/audit").await;
    let logins = log
        .iter()
        .filter(|e| e.operation == "session_create" && e.phase == scmp_common::AuditPhase::End)
        .count();
    assert_eq!(logins, 7);
    assert!(
        !serde_json::to_string(&log)
            .unwrap()
            .contains("wrong-wrong-wrong"),
        "passwords are never recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttle_lifts_after_its_window() {
    let clock = ManualClock::at(1_800_000_000_000);
    let ctx = TestContext::builder("throttle-window")
        .clock(clock.clone() as Arc<dyn scmp_common::Clock>)
        .start()
        .await;
    with_alice(&ctx).await;
    for _ in 0..5 {
        assert_eq!(login(&ctx, "alice", "wrong-wrong-wrong").await.status, 401);
    }
    assert_eq!(login(&ctx, "alice", PASSWORD).await.status, 429);
    clock.advance(5 * 60 * 1000 + 1);
    assert_eq!(login(&ctx, "alice", PASSWORD).await.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_after_eight_hours() {
    let clock = ManualClock::at(1_800_000_000_000);
    let ctx = TestContext::builder("session-expiry")
        .clock(clock.clone() as Arc<dyn scmp_common::Clock>)
        .start()
        .await;
    with_alice(&ctx).await;
    let s: SessionView = login(&ctx, "alice", PASSWORD).await.json();
    assert_eq!(s.expires_at.as_ms(), 1_800_000_000_000 + 8 * 3600 * 1000);
    let alice = ctx.admin.with_token(&s.token);
    clock.advance(8 * 3600 * 1000 - 1);
    assert_eq!(alice.send(Method::GET, "/me", None).await.status, 200);
    clock.advance(1);
    assert_eq!(alice.send(Method::GET, "/me", None).await.status, 401);
}
