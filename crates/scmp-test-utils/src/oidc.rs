//! OpenID providers for the single sign-on tests, both on loopback:
//!
//! - [`OidcMock`]: the independent `oidc-provider-mock` (PyPI, in the test environment), a real
//!   provider built on Authlib: discovery, authorization code flow, RS256 ID tokens, logout. It
//!   neither checks PKCE nor requires a nonce, so those are proven against the other:
//! - [`TestProvider`]: a small provider in this process whose token endpoint checks the PKCE
//!   verifier against the challenge (S256) and whose ID tokens can be made wrong on purpose
//!   (expired, signed by a key not published, for another audience, another nonce or another
//!   issuer), and whose signing key can be rotated.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

use crate::external::{python, Killed};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An HTTP client for the providers (plain HTTP on loopback; TLS is configured only because the
/// workspace's reqwest has no default TLS provider), following no redirects.
fn http() -> reqwest::Client {
    let tls = pve_client::Trust::Fingerprint(pve_client::Fingerprint([0; 32]))
        .client_config()
        .unwrap();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The independent `oidc-provider-mock` on loopback; stopped when dropped.
pub struct OidcMock {
    /// Its issuer, `http://127.0.0.1:PORT`.
    pub issuer: String,
    _child: Killed,
}

impl OidcMock {
    /// Starts the mock with these users (JSON claims, each with `sub`); none when the test
    /// environment is not there and not required.
    pub async fn start(users: &[serde_json::Value]) -> Option<OidcMock> {
        let python = python()?;
        let tool = python.with_file_name("oidc-provider-mock");
        assert!(
            tool.exists(),
            "oidc-provider-mock is not installed in the test environment"
        );
        let port = free_port();
        let mut cmd = Command::new(tool);
        cmd.args(["--port", &port.to_string(), "--host", "127.0.0.1"]);
        for u in users {
            cmd.arg("--user-claims").arg(u.to_string());
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting oidc-provider-mock");
        let mock = OidcMock {
            issuer: format!("http://127.0.0.1:{port}"),
            _child: Killed(child),
        };
        let url = format!("{}/.well-known/openid-configuration", mock.issuer);
        for _ in 0..300 {
            if let Ok(r) = http().get(&url).send().await {
                if r.status().is_success() {
                    return Some(mock);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("oidc-provider-mock did not answer within 30 s");
    }

    /// Signs `sub` in at the mock's authorization form for this authorization URL; answers
    /// the redirect it sends back (to the client's redirect URI, with `code` and `state`).
    pub async fn sign_in(&self, authorization_url: &str, sub: &str) -> url::Url {
        let http = http();
        let r = http
            .post(authorization_url)
            .form(&[("sub", sub)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            302,
            "{}",
            r.text().await.unwrap_or_default()
        );
        let to = r.headers()["location"].to_str().unwrap().to_string();
        url::Url::parse(&to).unwrap()
    }
}

/// What the [`TestProvider`] gets wrong in its next ID tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// Nothing.
    None,
    /// Expired an hour ago.
    Expired,
    /// Signed by a key the provider does not publish.
    UnknownKey,
    /// For another client.
    OtherAudience,
    /// With another nonce than the login's.
    OtherNonce,
    /// From another issuer.
    OtherIssuer,
}

struct Pending {
    nonce: String,
    challenge: String,
    method: String,
}

struct State {
    issuer: String,
    client_id: String,
    keys: Vec<(String, RsaPrivateKey)>,
    rogue: RsaPrivateKey,
    flaw: Flaw,
    claims: serde_json::Value,
    codes: HashMap<String, Pending>,
    next: u32,
}

/// A small OpenID provider in this process, on loopback.
#[derive(Clone)]
pub struct TestProvider {
    /// Its issuer, `http://127.0.0.1:PORT`.
    pub issuer: String,
    state: Arc<Mutex<State>>,
}

fn rsa_key() -> RsaPrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    // OpenSSL makes the key quickly; generating it in a debug build would take seconds.
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .expect("openssl");
    assert!(out.status.success());
    RsaPrivateKey::from_pkcs8_pem(&String::from_utf8_lossy(&out.stdout)).unwrap()
}

impl TestProvider {
    /// Starts the provider for this client id, with these claims in its ID tokens.
    pub async fn start(client_id: &str, claims: serde_json::Value) -> TestProvider {
        use axum::routing::{get, post};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            issuer: issuer.clone(),
            client_id: client_id.to_string(),
            keys: vec![("k1".into(), rsa_key())],
            rogue: rsa_key(),
            flaw: Flaw::None,
            claims,
            codes: HashMap::new(),
            next: 0,
        }));
        let p = TestProvider { issuer, state };
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(p.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        p
    }

    /// What the next ID tokens get wrong.
    pub fn set_flaw(&self, flaw: Flaw) {
        self.state.lock().unwrap().flaw = flaw;
    }

    /// Sets a claim of the next ID tokens.
    pub fn set_claim(&self, name: &str, value: serde_json::Value) {
        if let Some(o) = self.state.lock().unwrap().claims.as_object_mut() {
            o.insert(name.to_string(), value);
        }
    }

    /// A new signing key; the old one is no longer published.
    pub fn rotate(&self) {
        let mut s = self.state.lock().unwrap();
        let n = s.keys.len() + 1;
        s.keys = vec![(format!("k{n}"), rsa_key())];
    }

    /// Follows an authorization URL as a browser would (the provider approves at once): the
    /// redirect back, with `code` and `state`.
    pub async fn sign_in(&self, authorization_url: &str) -> url::Url {
        let http = http();
        let r = http.get(authorization_url).send().await.unwrap();
        assert_eq!(
            r.status().as_u16(),
            302,
            "{}",
            r.text().await.unwrap_or_default()
        );
        url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }
}

async fn discovery(
    axum::extract::State(p): axum::extract::State<TestProvider>,
) -> axum::Json<serde_json::Value> {
    let i = &p.issuer;
    axum::Json(serde_json::json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "end_session_endpoint": format!("{i}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(
    axum::extract::State(p): axum::extract::State<TestProvider>,
) -> axum::Json<serde_json::Value> {
    let s = p.state.lock().unwrap();
    let keys: Vec<serde_json::Value> = s
        .keys
        .iter()
        .map(|(kid, k)| {
            serde_json::json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": b64(&k.n().to_bytes_be()), "e": b64(&k.e().to_bytes_be()),
            })
        })
        .collect();
    axum::Json(serde_json::json!({ "keys": keys }))
}

async fn authorize(
    axum::extract::State(p): axum::extract::State<TestProvider>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut s = p.state.lock().unwrap();
    s.next += 1;
    let code = format!("code-{}", s.next);
    s.codes.insert(
        code.clone(),
        Pending {
            nonce: q.get("nonce").cloned().unwrap_or_default(),
            challenge: q.get("code_challenge").cloned().unwrap_or_default(),
            method: q.get("code_challenge_method").cloned().unwrap_or_default(),
        },
    );
    let mut to = url::Url::parse(&q["redirect_uri"]).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", q.get("state").map(String::as_str).unwrap_or(""));
    (
        http::StatusCode::FOUND,
        [(http::header::LOCATION, to.to_string())],
    )
        .into_response()
}

async fn token(
    axum::extract::State(p): axum::extract::State<TestProvider>,
    axum::extract::Form(f): axum::extract::Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let bad = |why: &str| {
        (
            http::StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": "invalid_grant", "error_description": why})),
        )
            .into_response()
    };
    let mut s = p.state.lock().unwrap();
    let Some(pending) = f.get("code").and_then(|c| s.codes.remove(c)) else {
        return bad("unknown or used code");
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if pending.method != "S256" || b64(&Sha256::digest(verifier.as_bytes())) != pending.challenge {
        return bad("the PKCE verifier does not match the challenge");
    }
    let now = scmp_common::clock::Clock::now_ms(&scmp_common::clock::SystemClock) / 1000;
    let mut claims = s.claims.clone();
    let (iss, aud, nonce, exp) = match s.flaw {
        Flaw::OtherIssuer => (
            "http://127.0.0.1:1".to_string(),
            s.client_id.clone(),
            pending.nonce,
            now + 300,
        ),
        Flaw::OtherAudience => (
            s.issuer.clone(),
            "someone-else".into(),
            pending.nonce,
            now + 300,
        ),
        Flaw::OtherNonce => (
            s.issuer.clone(),
            s.client_id.clone(),
            "another-nonce".into(),
            now + 300,
        ),
        Flaw::Expired => (
            s.issuer.clone(),
            s.client_id.clone(),
            pending.nonce,
            now - 3600,
        ),
        Flaw::None | Flaw::UnknownKey => (
            s.issuer.clone(),
            s.client_id.clone(),
            pending.nonce,
            now + 300,
        ),
    };
    let o = claims.as_object_mut().unwrap();
    o.insert("iss".into(), iss.into());
    o.insert("aud".into(), aud.into());
    o.insert("nonce".into(), nonce.into());
    o.insert("iat".into(), (exp - 300).into());
    o.insert("exp".into(), exp.into());
    let (kid, key) = match s.flaw {
        Flaw::UnknownKey => ("k1".to_string(), s.rogue.clone()),
        _ => s.keys[0].clone(),
    };
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(serde_json::Value::Object(o.clone()).to_string().as_bytes())
    );
    let signature = SigningKey::<Sha256>::new(key)
        .sign(input.as_bytes())
        .to_bytes();
    let id_token = format!("{input}.{}", b64(&signature));
    axum::Json(serde_json::json!({
        "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token,
    }))
    .into_response()
}
