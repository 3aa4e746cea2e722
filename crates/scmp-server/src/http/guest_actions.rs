//! Actions on a guest (power, moving it): glue to `app::guests::actions`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use scmp_api::*;
use scmp_common::OperationKind;

use super::{accepted, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Starts a guest.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/start", operation_id = "guest_start",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_start(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.guest_power(&ctx, &key, OperationKind::GuestStart, q.wait)
            .await?,
    ))
}

/// Powers a guest off at once.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/stop", operation_id = "guest_stop",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_stop(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.guest_power(&ctx, &key, OperationKind::GuestStop, q.wait)
            .await?,
    ))
}

/// Shuts a guest down cleanly.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/shutdown", operation_id = "guest_shutdown",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_shutdown(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.guest_power(&ctx, &key, OperationKind::GuestShutdown, q.wait)
            .await?,
    ))
}

/// Reboots a guest.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/reboot", operation_id = "guest_reboot",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_reboot(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.guest_power(&ctx, &key, OperationKind::GuestReboot, q.wait)
            .await?,
    ))
}

/// Moves a guest to another host of its cluster (live for running VMs; running containers restart).
#[utoipa::path(post, path = "/api/v1/guests/{guest}/migrate", operation_id = "guest_migrate",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = GuestMigrate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn guest_migrate(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<GuestMigrate>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.guest_migrate(&ctx, &key, body, q.wait).await?))
}
