//! Compliance reports and on-demand scans: glue to `app::compliance`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use scmp_api::*;

use super::{ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A tenant's compliance report: what its guests violate of the current policies, since when;
/// as JSON, or as CSV with `?format=csv`.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/compliance", operation_id = "compliance_report",
    params(("tenant" = String, Path, description = "Tenant id or name"), ComplianceQuery),
    responses((status = 200, content((ComplianceReport = "application/json"), (String = "text/csv"))),
               (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn compliance_report(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> Result<Response, HttpError> {
    let report = s.compliance_report(&ctx, &key).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("csv") => Ok((
            [(http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            crate::app::compliance::report_csv(&report)?,
        )
            .into_response()),
        Some(_) => Err(scmp_common::Error::invalid("format", "json or csv").into()),
    }
}

/// Scans a tenant's guests against the current policies now (its policy managers); answers the
/// report. New violations become events on their guests.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/compliance/scan", operation_id = "compliance_scan",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 200, body = ComplianceReport), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn compliance_scan(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ComplianceReport>, HttpError> {
    Ok(Json(s.compliance_scan(&ctx, &key).await?))
}
