//! The self-service portal: its pages and assets, embedded in the binary (nothing is fetched from
//! elsewhere, so it works on an air-gapped network), and its login and logout, which put the
//! credential in an HttpOnly cookie. Everything else the portal does goes through the public API.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{header, HeaderValue, StatusCode};
use scmp_store::CredentialKind;
use serde::{Deserialize, Serialize};

use super::auth::{csrf_value, CSRF_COOKIE, SESSION_COOKIE};
use super::{ApiJson, Meta};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A script of the portal, served from `/portal/js/` (native ES modules, no build step).
macro_rules! js {
    ($path:literal) => {
        (
            concat!("/portal/js/", $path),
            "text/javascript; charset=utf-8",
            include_str!(concat!("../../../../portal/js/", $path)),
        )
    };
}

/// The longest a portal login lasts, whatever the credential (a session ends sooner if it expires).
const COOKIE_MAX_S: i64 = 8 * 3600;

/// The portal's files: path, content type, content (every file of `portal/`; a test checks it).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../../../../portal/index.html"),
    ),
    (
        "/portal/app.css",
        "text/css; charset=utf-8",
        include_str!("../../../../portal/app.css"),
    ),
    (
        "/portal/icon.svg",
        "image/svg+xml",
        include_str!("../../../../portal/icon.svg"),
    ),
    js!("api-types.js"),
    js!("api-types-1.js"),
    js!("api-types-2.js"),
    js!("api-types-3.js"),
    js!("api.js"),
    js!("dom.js"),
    js!("format.js"),
    js!("forms.js"),
    js!("layout.js"),
    js!("main.js"),
    js!("names.js"),
    js!("router.js"),
    js!("session.js"),
    js!("widgets.js"),
    js!("pages/approvals.js"),
    js!("pages/audit.js"),
    js!("pages/compliance.js"),
    js!("pages/guest.js"),
    js!("pages/guest_backups.js"),
    js!("pages/operations.js"),
    js!("pages/overview.js"),
    js!("pages/people.js"),
    js!("pages/platform.js"),
    js!("pages/projects.js"),
    js!("pages/realms.js"),
    js!("pages/roles.js"),
    js!("pages/security.js"),
    js!("pages/tokens.js"),
    js!("pages/wizard.js"),
];

/// The portal's routes, outside `/api/v1`.
pub fn routes() -> Router<Arc<AppState>> {
    let mut router =
        Router::new().route("/portal/session", axum::routing::post(login).delete(logout));
    for &(path, content_type, body) in ASSETS {
        router = router.route(path, get(move || async move { asset(content_type, body) }));
    }
    router
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// A portal login: a user name and password (with the user's second factor when they have
/// one), or an API token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalLogin {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    totp: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
}

/// What the portal learns at login (never the credential: that stays in the HttpOnly cookie).
#[derive(Debug, Clone, Serialize)]
pub struct PortalSession {
    /// When the login ends.
    pub expires_at: scmp_common::time::Time,
    /// The session may only set up the second factor the user's tenant requires.
    pub mfa_setup: bool,
}

async fn login(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<PortalLogin>,
) -> Result<Response, HttpError> {
    let now = s.clock.now_ms();
    let (token, expires_at, mfa_setup) = match (body.username, body.password, body.token) {
        (Some(user), Some(password), None) => {
            let second = crate::app::mfa::SecondFactor {
                totp: body.totp,
                recovery_code: body.recovery_code,
            };
            let issued = s
                .session_create(&meta, (&user, &password), None, &second)
                .await?;
            let expires = issued
                .credential
                .expires_at
                .unwrap_or(now + COOKIE_MAX_S * 1000);
            let setup = crate::app::mfa::is_setup_session(&issued.credential);
            (issued.text, expires, setup)
        }
        (None, None, Some(token)) => {
            // Logging in with a token changes nothing on the server; every request made with it
            // is audited as usual.
            let token = token.trim().to_string();
            let expires = s
                .token_expiry(&token)
                .await?
                .unwrap_or(i64::MAX)
                .min(now + COOKIE_MAX_S * 1000);
            (token, expires, false)
        }
        _ => {
            return Err(HttpError::invalid(
                "username",
                "give a user name and a password, or a token",
            ))
        }
    };
    Ok(answer_login(now, &token, expires_at, mfa_setup)?.0)
}

/// The portal's answer to a login: 201 with what the page learns, and the session cookies.
fn answer_login(
    now: i64,
    token: &str,
    expires_at: i64,
    mfa_setup: bool,
) -> Result<(Response, PortalSession), HttpError> {
    let max_age = ((expires_at - now) / 1000).clamp(0, COOKIE_MAX_S);
    let session = PortalSession {
        expires_at: scmp_common::time::from_ms(expires_at),
        mfa_setup,
    };
    let mut resp = (StatusCode::CREATED, Json(session.clone())).into_response();
    set_cookies(&mut resp, token, max_age)?;
    Ok((resp, session))
}

/// The portal's answer to a session issued elsewhere (a single sign-on).
pub(super) fn finish_login(
    s: &AppState,
    token: &str,
    credential: &scmp_store::Credential,
) -> Result<(Response, PortalSession), HttpError> {
    let now = s.clock.now_ms();
    let expires = credential.expires_at.unwrap_or(now + COOKIE_MAX_S * 1000);
    let setup = crate::app::mfa::is_setup_session(credential);
    answer_login(now, token, expires, setup)
}

async fn logout(
    State(s): State<Arc<AppState>>,
    ctx: Result<OpContext, HttpError>,
) -> Result<Response, HttpError> {
    // An expired or revoked login still gets its cookies cleared.
    if let Ok(ctx) = ctx {
        if ctx.actor.credential.kind == CredentialKind::Session {
            s.session_delete(&ctx).await?;
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    set_cookies(&mut resp, "", 0)?;
    Ok(resp)
}

fn set_cookies(resp: &mut Response, token: &str, max_age: i64) -> Result<(), HttpError> {
    let csrf = if token.is_empty() {
        String::new()
    } else {
        csrf_value(token)
    };
    for value in [
        format!("{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"),
        format!("{CSRF_COOKIE}={csrf}; Path=/; Max-Age={max_age}; Secure; SameSite=Strict"),
    ] {
        let v = HeaderValue::from_str(&value)
            .map_err(|e| HttpError::from(scmp_common::Error::internal(e)))?;
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the portal is served, and nothing else is listed.
    #[test]
    fn every_portal_file_is_served() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../portal");
        let mut on_disk = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    let rel = p
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    on_disk.push(if rel == "index.html" {
                        "/".to_string()
                    } else {
                        format!("/portal/{rel}")
                    });
                }
            }
        }
        on_disk.sort();
        let mut served: Vec<String> = ASSETS.iter().map(|(p, _, _)| p.to_string()).collect();
        served.sort();
        assert_eq!(served, on_disk);
    }
}
