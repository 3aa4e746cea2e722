//! Backups at the site: a guest backed up now (`vzdump`, waited for), the backups of guests listed
//! from every backup storage the cluster has, protected, deleted, and restored to a new guest or
//! over the guest they were taken of.
//!
//! Without a storage named, a backup goes to the cluster's shared backup storage (a Proxmox Backup
//! Server first), else to the node's `local` storage.

use std::collections::BTreeSet;

use pve_client::PveApi;
use pve_types::api::backup::{BackupMode, VolumeUpdate, Vzdump};
use pve_types::api::guest::GuestCreate;
use pve_types::{StorageId, Upid};
use scmp_common::GuestKind;

use crate::actions::{node, pve_kind, vmid, wait_options};
use crate::protocol::ObservedBackup;
use pve_client::Error;

async fn wait(api: &dyn PveApi, upid: Upid, upids: &mut Vec<String>) -> Result<(), Error> {
    upids.push(upid.to_string());
    api.wait_task(&upid, wait_options()).await.map(|_| ())
}

fn storage_id(name: &str) -> Result<StorageId, Error> {
    StorageId::new(name).map_err(|e| Error::Config(e.to_string()))
}

/// The storage of a volume id (`local:backup/...`).
fn storage_of(volid: &str) -> Result<StorageId, Error> {
    storage_id(volid.split(':').next().unwrap_or_default())
}

/// The backup storage to use on `at`: a shared one (PBS first), else `local`.
async fn default_storage(api: &dyn PveApi, at: &str) -> Result<String, Error> {
    let mut found = api.node_storage(&node(at)?, Some("backup")).await?;
    found.retain(|s| s.active != Some(false) && s.enabled != Some(false));
    found.sort_by_key(|s| (s.kind != "pbs", s.shared != Some(true), s.storage.clone()));
    Ok(found
        .into_iter()
        .find(|s| s.shared == Some(true))
        .map(|s| s.storage)
        .unwrap_or_else(|| "local".into()))
}

/// What a backup asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupRequest {
    /// Its node.
    pub node: String,
    /// Its VMID.
    pub vmid: u32,
    /// The storage; the cluster's default backup storage when none.
    pub storage: Option<String>,
    /// Notes kept with the backup (naming the scmp guest).
    pub notes: String,
    /// Protected from pruning and deletion.
    pub protected: bool,
}

/// Backs the guest up now; answers the backup written.
pub async fn backup(
    api: &dyn PveApi,
    req: &BackupRequest,
    upids: &mut Vec<String>,
) -> Result<ObservedBackup, Error> {
    let storage = match &req.storage {
        Some(s) => s.clone(),
        None => default_storage(api, &req.node).await?,
    };
    let before: BTreeSet<String> = list_on(api, &req.node, &storage, req.vmid)
        .await?
        .into_iter()
        .map(|b| b.volid)
        .collect();
    let upid = api
        .vzdump(
            &node(&req.node)?,
            &Vzdump {
                vmid: req.vmid.to_string(),
                storage: storage.clone(),
                mode: BackupMode::Snapshot,
                compress: Some("zstd".into()),
                notes_template: Some(req.notes.clone()),
                protected: req.protected.then_some(true),
                prune_backups: None,
            },
        )
        .await?;
    wait(api, upid, upids).await.map_err(with_reasons)?;
    list_on(api, &req.node, &storage, req.vmid)
        .await?
        .into_iter()
        .filter(|b| !before.contains(&b.volid))
        .max_by_key(|b| b.ctime)
        .ok_or_else(|| {
            Error::Config(format!(
                "the backup of VMID {} is not on {storage}",
                req.vmid
            ))
        })
}

/// A failed backup job's status with the reasons its log gives (`job errors` says nothing).
fn with_reasons(e: Error) -> Error {
    match e {
        Error::TaskFailed {
            upid,
            exitstatus,
            log_tail,
        } => {
            let reasons: Vec<&str> = log_tail
                .iter()
                .filter_map(|l| l.strip_prefix("ERROR: "))
                .collect();
            let exitstatus = if reasons.is_empty() {
                exitstatus
            } else {
                format!("{exitstatus}: {}", reasons.join("; "))
            };
            Error::TaskFailed {
                upid,
                exitstatus,
                log_tail,
            }
        }
        other => other,
    }
}

