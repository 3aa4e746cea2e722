//! Approvals of held operations, and the ticketing systems' signed callbacks: glue to
//! `app::approvals` and `app::itsm`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use http::HeaderMap;
use scmp_api::*;

use super::{ApiJson, ApiPath, ApiQuery, Meta};
use crate::app::itsm::SIGNATURE_HEADER;
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Approvals the caller may see (their projects', and those they are an approver of), newest
/// first; `mine=true` keeps those they may still decide on.
#[utoipa::path(get, path = "/api/v1/approvals", operation_id = "approval_list", params(ApprovalListQuery),
    responses((status = 200, body = Page<ApprovalView>), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn approval_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<ApprovalListQuery>,
) -> Result<Json<Page<ApprovalView>>, HttpError> {
    Ok(Json(s.approval_list(&ctx, &q).await?))
}

/// An approval: what each policy asks, who must still approve, the decisions and the ITSM
/// deliveries.
#[utoipa::path(get, path = "/api/v1/approvals/{approval}", operation_id = "approval_view",
    params(("approval" = String, Path, description = "The held operation's id")),
    responses((status = 200, body = ApprovalView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn approval_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ApprovalView>, HttpError> {
    Ok(Json(s.approval_get(&ctx, &key).await?))
}

/// Approves as one of the approvers (never one's own request); the last approval needed lets
/// the operation run.
#[utoipa::path(post, path = "/api/v1/approvals/{approval}/approve", operation_id = "approval_approve",
    params(("approval" = String, Path, description = "The held operation's id")), request_body = ApprovalComment,
    responses((status = 200, body = ApprovalView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approval_approve(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ApprovalComment>,
) -> Result<Json<ApprovalView>, HttpError> {
    Ok(Json(s.approval_decide(&ctx, &key, true, body).await?))
}

/// Rejects with a comment: the operation is undone and its quota given back.
#[utoipa::path(post, path = "/api/v1/approvals/{approval}/reject", operation_id = "approval_reject",
    params(("approval" = String, Path, description = "The held operation's id")), request_body = ApprovalComment,
    responses((status = 200, body = ApprovalView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approval_reject(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ApprovalComment>,
) -> Result<Json<ApprovalView>, HttpError> {
    Ok(Json(s.approval_decide(&ctx, &key, false, body).await?))
}

/// A ticketing system's decision, through the signed callback URL its change request came
/// with; the body is signed in `X-Scmp-Signature` (`t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "t.body">`) under the policy's webhook secret. No bearer token: the signatures authenticate.
#[utoipa::path(post, path = "/api/v1/approvals/{approval}/itsm", operation_id = "approval_itsm_callback",
    params(("approval" = String, Path, description = "The held operation's id"), ItsmCallbackQuery), request_body = ItsmCallback,
    responses((status = 200, body = ApprovalView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approval_itsm_callback(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<ItsmCallbackQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ApprovalView>, HttpError> {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let source = meta.source.ip().to_string();
    Ok(Json(
        s.approval_itsm_callback(&key, &q, signature, &body, &source)
            .await?,
    ))
}
