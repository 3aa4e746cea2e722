//! Role bindings: glue to `app::role_bindings`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Role bindings the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/role-bindings", operation_id = "role_binding_list", params(TenantFilter),
    responses((status = 200, body = Page<RoleBindingView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role_binding_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<RoleBindingView>>, HttpError> {
    Ok(Json(s.role_binding_list(&ctx, &q).await?))
}

/// Binds a role to a user on a scope.
#[utoipa::path(post, path = "/api/v1/role-bindings", operation_id = "role_binding_create", request_body = RoleBindingCreate,
    responses((status = 201, body = RoleBindingView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role_binding_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<RoleBindingCreate>,
) -> Result<(StatusCode, Json<RoleBindingView>), HttpError> {
    Ok(created(s.role_binding_create(&ctx, body).await?))
}

/// Removes a role binding.
#[utoipa::path(delete, path = "/api/v1/role-bindings/{id}", operation_id = "role_binding_delete",
    params(("id" = String, Path, description = "Role binding id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role_binding_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(id): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.role_binding_delete(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
