//! `me_view`: glue to `app::me`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use scmp_api::*;

use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The caller: user, credential and roles.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "me_view",
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
pub async fn me_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<MeView>, HttpError> {
    Ok(Json(s.me_view(&ctx)?))
}
