//! A second factor: a user enrols an authenticator (TOTP) and confirms it with a first code; from
//! then on a login needs a code besides the password, each code taken once (a replay within its
//! window is refused, one step of skew either way is accepted), or a recovery code, each once.
//! Wrong codes count toward the login throttle, a login not yet sent with a code does not; the
//! secret is sealed at rest; removing the factor needs a code.

use std::sync::Arc;

use reqwest::Method;
use scmp_api::{MfaView, RecoveryCodes, SessionView, TotpEnrollment};
use scmp_common::{Clock, ManualClock};
use scmp_test_utils::helpers::{create_tenant, create_user, quota};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};
use totp_rs::{Builder, Secret};

const PASSWORD: &str = "correct-horse-battery";
const START_MS: i64 = 1_800_000_000_000;

async fn login(ctx: &TestContext, extra: Value) -> scmp_test_utils::Answer {
    let mut body = json!({"username": "alice", "password": PASSWORD});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    ctx.admin
        .anonymous()
        .send(Method::POST, "/sessions", Some(body))
        .await
}

/// A server on a clock the test moves, with the tenant `acme` and its user alice.
async fn with_alice(name: &str) -> (Arc<ManualClock>, TestContext) {
    let clock = ManualClock::at(START_MS);
    let ctx = TestContext::builder(name)
        .clock(clock.clone() as Arc<dyn scmp_common::Clock>)
        .start()
        .await;
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    create_user(&ctx.admin, "alice", Some("acme"), Some(PASSWORD)).await;
    (clock, ctx)
}

