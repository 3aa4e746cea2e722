//! `POST /nodes/{node}/vzdump` and the backup volumes it writes: a task that locks each guest
//! (`backup`), takes a time that grows with its disks, logs as vzdump logs, and writes one archive
//! (or PBS snapshot) per guest; a guest that is locked, or a storage without room, fails that
//! guest's backup and the job ends with `job errors`, the others written. Backup volumes are read,
//! annotated, protected, copied and deleted through `.../storage/{storage}/content/{volume}`.

use serde_json::{json, Value};

use super::{answer_task, Request};
use crate::error::ApiError;
use crate::model::backup::{archive_stamp, snapshot_stamp, BackupVolume};
use crate::model::{noise, Cluster, Effect, RunState, TaskSpec, LOCAL_STORAGE};
use pve_types::api::guest::GuestKind;

/// Bytes per second a backup is written at (at time scale 1).
const RATE: f64 = 250.0 * 1024.0 * 1024.0;

/// The guests a job covers: `vmid` (a list), `pool`, or `all` guests of the node.
fn selected(c: &Cluster, r: &Request) -> Result<Vec<u32>, ApiError> {
    let node = r.node();
    if r.flag("all") {
        return Ok(c
            .guests
            .values()
            .filter(|g| g.node == node && !g.is_template())
            .map(|g| g.vmid)
            .collect());
    }
    if let Some(pool) = r.get("pool") {
        if !c.pools.contains_key(pool) {
            return Err(ApiError::fail(format!("pool '{pool}' does not exist")));
        }
        return Ok(c
            .guests
            .values()
            .filter(|g| g.pool.as_deref() == Some(pool) && g.node == node)
            .map(|g| g.vmid)
            .collect());
    }
    let mut out = Vec::new();
    for id in r
        .req("vmid")
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
    {
        match id.parse::<u32>() {
            Ok(v) if v >= 100 => out.push(v),
            _ => return Err(ApiError::fail(format!("ERROR: strange VM ID '{id}'"))),
        }
    }
    if out.is_empty() {
        return Err(ApiError::param(
            "vmid",
            "property is missing and it is not optional",
        ));
    }
    Ok(out)
}

/// The notes of a backup from `notes-template` (`{{guestname}}`, `{{vmid}}`, `{{node}}`,
/// `{{cluster}}`).
fn notes(template: &str, name: &str, vmid: u32, node: &str, cluster: &str) -> String {
    template
        .replace("{{guestname}}", name)
        .replace("{{vmid}}", &vmid.to_string())
        .replace("{{node}}", node)
        .replace("{{cluster}}", cluster)
}

