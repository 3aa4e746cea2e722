//! Catalog images: glue to `app::catalog`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Every image, with the clusters that have it.
#[utoipa::path(get, path = "/api/v1/images", operation_id = "image_list", params(PageQuery),
    responses((status = 200, body = Page<ImageView>), (status = 401, body = Problem)))]
pub async fn image_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ImageView>>, HttpError> {
    Ok(Json(s.image_list(&ctx, &q).await?))
}

/// Adds an image.
#[utoipa::path(post, path = "/api/v1/images", operation_id = "image_create", request_body = ImageCreate,
    responses((status = 201, body = ImageView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn image_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<ImageCreate>,
) -> Result<(StatusCode, Json<ImageView>), HttpError> {
    Ok(created(s.image_create(&ctx, body).await?))
}

/// One image, with the clusters that have it.
#[utoipa::path(get, path = "/api/v1/images/{image}", operation_id = "image_view",
    params(("image" = String, Path, description = "Image id or name")),
    responses((status = 200, body = ImageView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn image_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ImageView>, HttpError> {
    Ok(Json(s.image_view(&ctx, &key).await?))
}

/// Removes an image from the catalog; refused (409, naming them) while guests were made from it.
#[utoipa::path(delete, path = "/api/v1/images/{image}", operation_id = "image_delete",
    params(("image" = String, Path, description = "Image id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn image_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.image_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
