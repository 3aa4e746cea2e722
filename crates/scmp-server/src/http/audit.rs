//! The audit wrapper every mutation runs in (recorded before it acts, completed after), and the
//! `audit_list` endpoint.

use scmp_api::*;
use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use scmp_authz::{Action, Resource};
use scmp_common::{Error, TenantId};
use scmp_store::{AuditRecord, CredentialKind};

use scmp_common::time::{from_ms, to_ms};

use super::ApiQuery;
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

fn record(ctx: &OpContext, operation: &str, target: &str, tenant: Option<TenantId>) -> AuditRecord {
    AuditRecord {
        request_id: ctx.request_id.clone(),
        phase: "begin",
        actor: ctx.actor.user.id.clone(),
        identity: ctx.actor.user.identity(),
        auth_method: match ctx.actor.credential.kind {
            CredentialKind::Token => "token".into(),
            CredentialKind::Session => "session".into(),
        },
        credential: ctx.actor.credential.id.clone(),
        credential_name: ctx.actor.credential.name.clone(),
        source: ctx.source.ip().to_string(),
        operation: operation.into(),
        target: target.into(),
        tenant_id: tenant,
        result: "pending".into(),
        error: String::new(),
    }
}

/// Runs a change between its two audit entries. Without the first entry nothing happens.
pub async fn audited<T, F>(
    s: &AppState,
    ctx: &OpContext,
    operation: &str,
    target: &str,
    tenant: Option<TenantId>,
    change: F,
) -> Result<T, HttpError>
where
    F: Future<Output = Result<T, Error>>,
{
    let mut rec = record(ctx, operation, target, tenant);
    s.store.audit_append(&rec).await.map_err(|_| {
        HttpError::from(Error::Unavailable("the audit log cannot be written".into()))
    })?;
    let result = change.await;
    rec.phase = "end";
    match &result {
        Ok(_) => rec.result = "ok".into(),
        Err(e) => {
            rec.result = "error".into();
            rec.error = e.to_string();
        }
    }
    match s.store.audit_append(&rec).await {
        // Changes append begin/end pairs, so the end entry lands on N or N+1 past a multiple of N;
        // checking the position avoids reading the checkpoint table on every request.
        Ok(seq) if seq % crate::checkpoint::EVERY_ENTRIES < 2 && seq > 1 => {
            if let Err(e) = s.signer.checkpoint(&s.store).await {
                tracing::warn!(error = %e, "audit checkpoint failed");
            }
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, request_id = %ctx.request_id, "cannot complete the audit entry")
        }
    }
    result.map_err(HttpError)
}

/// The audit log, oldest first.
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "audit_list", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntryView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn audit_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntryView>>, HttpError> {
    let limit = q.limit()?;
    let tenant = match &q.tenant {
        Some(key) => Some(
            super::tenants::tenant_for(&s, &ctx, key, Action::AuditList)
                .await?
                .id,
        ),
        None => {
            platform_audit(&s, &ctx, "read the whole audit log (name a tenant)")?;
            None
        }
    };
    let guest = match q.guest {
        Some(g) => Some(
            g.parse::<scmp_common::GuestId>()
                .map_err(|_| HttpError::invalid("guest", "not a guest id"))?
                .to_string(),
        ),
        None => None,
    };
    let filter = scmp_store::AuditFilter {
        tenant,
        actor: q.actor,
        operation: q.operation,
        target: q.target,
        since_ms: q.since.as_ref().map(to_ms),
        until_ms: q.until.as_ref().map(to_ms),
        guest,
    };
    let (entries, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<i64>, n| {
            let (store, filter) = (s.store.clone(), filter.clone());
            async move { store.audit_search(&filter, after.unwrap_or(0), n).await }
        },
        |e| e.seq,
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: entries.into_iter().map(crate::views::audit_entry).collect(),
        next_page_token: next,
    }))
}

/// Refuses callers who may not read the whole platform's audit log.
fn platform_audit(s: &AppState, ctx: &OpContext, what: &str) -> Result<(), HttpError> {
    s.authz
        .check(
            &ctx.actor.principal,
            Action::AuditPlatformList,
            Resource::Platform,
        )
        .map_err(|_| HttpError::forbidden(what))
}

/// Checks the whole audit chain and every signed checkpoint now (for auditors).
#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "audit_verify",
    responses((status = 200, body = AuditVerifyView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_verify(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<AuditVerifyView>, HttpError> {
    platform_audit(&s, &ctx, "verify the audit log")?;
    let key =
        hex::decode(s.signer.public_key_hex()).map_err(|e| HttpError::from(Error::internal(e)))?;
    let verdict = crate::checkpoint::verify_with_key(&s.store, &key).await?;
    Ok(Json(match verdict {
        crate::checkpoint::Verdict::Intact {
            entries,
            checkpoints,
        } => AuditVerifyView {
            state: "intact".into(),
            entries,
            checkpoints: checkpoints as u64,
            broken_at: None,
            reason: None,
        },
        crate::checkpoint::Verdict::Broken { seq, reason } => AuditVerifyView {
            state: "broken".into(),
            entries: 0,
            checkpoints: 0,
            broken_at: Some(seq),
            reason: Some(reason),
        },
    }))
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
    platform_audit(&s, &ctx, "read the audit checkpoints")?;
    let limit = q.limit()?;
    let (list, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<i64>, n| {
            let store = s.store.clone();
            async move { store.audit_checkpoint_list(after.unwrap_or(0), n).await }
        },
        |c| c.seq,
        |_| true,
    )
    .await?;
    let items = list
        .into_iter()
        .map(|c| CheckpointView {
            seq: c.seq,
            head_hash: c.head_hash,
            time: from_ms(c.time_ms),
            public_key: c.public_key,
            signature: c.signature,
        })
        .collect();
    Ok(Json(Page {
        items,
        next_page_token: next,
    }))
}