/// `POST /nodes/{node}/vzdump`.
pub fn vzdump(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = r.node().to_string();
    let storage_id = r.get("storage").unwrap_or(LOCAL_STORAGE).to_string();
    let storage = c
        .storage(&storage_id)
        .ok_or_else(|| ApiError::fail(format!("storage '{storage_id}' does not exist")))?
        .clone();
    if !storage.content.split(',').any(|x| x == "backup") {
        return Err(ApiError::fail(format!(
            "can't use storage '{storage_id}' for backups - wrong content type"
        )));
    }
    let vmids = selected(c, r)?;
    let mode = r.get("mode").unwrap_or("snapshot").to_string();
    let pbs = storage.kind == "pbs";
    let now = r.now as u64;
    let mut free = storage
        .total
        .saturating_sub(c.storage_used(&storage_id, &node));
    let mut log = vec![format!(
        "INFO: starting new backup job: vzdump {} --storage {storage_id} --mode {mode}",
        vmids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    )];
    let mut volumes = Vec::new();
    let mut locked = Vec::new();
    let mut errors = 0;
    let mut seconds = 2.0;
    for vmid in &vmids {
        let Some(g) = c.guests.get(vmid).filter(|g| g.node == node) else {
            errors += 1;
            log.push(format!(
                "ERROR: Backup of VM {vmid} failed - unable to find VM {vmid} on node '{node}'"
            ));
            continue;
        };
        let (word, sub) = match g.kind {
            GuestKind::Qemu => ("VM", "qemu"),
            GuestKind::Lxc => ("CT", "lxc"),
        };
        log.push(format!("INFO: Starting Backup of VM {vmid} ({sub})"));
        if let Some(lock) = &g.lock {
            errors += 1;
            log.push(format!(
                "ERROR: Backup of VM {vmid} failed - {word} is locked ({lock})"
            ));
            continue;
        }
        let disk: u64 = g
            .disks()
            .iter()
            .map(|(_, d)| d.size().map(|s| s.bytes()).unwrap_or_default())
            .sum();
        // What is written: the used, compressed part of the disks.
        let share = 0.15 + 0.2 * noise(c.seed, u64::from(*vmid), 31);
        let size = ((disk as f64 * share) as u64).max(64 << 20);
        if size > free {
            errors += 1;
            log.push(format!(
                "ERROR: Backup of VM {vmid} failed - vma_queue_write: write failed - No space left on device"
            ));
            continue;
        }
        free -= size;
        let name_at = |t: u64| match (pbs, g.kind) {
            (true, GuestKind::Qemu) => {
                format!("{storage_id}:backup/vm/{vmid}/{}", snapshot_stamp(t))
            }
            (true, GuestKind::Lxc) => {
                format!("{storage_id}:backup/ct/{vmid}/{}", snapshot_stamp(t))
            }
            (false, _) => format!(
                "{storage_id}:backup/vzdump-{sub}-{vmid}-{}.{}",
                archive_stamp(t),
                if g.kind == GuestKind::Qemu {
                    "vma.zst"
                } else {
                    "tar.zst"
                }
            ),
        };
        // Names are by the second: a backup within the same second as an earlier one is named a
        // second later (a real backup takes longer than that).
        let mut at = now;
        let mut volid = name_at(at);
        while c.backups.iter().any(|b| b.volid == volid) && at < now + 3_600 {
            at += 1;
            volid = name_at(at);
        }
        let format = match (pbs, g.kind) {
            (true, GuestKind::Qemu) => "pbs-vm",
            (true, GuestKind::Lxc) => "pbs-ct",
            (false, GuestKind::Qemu) => "vma.zst",
            (false, GuestKind::Lxc) => "tar.zst",
        };
        let name = g
            .config
            .get(if g.kind == GuestKind::Qemu {
                "name"
            } else {
                "hostname"
            })
            .cloned()
            .unwrap_or_default();
        let took = (size as f64 / RATE).ceil().max(3.0);
        seconds += took;
        log.push(format!("INFO: creating vzdump archive '{volid}'"));
        if g.state != RunState::Stopped && mode == "snapshot" {
            log.push("INFO: started backup task (snapshot mode, the guest keeps running)".into());
        }
        log.push(format!(
            "INFO: transferred {:.2} GiB in {took} seconds",
            size as f64 / (1u64 << 30) as f64
        ));
        log.push(format!(
            "INFO: Finished Backup of VM {vmid} (00:00:{:02})",
            took as u64 % 60
        ));
        volumes.push(BackupVolume {
            volid,
            storage: storage_id.clone(),
            node: node.clone(),
            vmid: *vmid,
            kind: g.kind,
            format: format.to_string(),
            size,
            ctime: at,
            notes: r
                .get("notes-template")
                .map(|t| notes(t, &name, *vmid, &node, &c.name)),
            protected: r.flag("protected"),
            config: g.config.clone(),
        });
        locked.push(*vmid);
    }
    for vmid in &locked {
        if let Some(g) = c.guests.get_mut(vmid) {
            g.lock = Some("backup".into());
        }
    }
    let failure = (errors > 0).then(|| "job errors".to_string());
    if failure.is_none() {
        log.push("INFO: Backup job finished successfully".into());
    }
    let id = if vmids.len() == 1 {
        vmids[0].to_string()
    } else {
        String::new()
    };
    answer_task(
        c,
        r,
        TaskSpec::new(
            &node,
            "vzdump",
            id,
            r.user(),
            Effect::Backup { volumes, locked },
        )
        .log(log)
        .fail(failure)
        .duration(seconds),
    )
}

/// The backup a `{volume}` path names (`storage:backup/...`, or the name on `{storage}`).
fn volume<'a>(c: &'a Cluster, r: &Request) -> Result<&'a BackupVolume, ApiError> {
    let v = r.req("volume");
    let volid = if v.contains(':') {
        v.to_string()
    } else {
        format!("{}:{v}", r.req("storage"))
    };
    let storage = volid.split(':').next().unwrap_or_default();
    if c.storage(storage).is_none() {
        return Err(ApiError::fail(format!(
            "storage '{storage}' does not exist"
        )));
    }
    c.backup(&volid, r.node())
        .ok_or_else(|| ApiError::fail(format!("volume '{volid}' does not exist")))
}

