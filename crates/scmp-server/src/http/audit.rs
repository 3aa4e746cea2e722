//! The audit log: glue to `app::audit_log`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use scmp_api::*;

use super::ApiQuery;
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The audit log, oldest first.
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "audit_list", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntryView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn audit_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntryView>>, HttpError> {
    Ok(Json(s.audit_list(&ctx, &q).await?))
}

/// Checks the whole audit chain and every signed checkpoint now (for auditors).
#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "audit_verify",
    responses((status = 200, body = AuditVerifyView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_verify(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<AuditVerifyView>, HttpError> {
    Ok(Json(s.audit_verify(&ctx).await?))
}

/// The audit chain's signed checkpoints, oldest first (for offline verification and export).
#[utoipa::path(get, path = "/api/v1/audit/checkpoints", operation_id = "audit_checkpoint_list",
    params(PageQuery),
    responses((status = 200, body = Page<CheckpointView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_checkpoint_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<CheckpointView>>, HttpError> {
    Ok(Json(s.audit_checkpoint_list(&ctx, &q).await?))
}
