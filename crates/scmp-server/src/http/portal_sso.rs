//! The portal's single sign-on: `/portal/sso/{realm}` begins it (the binding in an HttpOnly
//! cookie scoped to the realm's sign-on path, so the state is bound to this browser) and sends
//! the browser to the provider; `/portal/sso/{realm}/callback` completes it with the code, the
//! state and that cookie, sets the portal's session cookies and sends the browser into the
//! portal. When a second factor is asked for, the portal's login page asks for the code and
//! posts it to `/portal/sso/{realm}/complete` (the cookie still there).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use scmp_api::{SsoBegin, SsoComplete};
use serde::Deserialize;

use super::auth::cookie_in;
use super::portal::{finish_login, PortalSession};
use super::{ApiJson, Meta};
use crate::context::AppState;
use crate::error::HttpError;

/// The cookie holding a sign-on's binding.
const SSO_COOKIE: &str = "scmp_sso";

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The cookie for a realm's sign-on (cleared with an empty value).
fn binding_cookie(realm: &str, binding: &str, max_age: i64) -> Result<HeaderValue, HttpError> {
    HeaderValue::from_str(&format!(
        "{SSO_COOKIE}={binding}; Path=/portal/sso/{realm}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax"
    ))
    .map_err(|e| HttpError::from(scmp_common::Error::internal(e)))
}

/// A realm name as it may appear in a path and a cookie.
fn realm_ok(realm: &str) -> Result<(), HttpError> {
    scmp_common::Name::new(realm)
        .map(|_| ())
        .map_err(|e| HttpError::invalid("realm", e.to_string()))
}

async fn begin(
    State(s): State<Arc<AppState>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    realm_ok(&realm)?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| HttpError::invalid("host", "the request names no host"))?;
    let redirect_uri = format!("https://{host}/portal/sso/{realm}/callback");
    let begun = s.sso_begin(&realm, SsoBegin { redirect_uri }).await?;
    let mut resp = see_other(&begun.authorization_url);
    resp.headers_mut().append(
        header::SET_COOKIE,
        binding_cookie(&realm, &begun.binding, crate::sso::LOGIN_MS / 1000)?,
    );
    Ok(resp)
}

#[derive(Debug, Deserialize)]
struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    Path(realm): Path<String>,
    Query(q): Query<Callback>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    realm_ok(&realm)?;
    let (Some(state), Some(code)) = (q.state, q.code) else {
        let why = q
            .error_description
            .or(q.error)
            .unwrap_or_else(|| "the provider sent no code".into());
        return Ok(see_other(&format!("/#/login?sso_error={}", encode(&why))));
    };
    let binding = cookie_in(&headers, SSO_COOKIE)
        .unwrap_or_default()
        .to_string();
    let body = SsoComplete {
        state: state.clone(),
        code: code.clone(),
        binding,
        totp: None,
        recovery_code: None,
    };
    match s.sso_complete(&meta, &realm, body).await {
        Ok(issued) => {
            let (mut resp, session) = finish_login(&s, &issued.text, &issued.credential)?;
            let to = if session.mfa_setup {
                "/#/security"
            } else {
                "/#/"
            };
            let mut redirect = see_other(to);
            for v in resp.headers_mut().get_all(header::SET_COOKIE) {
                redirect.headers_mut().append(header::SET_COOKIE, v.clone());
            }
            redirect
                .headers_mut()
                .append(header::SET_COOKIE, binding_cookie(&realm, "", 0)?);
            Ok(redirect)
        }
        Err(scmp_common::Error::MfaRequired) => Ok(see_other(&format!(
            "/#/login?sso={}&state={}&code={}",
            encode(&realm),
            encode(&state),
            encode(&code)
        ))),
        Err(e) => Ok(see_other(&format!(
            "/#/login?sso_error={}",
            encode(&e.to_string())
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WithFactor {
    state: String,
    code: String,
    #[serde(default)]
    totp: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
}

async fn complete(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    Path(realm): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WithFactor>,
) -> Result<Response, HttpError> {
    realm_ok(&realm)?;
    let binding = cookie_in(&headers, SSO_COOKIE)
        .unwrap_or_default()
        .to_string();
    let issued = s
        .sso_complete(
            &meta,
            &realm,
            SsoComplete {
                state: body.state,
                code: body.code,
                binding,
                totp: body.totp,
                recovery_code: body.recovery_code,
            },
        )
        .await?;
    let (mut resp, _): (Response, PortalSession) =
        finish_login(&s, &issued.text, &issued.credential)?;
    resp.headers_mut()
        .append(header::SET_COOKIE, binding_cookie(&realm, "", 0)?);
    Ok(resp)
}

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/sso/{realm}", get(begin))
        .route("/portal/sso/{realm}/callback", get(callback))
        .route("/portal/sso/{realm}/complete", post(complete))
}
