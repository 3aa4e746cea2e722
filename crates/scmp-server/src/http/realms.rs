//! Authentication realms: glue to `app::realms` and `app::realm_sync`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Realms the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/realms", operation_id = "realm_list", params(TenantFilter),
    responses((status = 200, body = Page<RealmView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn realm_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<RealmView>>, HttpError> {
    Ok(Json(s.realm_list(&ctx, &q).await?))
}

/// Creates a realm (a directory or an OpenID provider users log in through).
#[utoipa::path(post, path = "/api/v1/realms", operation_id = "realm_create", request_body = RealmCreate,
    responses((status = 201, body = RealmView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn realm_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<RealmCreate>,
) -> Result<(StatusCode, Json<RealmView>), HttpError> {
    Ok(created(s.realm_create(&ctx, body).await?))
}

/// One realm (its secret only as whether one is set).
#[utoipa::path(get, path = "/api/v1/realms/{realm}", operation_id = "realm_view",
    params(("realm" = String, Path, description = "Realm id or name")),
    responses((status = 200, body = RealmView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn realm_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<RealmView>, HttpError> {
    Ok(Json(s.realm_view(&ctx, &key).await?))
}

/// Changes a realm: what is given replaces what was there.
#[utoipa::path(put, path = "/api/v1/realms/{realm}", operation_id = "realm_update",
    params(("realm" = String, Path, description = "Realm id or name")), request_body = RealmUpdate,
    responses((status = 200, body = RealmView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn realm_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<RealmUpdate>,
) -> Result<Json<RealmView>, HttpError> {
    Ok(Json(s.realm_update(&ctx, &key, body).await?))
}

/// Deletes a realm with its groups; refused while it has users.
#[utoipa::path(delete, path = "/api/v1/realms/{realm}", operation_id = "realm_delete",
    params(("realm" = String, Path, description = "Realm id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
               (status = 409, body = Problem)))]
pub async fn realm_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.realm_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tries the way to the realm's server step by step (name, connection, TLS, bind, search) and
/// says which step failed and how.
#[utoipa::path(post, path = "/api/v1/realms/{realm}/test", operation_id = "realm_test",
    params(("realm" = String, Path, description = "Realm id or name")),
    responses((status = 200, body = RealmTestView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn realm_test(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<RealmTestView>, HttpError> {
    Ok(Json(s.realm_test(&ctx, &key).await?))
}

/// Syncs the realm's users and groups from its directory, or (dry run) answers what would change.
#[utoipa::path(post, path = "/api/v1/realms/{realm}/sync", operation_id = "realm_sync",
    params(("realm" = String, Path, description = "Realm id or name")), request_body = RealmSyncRequest,
    responses((status = 200, body = RealmSyncReport), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
               (status = 503, body = Problem)))]
pub async fn realm_sync(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<RealmSyncRequest>,
) -> Result<Json<RealmSyncReport>, HttpError> {
    Ok(Json(s.realm_sync(&ctx, &key, body).await?))
}
