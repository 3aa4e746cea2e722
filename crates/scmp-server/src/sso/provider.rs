//! One OpenID provider per realm: its discovery document and keys (cached, fetched again when a
//! token's signature does not verify with the cached keys, so a key rotation costs one refetch),
//! the authorization URL of a login, the code exchanged with the PKCE verifier, the ID token
//! verified, and the provider's end-session URL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openidconnect::core::{
    CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl,
    LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use scmp_api::{OpenIdSettings, RealmTestStep, RealmTestView};
use scmp_common::{Error, RealmId};
use serde::{Deserialize, Serialize};

/// Claims besides the standard ones (the groups claim, a custom user name claim), kept as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Extra {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for Extra {}

type Token =
    IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// Why a login through a provider failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    /// Discovery, keys or the token endpoint could not be reached or read.
    #[error("the OpenID provider cannot be reached: {0}")]
    Unreachable(String),
    /// The provider refused the code.
    #[error("the OpenID provider refused the login: {0}")]
    Refused(String),
    /// The ID token does not verify.
    #[error("the ID token is not valid: {0}")]
    InvalidToken(String),
}

impl From<SsoError> for Error {
    fn from(e: SsoError) -> Self {
        match e {
            SsoError::Unreachable(_) => Error::Unavailable(e.to_string()),
            SsoError::Refused(_) | SsoError::InvalidToken(_) => Error::Unauthenticated {
                message: e.to_string(),
            },
        }
    }
}

/// A realm's provider settings, with its client secret.
pub struct Provider<'a> {
    /// The realm.
    pub realm: RealmId,
    /// Its settings.
    pub settings: &'a OpenIdSettings,
    /// The client secret, unsealed.
    pub secret: Option<String>,
}

/// A login begun: where to send the browser, and what completing it needs.
#[derive(Debug, Clone)]
pub struct Begun {
    /// The provider's authorization URL with this login's parameters.
    pub url: String,
    /// The `state` parameter.
    pub state: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
}

/// Who the provider says logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    /// The user name claim's value.
    pub username: String,
    /// The `email` claim (empty when none).
    pub email: String,
    /// The groups claim's values.
    pub groups: Vec<String>,
    /// `amr`: how the provider authenticated the user.
    pub amr: Vec<String>,
    /// `acr`.
    pub acr: Option<String>,
    /// The ID token (for the logout's `id_token_hint`).
    pub id_token: String,
}

/// The providers' discovery documents and keys, by realm.
pub struct Providers {
    http: reqwest::Client,
    cache: Mutex<HashMap<RealmId, Arc<ProviderMetadataWithLogout>>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Providers")
    }
}

fn unreachable(e: impl std::fmt::Display) -> SsoError {
    SsoError::Unreachable(e.to_string())
}

