//! Tenants and their quota: glue to `app::tenants`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Tenants the caller may see, by name.
#[utoipa::path(get, path = "/api/v1/tenants", operation_id = "tenant_list", params(PageQuery),
    responses((status = 200, body = Page<TenantView>), (status = 401, body = Problem)))]
pub async fn tenant_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<TenantView>>, HttpError> {
    Ok(Json(s.tenant_list(&ctx, &q).await?))
}

/// Creates a tenant.
#[utoipa::path(post, path = "/api/v1/tenants", operation_id = "tenant_create", request_body = TenantCreate,
    responses((status = 201, body = TenantView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn tenant_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TenantCreate>,
) -> Result<(StatusCode, Json<TenantView>), HttpError> {
    Ok(created(s.tenant_create(&ctx, body).await?))
}

/// One tenant.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}", operation_id = "tenant_view",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 200, body = TenantView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<TenantView>, HttpError> {
    Ok(Json(s.tenant_view(&ctx, &key).await?))
}

/// Changes a tenant's description, or (platform administrators) the countries its guests may run in.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}", operation_id = "tenant_update",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = TenantUpdate,
    responses((status = 200, body = TenantView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<TenantUpdate>,
) -> Result<Json<TenantView>, HttpError> {
    Ok(Json(s.tenant_update(&ctx, &key, body).await?))
}

/// Deletes a tenant with the roles bound on it; refused (409, naming them) while it has projects,
/// users or groups.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}", operation_id = "tenant_delete",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn tenant_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.tenant_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A tenant's quota: limits, allocated to projects, used by guests.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/quota", operation_id = "tenant_quota_view",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 200, body = QuotaBody), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_quota_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<QuotaBody>, HttpError> {
    Ok(Json(s.tenant_quota_view(&ctx, &key).await?))
}

/// Replaces a tenant's labels, which governance policies read (platform administrators).
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}/labels", operation_id = "tenant_labels_update",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = LabelsBody,
    responses((status = 200, body = TenantView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_labels_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<LabelsBody>,
) -> Result<Json<TenantView>, HttpError> {
    Ok(Json(s.tenant_labels_update(&ctx, &key, body.labels).await?))
}

/// Sets a tenant's quota (refused below what its projects hold).
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}/quota", operation_id = "tenant_quota_update",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = ResourcesBody,
    responses((status = 200, body = QuotaBody), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn tenant_quota_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ResourcesBody>,
) -> Result<Json<QuotaBody>, HttpError> {
    Ok(Json(s.tenant_quota_update(&ctx, &key, body).await?))
}