/// `GET .../storage/{storage}/content/{volume}`.
pub fn get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let b = volume(c, r)?;
    let path = match b.format.as_str() {
        "pbs-vm" | "pbs-ct" => b.volid.clone(),
        _ => format!(
            "/var/lib/vz/dump/{}",
            b.volid.rsplit('/').next().unwrap_or_default()
        ),
    };
    let mut out = json!({
        "format": b.format, "path": path, "size": b.size, "used": b.size,
        "protected": u8::from(b.protected),
    });
    if let Some(n) = &b.notes {
        out["notes"] = json!(n);
    }
    Ok(out)
}

/// `PUT .../storage/{storage}/content/{volume}`: notes and protection.
pub fn update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let volid = volume(c, r)?.volid.clone();
    let node = r.node().to_string();
    let storage = volid.split(':').next().unwrap_or_default();
    let shared = c.storage(storage).is_some_and(|s| s.shared);
    let Some(b) = c
        .backups
        .iter_mut()
        .find(|b| b.volid == volid && (shared || b.node == node))
    else {
        return Err(ApiError::fail(format!("volume '{volid}' does not exist")));
    };
    if let Some(n) = r.get("notes") {
        b.notes = Some(n.to_string()).filter(|n| !n.is_empty());
    }
    if r.get("protected").is_some() {
        b.protected = r.flag("protected");
    }
    Ok(Value::Null)
}

/// `DELETE .../storage/{storage}/content/{volume}`: a task; a protected backup is refused.
pub fn delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let b = volume(c, r)?.clone();
    let fail = b.protected.then(|| {
        format!(
            "cannot remove protected archive '/var/lib/vz/dump/{}'",
            b.volid.rsplit('/').next().unwrap_or_default()
        )
    });
    answer_task(
        c,
        r,
        TaskSpec::new(
            r.node(),
            "imgdel",
            "",
            r.user(),
            Effect::BackupDelete { volid: b.volid },
        )
        .fail(fail),
    )
}

/// `POST .../storage/{storage}/content/{volume}`: copies a backup to another backup storage.
pub fn copy(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let b = volume(c, r)?.clone();
    let target = r.req("target");
    let (storage, _) = target.split_once(':').unwrap_or((target, ""));
    let Some(def) = c.storage(storage).cloned() else {
        return Err(ApiError::fail(format!(
            "storage '{storage}' does not exist"
        )));
    };
    if !def.content.split(',').any(|x| x == "backup") {
        return Err(ApiError::fail(format!(
            "unsupported format '{}' for storage type {}",
            b.format, def.kind
        )));
    }
    let node = r.get("target_node").unwrap_or(r.node()).to_string();
    let name = b.volid.split_once(':').map(|(_, n)| n).unwrap_or_default();
    let copy = BackupVolume {
        volid: format!("{storage}:{name}"),
        storage: storage.to_string(),
        node: node.clone(),
        ..b.clone()
    };
    let seconds = (b.size as f64 / RATE).ceil().max(1.0);
    answer_task(
        c,
        r,
        TaskSpec::new(
            r.node(),
            "imgcopy",
            "",
            r.user(),
            Effect::Backup {
                volumes: vec![copy],
                locked: Vec::new(),
            },
        )
        .duration(seconds),
    )
}

/// The backups on a storage, as `.../content` lists them.
pub fn listed(c: &Cluster, storage: &str, node: &str) -> Vec<Value> {
    c.backups_on(storage, node)
        .map(|b| {
            let mut v = json!({
                "volid": b.volid, "content": "backup", "format": b.format, "size": b.size,
                "ctime": b.ctime, "vmid": b.vmid,
                "subtype": if b.kind == GuestKind::Qemu { "qemu" } else { "lxc" },
                "protected": u8::from(b.protected),
            });
            if let Some(n) = &b.notes {
                v["notes"] = json!(n.lines().next().unwrap_or_default());
            }
            v
        })
        .collect()
}
