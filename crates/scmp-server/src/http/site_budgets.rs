//! Offline budgets: glue to `app::site_budgets`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{ApiJson, ApiPath, ApiPath2, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Grants, renews or changes a project's offline budget at a site: escrowed out of the project's
/// quota (reserved in its usage at once), for the site to use while it is cut off.
#[utoipa::path(put, path = "/api/v1/projects/{project}/site-budgets/{site}", operation_id = "site_budget_set",
    params(("project" = String, Path, description = "Project id"), ("site" = String, Path, description = "Site id or name")),
    request_body = SiteBudgetSet,
    responses((status = 200, body = SiteBudgetView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn site_budget_set(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(project, site): ApiPath2,
    ApiJson(body): ApiJson<SiteBudgetSet>,
) -> Result<Json<SiteBudgetView>, HttpError> {
    Ok(Json(s.site_budget_set(&ctx, &project, &site, body).await?))
}

/// A project's offline budgets at its sites.
#[utoipa::path(get, path = "/api/v1/projects/{project}/site-budgets", operation_id = "site_budget_list",
    params(("project" = String, Path, description = "Project id"), PageQuery),
    responses((status = 200, body = Page<SiteBudgetView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_budget_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(project): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<SiteBudgetView>>, HttpError> {
    Ok(Json(s.site_budget_list(&ctx, &project, &q).await?))
}

/// Withdraws a project's offline budget at a site (what the site did not use goes back).
#[utoipa::path(delete, path = "/api/v1/projects/{project}/site-budgets/{site}", operation_id = "site_budget_withdraw",
    params(("project" = String, Path, description = "Project id"), ("site" = String, Path, description = "Site id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_budget_withdraw(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(project, site): ApiPath2,
) -> Result<StatusCode, HttpError> {
    s.site_budget_withdraw(&ctx, &project, &site).await?;
    Ok(StatusCode::NO_CONTENT)
}
