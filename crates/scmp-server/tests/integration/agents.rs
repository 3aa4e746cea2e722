//! Enrolling a site's agent: a platform administrator's single-use, expiring join token carries
//! the SHA-256 of the platform's agent CA; redeemed with a certificate request, it gives a
//! short-lived client certificate under that CA naming the token's site, once; staff revoke an
//! agent for good.

use reqwest::Method;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, UnixTime};
use scmp_api::{AgentEnrolled, AgentView, JoinTokenCreated, JoinTokenText, SiteView};
use scmp_test_utils::helpers::user_with_role;
use scmp_test_utils::{Client, TestContext};
use serde_json::json;
use sha2::{Digest, Sha256};

async fn site(c: &Client, name: &str) -> SiteView {
    c.post("/sites", &json!({"name": name, "country": "DE"}))
        .await
}

fn csr() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    rcgen::CertificateParams::new(vec!["ignored.example".to_string()])
        .unwrap()
        .serialize_request(&key)
        .unwrap()
        .pem()
        .unwrap()
}

fn text_secret(token: &str) -> String {
    token.parse::<JoinTokenText>().unwrap().secret
}

/// An enrollment as an agent sends it (no bearer token).
async fn enroll(
    anonymous: &Client,
    join_token: serde_json::Value,
    csr: serde_json::Value,
) -> scmp_test_utils::Answer {
    anonymous
        .send(
            Method::POST,
            "/agent/enroll",
            Some(json!({"join_token": join_token, "csr": csr})),
        )
        .await
}

