//! Guest snapshots: glue to `app::guests::snapshots`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_api::*;
use scmp_common::OperationKind;

use super::{accepted, ApiJson, ApiPath, ApiPath2, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A guest's snapshots, as Proxmox has them.
#[utoipa::path(get, path = "/api/v1/guests/{guest}/snapshots", operation_id = "snapshot_list",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), PageQuery),
    responses((status = 200, body = Page<SnapshotView>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn snapshot_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<SnapshotView>>, HttpError> {
    Ok(Json(s.snapshot_list(&ctx, &key, &q).await?))
}

/// Takes a snapshot.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/snapshots", operation_id = "snapshot_create",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = SnapshotCreate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn snapshot_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<SnapshotCreate>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.snapshot_change(
            &ctx,
            &key,
            &body.name,
            OperationKind::SnapshotCreate,
            q.wait,
        )
        .await?,
    ))
}

/// Rolls a guest back to a snapshot.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/snapshots/{snapshot}/rollback", operation_id = "snapshot_rollback",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("snapshot" = String, Path, description = "Snapshot name"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn snapshot_rollback(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, snap): ApiPath2,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.snapshot_change(&ctx, &key, &snap, OperationKind::SnapshotRollback, q.wait)
            .await?,
    ))
}

/// Deletes a snapshot.
#[utoipa::path(delete, path = "/api/v1/guests/{guest}/snapshots/{snapshot}", operation_id = "snapshot_delete",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("snapshot" = String, Path, description = "Snapshot name"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn snapshot_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, snap): ApiPath2,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.snapshot_change(&ctx, &key, &snap, OperationKind::SnapshotDelete, q.wait)
            .await?,
    ))
}
