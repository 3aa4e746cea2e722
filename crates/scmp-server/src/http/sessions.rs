//! Login sessions: glue to `app::sessions`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{ApiJson, Meta};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Logs in with a user name and password, and the code of the user's authenticator (or a
/// recovery code) when they have one (401 `mfa-required` says so); answers a short-lived bearer
/// token. Throttled per user name: after 5 failures in 5 minutes, further attempts are refused
/// for a while.
#[utoipa::path(post, path = "/api/v1/sessions", operation_id = "session_create", request_body = SessionCreate, security(()),
    responses((status = 201, body = SessionView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn session_create(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<SessionCreate>,
) -> Result<(StatusCode, Json<SessionView>), HttpError> {
    let second = crate::app::mfa::SecondFactor {
        totp: body.totp,
        recovery_code: body.recovery_code,
    };
    let issued = s
        .session_create(
            &meta,
            (&body.username, &body.password),
            body.realm.as_deref(),
            &second,
        )
        .await?;
    Ok(created_session(issued))
}

/// The answer to a login: 201 with the session's token, expiry and kind.
pub(super) fn created_session(issued: scmp_store::IssuedSecret) -> (StatusCode, Json<SessionView>) {
    let expires_at = scmp_common::time::from_ms(issued.credential.expires_at.unwrap_or_default());
    let mfa_setup = crate::app::mfa::is_setup_session(&issued.credential);
    (
        StatusCode::CREATED,
        Json(SessionView {
            token: issued.text,
            expires_at,
            mfa_setup,
        }),
    )
}

/// Logs out: revokes the session in use.
#[utoipa::path(delete, path = "/api/v1/sessions", operation_id = "session_delete",
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn session_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<StatusCode, HttpError> {
    s.session_delete(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
