//! Users: glue to `app::users`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Users the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "user_list", params(TenantFilter),
    responses((status = 200, body = Page<UserView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<UserView>>, HttpError> {
    Ok(Json(s.user_list(&ctx, &q).await?))
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", operation_id = "user_create", request_body = UserCreate,
    responses((status = 201, body = UserView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn user_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<UserCreate>,
) -> Result<(StatusCode, Json<UserView>), HttpError> {
    Ok(created(s.user_create(&ctx, body).await?))
}

/// Changes a user's e-mail address or password (their managers, or the user themselves).
#[utoipa::path(put, path = "/api/v1/users/{user}", operation_id = "user_update",
    params(("user" = String, Path, description = "User id or name")), request_body = UserUpdate,
    responses((status = 200, body = UserView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<UserUpdate>,
) -> Result<Json<UserView>, HttpError> {
    Ok(Json(s.user_update(&ctx, &key, body).await?))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{user}", operation_id = "user_view",
    params(("user" = String, Path, description = "User id or name")),
    responses((status = 200, body = UserView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn user_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<UserView>, HttpError> {
    Ok(Json(s.user_view(&ctx, &key).await?))
}

/// Deletes a user with its credentials, role bindings and group memberships (never the
/// platform's last administrator, nor oneself).
#[utoipa::path(delete, path = "/api/v1/users/{user}", operation_id = "user_delete",
    params(("user" = String, Path, description = "User id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.user_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
