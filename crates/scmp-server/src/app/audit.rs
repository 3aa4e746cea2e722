//! The audit wrapper every change runs in: an entry before it acts (without which nothing
//! happens) and one after, with how it ended; a signed checkpoint every so many entries.

use std::future::Future;

use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, TenantId};
use scmp_store::{AuditRecord, CredentialKind};

use crate::context::{AppState, OpContext};

/// The `begin` entry of a change by the caller.
pub(crate) fn record(
    ctx: &OpContext,
    operation: &str,
    target: AuditTarget,
    tenant: Option<TenantId>,
) -> AuditRecord {
    AuditRecord {
        request_id: ctx.request_id.clone(),
        phase: AuditPhase::Begin,
        actor: ctx.actor.user.id.to_string(),
        identity: ctx.actor.user.identity(),
        auth_method: match ctx.actor.credential.kind {
            CredentialKind::Token => AuthMethod::Token,
            CredentialKind::Session => AuthMethod::Session,
        },
        credential: ctx.actor.credential.id.to_string(),
        credential_name: ctx.actor.credential.name.clone(),
        source: ctx.source.ip().to_string(),
        operation: operation.into(),
        target,
        tenant_id: tenant,
        result: AuditResult::Pending,
        error: String::new(),
    }
}

impl AppState {
    /// Runs a change between its two audit entries. Without the first entry nothing happens.
    pub async fn audited<T, F>(
        &self,
        ctx: &OpContext,
        operation: &str,
        target: AuditTarget,
        tenant: Option<TenantId>,
        change: F,
    ) -> Result<T, Error>
    where
        F: Future<Output = Result<T, Error>>,
    {
        self.audited_as(record(ctx, operation, target, tenant), change)
            .await
    }

    /// Runs a change between the two audit entries of this record (its `begin` as given): for
    /// changes not made by a caller's request (the platform's own, a login's).
    pub(crate) async fn audited_as<T, F>(&self, mut rec: AuditRecord, change: F) -> Result<T, Error>
    where
        F: Future<Output = Result<T, Error>>,
    {
        if let Err(e) = self.store.audit_append(&rec).await {
            tracing::error!(error = %e.chain(), "cannot open the audit entry");
            return Err(Error::Unavailable("the audit log cannot be written".into()));
        }
        let result = change.await;
        rec.phase = AuditPhase::End;
        match &result {
            Ok(_) => rec.result = AuditResult::Ok,
            Err(e) => {
                rec.result = AuditResult::Error;
                rec.error = e.to_string();
            }
        }
        self.append_end(&rec).await;
        result
    }

    /// Writes the `end` entry of a change (an error is logged: the change happened), and signs a
    /// checkpoint when one is due.
    pub(crate) async fn append_end(&self, rec: &AuditRecord) {
        match self.store.audit_append(rec).await {
            // Changes append begin/end pairs, so the end entry lands on N or N+1 past a multiple of
            // N; checking the position avoids reading the checkpoint table on every request.
            Ok(seq) if seq % crate::checkpoint::EVERY_ENTRIES < 2 && seq > 1 => {
                if let Err(e) = self.signer.checkpoint(&self.store).await {
                    tracing::warn!(error = %e.chain(), "audit checkpoint failed");
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e.chain(), request_id = %rec.request_id, "cannot complete the audit entry")
            }
        }
    }
}
