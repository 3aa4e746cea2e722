//! Sites: glue to `app::sites`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Every site, by name.
#[utoipa::path(get, path = "/api/v1/sites", operation_id = "site_list", params(PageQuery),
    responses((status = 200, body = Page<SiteView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn site_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<SiteView>>, HttpError> {
    Ok(Json(s.site_list(&ctx, &q).await?))
}

/// Creates a site.
#[utoipa::path(post, path = "/api/v1/sites", operation_id = "site_create", request_body = SiteCreate,
    responses((status = 201, body = SiteView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn site_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<SiteCreate>,
) -> Result<(StatusCode, Json<SiteView>), HttpError> {
    Ok(created(s.site_create(&ctx, body).await?))
}

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{site}", operation_id = "site_view",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 200, body = SiteView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<SiteView>, HttpError> {
    Ok(Json(s.site_view(&ctx, &key).await?))
}

/// Changes a site's region or description (its country, which residency relies on, stays).
#[utoipa::path(put, path = "/api/v1/sites/{site}", operation_id = "site_update",
    params(("site" = String, Path, description = "Site id or name")), request_body = SiteUpdate,
    responses((status = 200, body = SiteView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<SiteUpdate>,
) -> Result<Json<SiteView>, HttpError> {
    Ok(Json(s.site_update(&ctx, &key, body).await?))
}

/// Deletes a site; refused (409, naming them) while clusters are registered at it.
#[utoipa::path(delete, path = "/api/v1/sites/{site}", operation_id = "site_delete",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn site_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.site_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
