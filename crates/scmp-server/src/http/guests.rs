//! Guests: created from a catalog image and an instance type (or explicit sizes) inside their
//! project's quota, then started, stopped, resized, snapshotted and deleted. Every change is admitted
//! in one transaction (quota, record, operation) and carried out by a saga; the answer is `202` with
//! the operation.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_authz::{Action, Denial, Resource};
use scmp_common::{GuestState, OperationKind};
use scmp_store::{Guest, NewOperation};

use super::audit::audited;
use super::operations::{accepted, wait_for};
use scmp_common::time::from_ms;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Looks up a guest by id (or by name, when exactly one visible guest has it) and checks the action.
pub async fn guest_for(
    s: &AppState,
    ctx: &OpContext,
    key: &str,
    action: Action,
) -> Result<Guest, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::Guest,
            name: key.to_string(),
        })
    };
    let found = s.store.guest_find(key).await?;
    let visible: Vec<Guest> = found
        .into_iter()
        .filter(|g| {
            s.authz.can_see(
                &ctx.actor.principal,
                Resource::Project(g.tenant_id, g.project_id),
            )
        })
        .collect();
    let g = match <[Guest; 1]>::try_from(visible) {
        Ok([g]) => g,
        Err(v) if v.is_empty() => return Err(not_found()),
        Err(_) => {
            return Err(HttpError::invalid(
                "guest",
                "several guests have that name; use the id",
            ))
        }
    };
    match s.authz.check(
        &ctx.actor.principal,
        action,
        Resource::Project(g.tenant_id, g.project_id),
    ) {
        Ok(()) => Ok(g),
        Err(Denial::NotFound) => Err(not_found()),
        Err(Denial::Forbidden) => Err(HttpError::forbidden(action.id())),
    }
}

/// A project's guests, by name.
#[utoipa::path(get, path = "/api/v1/projects/{project}/guests", operation_id = "guest_list",
    params(("project" = String, Path, description = "Project id"), GuestListQuery),
    responses((status = 200, body = Page<GuestView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn guest_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<GuestListQuery>,
) -> Result<Json<Page<GuestView>>, HttpError> {
    let p = super::projects::project_for(&s, &ctx, &key, Action::GuestList).await?;
    let limit = q.limit()?;
    let (items, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let store = s.store.clone();
            async move { store.guest_list(p.id, after.as_deref(), n).await }
        },
        |g| g.name.to_string(),
        |g| {
            q.site
                .as_ref()
                .is_none_or(|site| g.site_name.as_ref() == Some(site))
                && q.state.is_none_or(|state| g.state == state)
        },
    )
    .await?;
    Ok(Json(Page {
        items: items.into_iter().map(crate::views::guest).collect(),
        next_page_token: next,
    }))
}

/// Creates a guest: admitted within the project's quota at once, built by an operation.
#[utoipa::path(post, path = "/api/v1/projects/{project}/guests", operation_id = "guest_create",
    params(("project" = String, Path, description = "Project id"), CreateQuery), request_body = GuestCreate,
    responses((status = 202, body = OperationView), (status = 200, body = PlacementPreview, description = "With `dry_run`: where placement would put the guest"), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn guest_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<CreateQuery>,
    ApiJson(body): ApiJson<GuestCreate>,
) -> Result<Response, HttpError> {
    let p = super::projects::project_for(&s, &ctx, &key, Action::GuestCreate).await?;
    let checked = crate::guests::check_create(&s, &p, body).await?;
    if q.dry_run == Some(true) {
        let placed = checked.placed;
        return Ok(axum::response::IntoResponse::into_response(Json(
            PlacementPreview {
                cluster_id: placed.cluster_id,
                host: placed.host,
                why: placed.why,
            },
        )));
    }
    let new = checked.guest;
    let op = NewOperation {
        kind: OperationKind::GuestCreate,
        target: format!("guest/{}", new.name),
        params: serde_json::json!({}),
        request_id: ctx.request_id.clone(),
    };
    let target = format!("project/{}/guest/{}", p.id, new.name);
    let (_, op) = audited(
        &s,
        &ctx,
        "guest_create",
        &target,
        Some(p.tenant_id),
        s.store.guest_admit(&new, &op),
    )
    .await?;
    s.work.announce();
    let op = wait_for(&s, op, q.wait).await?;
    Ok(accepted(op))
}

