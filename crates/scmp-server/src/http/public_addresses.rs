//! Public addresses, their sites' pools and NAT tables: glue to `app::public_addresses`.
//! Attaching and detaching answer `202 Accepted` with the guest's operation.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{accepted, created, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A site's pools of public addresses, by name.
#[utoipa::path(get, path = "/api/v1/sites/{site}/public-pools", operation_id = "public_pool_list",
    params(("site" = String, Path, description = "Site id or name"), PageQuery),
    responses((status = 200, body = Page<PublicPoolView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn public_pool_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<PublicPoolView>>, HttpError> {
    Ok(Json(s.public_pool_list(&ctx, &key, &q).await?))
}

/// Defines a pool of public addresses at a site (not overlapping its other pools).
#[utoipa::path(post, path = "/api/v1/sites/{site}/public-pools", operation_id = "public_pool_create",
    params(("site" = String, Path, description = "Site id or name")), request_body = PublicPoolCreate,
    responses((status = 201, body = PublicPoolView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn public_pool_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<PublicPoolCreate>,
) -> Result<(StatusCode, Json<PublicPoolView>), HttpError> {
    Ok(created(s.public_pool_create(&ctx, &key, body).await?))
}

/// Removes a pool; refused while projects hold addresses of it.
#[utoipa::path(delete, path = "/api/v1/public-pools/{pool}", operation_id = "public_pool_delete",
    params(("pool" = String, Path, description = "Pool id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
               (status = 409, body = Problem)))]
pub async fn public_pool_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.public_pool_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's 1:1 NAT table, with an nftables ruleset for its edge router.
#[utoipa::path(get, path = "/api/v1/sites/{site}/nat", operation_id = "site_nat_view",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 200, body = NatTableView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_nat_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<NatTableView>, HttpError> {
    Ok(Json(s.site_nat_table(&ctx, &key).await?))
}

/// A project's public addresses.
#[utoipa::path(get, path = "/api/v1/projects/{project}/public-addresses", operation_id = "public_address_list",
    params(("project" = String, Path, description = "Project id"), PageQuery),
    responses((status = 200, body = Page<PublicAddressView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn public_address_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<PublicAddressView>>, HttpError> {
    Ok(Json(s.public_address_list(&ctx, &key, &q).await?))
}

/// Allocates a public address at a site for the project, within its quota.
#[utoipa::path(post, path = "/api/v1/projects/{project}/public-addresses", operation_id = "public_address_create",
    params(("project" = String, Path, description = "Project id")), request_body = PublicAddressCreate,
    responses((status = 201, body = PublicAddressView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn public_address_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<PublicAddressCreate>,
) -> Result<(StatusCode, Json<PublicAddressView>), HttpError> {
    Ok(created(s.public_address_create(&ctx, &key, body).await?))
}

/// One public address.
#[utoipa::path(get, path = "/api/v1/public-addresses/{address}", operation_id = "public_address_view",
    params(("address" = String, Path, description = "Public address id")),
    responses((status = 200, body = PublicAddressView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn public_address_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<PublicAddressView>, HttpError> {
    Ok(Json(s.public_address_view(&ctx, &key).await?))
}

/// Releases a public address and its quota; refused while it is on a guest.
#[utoipa::path(delete, path = "/api/v1/public-addresses/{address}", operation_id = "public_address_delete",
    params(("address" = String, Path, description = "Public address id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
               (status = 409, body = Problem)))]
pub async fn public_address_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.public_address_delete(&ctx, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attaches a public address to a guest of its project and site: NAT to one of its NICs, or a
/// routed NIC of its own.
#[utoipa::path(post, path = "/api/v1/public-addresses/{address}/attach", operation_id = "public_address_attach",
    params(("address" = String, Path, description = "Public address id"), WaitQuery), request_body = PublicAddressAttach,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn public_address_attach(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<PublicAddressAttach>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.public_address_attach(&ctx, &key, body, q.wait).await?,
    ))
}

/// Takes a public address off its guest.
#[utoipa::path(post, path = "/api/v1/public-addresses/{address}/detach", operation_id = "public_address_detach",
    params(("address" = String, Path, description = "Public address id"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn public_address_detach(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.public_address_detach(&ctx, &key, q.wait).await?))
}
