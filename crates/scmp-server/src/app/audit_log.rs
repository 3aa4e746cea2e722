//! Reading the audit log: entries (a tenant's for its administrators and auditors, the whole
//! platform's for platform auditors), its signed checkpoints, and checking the chain now.

use scmp_api::{AuditQuery, AuditVerifyView, CheckpointView, Page, PageQuery};
use scmp_authz::{Action, Resource};
use scmp_common::time::{from_ms, to_ms};
use scmp_common::{ChainState, Error};

use super::paging;
use crate::checkpoint::Verdict;
use crate::context::{AppState, OpContext};

impl AppState {
    /// Refuses callers who may not read the whole platform's audit log.
    fn authorize_platform_audit(&self, ctx: &OpContext, what: &str) -> Result<(), Error> {
        if self.allows(ctx, Action::AuditPlatformList, Resource::Platform) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                action: what.into(),
            })
        }
    }

    /// The audit log, oldest first.
    pub async fn audit_list(
        &self,
        ctx: &OpContext,
        q: &AuditQuery,
    ) -> Result<Page<scmp_api::AuditEntryView>, Error> {
        let limit = q.limit()?;
        let tenant = match &q.tenant {
            Some(key) => Some(self.lookup_tenant(ctx, key, Action::AuditList).await?.id),
            None => {
                self.authorize_platform_audit(ctx, "read the whole audit log (name a tenant)")?;
                None
            }
        };
        let filter = scmp_store::AuditFilter {
            tenant,
            actor: q.actor.clone(),
            operation: q.operation.clone(),
            target: q.target.clone(),
            since_ms: q.since.as_ref().map(to_ms),
            until_ms: q.until.as_ref().map(to_ms),
            guest: q.guest.map(|g| g.to_string()),
        };
        let found = paging::fill(
            q.page_token.as_deref(),
            limit,
            |after: Option<i64>, n| {
                let (store, filter) = (self.store.clone(), filter.clone());
                async move { store.audit_search(&filter, after.unwrap_or(0), n).await }
            },
            |e| e.seq,
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::audit_entry))
    }

    /// Checks the whole audit chain and every signed checkpoint now (for auditors).
    pub async fn audit_verify(&self, ctx: &OpContext) -> Result<AuditVerifyView, Error> {
        self.authorize_platform_audit(ctx, "verify the audit log")?;
        let key = hex::decode(self.signer.public_key_hex()).map_err(Error::internal)?;
        let verdict = crate::checkpoint::verify_with_key(&self.store, &key).await?;
        Ok(match verdict {
            Verdict::Intact {
                entries,
                checkpoints,
                site_entries,
            } => AuditVerifyView {
                state: ChainState::Intact,
                entries,
                checkpoints: checkpoints as u64,
                site_entries,
                broken_at: None,
                reason: None,
            },
            Verdict::Broken { seq, reason } => AuditVerifyView {
                state: ChainState::Broken,
                entries: 0,
                checkpoints: 0,
                site_entries: 0,
                broken_at: Some(seq),
                reason: Some(reason),
            },
        })
    }

    /// The audit chain's signed checkpoints, oldest first (for offline verification and export).
    pub async fn audit_checkpoint_list(
        &self,
        ctx: &OpContext,
        q: &PageQuery,
    ) -> Result<Page<CheckpointView>, Error> {
        self.authorize_platform_audit(ctx, "read the audit checkpoints")?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<i64>, n| {
                let store = self.store.clone();
                async move { store.audit_checkpoint_list(after.unwrap_or(0), n).await }
            },
            |c| c.seq,
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, |c| CheckpointView {
            seq: c.seq,
            head_hash: c.head_hash,
            time: from_ms(c.time_ms),
            public_key: c.public_key,
            signature: c.signature,
        }))
    }
}
