//! Site links (the sites' WireGuard tunnels to the datacentre): glue to `app::site_links`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use scmp_api::*;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The hub and the linked sites, with what each tunnel carries.
#[utoipa::path(get, path = "/api/v1/tunnels", operation_id = "tunnel_list",
    responses((status = 200, body = SiteTunnelsView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn tunnel_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<SiteTunnelsView>, HttpError> {
    Ok(Json(s.site_link_list(&ctx).await?))
}

/// Sets the datacentre's hub (its endpoint, public key and tunnel prefix); every linked site gets
/// its configuration anew.
#[utoipa::path(put, path = "/api/v1/tunnels/hub", operation_id = "tunnel_hub_set", request_body = LinkHubBody,
    responses((status = 200, body = LinkHubBody), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn tunnel_hub_set(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<LinkHubBody>,
) -> Result<Json<LinkHubBody>, HttpError> {
    Ok(Json(s.site_link_hub_set(&ctx, body).await?))
}

/// The hub's WireGuard configuration: one peer per linked site.
#[utoipa::path(get, path = "/api/v1/tunnels/hub/config", operation_id = "tunnel_hub_config",
    params(LinkConfigQuery),
    responses((status = 200, body = LinkConfigView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn tunnel_hub_config(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<LinkConfigQuery>,
) -> Result<Json<LinkConfigView>, HttpError> {
    Ok(Json(
        s.site_link_hub_config(&ctx, q.format.as_deref()).await?,
    ))
}

/// Links a site to the hub: a tunnel address of its own, a key pair made at the site by its agent
/// (only the public key comes back), its configuration written there.
#[utoipa::path(put, path = "/api/v1/sites/{site}/tunnel", operation_id = "site_tunnel_enable",
    params(("site" = String, Path, description = "Site id or name")), request_body = SiteTunnelCreate,
    responses((status = 200, body = SiteTunnelView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 503, body = Problem)))]
pub async fn site_tunnel_enable(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<SiteTunnelCreate>,
) -> Result<Json<SiteTunnelView>, HttpError> {
    Ok(Json(s.site_link_enable(&ctx, &key, body).await?))
}

/// Unlinks a site.
#[utoipa::path(delete, path = "/api/v1/sites/{site}/tunnel", operation_id = "site_tunnel_delete",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_tunnel_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.site_link_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotates a site's key: a new key pair made at the site; the hub's configuration changes with it.
#[utoipa::path(post, path = "/api/v1/sites/{site}/tunnel/rotate", operation_id = "site_tunnel_rotate",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 200, body = SiteTunnelView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem), (status = 503, body = Problem)))]
pub async fn site_tunnel_rotate(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<SiteTunnelView>, HttpError> {
    Ok(Json(s.site_link_rotate(&ctx, &key).await?))
}

/// A site's WireGuard configuration (it names `/etc/wireguard/scmp0.key` for the site's key).
#[utoipa::path(get, path = "/api/v1/sites/{site}/tunnel/config", operation_id = "site_tunnel_config",
    params(("site" = String, Path, description = "Site id or name"), LinkConfigQuery),
    responses((status = 200, body = LinkConfigView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn site_tunnel_config(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<LinkConfigQuery>,
) -> Result<Json<LinkConfigView>, HttpError> {
    Ok(Json(
        s.site_link_config(&ctx, &key, q.format.as_deref()).await?,
    ))
}
