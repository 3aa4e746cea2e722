//! Security groups and the groups a guest is in: glue to `app::security_groups` and
//! `app::guests::firewall`. Changes answer `202 Accepted` with the operation.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_api::*;

use super::{accepted, ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A project's security groups, by name.
#[utoipa::path(get, path = "/api/v1/projects/{project}/security-groups", operation_id = "security_group_list",
    params(("project" = String, Path, description = "Project id"), PageQuery),
    responses((status = 200, body = Page<SecurityGroupView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn security_group_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<SecurityGroupView>>, HttpError> {
    Ok(Json(s.security_group_list(&ctx, &key, &q).await?))
}

/// Creates a security group at a site, made on the site's clusters by an operation.
#[utoipa::path(post, path = "/api/v1/projects/{project}/security-groups", operation_id = "security_group_create",
    params(("project" = String, Path, description = "Project id"), WaitQuery), request_body = SecurityGroupCreate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn security_group_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<SecurityGroupCreate>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.security_group_create(&ctx, &key, body, q.wait).await?,
    ))
}

/// One security group, with its guests and any drift found on Proxmox.
#[utoipa::path(get, path = "/api/v1/security-groups/{security_group}", operation_id = "security_group_view",
    params(("security_group" = String, Path, description = "Security group id")),
    responses((status = 200, body = SecurityGroupView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn security_group_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<SecurityGroupView>, HttpError> {
    Ok(Json(s.security_group_view(&ctx, &key).await?))
}

/// Replaces a security group's rules, made so on its site's clusters by an operation.
#[utoipa::path(put, path = "/api/v1/security-groups/{security_group}", operation_id = "security_group_update",
    params(("security_group" = String, Path, description = "Security group id"), WaitQuery), request_body = SecurityGroupUpdate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn security_group_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<SecurityGroupUpdate>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.security_group_update(&ctx, &key, body, q.wait).await?,
    ))
}

/// Removes a security group; refused while guests are in it or other groups' rules name it.
#[utoipa::path(delete, path = "/api/v1/security-groups/{security_group}", operation_id = "security_group_delete",
    params(("security_group" = String, Path, description = "Security group id"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn security_group_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    Ok(accepted(s.security_group_delete(&ctx, &key, q.wait).await?))
}

/// Puts a guest in exactly these security groups (none: out of all, its firewall off).
#[utoipa::path(put, path = "/api/v1/guests/{guest}/security-groups", operation_id = "guest_security_groups_set",
    params(("guest" = String, Path, description = "Guest id"), WaitQuery), request_body = GuestSecurityGroups,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_security_groups_set(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<GuestSecurityGroups>,
) -> Result<Response, HttpError> {
    Ok(accepted(
        s.guest_security_groups_set(&ctx, &key, body, q.wait)
            .await?,
    ))
}
