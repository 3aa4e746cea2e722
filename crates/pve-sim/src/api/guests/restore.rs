//! Restoring a backup: `POST /nodes/{node}/qemu` with `archive`, `POST /nodes/{node}/lxc` with
//! `restore=1` and the backup as `ostemplate`. The guest gets the backup's configuration with its
//! own disks (on `storage` when given), fresh MAC addresses with `unique`, and overrides from the
//! request; over an existing guest only with `force`, and never over a running one.

use std::collections::BTreeMap;

use super::super::{answer_task, Request};
use super::by_kind;
use super::create::{assign_macs, creation_task, Macs, CREATE_CONTROL};
use crate::error::ApiError;
use crate::model::guest_keys::is_disk_key;
use crate::model::{Cluster, Guest, RunState};
use pve_types::api::guest::GuestKind;
use serde_json::Value;

/// Bytes per second a restore reads at (at time scale 1).
const RATE: f64 = 400.0 * 1024.0 * 1024.0;

/// Whether the create request is a restore.
pub fn is_restore(r: &Request) -> bool {
    match r.kind() {
        GuestKind::Qemu => r.get("archive").is_some(),
        GuestKind::Lxc => r.flag("restore"),
    }
}

/// The disks of a backed-up configuration renamed for `vmid` (and moved to `storage`).
fn own_disks(
    kind: GuestKind,
    vmid: u32,
    storage: Option<&str>,
    config: &mut BTreeMap<String, String>,
) {
    let mut n = 0;
    for (key, value) in config.iter_mut() {
        if !is_disk_key(kind, key) || value.contains("media=cdrom") {
            continue;
        }
        let (vol, rest) = value.split_once(',').unwrap_or((value.as_str(), ""));
        let Some((from, _)) = vol.split_once(':') else {
            continue;
        };
        let (target, rest) = (storage.unwrap_or(from).to_string(), rest.to_string());
        let prefix = if kind == GuestKind::Lxc && key == "rootfs" {
            "subvol"
        } else {
            "vm"
        };
        let name = if prefix == "subvol" {
            format!("subvol-{vmid}-disk-{n}")
        } else {
            format!("vm-{vmid}-disk-{n}")
        };
        n += 1;
        *value = if rest.is_empty() {
            format!("{target}:{name}")
        } else {
            format!("{target}:{name},{rest}")
        };
    }
}

/// `POST /nodes/{node}/{qemu,lxc}` restoring a backup.
pub fn restore(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let kind = r.kind();
    let node = r.node().to_string();
    let vmid = r.vmid();
    let archive = match kind {
        GuestKind::Qemu => r.req("archive"),
        GuestKind::Lxc => r.req("ostemplate"),
    }
    .to_string();
    let Some(backup) = c.backup(&archive, &node).cloned() else {
        return Err(ApiError::fail(format!(
            "ERROR: couldn't determine archive info from '{archive}'"
        )));
    };
    if backup.kind != kind {
        return Err(ApiError::fail(match kind {
            GuestKind::Qemu => {
                format!("ERROR: file '{archive}' does not look like a QemuServer vzdump backup")
            }
            GuestKind::Lxc => "unknown backup archive type".to_string(),
        }));
    }
    if let Some(storage) = r.get("storage") {
        if c.storage(storage).is_none() {
            return Err(ApiError::fail(format!(
                "storage '{storage}' does not exist"
            )));
        }
    }
    let mut pool = r.get("pool").map(str::to_string);
    if let Some(existing) = c.guests.get(&vmid) {
        if !r.flag("force") {
            return Err(ApiError::fail(match kind {
                GuestKind::Qemu => format!(
                    "unable to restore VM {vmid} - VM {vmid} already exists on node '{}'",
                    existing.node
                ),
                GuestKind::Lxc => format!("CT {vmid} already exists on node '{}'", existing.node),
            }));
        }
        if existing.state != RunState::Stopped {
            return Err(ApiError::fail(match kind {
                GuestKind::Qemu => format!("unable to restore VM {vmid} - vm is running"),
                GuestKind::Lxc => "can't overwrite running container".to_string(),
            }));
        }
        if let Some(lock) = &existing.lock {
            return Err(ApiError::fail(format!(
                "{} is locked ({lock})",
                existing.type_word()
            )));
        }
        pool = pool.or_else(|| existing.pool.clone());
        c.guests.remove(&vmid);
    }
    let mut config = backup.config.clone();
    config.remove("parent");
    config.remove("template");
    for (k, v) in r
        .params
        .iter()
        .filter(|(k, _)| !CREATE_CONTROL.contains(&k.as_str()))
    {
        config.insert(k.clone(), v.clone());
    }
    own_disks(kind, vmid, r.get("storage"), &mut config);
    if r.flag("unique") {
        assign_macs(c, kind, &mut config, Macs::All)?;
    }
    let mut g = Guest::new(vmid, kind, &node, config);
    g.lock = Some("create".into());
    g.pool = pool;
    c.guests.insert(vmid, g);
    let log = vec![
        format!("restore vma archive: {archive}"),
        format!(
            "progress 100% (read {} bytes, duration {} sec)",
            backup.size,
            (backup.size as f64 / RATE).ceil()
        ),
        "rescan volumes...".to_string(),
    ];
    let wtype = by_kind(kind, "qmrestore", "vzrestore");
    let seconds = (backup.size as f64 / RATE).ceil();
    answer_task(
        c,
        r,
        creation_task(r, &node, wtype, vmid)
            .log(log)
            .duration(seconds.max(5.0)),
    )
}
