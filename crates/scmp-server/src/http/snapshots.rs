//! Guest snapshots: listed from Proxmox, taken, rolled back and deleted through operations.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use scmp_authz::Action;
use scmp_common::OperationKind;

use super::guests::{begin, guest_for, Change};

use super::{ApiJson, ApiPath, ApiPath2, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

fn snapshot_name(n: &str) -> Result<String, HttpError> {
    let ok = n.len() <= 40
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && n != "current";
    if ok {
        Ok(n.to_string())
    } else {
        Err(HttpError::invalid(
            "name",
            "must start with a letter, then letters, digits, _ or - (up to 40), and not be 'current'",
        ))
    }
}

/// A guest's snapshots, as Proxmox has them.
#[utoipa::path(get, path = "/api/v1/guests/{guest}/snapshots", operation_id = "snapshot_list",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), PageQuery),
    responses((status = 200, body = Page<SnapshotView>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 503, body = Problem)))]
pub async fn snapshot_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<SnapshotView>>, HttpError> {
    let limit = q.limit()?;
    let g = guest_for(&s, &ctx, &key, Action::GuestView).await?;
    let snaps = crate::guests::snapshots(&s, &g).await?;
    let all = snaps
        .into_iter()
        .map(|s| SnapshotView {
            name: s.name,
            description: crate::views::text(s.description),
            taken_at: s.snaptime.map(|t| scmp_common::time::from_secs(t as i64)),
        })
        .collect();
    let (items, next) =
        super::paging::slice(all, q.page_token.as_deref(), limit, |s| s.name.clone())?;
    Ok(Json(Page {
        items,
        next_page_token: next,
    }))
}

/// Takes a snapshot.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/snapshots", operation_id = "snapshot_create",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), WaitQuery), request_body = SnapshotCreate,
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn snapshot_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
    ApiJson(body): ApiJson<SnapshotCreate>,
) -> Result<Response, HttpError> {
    change(
        s,
        ctx,
        key,
        &body.name,
        OperationKind::SnapshotCreate,
        q.wait,
    )
    .await
}

/// Starts a snapshot operation on a guest.
async fn change(
    s: Arc<AppState>,
    ctx: OpContext,
    key: String,
    snapshot: &str,
    kind: OperationKind,
    wait: Option<u64>,
) -> Result<Response, HttpError> {
    let g = guest_for(&s, &ctx, &key, Action::GuestOperate).await?;
    let name = snapshot_name(snapshot)?;
    let params = serde_json::json!({ "name": name });
    begin(&s, &ctx, &g, Change::update(kind, params), wait).await
}

/// Rolls a guest back to a snapshot.
#[utoipa::path(post, path = "/api/v1/guests/{guest}/snapshots/{snapshot}/rollback", operation_id = "snapshot_rollback",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("snapshot" = String, Path, description = "Snapshot name"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn snapshot_rollback(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, snap): ApiPath2,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    change(s, ctx, key, &snap, OperationKind::SnapshotRollback, q.wait).await
}

/// Deletes a snapshot.
#[utoipa::path(delete, path = "/api/v1/guests/{guest}/snapshots/{snapshot}", operation_id = "snapshot_delete",
    params(("guest" = String, Path, description = "Guest id (or name when unique)"), ("snapshot" = String, Path, description = "Snapshot name"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn snapshot_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, snap): ApiPath2,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    change(s, ctx, key, &snap, OperationKind::SnapshotDelete, q.wait).await
}
