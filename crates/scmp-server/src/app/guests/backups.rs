//! A guest's backups: listed from its cluster's backup storages (only those scmp made of this
//! guest), taken now, protected and unprotected, deleted, and restored in place, the changes as
//! operations.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use scmp_agent::protocol::ObservedBackup;
use scmp_agent::{Command, Reply};
use scmp_api::{BackupCreate, BackupView, GuestRestore, OperationView, Page, PageQuery};
use scmp_authz::Action;
use scmp_common::{Error, OperationKind};
use scmp_store::Guest;

use super::changes::Change;
use crate::app::paging;
use crate::backup_marks::is_guests;
use crate::context::{AppState, OpContext};

/// A backup's id in the API: its volume, URL-safe.
fn backup_id(volid: &str) -> String {
    URL_SAFE_NO_PAD.encode(volid)
}

/// The volume an id names.
fn volume_of(id: &str) -> Result<String, Error> {
    URL_SAFE_NO_PAD
        .decode(id)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|v| v.contains(':'))
        .ok_or_else(|| Error::InvalidValue {
            field: "backup".into(),
            message: "is not a backup id".into(),
        })
}

fn view(b: ObservedBackup) -> BackupView {
    BackupView {
        id: backup_id(&b.volid),
        volume: b.volid,
        storage: b.storage,
        taken_at: scmp_common::time::from_secs(i64::try_from(b.ctime).unwrap_or(0)),
        size_bytes: b.size_bytes,
        format: b.format,
        protected: b.protected,
        notes: b.notes,
    }
}

impl AppState {
    /// The guest's backups on its cluster, newest first.
    pub(crate) async fn guest_backups(&self, g: &Guest) -> Result<Vec<ObservedBackup>, Error> {
        let (Some(cluster_id), Some(vmid)) = (g.cluster_id, g.vmid) else {
            return Ok(Vec::new());
        };
        let c = self.store.cluster_get(cluster_id).await?;
        let nodes = self
            .store
            .host_list_all(cluster_id)
            .await?
            .into_iter()
            .filter(|h| h.observed.online)
            .map(|h| h.observed.name)
            .collect();
        let agent = self.connections.get(&c, &self.sealer)?;
        let found = agent
            .ask(Command::ListBackups {
                nodes,
                vmids: vec![vmid],
            })
            .await
            .and_then(Reply::backups)
            .map_err(|e| Error::Unavailable(format!("cluster '{}': {e}", c.name)))?;
        Ok(found.into_iter().filter(|b| is_guests(b, g)).collect())
    }

    /// One of the guest's backups, by id.
    async fn guest_backup(&self, g: &Guest, id: &str) -> Result<ObservedBackup, Error> {
        let volid = volume_of(id)?;
        self.guest_backups(g)
            .await?
            .into_iter()
            .find(|b| b.volid == volid)
            .ok_or_else(|| Error::NotFound {
                kind: scmp_common::ResourceKind::Backup,
                name: id.to_string(),
            })
    }

    /// A guest's backups.
    pub async fn backup_list(
        &self,
        ctx: &OpContext,
        key: &str,
        q: &PageQuery,
    ) -> Result<Page<BackupView>, Error> {
        let limit = q.limit()?;
        let g = self.lookup_guest(ctx, key, Action::GuestView).await?;
        let all: Vec<BackupView> = self
            .guest_backups(&g)
            .await?
            .into_iter()
            .map(view)
            .collect();
        // Newest first.
        let found = paging::slice(all, q.page_token.as_deref(), limit, |b| {
            (-b.taken_at.as_ms(), b.id.clone())
        })?;
        Ok(paging::page(found, |b| b))
    }

    /// Backs a guest up now.
    pub async fn backup_create(
        &self,
        ctx: &OpContext,
        key: &str,
        body: &BackupCreate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let params = serde_json::json!({ "protected": body.protected.unwrap_or(false) });
        self.guest_begin(
            ctx,
            &g,
            Change::update(OperationKind::GuestBackup, params),
            wait,
        )
        .await
    }

    /// Protects one of a guest's backups, or lifts its protection.
    pub async fn backup_protect(
        &self,
        ctx: &OpContext,
        key: &str,
        id: &str,
        protected: bool,
    ) -> Result<BackupView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let b = self.guest_backup(&g, id).await?;
        let c = self
            .store
            .cluster_get(g.cluster_id.unwrap_or_default())
            .await?;
        let agent = self.connections.get(&c, &self.sealer)?;
        agent
            .ask(Command::ProtectBackup {
                node: b.node.clone(),
                volid: b.volid.clone(),
                protected,
            })
            .await
            .and_then(Reply::done)
            .map_err(|e| Error::Unavailable(format!("cluster '{}': {e}", c.name)))?;
        Ok(view(ObservedBackup { protected, ..b }))
    }

    /// Deletes one of a guest's backups; a protected one is refused until its protection is lifted.
    pub async fn backup_delete(
        &self,
        ctx: &OpContext,
        key: &str,
        id: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let b = self.guest_backup(&g, id).await?;
        if b.protected {
            return Err(Error::Conflict(format!(
                "backup {} is protected: lift its protection first",
                b.volid
            )));
        }
        let params = serde_json::json!({ "volume": b.volid });
        self.guest_begin(
            ctx,
            &g,
            Change::update(OperationKind::BackupDelete, params),
            wait,
        )
        .await
    }

    /// Restores a guest in place from one of its backups, once confirmed.
    pub async fn guest_restore(
        &self,
        ctx: &OpContext,
        key: &str,
        body: &GuestRestore,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        if !body.confirm {
            return Err(Error::InvalidValue {
                field: "confirm".into(),
                message: "must be true: the guest's disks are replaced by the backup's".into(),
            });
        }
        let b = self.guest_backup(&g, &body.backup).await?;
        let params = serde_json::json!({ "volume": b.volid });
        self.guest_begin(
            ctx,
            &g,
            Change::update(OperationKind::GuestRestore, params),
            wait,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_volume() {
        let v = "pbs-t1:backup/vm/100/2026-12-03T10:00:00Z";
        assert_eq!(volume_of(&backup_id(v)).unwrap(), v);
        assert!(volume_of("not base64 !").is_err());
        assert!(volume_of(&URL_SAFE_NO_PAD.encode("no storage")).is_err());
    }
}