/// One guest, with its recent events.
#[utoipa::path(get, path = "/api/v1/guests/{guest}", operation_id = "guest_view",
    params(("guest" = String, Path, description = "Guest id (or name when unique)")),
    responses((status = 200, body = GuestView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn guest_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<GuestView>, HttpError> {
    let g = guest_for(&s, &ctx, &key, Action::GuestView).await?;
    let events = s.store.guest_events(g.id, 20).await?;
    let addresses = crate::guests::addresses(&s, &g).await;
    let mut v = crate::views::guest(g);
    v.addresses = addresses;
    v.events = events
        .into_iter()
        .map(|e| GuestEventView {
            at: from_ms(e.at),
            kind: e.kind,
            detail: e.detail,
        })
        .collect();
    Ok(Json(v))
}

/// A change to an existing guest: the operation, the states it may start from and the state the
/// guest is in meanwhile, the quota it reserves, and its input.
pub(super) struct Change {
    kind: OperationKind,
    from: &'static [GuestState],
    to: GuestState,
    quota: Option<[i64; 4]>,
    params: serde_json::Value,
}

impl Change {
    /// A change from running or stopped, the guest `updating` meanwhile.
    pub(super) fn update(kind: OperationKind, params: serde_json::Value) -> Self {
        Self {
            kind,
            from: SETTLED,
            to: GuestState::Updating,
            quota: None,
            params,
        }
    }
}

/// Starts an operation on an existing guest (one at a time per guest).
pub(super) async fn begin(
    s: &AppState,
    ctx: &OpContext,
    g: &Guest,
    change: Change,
    wait: Option<u64>,
) -> Result<Response, HttpError> {
    let Change {
        kind,
        from,
        to,
        quota,
        mut params,
    } = change;
    params["prior_state"] = serde_json::json!(g.state.as_str());
    let op = NewOperation {
        kind,
        target: format!("guest/{}", g.name),
        params,
        request_id: ctx.request_id.clone(),
    };
    let op = audited(
        s,
        ctx,
        kind.as_str(),
        &format!("guest/{}", g.id),
        Some(g.tenant_id),
        s.store.guest_begin(g, from, to, quota, &op),
    )
    .await?;
    s.work.announce();
    let op = wait_for(s, op, wait).await?;
    Ok(accepted(op))
}

const SETTLED: &[GuestState] = &[GuestState::Running, GuestState::Stopped];

/// Decommissions a guest: stopped, out of HA, destroyed with its disks, quota released.
#[utoipa::path(delete, path = "/api/v1/guests/{guest}", operation_id = "guest_delete",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn guest_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    let g = guest_for(&s, &ctx, &key, Action::GuestOperate).await?;
    let change = Change {
        kind: OperationKind::GuestDelete,
        from: &[
            GuestState::Running,
            GuestState::Stopped,
            GuestState::Failed,
            GuestState::Missing,
        ],
        to: GuestState::Deleting,
        quota: None,
        params: serde_json::json!({}),
    };
    begin(&s, &ctx, &g, change, q.wait).await
}

/// Resizes a guest within its project's quota (vCPUs and memory both ways, the disk grows only).
#[utoipa::path(patch, path = "/api/v1/guests/{guest}", operation_id = "guest_update",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = GuestUpdate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn guest_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<GuestUpdate>,
) -> Result<Response, HttpError> {
    let g = guest_for(&s, &ctx, &key, Action::GuestOperate).await?;
    let (vcpus, memory_mib, disk_gib) = crate::guests::check_sizes(
        body.vcpus.unwrap_or(g.vcpus),
        body.memory_mib.unwrap_or(g.memory_mib),
        body.disk_gib.unwrap_or(g.disk_gib),
    )?;
    if disk_gib < g.disk_gib {
        return Err(HttpError::invalid(
            "disk_gib",
            format!("disks only grow: the guest has {} GiB", g.disk_gib),
        ));
    }
    let grow = [
        vcpus.saturating_sub(g.vcpus) as i64,
        memory_mib.saturating_sub(g.memory_mib) as i64,
        disk_gib.saturating_sub(g.disk_gib) as i64,
        0,
    ];
    let mut change = Change::update(
        OperationKind::GuestResize,
        serde_json::json!({"vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib}),
    );
    change.quota = Some(grow);
    begin(&s, &ctx, &g, change, q.wait).await
}
