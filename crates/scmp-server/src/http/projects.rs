//! Projects and their quota: glue to `app::projects`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A tenant's projects the caller may see.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/projects", operation_id = "project_list",
    params(("tenant" = String, Path, description = "Tenant id or name"), PageQuery),
    responses((status = 200, body = Page<ProjectView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn project_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ProjectView>>, HttpError> {
    Ok(Json(s.project_list(&ctx, &key, &q).await?))
}

/// Creates a project; its quota is reserved from the tenant's in the same transaction.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/projects", operation_id = "project_create",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = ProjectCreate,
    responses((status = 201, body = ProjectView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn project_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ProjectCreate>,
) -> Result<(StatusCode, Json<ProjectView>), HttpError> {
    Ok(created(s.project_create(&ctx, &key, body).await?))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{project}", operation_id = "project_view",
    params(("project" = String, Path, description = "Project id")),
    responses((status = 200, body = ProjectView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn project_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ProjectView>, HttpError> {
    Ok(Json(s.project_view(&ctx, &key).await?))
}

/// Changes a project's description.
#[utoipa::path(put, path = "/api/v1/projects/{project}", operation_id = "project_update",
    params(("project" = String, Path, description = "Project id")), request_body = DescriptionUpdate,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn project_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<DescriptionUpdate>,
) -> Result<Json<ProjectView>, HttpError> {
    Ok(Json(s.project_update(&ctx, &key, &body.description).await?))
}

/// Replaces a project's labels, which governance policies read.
#[utoipa::path(put, path = "/api/v1/projects/{project}/labels", operation_id = "project_labels_update",
    params(("project" = String, Path, description = "Project id")), request_body = LabelsBody,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn project_labels_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<LabelsBody>,
) -> Result<Json<ProjectView>, HttpError> {
    Ok(Json(
        s.project_labels_update(&ctx, &key, body.labels).await?,
    ))
}

/// Deletes a project with the roles bound on it, returning its quota to the tenant; refused (409,
/// naming them) while it has guests in any state.
#[utoipa::path(delete, path = "/api/v1/projects/{project}", operation_id = "project_delete",
    params(("project" = String, Path, description = "Project id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn project_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.project_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A project's quota.
#[utoipa::path(get, path = "/api/v1/projects/{project}/quota", operation_id = "project_quota_view",
    params(("project" = String, Path, description = "Project id")),
    responses((status = 200, body = QuotaBody), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn project_quota_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<QuotaBody>, HttpError> {
    Ok(Json(s.project_quota_view(&ctx, &key).await?))
}

/// Sets a project's quota; it must fit in the tenant's and not fall below what guests use.
#[utoipa::path(put, path = "/api/v1/projects/{project}/quota", operation_id = "project_quota_update",
    params(("project" = String, Path, description = "Project id")), request_body = ResourcesBody,
    responses((status = 200, body = QuotaBody), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn project_quota_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ResourcesBody>,
) -> Result<Json<QuotaBody>, HttpError> {
    Ok(Json(s.project_quota_update(&ctx, &key, body).await?))
}
