//! `POST /api/v1/sessions` at the site: a cached user logs in with the password the centre knows
//! (checked against the argon2id hash in the identity cache, the same answer for an unknown user
//! and a wrong password), and gets a session of the site's own, which lasts 12 hours at most and
//! never past the cache's validity, and is forgotten when the agent restarts.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use scmp_api::{SessionCreate, SessionView};
use scmp_common::time::from_ms;

use super::problem::problem;
use super::SiteApi;

/// A hash of a password nobody has, checked for unknown users so the time does not tell who exists.
const DUMMY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2NtcGR1bW15c2FsdA$2yZ4oBfr2m5KQb4jOTDa1bW+l8x/4oRkBvT4oIi2S0A";

fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Opens a session for a cached user.
pub async fn login(State(api): State<Arc<SiteApi>>, bytes: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<SessionCreate>(&bytes) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-request",
            "Invalid request",
            "body: give username and password",
        )
        .into_response();
    };
    let (found, until) = {
        let st = api.site.borrow();
        match st.as_ref() {
            Some(st) if st.identities_valid_until_ms > api.clock.now_ms() => (
                st.identities
                    .iter()
                    .find(|i| i.name.as_str() == body.username)
                    .map(|i| (i.user, i.password_hash.clone())),
                st.identities_valid_until_ms,
            ),
            _ => (None, 0),
        }
    };
    let hash = found
        .as_ref()
        .and_then(|(_, h)| h.clone())
        .unwrap_or_else(|| DUMMY.to_string());
    let password = body.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify(&hash, &password))
        .await
        .unwrap_or(false);
    match found {
        Some((user, Some(_))) if ok => {
            let (token, expires) = api.sessions.open(user, until, api.clock.now_ms());
            tracing::info!(user = %user, "a cached user logged in at the site");
            Json(SessionView {
                token,
                expires_at: from_ms(expires),
                mfa_setup: false,
            })
            .into_response()
        }
        _ => problem(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "wrong user name or password (or the site holds no such user)",
        )
        .into_response(),
    }
}
