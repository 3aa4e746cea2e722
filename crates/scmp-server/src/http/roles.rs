//! Roles, built-in and custom: glue to `app::roles`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Roles the caller may see: the built-in ones, the platform's custom roles and those of one
/// tenant (or of every tenant whose users the caller may see).
#[utoipa::path(get, path = "/api/v1/roles", operation_id = "role_list", params(TenantFilter),
    responses((status = 200, body = Page<RoleDefinition>), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem)))]
pub async fn role_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<RoleDefinition>>, HttpError> {
    Ok(Json(s.role_list(&ctx, &q).await?))
}

/// Defines a custom role: a named set of actions, for the platform or for one tenant, with
/// only actions the caller holds itself where the role reaches.
#[utoipa::path(post, path = "/api/v1/roles", operation_id = "role_create", request_body = RoleCreate,
    responses((status = 201, body = RoleDefinition), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn role_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<RoleCreate>,
) -> Result<(StatusCode, Json<RoleDefinition>), HttpError> {
    Ok(created(s.role_create(&ctx, body).await?))
}

/// A role.
#[utoipa::path(get, path = "/api/v1/roles/{role}", operation_id = "role_view",
    params(("role" = String, Path, description = "Role name (or a custom role's id)")),
    responses((status = 200, body = RoleDefinition), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn role_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<RoleDefinition>, HttpError> {
    Ok(Json(s.role_view(&ctx, &key).await?))
}

/// Changes a custom role: what is given replaces what was there.
#[utoipa::path(put, path = "/api/v1/roles/{role}", operation_id = "role_update",
    params(("role" = String, Path, description = "Role name (or a custom role's id)")), request_body = RoleUpdate,
    responses((status = 200, body = RoleDefinition), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn role_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<RoleUpdate>,
) -> Result<Json<RoleDefinition>, HttpError> {
    Ok(Json(s.role_update(&ctx, &key, body).await?))
}

/// Deletes a custom role; refused while bindings give it.
#[utoipa::path(delete, path = "/api/v1/roles/{role}", operation_id = "role_delete",
    params(("role" = String, Path, description = "Role name (or a custom role's id)")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
               (status = 409, body = Problem)))]
pub async fn role_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.role_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