async fn token(c: &Client, site: &str) -> JoinTokenCreated {
    c.post(&format!("/sites/{site}/join-tokens"), &json!({}))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_token_enrolls_one_agent_for_its_site() {
    let ctx = TestContext::new("agent-enroll").await;
    let fra = site(&ctx.admin, "fra").await;
    let made = token(&ctx.admin, "fra").await;
    let text: JoinTokenText = made.token.parse().unwrap();
    assert_eq!(made.join_token.site, fra.id);
    assert!(made.join_token.used_at.is_none());
    let anonymous = ctx.admin.anonymous();
    // A certificate request that is not one does not use the token up.
    let bad = enroll(
        &anonymous,
        json!(made.token),
        json!("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"),
    )
    .await;
    assert_eq!(
        (bad.status.as_u16(), bad.field()),
        (400, Some("csr".into()))
    );
    let a = enroll(&anonymous, json!(made.token), json!(csr())).await;
    assert_eq!(a.status.as_u16(), 201, "{}", a.text);
    let enrolled: AgentEnrolled = serde_json::from_value(a.body).unwrap();
    assert_eq!(enrolled.agent.site, fra.id);
    // The CA is the one the token named, and the certificate is a client certificate under it
    // that names the site and the agent.
    let ca = CertificateDer::from_pem_slice(enrolled.ca_certificate.as_bytes()).unwrap();
    assert_eq!(hex::encode(Sha256::digest(ca.as_ref())), text.ca_sha256);
    let cert = CertificateDer::from_pem_slice(enrolled.certificate.as_bytes()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
            .build()
            .unwrap();
    verifier
        .verify_client_cert(&cert, &[], UnixTime::now())
        .expect("a client certificate under the platform's agent CA");
    let name = format!("urn:scmp:site:{}:agent:{}", fra.id, enrolled.agent.id);
    assert!(
        cert.as_ref()
            .windows(name.len())
            .any(|w| w == name.as_bytes()),
        "the certificate names {name}"
    );
    let life = enrolled.agent.certificate_expires_at.as_ms() - enrolled.agent.enrolled_at.as_ms();
    assert!(
        (23 * 3600 * 1000..=24 * 3600 * 1000).contains(&life),
        "short-lived: {life} ms"
    );
    // Once only.
    let again = enroll(&anonymous, json!(made.token), json!(csr())).await;
    assert_eq!(again.status.as_u16(), 401);
    assert!(again.text.contains("used already"), "{}", again.text);
    // The enrollment is audited in the agent's name.
    let audit: serde_json::Value = ctx.admin.get("/audit?limit=1000").await;
    let enroll = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "agent_enroll" && e["result"] == "ok")
        .expect("an agent_enroll entry");
    assert_eq!(
        enroll["actor"]["id"],
        format!("agent:{}", enrolled.agent.id)
    );
    // Revoked for good.
    let revoked: AgentView = ctx
        .admin
        .post(&format!("/agents/{}/revoke", enrolled.agent.id), &json!({}))
        .await;
    assert!(revoked.revoked_at.is_some());
    let seen: AgentView = ctx
        .admin
        .get(&format!("/agents/{}", enrolled.agent.id))
        .await;
    assert_eq!(seen.revoked_at, revoked.revoked_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_tokens_of_another_platform_or_malformed_are_refused() {
    let ctx = TestContext::new("agent-refused").await;
    site(&ctx.admin, "fra").await;
    let made = token(&ctx.admin, "fra").await;
    let mut other: JoinTokenText = made.token.parse().unwrap();
    other.ca_sha256 = "00".repeat(32);
    let anonymous = ctx.admin.anonymous();
    let a = enroll(&anonymous, json!(other.to_string()), json!(csr())).await;
    assert_eq!(a.status.as_u16(), 401);
    assert!(a.text.contains("another platform"), "{}", a.text);
    let mut wrong: JoinTokenText = made.token.parse().unwrap();
    wrong.secret = "11".repeat(32);
    let a = enroll(&anonymous, json!(wrong.to_string()), json!(csr())).await;
    assert_eq!(a.status.as_u16(), 401);
    let a = enroll(&anonymous, json!("scmpjoin.nothing"), json!(csr())).await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("join_token".into()))
    );
    // The right one still works: refusals used nothing up.
    let a = enroll(&anonymous, json!(made.token), json!(csr())).await;
    assert_eq!(a.status.as_u16(), 201, "{}", a.text);
    // An unused token is withdrawn; a used one stays, listed with its agent.
    let spare = token(&ctx.admin, "fra").await;
    ctx.admin
        .delete(&format!("/join-tokens/{}", spare.join_token.id))
        .await;
    let a = enroll(&anonymous, json!(spare.token), json!(csr())).await;
    assert_eq!(a.status.as_u16(), 401, "{}", a.text);
    let listed: scmp_api::Page<scmp_api::JoinTokenView> =
        ctx.admin.get("/sites/fra/join-tokens").await;
    assert_eq!(listed.items.len(), 1);
    assert!(listed.items[0].agent.is_some());
    assert!(!serde_json::to_string(&listed)
        .unwrap()
        .contains(&text_secret(&made.token)));
    let a = ctx
        .admin
        .send(
            Method::DELETE,
            &format!("/join-tokens/{}", made.join_token.id),
            None,
        )
        .await;
    assert_eq!(a.status.as_u16(), 409, "{}", a.text);
    // Bounds of a token's life.
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/sites/fra/join-tokens",
            Some(json!({"expires_in_s": 5})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("expires_in_s".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_platform_administrators_make_join_tokens() {
    let ctx = TestContext::new("agent-authz").await;
    site(&ctx.admin, "fra").await;
    let operator = user_with_role(&ctx, "ops", Some(("platform-operator", None, None))).await;
    let a = operator
        .send(Method::POST, "/sites/fra/join-tokens", Some(json!({})))
        .await;
    assert_eq!(a.status.as_u16(), 403, "{}", a.text);
    let nobody = user_with_role(&ctx, "nobody", None).await;
    let a = nobody
        .send(Method::POST, "/sites/fra/join-tokens", Some(json!({})))
        .await;
    assert_eq!(a.status.as_u16(), 403, "{}", a.text);
    let a = ctx
        .admin
        .anonymous()
        .send(Method::POST, "/sites/fra/join-tokens", Some(json!({})))
        .await;
    assert_eq!(a.status.as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_trusts_only_the_ca_its_join_token_names_before_it_sends_anything() {
    let ctx = TestContext::new("agent-pin").await;
    let fra = site(&ctx.admin, "fra").await;
    let made = token(&ctx.admin, "fra").await;
    let enroll_entries = || async {
        let audit: serde_json::Value = ctx
            .admin
            .get("/audit?operation=agent_enroll&limit=1000")
            .await;
        audit["items"].as_array().unwrap().len()
    };
    // Another platform's CA in the token: the handshake fails, nothing reaches the server.
    let mut other: JoinTokenText = made.token.parse().unwrap();
    other.ca_sha256 = "00".repeat(32);
    let e = scmp_agent::enroll::enroll(&ctx.agent_base(), &other.to_string())
        .await
        .unwrap_err();
    assert!(
        matches!(e, scmp_agent::enroll::EnrollError::Connect { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("not from the pinned CA"), "{e}");
    // The API's own listener (its certificate is not from the agent CA) is not trusted either.
    let e = scmp_agent::enroll::enroll(ctx.admin.base(), &made.token)
        .await
        .unwrap_err();
    assert!(
        matches!(e, scmp_agent::enroll::EnrollError::Connect { .. }),
        "{e}"
    );
    assert_eq!(enroll_entries().await, 0, "nothing was sent");
    // The right one: the agent makes its key and enrolls over the pinned listener.
    let done = scmp_agent::enroll::enroll(&ctx.agent_base(), &made.token)
        .await
        .unwrap();
    assert_eq!(done.enrolled.agent.site, fra.id);
    assert!(done.key_pem.contains("PRIVATE KEY"));
    let key = rcgen::KeyPair::from_pem(&done.key_pem).unwrap();
    let cert = CertificateDer::from_pem_slice(done.enrolled.certificate.as_bytes()).unwrap();
    assert!(
        cert.as_ref()
            .windows(key.public_key_raw().len())
            .any(|w| w == key.public_key_raw()),
        "the certificate is for the key the agent made"
    );
    assert_eq!(
        enroll_entries().await,
        2,
        "begin and end of the one enrollment"
    );
    // Refused by the platform: the token is used.
    let e = scmp_agent::enroll::enroll(&ctx.agent_base(), &made.token)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            scmp_agent::enroll::EnrollError::Refused { status: 401, .. }
        ),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_renews_with_its_enrolled_key_also_after_its_certificate_ran_out() {
    use scmp_common::{Clock, ManualClock, SystemClock};
    let clock = ManualClock::at(SystemClock::shared().now_ms());
    let ctx = TestContext::builder("agent-renew")
        .clock(clock.clone() as std::sync::Arc<dyn scmp_common::Clock>)
        .start()
        .await;
    site(&ctx.admin, "fra").await;
    let made = token(&ctx.admin, "fra").await;
    let done = scmp_agent::enroll::enroll(&ctx.agent_base(), &made.token)
        .await
        .unwrap();
    let agent = done.enrolled.agent.clone();
    let pin = scmp_agent::enroll::ca_sha256(&done.enrolled.ca_certificate).unwrap();
    let from = agent.renewed_at.as_ms();
    let until = agent.certificate_expires_at.as_ms();
    assert!(!scmp_agent::enroll::renewal_due(
        from,
        until,
        clock.now_ms()
    ));
    // Offline for two days: the certificate ran out; the enrolled key still renews it.
    clock.advance(2 * 86_400_000);
    assert!(scmp_agent::enroll::renewal_due(from, until, clock.now_ms()));
    let renewed = scmp_agent::enroll::renew(&ctx.agent_base(), &pin, agent.id, &done.key_pem)
        .await
        .unwrap();
    assert_eq!(renewed.agent.id, agent.id);
    assert!(renewed.agent.certificate_expires_at.as_ms() > clock.now_ms());
    assert_ne!(renewed.certificate, done.enrolled.certificate);
    // Another key does not renew it.
    let stranger = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let e = scmp_agent::enroll::renew(&ctx.agent_base(), &pin, agent.id, &stranger)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            scmp_agent::enroll::EnrollError::Refused { status: 401, .. }
        ),
        "{e}"
    );
    // A revoked agent cannot come back.
    let _: AgentView = ctx
        .admin
        .post(&format!("/agents/{}/revoke", agent.id), &json!({}))
        .await;
    let e = scmp_agent::enroll::renew(&ctx.agent_base(), &pin, agent.id, &done.key_pem)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("revoked"), "{e}");
    let audit: serde_json::Value = ctx
        .admin
        .get("/audit?operation=agent_renew&limit=1000")
        .await;
    let results: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["phase"] == "end")
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), 3, "every renewal is audited: {audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_known_by_its_client_certificate_until_it_is_revoked() {
    let ctx = TestContext::new("agent-mtls").await;
    let fra = site(&ctx.admin, "fra").await;
    let made = token(&ctx.admin, "fra").await;
    let done = scmp_agent::enroll::enroll(&ctx.agent_base(), &made.token)
        .await
        .unwrap();
    let pin = scmp_agent::enroll::ca_sha256(&done.enrolled.ca_certificate).unwrap();
    let trust = pve_client::Trust::CaSha256(pin);
    let whoami = |tls: rustls::ClientConfig| {
        let url = format!("{}/api/v1/agent/whoami", ctx.agent_base());
        async move {
            let http = reqwest::Client::builder()
                .use_preconfigured_tls(tls)
                .build()
                .unwrap();
            let a = http.get(url).send().await.unwrap();
            (a.status().as_u16(), a.text().await.unwrap())
        }
    };
    let with_cert = || {
        trust
            .client_config_with_cert(&done.enrolled.certificate, &done.key_pem)
            .unwrap()
    };
    let (status, body) = whoami(with_cert()).await;
    assert_eq!(status, 200, "{body}");
    let me: AgentView = serde_json::from_str(&body).unwrap();
    assert_eq!((me.id, me.site), (done.enrolled.agent.id, fra.id));
    // Without a certificate: who it is is not known.
    let (status, body) = whoami(trust.client_config().unwrap()).await;
    assert_eq!(status, 401, "{body}");
    // A certificate not from the agent CA does not get through the handshake.
    let key = rcgen::KeyPair::generate().unwrap();
    let own = rcgen::CertificateParams::new(vec!["agent".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let foreign = trust
        .client_config_with_cert(&own.pem(), &key.serialize_pem())
        .unwrap();
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(foreign)
        .build()
        .unwrap();
    assert!(http
        .get(format!("{}/api/v1/agent/whoami", ctx.agent_base()))
        .send()
        .await
        .is_err());
    // Revoked: its certificate no longer speaks for it.
    let _: AgentView = ctx
        .admin
        .post(
            &format!("/agents/{}/revoke", done.enrolled.agent.id),
            &json!({}),
        )
        .await;
    let (status, body) = whoami(with_cert()).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("revoked"), "{body}");
}
