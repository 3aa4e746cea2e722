//! Scheduled realm syncs: each directory realm whose settings ask for one is synced every so many
//! minutes, by one replica at a time (a lease per realm, taken for the interval, so no replica
//! syncs a realm again before it is due), audited as the platform's `realm_sync`.

use scmp_api::RealmSyncRequest;
use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, ResourceKind};
use scmp_store::{ActorIdentity, AuditRecord, Realm, RealmKind};

use super::realm_login::RealmActor;
use crate::context::{AppState, RequestMeta};

impl AppState {
    /// Syncs every realm that is due (called by the server's background loop).
    pub async fn realm_syncs_due(&self) -> Result<(), Error> {
        let mut after: Option<String> = None;
        loop {
            let page = self.store.realm_list(None, after.as_deref(), 100).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.name.to_string());
            for r in &page {
                if let Err(e) = self.realm_sync_if_due(r).await {
                    tracing::warn!(realm = %r.name, error = %e.chain(), "scheduled realm sync failed");
                }
            }
        }
        Ok(())
    }

    async fn realm_sync_if_due(&self, r: &Realm) -> Result<(), Error> {
        if r.kind == RealmKind::OpenId {
            return Ok(());
        }
        let Some(every) = self.realm_schedule(r)? else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        // A fresh owner each time: the lease is taken only once the last run's interval is over.
        let owner = format!("{}:{now}", self.replica);
        let ms = i64::from(every.every_minutes) * 60_000;
        if !self
            .store
            .lease_try(&format!("realm-sync:{}", r.id), &owner, ms)
            .await?
        {
            return Ok(());
        }
        let meta = RequestMeta {
            request_id: self.random.uuid().to_string(),
            source: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let identity = ActorIdentity {
            name: "scheduled sync".into(),
            realm: r.name.to_string(),
            tenant: String::new(),
        };
        let who = RealmActor {
            meta: &meta,
            actor: "platform".into(),
            identity: identity.clone(),
            method: AuthMethod::Workflow,
            credential: String::new(),
        };
        let rec = AuditRecord {
            request_id: meta.request_id.clone(),
            phase: AuditPhase::Begin,
            actor: "platform".into(),
            identity,
            auth_method: AuthMethod::Workflow,
            credential: String::new(),
            credential_name: "scheduled realm sync".into(),
            source: String::new(),
            operation: "realm_sync".into(),
            target: AuditTarget::new(ResourceKind::Realm, r.id),
            tenant_id: r.tenant_id,
            result: AuditResult::Pending,
            error: String::new(),
        };
        let req = RealmSyncRequest {
            scope: every.scope,
            enable_new: every.enable_new,
            remove_vanished: every.remove_vanished,
            dry_run: false,
        };
        let directory = self.directory_of(r)?;
        self.audited_as(rec, self.realm_sync_run(&who, r, &directory, &req))
            .await
            .map(|_| ())
    }
}