/// The backups of `vmid` on one storage as `at` sees it.
async fn list_on(
    api: &dyn PveApi,
    at: &str,
    storage: &str,
    vmid: u32,
) -> Result<Vec<ObservedBackup>, Error> {
    let found = api
        .storage_content(&node(at)?, &storage_id(storage)?, Some("backup"))
        .await?;
    Ok(found
        .into_iter()
        .filter(|c| c.vmid == Some(u64::from(vmid)))
        .map(|c| ObservedBackup {
            volid: c.volid,
            storage: storage.to_string(),
            node: at.to_string(),
            vmid,
            format: c.format,
            size_bytes: c.size,
            ctime: c.ctime.unwrap_or(0),
            notes: c.notes,
            protected: c.protected.unwrap_or(false),
        })
        .collect())
}

/// Every backup of the guests `vmids` on the cluster's backup storages (a shared storage once).
pub async fn list(
    api: &dyn PveApi,
    nodes: &[String],
    vmids: &[u32],
) -> Result<Vec<ObservedBackup>, Error> {
    let mut out: Vec<ObservedBackup> = Vec::new();
    let mut seen_shared = BTreeSet::new();
    for at in nodes {
        let storages = match api.node_storage(&node(at)?, Some("backup")).await {
            Ok(s) => s,
            // A node that is down has nothing to list here; its shared storages are seen elsewhere.
            Err(_) => continue,
        };
        for s in storages.into_iter().filter(|s| s.active != Some(false)) {
            if s.shared == Some(true) && !seen_shared.insert(s.storage.clone()) {
                continue;
            }
            let found = api
                .storage_content(&node(at)?, &storage_id(&s.storage)?, Some("backup"))
                .await?;
            for c in found {
                let Some(v) = c.vmid.and_then(|v| u32::try_from(v).ok()) else {
                    continue;
                };
                if !vmids.contains(&v) {
                    continue;
                }
                out.push(ObservedBackup {
                    volid: c.volid,
                    storage: s.storage.clone(),
                    node: at.clone(),
                    vmid: v,
                    format: c.format,
                    size_bytes: c.size,
                    ctime: c.ctime.unwrap_or(0),
                    notes: c.notes,
                    protected: c.protected.unwrap_or(false),
                });
            }
        }
    }
    out.sort_by(|a, b| b.ctime.cmp(&a.ctime).then(a.volid.cmp(&b.volid)));
    Ok(out)
}

/// Protects a backup, or lifts its protection.
pub async fn set_protected(
    api: &dyn PveApi,
    at: &str,
    volid: &str,
    protected: bool,
) -> Result<(), Error> {
    api.volume_update(
        &node(at)?,
        &storage_of(volid)?,
        volid,
        &VolumeUpdate {
            notes: None,
            protected: Some(protected),
        },
    )
    .await
}

/// Deletes a backup; one already gone is no error.
pub async fn delete(
    api: &dyn PveApi,
    at: &str,
    volid: &str,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let (n, s) = (node(at)?, storage_of(volid)?);
    let present = api
        .storage_content(&n, &s, Some("backup"))
        .await?
        .iter()
        .any(|c| c.volid == volid);
    if !present {
        return Ok(());
    }
    if let Some(upid) = api.volume_delete(&n, &s, volid).await? {
        wait(api, upid, upids).await?;
    }
    Ok(())
}

/// What a restore asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestoreRequest {
    /// VM or container.
    pub kind: GuestKind,
    /// The node to restore on.
    pub node: String,
    /// The VMID restored to.
    pub vmid: u32,
    /// The backup.
    pub volid: String,
    /// Over the existing (stopped) guest of that VMID.
    pub in_place: bool,
    /// The storage for its disks; the backup's when none.
    pub storage: Option<String>,
}

/// Restores the backup (with fresh MAC addresses unless in place).
pub async fn restore(
    api: &dyn PveApi,
    req: &RestoreRequest,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let mut p = GuestCreate {
        vmid: Some(vmid(req.vmid)?),
        ..GuestCreate::default()
    };
    match req.kind {
        GuestKind::Vm => {
            p.extra.insert("archive".into(), req.volid.clone());
        }
        GuestKind::Ct => {
            p.ostemplate = Some(req.volid.clone());
            p.extra.insert("restore".into(), "1".into());
        }
    }
    if req.in_place {
        p.extra.insert("force".into(), "1".into());
    } else {
        p.extra.insert("unique".into(), "1".into());
    }
    if let Some(s) = &req.storage {
        p.extra.insert("storage".into(), s.clone());
    }
    let upid = api
        .guest_create(pve_kind(req.kind), &node(&req.node)?, &p)
        .await?;
    wait(api, upid, upids).await
}
