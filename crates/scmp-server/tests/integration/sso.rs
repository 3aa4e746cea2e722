//! Single sign-on through an OpenID realm: against the independent `oidc-provider-mock` the whole
//! flow (begin, the provider's form, complete), the user and its groups brought over, the second
//! factor asked for unless the realm trusts the provider's `amr`, and the provider's logout;
//! against a small provider of the tests' own, the PKCE verifier checked at its token endpoint,
//! and every wrong ID token refused (expired, unknown key, other audience, nonce or issuer), a
//! key rotation followed, a state used once and only with its binding.

use reqwest::Method;
use scmp_api::{GroupView, Page, RealmTestView, SessionView, SsoBegun, SsoLogoutView};
use scmp_test_utils::helpers::{create_tenant, quota};
use scmp_test_utils::oidc::{Flaw, OidcMock, TestProvider};
use scmp_test_utils::{Answer, Client, TestContext};
use serde_json::{json, Value};

const CALLBACK: &str = "http://127.0.0.1:9/callback";

async fn realm(c: &Client, name: &str, issuer: &str, extra: Value) {
    let mut openid = json!({"issuer_url": issuer, "client_id": "scmp", "groups_claim": "groups"});
    if let (Some(o), Some(e)) = (openid.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    let body = json!({"name": name, "type": "openid", "tenant": "acme", "openid": openid,
                      "secret": "client-secret"});
    let a = c.send(Method::POST, "/realms", Some(body)).await;
    assert_eq!(a.status, 201, "{}", a.text);
}

async fn begin(c: &Client, realm: &str) -> SsoBegun {
    let a = c
        .anonymous()
        .send(
            Method::POST,
            &format!("/realms/{realm}/sso/begin"),
            Some(json!({"redirect_uri": CALLBACK})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

fn param(url: &url::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn complete(c: &Client, realm: &str, back: &url::Url, binding: &str, extra: Value) -> Answer {
    let mut body =
        json!({"state": param(back, "state"), "code": param(back, "code"), "binding": binding});
    if let (Some(o), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    c.anonymous()
        .send(
            Method::POST,
            &format!("/realms/{realm}/sso/complete"),
            Some(body),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_signs_users_on_with_their_groups() {
    let users = [
        json!({"sub": "alice", "email": "alice@corp.example", "groups": ["devs", "ops"]}),
        json!({"sub": "bob", "email": "bob@corp.example", "groups": ["ops"], "amr": ["pwd", "otp"]}),
    ];
    let Some(mock) = OidcMock::start(&users).await else {
        return;
    };
    let ctx = TestContext::new("sso-mock").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(1, 1, 1, 1)).await;
    realm(admin, "sso", &mock.issuer, json!({"trust_amr": true})).await;
    let t: RealmTestView = admin.act("/realms/sso/test").await;
    assert!(t.ok, "{t:?}");

    let b = begin(admin, "sso").await;
    let url = url::Url::parse(&b.authorization_url).unwrap();
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    assert!(!param(&url, "nonce").is_empty() && param(&url, "state") == b.state);
    let back = mock.sign_in(&b.authorization_url, "alice").await;
    assert!(back.as_str().starts_with(CALLBACK), "{back}");

    // The state needs its binding.
    let a = complete(admin, "sso", &back, "not-the-binding", json!({})).await;
    assert_eq!(a.status, 401, "{}", a.text);
    let a = complete(admin, "sso", &back, &b.binding, json!({})).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let s: SessionView = a.json();
    // Once.
    let again = complete(admin, "sso", &back, &b.binding, json!({})).await;
    assert_eq!(again.status, 401, "{}", again.text);

    let alice = admin.with_token(&s.token);
    let me: Value = alice.get("/me").await;
    assert_eq!(me["name"], "alice-sso");
    let user: Value = admin.get("/users/alice-sso").await;
    assert_eq!(
        (&user["realm"], &user["tenant"]),
        (&json!("sso"), &json!("acme"))
    );
    let groups: Page<GroupView> = admin.get("/groups?tenant=acme").await;
    let names: Vec<String> = groups.items.iter().map(|g| g.name.to_string()).collect();
    assert_eq!(names, ["devs-sso", "ops-sso"]);

    // The provider's logout, for this session.
    let out: SsoLogoutView = alice
        .get("/me/sso-logout?post_logout_redirect_uri=https%3A%2F%2Fportal.example%2F")
        .await;
    let out = out.url.expect("the provider has an end-session endpoint");
    assert!(
        out.starts_with(&format!("{}/oauth2/end_session", mock.issuer)),
        "{out}"
    );
    assert!(
        out.contains("id_token_hint=") && out.contains("post_logout_redirect_uri="),
        "{out}"
    );

    // A tenant that requires a second factor: bob's provider says it checked one (and the realm
    // trusts it); alice's does not, so she gets a session that may only set one up.
    let a = admin
        .send(
            Method::PUT,
            "/tenants/acme",
            Some(json!({"require_mfa": true})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let b = begin(admin, "sso").await;
    let back = mock.sign_in(&b.authorization_url, "bob").await;
    let s: SessionView = complete(admin, "sso", &back, &b.binding, json!({}))
        .await
        .json();
    assert!(!s.mfa_setup);
    let b = begin(admin, "sso").await;
    let back = mock.sign_in(&b.authorization_url, "alice").await;
    let s: SessionView = complete(admin, "sso", &back, &b.binding, json!({}))
        .await
        .json();
    assert!(
        s.mfa_setup,
        "no second factor from the provider: set one up"
    );

    // Every sign-on is audited with the realm and the method.
    let log: Page<Value> = admin.get("/audit?operation=session_create&limit=100").await;
    let ends: Vec<&Value> = log.items.iter().filter(|e| e["phase"] == "end").collect();
    assert!(ends.len() >= 5);
    assert!(
        ends.iter()
            .all(|e| e["credential"]["kind"] == "openid" && e["actor"]["realm"] == "sso"),
        "{ends:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tokens_are_refused_and_keys_rotate() {
    let claims = json!({"sub": "carol", "email": "carol@corp.example", "groups": ["devs"]});
    let provider = TestProvider::start("scmp", claims).await;
    let ctx = TestContext::new("sso-tokens").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(1, 1, 1, 1)).await;
    realm(admin, "idp", &provider.issuer, json!({})).await;

    let sign_on = |flaw: Flaw| {
        let provider = provider.clone();
        async move {
            provider.set_flaw(flaw);
            let b = begin(admin, "idp").await;
            let back = provider.sign_in(&b.authorization_url).await;
            complete(admin, "idp", &back, &b.binding, json!({})).await
        }
    };
    // The provider checks PKCE: a good sign-on passes it.
    let a = sign_on(Flaw::None).await;
    assert_eq!(a.status, 201, "{}", a.text);
    for flaw in [
        Flaw::Expired,
        Flaw::UnknownKey,
        Flaw::OtherAudience,
        Flaw::OtherNonce,
        Flaw::OtherIssuer,
    ] {
        let a = sign_on(flaw).await;
        assert_eq!(a.status, 401, "{flaw:?}: {}", a.text);
        assert!(a.text.contains("ID token"), "{flaw:?}: {}", a.text);
    }
    // A new key: the cached ones do not verify it, the refetched ones do.
    provider.rotate();
    let a = sign_on(Flaw::None).await;
    assert_eq!(a.status, 201, "after a rotation: {}", a.text);

    // A user with an authenticator: the sign-on asks for its code, and the same state, code and
    // binding complete with it (the provider is not asked again).
    let s: SessionView = a.json();
    let carol = admin.with_token(&s.token);
    let e: scmp_api::TotpEnrollment = carol.post("/me/mfa/totp", &json!({})).await;
    let code = |later_s: u64| {
        let totp = totp_rs::Builder::new()
            .with_secret(totp_rs::Secret::try_from_base32(&e.secret).unwrap())
            .build()
            .unwrap();
        let now = scmp_common::Clock::now_ms(&scmp_common::clock::SystemClock) / 1000;
        totp.generate(u64::try_from(now).unwrap() + later_s)
            .to_string()
    };
    let recovery: scmp_api::RecoveryCodes = carol
        .post("/me/mfa/totp/confirm", &json!({"code": code(0)}))
        .await;
    provider.set_flaw(Flaw::None);
    let b = begin(admin, "idp").await;
    let back = provider.sign_in(&b.authorization_url).await;
    let a = complete(admin, "idp", &back, &b.binding, json!({})).await;
    assert_eq!(a.status, 401, "{}", a.text);
    assert!(a.text.contains("mfa-required"), "{}", a.text);
    let a = complete(admin, "idp", &back, &b.binding, json!({"totp": "000000"})).await;
    assert_eq!(a.status, 401, "a wrong code: {}", a.text);
    // The confirmation took this step's code; the next step's is within the skew allowed.
    let a = complete(admin, "idp", &back, &b.binding, json!({"totp": code(30)})).await;
    assert_eq!(a.status, 201, "{}", a.text);

    // A realm that asks for a level (acr_values) accepts only tokens at that level.
    let up = admin
        .send(
            Method::PUT,
            "/realms/idp",
            Some(
                json!({"openid": {"issuer_url": provider.issuer, "client_id": "scmp",
                                   "groups_claim": "groups", "acr_values": "urn:corp:mfa"}}),
            ),
        )
        .await;
    assert_eq!(up.status, 200, "{}", up.text);
    provider.set_claim("acr", json!("urn:corp:password"));
    let b = begin(admin, "idp").await;
    assert_eq!(
        param(
            &url::Url::parse(&b.authorization_url).unwrap(),
            "acr_values"
        ),
        "urn:corp:mfa"
    );
    let back = provider.sign_in(&b.authorization_url).await;
    let a = complete(admin, "idp", &back, &b.binding, json!({})).await;
    assert_eq!(a.status, 401, "{}", a.text);
    assert!(a.text.contains("urn:corp:mfa"), "{}", a.text);
    provider.set_claim("acr", json!("urn:corp:mfa"));
    let b = begin(admin, "idp").await;
    let back = provider.sign_in(&b.authorization_url).await;
    let once = json!({"recovery_code": recovery.codes[0]});
    let a = complete(admin, "idp", &back, &b.binding, once).await;
    assert_eq!(a.status, 201, "at the level asked for: {}", a.text);

    // A redirect that is neither https nor loopback is refused before anything is begun.
    let a = admin
        .anonymous()
        .send(
            Method::POST,
            "/realms/idp/sso/begin",
            Some(json!({"redirect_uri": "http://evil.example/"})),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.field().as_deref(), Some("redirect_uri"));
    // A password login through a provider's realm is refused.
    let a = admin
        .anonymous()
        .send(
            Method::POST,
            "/sessions",
            Some(json!({"username": "carol@idp", "password": "whatever-it-is"})),
        )
        .await;
    assert_eq!(a.status, 401);
}

/// A client of the server that follows no redirects (the test is the browser).
fn browser(ctx: &TestContext) -> reqwest::Client {
    let fp: pve_client::Fingerprint = ctx.fingerprint().parse().unwrap();
    let tls = pve_client::Trust::Fingerprint(fp).client_config().unwrap();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn cookie_of(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_signs_on_through_the_provider() {
    let claims = json!({"sub": "dave", "email": "dave@corp.example"});
    let provider = TestProvider::start("scmp", claims).await;
    let ctx = TestContext::new("sso-portal").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(1, 1, 1, 1)).await;
    realm(admin, "idp", &provider.issuer, json!({})).await;
    let root = admin.base().to_string();
    let http = browser(&ctx);

    let r = http
        .get(format!("{root}/portal/sso/idp"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let set = cookie_of(&r, "scmp_sso").expect("the binding in a cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("Secure") && set.contains("Path=/portal/sso/idp"),
        "{set}"
    );
    let binding = set.split(';').next().unwrap().to_string();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with(&format!("{}/authorize", provider.issuer)),
        "{to}"
    );
    let back = provider.sign_in(&to).await;
    assert!(
        back.as_str()
            .starts_with(&format!("{root}/portal/sso/idp/callback")),
        "{back}"
    );

    // Another browser (no cookie) cannot complete it.
    let r = http.get(back.as_str()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/#/login?sso_error="), "{to}");
    assert!(cookie_of(&r, "scmp_session").is_none());

    // This one can: the portal's session cookie, and the browser goes into the portal.
    let r = http
        .get(back.as_str())
        .header(reqwest::header::COOKIE, &binding)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/#/");
    let session = cookie_of(&r, "scmp_session").expect("a session cookie");
    let session = session.split(';').next().unwrap().to_string();
    let me: Value = http
        .get(format!("{root}/api/v1/me"))
        .header(reqwest::header::COOKIE, &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "dave-idp", "{me}");
}
