//! The hosts of a cluster, and their maintenance: glue to `app::clusters`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use scmp_api::*;

use super::{ApiPath, ApiPath2, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A cluster's hosts as inventory last saw them.
#[utoipa::path(get, path = "/api/v1/clusters/{cluster}/hosts", operation_id = "host_list",
    params(("cluster" = String, Path, description = "Cluster id or name"), PageQuery),
    responses((status = 200, body = Page<HostView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<HostView>>, HttpError> {
    Ok(Json(s.host_list(&ctx, &key, &q).await?))
}

/// One host.
#[utoipa::path(get, path = "/api/v1/clusters/{cluster}/hosts/{host}", operation_id = "host_view",
    params(("cluster" = String, Path, description = "Cluster id or name"), ("host" = String, Path, description = "Node name")),
    responses((status = 200, body = HostView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, host): ApiPath2,
) -> Result<Json<HostView>, HttpError> {
    Ok(Json(s.host_view(&ctx, &key, &host).await?))
}

/// Puts a host into maintenance: placement puts no new guest on it.
#[utoipa::path(post, path = "/api/v1/clusters/{cluster}/hosts/{host}/maintenance-enter", operation_id = "host_maintenance_enter",
    params(("cluster" = String, Path, description = "Cluster id or name"), ("host" = String, Path, description = "Node name")),
    responses((status = 200, body = HostView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_maintenance_enter(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, host): ApiPath2,
) -> Result<Json<HostView>, HttpError> {
    Ok(Json(s.host_maintenance(&ctx, &key, &host, true).await?))
}

/// Takes a host out of maintenance.
#[utoipa::path(post, path = "/api/v1/clusters/{cluster}/hosts/{host}/maintenance-exit", operation_id = "host_maintenance_exit",
    params(("cluster" = String, Path, description = "Cluster id or name"), ("host" = String, Path, description = "Node name")),
    responses((status = 200, body = HostView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_maintenance_exit(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, host): ApiPath2,
) -> Result<Json<HostView>, HttpError> {
    Ok(Json(s.host_maintenance(&ctx, &key, &host, false).await?))
}
