//! Single sign-on through OpenID realms: glue to `app::sso`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiJson, ApiPath, ApiQuery, Meta};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Begins a sign-on through the realm's OpenID provider: the authorization URL to send the
/// browser to (PKCE S256 and a nonce always on), and the binding that completes it.
#[utoipa::path(post, path = "/api/v1/realms/{realm}/sso/begin", operation_id = "sso_begin",
    request_body = SsoBegin, security(()),
    params(("realm" = String, Path, description = "Realm id or name")),
    responses((status = 200, body = SsoBegun), (status = 400, body = Problem), (status = 404, body = Problem),
               (status = 503, body = Problem)))]
pub async fn sso_begin(
    State(s): State<Arc<AppState>>,
    ApiPath(realm): ApiPath,
    ApiJson(body): ApiJson<SsoBegin>,
) -> Result<Json<SsoBegun>, HttpError> {
    Ok(Json(s.sso_begin(&realm, body).await?))
}

/// Completes a sign-on with what the provider sent back and the binding: verifies the ID token
/// and answers a session (the second factor asked for as at `session_create`).
#[utoipa::path(post, path = "/api/v1/realms/{realm}/sso/complete", operation_id = "sso_complete",
    request_body = SsoComplete, security(()),
    params(("realm" = String, Path, description = "Realm id or name")),
    responses((status = 201, body = SessionView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 404, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn sso_complete(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    ApiPath(realm): ApiPath,
    ApiJson(body): ApiJson<SsoComplete>,
) -> Result<(StatusCode, Json<SessionView>), HttpError> {
    let issued = s.sso_complete(&meta, &realm, body).await?;
    Ok(super::sessions::created_session(issued))
}

/// Where to go after logging out.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutQuery {
    /// Where the provider sends the browser after its logout (https, or http to loopback).
    pub post_logout_redirect_uri: Option<String>,
}

/// The provider's end-session URL for the caller's single sign-on session (RP-initiated
/// logout), to visit after `session_delete`.
#[utoipa::path(get, path = "/api/v1/me/sso-logout", operation_id = "sso_logout_url", params(LogoutQuery),
    responses((status = 200, body = SsoLogoutView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 503, body = Problem)))]
pub async fn sso_logout_url(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<LogoutQuery>,
) -> Result<Json<SsoLogoutView>, HttpError> {
    Ok(Json(
        s.sso_logout_url(&ctx, q.post_logout_redirect_uri.as_deref())
            .await?,
    ))
}
