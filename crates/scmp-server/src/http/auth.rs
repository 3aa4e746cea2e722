//! Authentication: the bearer token or session becomes an [`OpContext`] with the real user, the
//! credential used and the user's role bindings. Anything else is a 401 problem.
//!
//! The portal's browser carries its credential in an HttpOnly cookie instead of a header. A cookie
//! is sent by the browser on its own, so requests that change something must also repeat the
//! session's CSRF value in a header, which only the portal's own pages can read (double submit,
//! bound to the session).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;

use super::RequestId;
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The cookie that carries the portal's credential (HttpOnly).
pub const SESSION_COOKIE: &str = "scmp_session";
/// The cookie the portal's script reads its CSRF value from (not HttpOnly).
pub const CSRF_COOKIE: &str = "scmp_csrf";
/// The header that repeats the CSRF value on requests that change something.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The CSRF value of a credential: derived from the secret, so a page that cannot read the
/// HttpOnly cookie cannot know it.
pub fn csrf_value(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"scmp-csrf\0");
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// A cookie's value among these headers.
pub fn cookie_in<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn csrf_header(parts: &Parts) -> Option<&str> {
    parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

impl FromRequestParts<Arc<AppState>> for OpContext {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let unauthenticated = || {
            HttpError(scmp_common::Error::Unauthenticated {
                message: "a valid bearer token is required".into(),
            })
        };
        let header = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = match header {
            Some(h) => h
                .strip_prefix("Bearer ")
                .ok_or_else(unauthenticated)?
                .trim(),
            None => {
                let token = cookie(parts, SESSION_COOKIE).ok_or_else(unauthenticated)?;
                if !parts.method.is_safe() && csrf_header(parts) != Some(csrf_value(token).as_str())
                {
                    return Err(HttpError(scmp_common::Error::CsrfMissing));
                }
                token
            }
        };
        let actor = state
            .authenticate(token)
            .await?
            .ok_or_else(unauthenticated)?;
        // Every log line of this request from here on names who made it.
        tracing::Span::current().record("actor", tracing::field::display(&actor.user.name));
        Ok(OpContext {
            request_id,
            source,
            actor,
        })
    }
}
