//! The platform's own settings: glue to `app::platform`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use scmp_api::*;

use super::ApiJson;
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The platform's settings (platform staff).
#[utoipa::path(get, path = "/api/v1/platform/settings", operation_id = "platform_settings_view",
    responses((status = 200, body = PlatformSettingsView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn platform_settings_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<PlatformSettingsView>, HttpError> {
    Ok(Json(s.platform_settings_view(&ctx).await?))
}

/// Changes the platform's settings (platform administrators).
#[utoipa::path(put, path = "/api/v1/platform/settings", operation_id = "platform_settings_update",
    request_body = PlatformSettingsUpdate,
    responses((status = 200, body = PlatformSettingsView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem)))]
pub async fn platform_settings_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<PlatformSettingsUpdate>,
) -> Result<Json<PlatformSettingsView>, HttpError> {
    Ok(Json(s.platform_settings_update(&ctx, body).await?))
}