impl Providers {
    /// An HTTP client that trusts the system's roots and never follows redirects.
    pub fn new() -> Result<Self, Error> {
        let http = crate::outbound::client(Duration::from_secs(10))?;
        Ok(Self {
            http,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn cached(&self, realm: RealmId) -> Option<Arc<ProviderMetadataWithLogout>> {
        self.cache.lock().ok()?.get(&realm).cloned()
    }

    /// The provider's discovery document (with its keys): the cached one, or fetched.
    async fn metadata(
        &self,
        p: &Provider<'_>,
        fresh: bool,
    ) -> Result<Arc<ProviderMetadataWithLogout>, SsoError> {
        if !fresh {
            if let Some(m) = self.cached(p.realm) {
                return Ok(m);
            }
        }
        let issuer = IssuerUrl::new(p.settings.issuer_url.clone()).map_err(unreachable)?;
        let m = Arc::new(
            ProviderMetadataWithLogout::discover_async(issuer, &self.http)
                .await
                .map_err(|e| unreachable(error_chain(&e)))?,
        );
        if let Ok(mut c) = self.cache.lock() {
            c.insert(p.realm, m.clone());
        }
        Ok(m)
    }

    /// Forgets a realm's provider (its settings changed).
    pub fn forget(&self, realm: RealmId) {
        if let Ok(mut c) = self.cache.lock() {
            c.remove(&realm);
        }
    }

    fn client(
        p: &Provider<'_>,
        m: &ProviderMetadataWithLogout,
    ) -> CoreClient<
        EndpointSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointMaybeSet,
        EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            m.clone(),
            ClientId::new(p.settings.client_id.clone()),
            p.secret.clone().map(ClientSecret::new),
        )
    }

    /// Begins a login: the authorization URL with a fresh state, nonce and PKCE challenge.
    pub async fn begin(&self, p: &Provider<'_>, redirect_uri: &str) -> Result<Begun, SsoError> {
        let m = self.metadata(p, false).await?;
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(unreachable)?;
        let client = Self::client(p, &m).set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes = p
            .settings
            .scopes
            .clone()
            .unwrap_or_else(|| vec!["openid".into(), "email".into(), "profile".into()]);
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(s.clone()));
        }
        if let Some(acr) = &p.settings.acr_values {
            request = request.add_extra_param("acr_values", acr.clone());
        }
        let (url, state, nonce) = request.url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token: signature by the
    /// provider's keys (fetched again once if they do not verify it: the provider may have
    /// rotated them), issuer, audience, expiry at `now`, and the login's nonce.
    pub async fn complete(
        &self,
        p: &Provider<'_>,
        redirect_uri: &str,
        (code, nonce, verifier): (&str, &str, &str),
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SsoIdentity, SsoError> {
        let m = self.metadata(p, false).await?;
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(unreachable)?;
        let client = Self::client(p, &m).set_redirect_uri(redirect);
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| unreachable(error_chain(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Refused(error_chain(&e)))?;
        let raw = answer
            .id_token()
            .ok_or_else(|| SsoError::InvalidToken("the provider sent no ID token".into()))?
            .to_string();
        let token: Token = raw
            .parse()
            .map_err(|e: serde_json::Error| SsoError::InvalidToken(e.to_string()))?;
        let nonce = Nonce::new(nonce.to_string());
        let verify =
            |m: &ProviderMetadataWithLogout| -> Result<serde_json::Value, ClaimsVerificationError> {
                let client = Self::client(p, m);
                let verifier = client.id_token_verifier().set_time_fn(move || now);
                let claims = token.claims(&verifier, &nonce)?;
                serde_json::to_value(claims)
                    .map_err(|e| ClaimsVerificationError::Other(e.to_string()))
            };
        let claims = match verify(&m) {
            Ok(c) => c,
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                // Perhaps new keys: fetch them and try once more.
                let m = self.metadata(p, true).await?;
                verify(&m).map_err(|e| SsoError::InvalidToken(error_chain(&e)))?
            }
            Err(e) => return Err(SsoError::InvalidToken(error_chain(&e))),
        };
        identity(&claims, p.settings, raw)
    }

    /// The provider's end-session URL for a session's ID token (none when it has none).
    pub async fn logout_url(
        &self,
        p: &Provider<'_>,
        id_token: &str,
        post_logout: Option<&str>,
    ) -> Result<Option<String>, SsoError> {
        let m = self.metadata(p, false).await?;
        let Some(end) = m.additional_metadata().end_session_endpoint.clone() else {
            return Ok(None);
        };
        let token: Token = id_token
            .parse()
            .map_err(|e: serde_json::Error| SsoError::InvalidToken(e.to_string()))?;
        let mut request = LogoutRequest::from(end)
            .set_id_token_hint(&token)
            .set_client_id(ClientId::new(p.settings.client_id.clone()));
        if let Some(uri) = post_logout {
            let uri = PostLogoutRedirectUrl::new(uri.to_string()).map_err(unreachable)?;
            request = request.set_post_logout_redirect_uri(uri);
        }
        Ok(Some(request.http_get_url().to_string()))
    }

    /// Tries discovery and the keys, and says which failed.
    pub async fn test(&self, p: &Provider<'_>) -> RealmTestView {
        let mut steps = Vec::new();
        let ok = match self.metadata(p, true).await {
            Ok(m) => {
                steps.push(RealmTestStep {
                    step: "discovery".into(),
                    ok: true,
                    detail: format!("issuer {}", m.issuer().as_str()),
                });
                let keys = m.jwks().keys().len();
                steps.push(RealmTestStep {
                    step: "jwks".into(),
                    ok: keys > 0,
                    detail: format!("{keys} signing keys at {}", m.jwks_uri().as_str()),
                });
                keys > 0
            }
            Err(e) => {
                steps.push(RealmTestStep {
                    step: "discovery".into(),
                    ok: false,
                    detail: e.to_string(),
                });
                false
            }
        };
        RealmTestView { ok, steps }
    }
}

/// An error with its causes, one after the other.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The identity the verified claims name, by the realm's claim settings.
fn identity(
    claims: &serde_json::Value,
    s: &OpenIdSettings,
    id_token: String,
) -> Result<SsoIdentity, SsoError> {
    let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let list = |k: &str| -> Vec<String> {
        match claims.get(k) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        }
    };
    // The level asked for (`acr_values`) is the level required: a provider that answers another
    // has not authenticated the user as the realm demands.
    let acr = text("acr");
    if let Some(asked) = &s.acr_values {
        let wanted: Vec<&str> = asked.split_whitespace().collect();
        if !acr.as_deref().is_some_and(|a| wanted.contains(&a)) {
            return Err(SsoError::InvalidToken(format!(
                "the provider authenticated at {}, the realm asks for {asked}",
                acr.as_deref().unwrap_or("no stated level")
            )));
        }
    }
    let claim = s.username_claim.as_deref().unwrap_or("sub");
    let username = text(claim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| SsoError::InvalidToken(format!("the ID token has no {claim} claim")))?;
    Ok(SsoIdentity {
        username,
        email: text("email").unwrap_or_default(),
        groups: s.groups_claim.as_deref().map(list).unwrap_or_default(),
        amr: list("amr"),
        acr,
        id_token,
    })
}
