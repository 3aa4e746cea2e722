//! API tokens: glue to `app::tokens`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The caller's tokens, or those of a user the caller manages (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "token_list", params(TokenListQuery),
    responses((status = 200, body = Page<TokenView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn token_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TokenListQuery>,
) -> Result<Json<Page<TokenView>>, HttpError> {
    Ok(Json(s.token_list(&ctx, &q).await?))
}

/// Creates a token for the caller; the answer holds its secret, once.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "token_create", request_body = TokenCreate,
    responses((status = 201, body = TokenView), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn token_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TokenCreate>,
) -> Result<(StatusCode, Json<TokenView>), HttpError> {
    Ok(created(s.token_create(&ctx, body).await?))
}

/// Revokes one of the caller's tokens, or of a user the caller manages.
#[utoipa::path(delete, path = "/api/v1/tokens/{token}", operation_id = "token_delete",
    params(("token" = String, Path, description = "Token id"), TokenOwner),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn token_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(id): ApiPath,
    ApiQuery(q): ApiQuery<TokenOwner>,
) -> Result<StatusCode, HttpError> {
    s.token_delete(&ctx, &id, q.user.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
