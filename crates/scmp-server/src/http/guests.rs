//! Guests: glue to `app::guests`. Changes answer `202 Accepted` with the operation.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::app::guests::Created;
use scmp_api::*;

use super::{accepted, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A project's guests, by name.
#[utoipa::path(get, path = "/api/v1/projects/{project}/guests", operation_id = "guest_list",
    params(("project" = String, Path, description = "Project id"), GuestListQuery),
    responses((status = 200, body = Page<GuestView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn guest_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<GuestListQuery>,
) -> Result<Json<Page<GuestView>>, HttpError> {
    Ok(Json(s.guest_list(&ctx, &key, &q).await?))
}

/// Creates a guest: admitted within the project's quota at once, built by an operation.
#[utoipa::path(post, path = "/api/v1/projects/{project}/guests", operation_id = "guest_create",
    params(("project" = String, Path, description = "Project id"), CreateQuery), request_body = GuestCreate,
    responses((status = 202, body = OperationView), (status = 200, body = PlacementView, description = "With `dry_run`: where placement would put the guest"), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn guest_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<CreateQuery>,
    ApiJson(body): ApiJson<GuestCreate>,
) -> Result<Response, HttpError> {
    Ok(match s.guest_create(&ctx, &key, &q, body).await? {
        Created::Operation(op) => accepted(op),
        Created::Preview(p) => Json(p).into_response(),
    })
}

/// One guest, with its recent events.
#[utoipa::path(get, path = "/api/v1/guests/{guest}", operation_id = "guest_view",
    params(("guest" = String, Path, description = "Guest id (or name when unique)")),
    responses((status = 200, body = GuestView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn guest_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<GuestView>, HttpError> {
    Ok(Json(s.guest_view(&ctx, &key).await?))
}

/// Where a guest's console is: Proxmox VE's own console for it (noVNC for a VM, xterm.js for a
/// container) on its host.
#[utoipa::path(get, path = "/api/v1/guests/{guest}/console", operation_id = "guest_console",
    params(("guest" = String, Path, description = "Guest id (or name when unique)")),
    responses((status = 200, body = ConsoleView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_console(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ConsoleView>, HttpError> {
    Ok(Json(s.guest_console(&ctx, &key).await?))
}

/// Decommissions a guest: stopped, out of HA, destroyed with its disks, quota released.
#[utoipa::path(delete, path = "/api/v1/guests/{guest}", operation_id = "guest_delete",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.guest_delete(&ctx, &key, q.wait).await?))
}

/// Resizes a guest within its project's quota (vCPUs and memory both ways, the disk grows only).
#[utoipa::path(patch, path = "/api/v1/guests/{guest}", operation_id = "guest_update",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = GuestUpdate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn guest_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<GuestUpdate>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.guest_update(&ctx, &key, body, q.wait).await?))
}

/// Extends a guest's lease (within its policy's limit); a guest stopped at its end is then not
/// decommissioned.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/lease/extend", operation_id = "guest_lease_extend",
    params(("guest" = String, Path, description = "Guest id (or name when unique)")), request_body = LeaseExtend,
    responses((status = 200, body = LeaseView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_lease_extend(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<LeaseExtend>,
) -> Result<Json<LeaseView>, HttpError> {
    Ok(Json(s.guest_lease_extend(&ctx, &key, body).await?))
}
