//! Tenant networks and sites' network settings: glue to `app::networks`. Changes to networks
//! answer `202 Accepted` with the operation.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_api::*;

use super::{accepted, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A project's networks, by name.
#[utoipa::path(get, path = "/api/v1/projects/{project}/networks", operation_id = "network_list",
    params(("project" = String, Path, description = "Project id"), PageQuery),
    responses((status = 200, body = Page<NetworkView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn network_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<NetworkView>>, HttpError> {
    Ok(Json(s.network_list(&ctx, &key, &q).await?))
}

/// Creates a network at a site: admitted within the project's network quota with the next VLAN
/// tag or VNI of the site's pool, made on the site's clusters by an operation.
#[utoipa::path(post, path = "/api/v1/projects/{project}/networks", operation_id = "network_create",
    params(("project" = String, Path, description = "Project id"), WaitQuery), request_body = NetworkCreate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn network_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<NetworkCreate>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.network_create(&ctx, &key, body, q.wait).await?))
}

/// One network.
#[utoipa::path(get, path = "/api/v1/networks/{network}", operation_id = "network_view",
    params(("network" = String, Path, description = "Network id")),
    responses((status = 200, body = NetworkView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn network_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<NetworkView>, HttpError> {
    Ok(Json(s.network_view(&ctx, &key).await?))
}

/// Changes a network's subnets (all of them given), made so on its site's clusters by an
/// operation; a subnet with guests' addresses is not removed.
#[utoipa::path(put, path = "/api/v1/networks/{network}", operation_id = "network_update",
    params(("network" = String, Path, description = "Network id"), WaitQuery), request_body = NetworkUpdate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn network_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<NetworkUpdate>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.network_update(&ctx, &key, body, q.wait).await?))
}

/// Removes a network from its site's clusters; refused while guests have NICs on it.
#[utoipa::path(delete, path = "/api/v1/networks/{network}", operation_id = "network_delete",
    params(("network" = String, Path, description = "Network id"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn network_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.network_delete(&ctx, &key, q.wait).await?))
}

/// How a site realises tenant networks.
#[utoipa::path(get, path = "/api/v1/sites/{site}/networking", operation_id = "site_networking_view",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 200, body = SiteNetworkingBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_networking_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<SiteNetworkingBody>, HttpError> {
    Ok(Json(s.site_networking_view(&ctx, &key).await?))
}

/// Sets how a site realises the tenant networks made from now on (zone type, bridge or peers,
/// the pool of tags); a pool that leaves out a tag in use is refused.
#[utoipa::path(put, path = "/api/v1/sites/{site}/networking", operation_id = "site_networking_set",
    params(("site" = String, Path, description = "Site id or name")), request_body = SiteNetworkingBody,
    responses((status = 200, body = SiteNetworkingBody), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn site_networking_set(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<SiteNetworkingBody>,
) -> Result<Json<SiteNetworkingBody>, HttpError> {
    Ok(Json(s.site_networking_set(&ctx, &key, body).await?))
}
