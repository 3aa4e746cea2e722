//! The caller's second factor (`me_mfa_view`, `mfa_totp_enroll`, `mfa_totp_confirm`,
//! `mfa_totp_disable`): glue to `app::mfa`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::ApiJson;
use crate::app::mfa::SecondFactor;
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The caller's second factor: whether an authenticator is confirmed, and the recovery codes left.
#[utoipa::path(get, path = "/api/v1/me/mfa", operation_id = "me_mfa_view",
    responses((status = 200, body = MfaView), (status = 401, body = Problem)))]
pub async fn me_mfa_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<MfaView>, HttpError> {
    Ok(Json(s.me_mfa_view(&ctx).await?))
}

/// Enrols an authenticator (TOTP): a new secret, its `otpauth://` URI and a QR code, shown this
/// once; confirm it with its first code. Refused while one is confirmed.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", operation_id = "mfa_totp_enroll",
    responses((status = 201, body = TotpEnrollment), (status = 401, body = Problem), (status = 409, body = Problem)))]
pub async fn mfa_totp_enroll(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<(StatusCode, Json<TotpEnrollment>), HttpError> {
    Ok((StatusCode::CREATED, Json(s.mfa_totp_enroll(&ctx).await?)))
}

/// Confirms the authenticator being enrolled with its current code; answers ten single-use
/// recovery codes, shown this once. From then on logins ask for a code.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", operation_id = "mfa_totp_confirm",
    request_body = TotpConfirm,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = Problem), (status = 401, body = Problem), (status = 409, body = Problem)))]
pub async fn mfa_totp_confirm(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TotpConfirm>,
) -> Result<Json<RecoveryCodes>, HttpError> {
    Ok(Json(s.mfa_totp_confirm(&ctx, &body.code).await?))
}

/// Removes the caller's second factor, proved with a current code or a recovery code.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/disable", operation_id = "mfa_totp_disable",
    request_body = TotpDisable,
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn mfa_totp_disable(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TotpDisable>,
) -> Result<StatusCode, HttpError> {
    let given = SecondFactor {
        totp: body.code,
        recovery_code: body.recovery_code,
    };
    s.mfa_totp_disable(&ctx, &given).await?;
    Ok(StatusCode::NO_CONTENT)
}
