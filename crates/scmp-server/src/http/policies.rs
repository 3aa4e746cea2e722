//! Governance policies: glue to `app::policies`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Policies the caller may see: the platform's, and those of the tenants and projects it can see.
#[utoipa::path(get, path = "/api/v1/policies", operation_id = "policy_list", params(TenantFilter),
    responses((status = 200, body = Page<PolicyView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn policy_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<PolicyView>>, HttpError> {
    Ok(Json(s.policy_list(&ctx, &q).await?))
}

/// Creates a policy for the platform, a tenant or a project, validated against the input's schema.
#[utoipa::path(post, path = "/api/v1/policies", operation_id = "policy_create", request_body = PolicyCreate,
    responses((status = 201, body = PolicyView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn policy_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<PolicyCreate>,
) -> Result<(StatusCode, Json<PolicyView>), HttpError> {
    Ok(created(s.policy_create(&ctx, body).await?))
}

/// A policy, with the Cedar rules it is evaluated as.
#[utoipa::path(get, path = "/api/v1/policies/{policy}", operation_id = "policy_view",
    params(("policy" = String, Path, description = "Policy id or name")),
    responses((status = 200, body = PolicyView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn policy_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<PolicyView>, HttpError> {
    Ok(Json(s.policy_view_of(&ctx, &key).await?))
}

/// A new version of a policy, made from the version given (409 when it changed since).
#[utoipa::path(put, path = "/api/v1/policies/{policy}", operation_id = "policy_update",
    params(("policy" = String, Path, description = "Policy id or name")), request_body = PolicyUpdate,
    responses((status = 200, body = PolicyView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn policy_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<PolicyUpdate>,
) -> Result<Json<PolicyView>, HttpError> {
    Ok(Json(s.policy_update(&ctx, &key, body).await?))
}

/// Deletes a policy.
#[utoipa::path(delete, path = "/api/v1/policies/{policy}", operation_id = "policy_delete",
    params(("policy" = String, Path, description = "Policy id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn policy_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.policy_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A policy's versions, newest first.
#[utoipa::path(get, path = "/api/v1/policies/{policy}/versions", operation_id = "policy_versions",
    params(("policy" = String, Path, description = "Policy id or name")),
    responses((status = 200, body = Vec<PolicyVersionView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn policy_versions(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<Vec<PolicyVersionView>>, HttpError> {
    Ok(Json(s.policy_versions(&ctx, &key).await?))
}

/// What a policy (new, or a new version of one) would have done to the recent admissions of its
/// scope; nothing is changed.
#[utoipa::path(post, path = "/api/v1/policies/dry-run", operation_id = "policy_dry_run", request_body = PolicyDryRun,
    responses((status = 200, body = PolicyDryRunReport), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn policy_dry_run(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<PolicyDryRun>,
) -> Result<Json<PolicyDryRunReport>, HttpError> {
    Ok(Json(s.policy_dry_run(&ctx, body).await?))
}

/// The policies' input schema, in Cedar's schema language: what rules can refer to.
#[utoipa::path(get, path = "/api/v1/policies/schema", operation_id = "policy_schema",
    responses((status = 200, body = String, content_type = "text/plain"), (status = 401, body = Problem)))]
pub async fn policy_schema(State(_s): State<Arc<AppState>>, _ctx: OpContext) -> &'static str {
    scmp_governance::SCHEMA
}
