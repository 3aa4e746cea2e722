//! Clusters registered at sites: glue to `app::clusters`. The token secret is sealed before
//! it reaches the store and is never returned.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A site's clusters, by name.
#[utoipa::path(get, path = "/api/v1/sites/{site}/clusters", operation_id = "cluster_list",
    params(("site" = String, Path, description = "Site id or name"), PageQuery),
    responses((status = 200, body = Page<ClusterView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ClusterView>>, HttpError> {
    Ok(Json(s.cluster_list(&ctx, &key, &q).await?))
}

/// Registers a Proxmox VE cluster at a site. The token secret is stored encrypted and never returned.
#[utoipa::path(post, path = "/api/v1/sites/{site}/clusters", operation_id = "cluster_create",
    params(("site" = String, Path, description = "Site id or name")), request_body = ClusterCreate,
    responses((status = 201, body = ClusterView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cluster_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ClusterCreate>,
) -> Result<(StatusCode, Json<ClusterView>), HttpError> {
    Ok(created(s.cluster_create(&ctx, &key, body).await?))
}

/// One cluster (without its secret).
#[utoipa::path(get, path = "/api/v1/clusters/{cluster}", operation_id = "cluster_view",
    params(("cluster" = String, Path, description = "Cluster id or name")),
    responses((status = 200, body = ClusterView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ClusterView>, HttpError> {
    Ok(Json(s.cluster_view(&ctx, &key).await?))
}

/// Removes a cluster registration with its inventory; refused (409, naming them) while scmp guests
/// are placed on it. Nothing on the cluster itself changes.
#[utoipa::path(delete, path = "/api/v1/clusters/{cluster}", operation_id = "cluster_delete",
    params(("cluster" = String, Path, description = "Cluster id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.cluster_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a cluster's overcommit ratios or drift action.
#[utoipa::path(patch, path = "/api/v1/clusters/{cluster}", operation_id = "cluster_update",
    params(("cluster" = String, Path, description = "Cluster id or name")), request_body = ClusterUpdate,
    responses((status = 200, body = ClusterView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ClusterUpdate>,
) -> Result<Json<ClusterView>, HttpError> {
    Ok(Json(s.cluster_update(&ctx, &key, body).await?))
}
