//! Operations: glue to `app::operations`. `?wait=SECONDS` waits up to that long for one to end.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_api::*;

use super::{accepted, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Operations the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/operations", operation_id = "operation_list",
    params(OperationQuery),
    responses((status = 200, body = Page<OperationView>), (status = 401, body = Problem)))]
pub async fn operation_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<OperationQuery>,
) -> Result<Json<Page<OperationView>>, HttpError> {
    Ok(Json(s.operation_list(&ctx, &q).await?))
}

/// One operation; `?wait=SECONDS` waits for it to end.
#[utoipa::path(get, path = "/api/v1/operations/{operation}", operation_id = "operation_view",
    params(("operation" = String, Path, description = "Operation id"), WaitQuery),
    responses((status = 200, body = OperationView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn operation_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Json<OperationView>, HttpError> {
    Ok(Json(s.operation_view(&ctx, &key, q.wait).await?))
}

/// Cancels a guest creation: it stops before its next step, undoes what it did (nothing is left on
/// Proxmox, the quota is released) and ends as `cancelled`. Other operations cannot be cancelled:
/// power changes and deletions are not undone halfway.
#[utoipa::path(post, path = "/api/v1/operations/{operation}/cancel", operation_id = "operation_cancel",
    params(("operation" = String, Path, description = "Operation id"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 200, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn operation_cancel(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.operation_cancel(&ctx, &key, q.wait).await?))
}
