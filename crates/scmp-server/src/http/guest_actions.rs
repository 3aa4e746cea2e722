//! Actions on a guest: power (start, stop, shutdown, reboot) and moving it to another host of its
//! cluster. Each is an operation.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use scmp_authz::Action;
use scmp_common::{Error, OperationKind};

use super::guests::{begin, guest_for, Change};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

async fn power(
    s: Arc<AppState>,
    ctx: OpContext,
    key: String,
    kind: OperationKind,
    wait: Option<u64>,
) -> Result<Response, HttpError> {
    let g = guest_for(&s, &ctx, &key, Action::GuestOperate).await?;
    begin(
        &s,
        &ctx,
        &g,
        Change::update(kind, serde_json::json!({})),
        wait,
    )
    .await
}

/// Starts a guest.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/start", operation_id = "guest_start",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_start(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    power(s, ctx, key, OperationKind::GuestStart, q.wait).await
}

/// Powers a guest off at once.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/stop", operation_id = "guest_stop",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_stop(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    power(s, ctx, key, OperationKind::GuestStop, q.wait).await
}

/// Shuts a guest down cleanly.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/shutdown", operation_id = "guest_shutdown",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_shutdown(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    power(s, ctx, key, OperationKind::GuestShutdown, q.wait).await
}

/// Reboots a guest.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/reboot", operation_id = "guest_reboot",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_reboot(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    power(s, ctx, key, OperationKind::GuestReboot, q.wait).await
}

/// Moves a guest to another host of its cluster (live for running VMs; running containers restart).
#[utoipa::path(post, path = "/api/v1/guests/{guest}/migrate", operation_id = "guest_migrate",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = GuestMigrate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn guest_migrate(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<GuestMigrate>,
) -> Result<Response, HttpError> {
    let g = guest_for(&s, &ctx, &key, Action::GuestOperate).await?;
    let (Some(cluster_id), Some(current)) = (g.cluster_id.clone(), g.node.clone()) else {
        return Err(Error::Conflict(format!("guest '{}' is not placed", g.name)).into());
    };
    let hosts = s.store.host_list_all(&cluster_id).await?;
    let target = match body.host {
        Some(h) => {
            let Some(host) = hosts.iter().find(|x| x.observed.name == h) else {
                return Err(HttpError::invalid(
                    "host",
                    "no such host in the guest's cluster",
                ));
            };
            if h == current {
                return Err(HttpError::invalid(
                    "host",
                    "the guest is on that host already",
                ));
            }
            if !host.observed.online || host.maintenance {
                return Err(HttpError::invalid(
                    "host",
                    "the host is offline or in maintenance",
                ));
            }
            h
        }
        None => {
            let tenant = s.store.tenant_get(g.tenant_id).await?;
            let mut req = crate::placement::request(&g, &tenant.countries);
            req.cluster = Some(cluster_id.clone());
            req.avoid_host = Some(current.clone());
            req.image = None;
            match s.placer.place(&s.store, &req, false).await? {
                Ok(p) => p.host,
                Err(refusal) => {
                    return Err(Error::Refused(format!(
                        "no other host can take the guest: {refusal}"
                    ))
                    .into())
                }
            }
        }
    };
    let change = Change::update(
        OperationKind::GuestMigrate,
        serde_json::json!({ "host": target }),
    );
    begin(&s, &ctx, &g, change, q.wait).await
}
