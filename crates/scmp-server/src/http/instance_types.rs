//! Catalog instance types: glue to `app::catalog`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Every instance type, smallest first.
#[utoipa::path(get, path = "/api/v1/instance-types", operation_id = "instance_type_list",
    params(PageQuery),
    responses((status = 200, body = Page<InstanceTypeView>), (status = 401, body = Problem)))]
pub async fn instance_type_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<InstanceTypeView>>, HttpError> {
    Ok(Json(s.instance_type_list(&ctx, &q).await?))
}

/// Adds an instance type.
#[utoipa::path(post, path = "/api/v1/instance-types", operation_id = "instance_type_create", request_body = InstanceTypeCreate,
    responses((status = 201, body = InstanceTypeView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn instance_type_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<InstanceTypeCreate>,
) -> Result<(StatusCode, Json<InstanceTypeView>), HttpError> {
    Ok(created(s.instance_type_create(&ctx, body).await?))
}

/// One instance type.
#[utoipa::path(get, path = "/api/v1/instance-types/{instance_type}", operation_id = "instance_type_view",
    params(("instance_type" = String, Path, description = "Instance type id or name")),
    responses((status = 200, body = InstanceTypeView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn instance_type_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<InstanceTypeView>, HttpError> {
    Ok(Json(s.instance_type_view(&ctx, &key).await?))
}

/// Removes an instance type from the catalog (guests keep the sizes they were given).
#[utoipa::path(delete, path = "/api/v1/instance-types/{instance_type}", operation_id = "instance_type_delete",
    params(("instance_type" = String, Path, description = "Instance type id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn instance_type_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.instance_type_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