/// The code an authenticator app shows at `ms` for the base32 secret.
fn code_at(secret: &str, ms: i64) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    totp.generate(u64::try_from(ms / 1000).unwrap()).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_factor_is_asked_for_taken_once_and_sealed() {
    let (clock, ctx) = with_alice("mfa").await;
    let s: SessionView = login(&ctx, json!({})).await.json();
    let alice = ctx.admin.with_token(&s.token);

    // Enrolment: a secret, its URI and QR code; a wrong first code does not confirm it.
    let a = alice.send(Method::POST, "/me/mfa/totp", None).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let e: TotpEnrollment = a.json();
    assert!(
        e.otpauth_uri.starts_with("otpauth://totp/scmp:alice?")
            && e.otpauth_uri.contains(&format!("secret={}", e.secret))
            && e.otpauth_uri.contains("issuer=scmp"),
        "{}",
        e.otpauth_uri
    );
    assert!(e.qr_svg.contains("<svg"), "a QR code");
    assert_eq!(e.secret.len(), 32, "160 bits in base32");
    let m: MfaView = alice.get("/me/mfa").await;
    assert_eq!((m.totp, m.enrolling), (false, true));
    assert_eq!(
        login(&ctx, json!({})).await.status,
        201,
        "not asked before confirmation"
    );
    let wrong = alice
        .send(
            Method::POST,
            "/me/mfa/totp/confirm",
            Some(json!({"code": "000000"})),
        )
        .await;
    assert_eq!(
        (wrong.status.as_u16(), wrong.field()),
        (400, Some("code".into()))
    );
    let first = code_at(&e.secret, START_MS);
    let a = alice
        .send(
            Method::POST,
            "/me/mfa/totp/confirm",
            Some(json!({"code": first})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let recovery: RecoveryCodes = a.json();
    assert_eq!(recovery.codes.len(), 10);
    let again = alice.send(Method::POST, "/me/mfa/totp", None).await;
    assert_eq!(
        again.status, 409,
        "one authenticator at a time: {}",
        again.text
    );

    // The secret is sealed at rest, the recovery codes hashed.
    let store = ctx.store().await;
    let kept = store
        .totp_get(alice_id(&alice).await)
        .await
        .unwrap()
        .unwrap();
    assert!(!kept.secret_sealed.contains(&e.secret));
    let raw = data_encoding_hex(&e.secret);
    assert!(!kept.secret_sealed.contains(&raw));

    // A login now needs a code: without one it says so (and is not counted as a failure).
    for _ in 0..6 {
        let a = login(&ctx, json!({})).await;
        assert_eq!(a.status, 401, "{}", a.text);
        assert!(a.text.contains("mfa-required"), "{}", a.text);
        assert_eq!(a.field(), Some("totp".into()));
    }
    // The code that confirmed is used: a replay is refused.
    let replay = login(&ctx, json!({"totp": first})).await;
    assert_eq!(replay.status, 401, "{}", replay.text);
    assert!(replay.text.contains("wrong or used"), "{}", replay.text);
    // The next step's code works once.
    clock.advance(30_000);
    let next = code_at(&e.secret, clock.now_ms());
    assert_eq!(login(&ctx, json!({"totp": next})).await.status, 201);
    assert_eq!(
        login(&ctx, json!({"totp": next})).await.status,
        401,
        "taken once"
    );
    // One step of skew: a minute on, the code of half a minute ago still works; one of a minute
    // and a half ago does not.
    clock.advance(60_000);
    let stale = code_at(&e.secret, clock.now_ms() - 60_000);
    assert_eq!(login(&ctx, json!({"totp": stale})).await.status, 401);
    let late = code_at(&e.secret, clock.now_ms() - 30_000);
    assert_eq!(login(&ctx, json!({"totp": late})).await.status, 201);
    // A recovery code works once, typed loosely.
    let rc = recovery.codes[0].to_uppercase().replace('-', "");
    assert_eq!(login(&ctx, json!({"recovery_code": rc})).await.status, 201);
    assert_eq!(login(&ctx, json!({"recovery_code": rc})).await.status, 401);
    let m: MfaView = alice.get("/me/mfa").await;
    assert_eq!((m.totp, m.recovery_codes_left), (true, 9));

    // Wrong codes count toward the throttle (the window past the failures above): then even a
    // good code waits.
    clock.advance(5 * 60_000 + 1);
    for _ in 0..5 {
        assert_eq!(login(&ctx, json!({"totp": "123456"})).await.status, 401);
    }
    let good = code_at(&e.secret, clock.now_ms());
    assert_eq!(login(&ctx, json!({"totp": good})).await.status, 429);

    // Removing the factor needs a code; then a password alone logs in again.
    clock.advance(5 * 60_000 + 1);
    let a = alice
        .send(Method::POST, "/me/mfa/totp/disable", Some(json!({})))
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    let now = code_at(&e.secret, clock.now_ms());
    let a = alice
        .send(
            Method::POST,
            "/me/mfa/totp/disable",
            Some(json!({"code": now})),
        )
        .await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(login(&ctx, json!({})).await.status, 201);

    // Every step is in the audit log.
    let audit: Value = ctx.admin.get("/audit?limit=1000").await;
    let ops: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["operation"].as_str())
        .collect();
    for op in ["mfa_totp_enroll", "mfa_totp_confirm", "mfa_totp_disable"] {
        assert!(ops.contains(&op), "{op} audited");
    }
}

async fn alice_id(alice: &scmp_test_utils::Client) -> scmp_common::UserId {
    let me: scmp_api::MeView = alice.get("/me").await;
    me.id
}

/// The secret as the hex the server seals.
fn data_encoding_hex(base32: &str) -> String {
    let bytes = Secret::try_from_base32(base32).unwrap();
    bytes
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_that_requires_a_second_factor_lets_its_users_only_set_one_up() {
    let (clock, ctx) = with_alice("mfa-required").await;
    let _: Value = ctx
        .admin
        .post(
            "/role-bindings",
            &json!({"subject": {"user": "alice"}, "role": "tenant-admin", "scope": {"tenant": "acme"}}),
        )
        .await;
    let t: scmp_api::TenantView = ctx
        .admin
        .put("/tenants/acme", &json!({"require_mfa": true}))
        .await;
    assert!(t.require_mfa);

    // The password alone gives a short session that may only set up the second factor.
    let s: SessionView = login(&ctx, json!({})).await.json();
    assert!(s.mfa_setup);
    assert_eq!(s.expires_at.as_ms(), START_MS + 15 * 60_000);
    let setup = ctx.admin.with_token(&s.token);
    let a = setup.send(Method::GET, "/tenants/acme", None).await;
    assert!(matches!(a.status.as_u16(), 403 | 404), "{}", a.text);
    let a = setup
        .send(Method::POST, "/tokens", Some(json!({"name": "sneaky"})))
        .await;
    assert_eq!(
        a.status, 403,
        "no token before the second factor: {}",
        a.text
    );
    let e: TotpEnrollment = setup.post("/me/mfa/totp", &json!({})).await;
    let code = code_at(&e.secret, START_MS);
    let a = setup
        .send(
            Method::POST,
            "/me/mfa/totp/confirm",
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = setup.send(Method::GET, "/me", None).await;
    assert_eq!(
        a.status, 401,
        "the set-up session ended with the confirmation"
    );

    // Now a login needs the code, and has the user's rights.
    assert_eq!(login(&ctx, json!({})).await.status, 401);
    clock.advance(30_000);
    let code = code_at(&e.secret, clock.now_ms());
    let s: SessionView = login(&ctx, json!({"totp": code})).await.json();
    assert!(!s.mfa_setup);
    let alice = ctx.admin.with_token(&s.token);
    let a = alice.send(Method::GET, "/tenants/acme", None).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_can_require_a_second_factor_of_its_staff() {
    let (_clock, ctx) = with_alice("mfa-staff").await;
    create_user(&ctx.admin, "sam", None, Some(PASSWORD)).await;
    let bind =
        json!({"subject": {"user": "sam"}, "role": "platform-operator", "scope": "platform"});
    let b = ctx
        .admin
        .send(Method::POST, "/role-bindings", Some(bind))
        .await;
    assert_eq!(b.status, 201, "{}", b.text);
    let as_user = |name: &str| {
        let body = json!({"username": name, "password": PASSWORD});
        let anon = ctx.admin.anonymous();
        async move { anon.send(Method::POST, "/sessions", Some(body)).await }
    };
    let sam: SessionView = as_user("sam").await.json();
    assert!(!sam.mfa_setup);
    let sam = ctx.admin.with_token(&sam.token);
    let seen: Value = sam.get("/platform/settings").await;
    assert_eq!(seen["require_mfa"], false);
    // Operators see the settings; only administrators change them; a tenant's user neither.
    let no = sam
        .send(
            Method::PUT,
            "/platform/settings",
            Some(json!({"require_mfa": true})),
        )
        .await;
    assert_eq!(no.status, 403, "{}", no.text);
    let alice: SessionView = as_user("alice").await.json();
    let alice = ctx.admin.with_token(&alice.token);
    assert_eq!(
        alice
            .send(Method::GET, "/platform/settings", None)
            .await
            .status,
        403
    );
    let on: Value = ctx
        .admin
        .put("/platform/settings", &json!({"require_mfa": true}))
        .await;
    assert_eq!(on["require_mfa"], true);

    // Staff without a second factor now get a session that may only set one up; a tenant's
    // users are the tenant's business.
    let sam: SessionView = as_user("sam").await.json();
    assert!(sam.mfa_setup, "platform staff must set up a second factor");
    let sam = ctx.admin.with_token(&sam.token);
    assert_eq!(
        sam.send(Method::GET, "/platform/settings", None)
            .await
            .status,
        403
    );
    let alice: SessionView = as_user("alice").await.json();
    assert!(!alice.mfa_setup);
    let log: Value = ctx
        .admin
        .get("/audit?operation=platform_settings_update")
        .await;
    assert!(!log["items"].as_array().unwrap().is_empty());
}
