//! A guest's backups: glue to `app::guests::backups`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_api::*;

use super::{accepted, ApiJson, ApiPath, ApiPath2, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A guest's backups, newest first, as its cluster's backup storages have them.
#[utoipa::path(get, path = "/api/v1/guests/{guest}/backups", operation_id = "backup_list",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), PageQuery),
    responses((status = 200, body = Page<BackupView>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn backup_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<BackupView>>, HttpError> {
    Ok(Json(s.backup_list(&ctx, &key, &q).await?))
}

/// Backs a guest up now.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/backups", operation_id = "backup_create",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = BackupCreate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn backup_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<BackupCreate>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.backup_create(&ctx, &key, &body, q.wait).await?))
}

/// Protects a backup from pruning and deletion.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/backups/{backup}/protect", operation_id = "backup_protect",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("backup" = String, Path, description = "Backup id")),
    responses((status = 200, body = BackupView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn backup_protect(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, id): ApiPath2,
) -> Result<Json<BackupView>, HttpError> {
    Ok(Json(s.backup_protect(&ctx, &key, &id, true).await?))
}

/// Lifts a backup's protection.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/backups/{backup}/unprotect", operation_id = "backup_unprotect",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("backup" = String, Path, description = "Backup id")),
    responses((status = 200, body = BackupView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn backup_unprotect(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, id): ApiPath2,
) -> Result<Json<BackupView>, HttpError> {
    Ok(Json(s.backup_protect(&ctx, &key, &id, false).await?))
}

/// Deletes a backup (refused while it is protected).
#[utoipa::path(delete, path = "/api/v1/guests/{guest}/backups/{backup}", operation_id = "backup_delete",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("backup" = String, Path, description = "Backup id"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn backup_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, id): ApiPath2,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.backup_delete(&ctx, &key, &id, q.wait).await?))
}

/// Restores a guest in place from one of its backups (`confirm` must be true; the guest is backed
/// up first, and that backup restored again if the restore fails).
#[utoipa::path(post, path = "/api/v1/guests/{guest}/restore", operation_id = "guest_restore",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = GuestRestore,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_restore(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<GuestRestore>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.guest_restore(&ctx, &key, &body, q.wait).await?))
}
