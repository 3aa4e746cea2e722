//! Groups of users: glue to `app::groups`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Groups the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/groups", operation_id = "group_list", params(TenantFilter),
    responses((status = 200, body = Page<GroupView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn group_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<GroupView>>, HttpError> {
    Ok(Json(s.group_list(&ctx, &q).await?))
}

/// Creates a group.
#[utoipa::path(post, path = "/api/v1/groups", operation_id = "group_create", request_body = GroupCreate,
    responses((status = 201, body = GroupView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn group_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<GroupCreate>,
) -> Result<(StatusCode, Json<GroupView>), HttpError> {
    Ok(created(s.group_create(&ctx, body).await?))
}

/// One group with its members.
#[utoipa::path(get, path = "/api/v1/groups/{group}", operation_id = "group_view",
    params(("group" = String, Path, description = "Group id or name")),
    responses((status = 200, body = GroupView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn group_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<GroupView>, HttpError> {
    Ok(Json(s.group_view(&ctx, &key).await?))
}

/// Changes a group's description or replaces its members.
#[utoipa::path(put, path = "/api/v1/groups/{group}", operation_id = "group_update",
    params(("group" = String, Path, description = "Group id or name")), request_body = GroupUpdate,
    responses((status = 200, body = GroupView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn group_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<GroupUpdate>,
) -> Result<Json<GroupView>, HttpError> {
    Ok(Json(s.group_update(&ctx, &key, body).await?))
}

/// Deletes a group with its memberships and the roles bound to it.
#[utoipa::path(delete, path = "/api/v1/groups/{group}", operation_id = "group_delete",
    params(("group" = String, Path, description = "Group id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn group_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.group_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
