//! Operations: the user-visible record of a workflow. Long changes answer `202 Accepted` with one
//! and a `Location`; `?wait=SECONDS` waits up to that long for it to end before answering.

use scmp_api::*;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use scmp_authz::{Action, Resource};
use scmp_common::{Error, OperationKind};
use scmp_store::Operation;

use super::{ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Waits (bounded) for an operation to end; answers it as it is then.
pub async fn wait_for(s: &AppState, op: Operation, wait: Option<u64>) -> Result<Operation, Error> {
    let Some(secs) = wait.filter(|w| *w > 0) else {
        return Ok(op);
    };
    if op.state.is_terminal() {
        return Ok(op);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs.min(600));
    let id = op.id;
    let ended = s.finished.subscribe(id);
    let result = async {
        loop {
            // Listen first, then look: an end that comes between the two is not missed.
            let notified = ended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let op = s.store.operation_get(id).await?;
            if op.state.is_terminal() || tokio::time::Instant::now() >= deadline {
                return Ok(op);
            }
            // Woken by this replica's worker when it ends; another replica's end is seen by polling.
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }
    .await;
    drop(ended);
    s.finished.unsubscribe(id);
    result
}

/// `202 Accepted` (or `200` when it already ended) with the operation and its `Location`.
pub fn accepted(op: Operation) -> Response {
    let status = if op.state.is_terminal() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    let location = format!("/api/v1/operations/{}", op.id);
    (
        status,
        [(http::header::LOCATION, location)],
        Json(crate::views::operation(op)),
    )
        .into_response()
}

/// Operations the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/operations", operation_id = "operation_list",
    params(OperationQuery),
    responses((status = 200, body = Page<OperationView>), (status = 401, body = Problem)))]
pub async fn operation_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<OperationQuery>,
) -> Result<Json<Page<OperationView>>, HttpError> {
    let limit = q.limit()?;
    let guest = match &q.guest {
        Some(key) => Some(
            super::guests::guest_for(&s, &ctx, key, Action::GuestView)
                .await?
                .id,
        ),
        None => None,
    };
    let (ops, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after, n| {
            let store = s.store.clone();
            async move { store.operation_list(guest, None, after, n).await }
        },
        |o| (o.created_at, o.id.to_string()),
        |o| {
            s.authz.authorize(
                &ctx.actor.principal,
                Action::GuestView,
                Resource::Project(o.tenant_id, o.project_id),
            ) && q.state.is_none_or(|state| o.state == state)
        },
    )
    .await?;
    Ok(Json(Page {
        items: ops.into_iter().map(crate::views::operation).collect(),
        next_page_token: next,
    }))
}

/// One operation; `?wait=SECONDS` waits for it to end.
#[utoipa::path(get, path = "/api/v1/operations/{operation}", operation_id = "operation_view",
    params(("operation" = String, Path, description = "Operation id"), WaitQuery),
    responses((status = 200, body = OperationView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn operation_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Json<OperationView>, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::Operation,
            name: key.to_string(),
        })
    };
    let Ok(id) = key.parse() else {
        return Err(not_found());
    };
    let op = match s.store.operation_get(id).await {
        Ok(op) => op,
        Err(Error::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(HttpError::from(e)),
    };
    if !s.authz.authorize(
        &ctx.actor.principal,
        Action::GuestView,
        Resource::Project(op.tenant_id, op.project_id),
    ) {
        return Err(not_found());
    }
    let op = wait_for(&s, op, q.wait).await?;
    Ok(Json(crate::views::operation(op)))
}

/// Cancels a guest creation: it stops before its next step, undoes what it did (nothing is left on
/// Proxmox, the quota is released) and ends as `cancelled`. Other operations cannot be cancelled:
/// power changes and deletions are not undone halfway.
#[utoipa::path(post, path = "/api/v1/operations/{operation}/cancel", operation_id = "operation_cancel",
    params(("operation" = String, Path, description = "Operation id"), WaitQuery),
    responses((status = 202, body = OperationView), (status = 200, body = OperationView), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn operation_cancel(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<WaitQuery>,
) -> Result<Response, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::Operation,
            name: key.to_string(),
        })
    };
    let Ok(id) = key.parse() else {
        return Err(not_found());
    };
    let op = match s.store.operation_get(id).await {
        Ok(op) => op,
        Err(Error::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    match s.authz.check(
        &ctx.actor.principal,
        Action::GuestOperate,
        Resource::Project(op.tenant_id, op.project_id),
    ) {
        Ok(()) => {}
        Err(scmp_authz::Denial::NotFound) => return Err(not_found()),
        Err(scmp_authz::Denial::Forbidden) => return Err(HttpError::forbidden("operation_cancel")),
    }
    if op.kind != OperationKind::GuestCreate {
        return Err(Error::Conflict(format!(
            "a {} cannot be cancelled; only guest creations can",
            op.kind
        ))
        .into());
    }
    let target = format!("operation/{}", op.id);
    let asked = super::audit::audited(
        &s,
        &ctx,
        "operation_cancel",
        &target,
        Some(op.tenant_id),
        s.store.operation_cancel(op.id),
    )
    .await?;
    if !asked {
        return Err(
            Error::Conflict("the operation has ended or is being undone already".into()).into(),
        );
    }
    let op = s.store.operation_get(op.id).await?;
    let op = wait_for(&s, op, q.wait).await?;
    Ok(accepted(op))
}
