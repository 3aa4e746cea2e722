//! A guest's configuration: read, and changed at once or (VMs) as a task.

use super::super::{answer_task, Request};
use super::create::{allocate_disks, assign_macs, Macs};
use super::{check_unlocked, guest, typed_config};
use crate::error::ApiError;
use crate::model::{Cluster, Effect, TaskSpec};
use pve_types::api::guest::GuestKind;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `GET .../{vmid}/config`.
pub fn config_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    let config = match r.get("snapshot") {
        Some(s) => {
            &g.snapshots
                .iter()
                .find(|x| x.name == s)
                .ok_or_else(|| ApiError::fail(format!("snapshot '{s}' does not exist")))?
                .config
        }
        None => &g.config,
    };
    let mut m = typed_config(g.kind, config);
    if let Some(l) = &g.lock {
        m.insert("lock".into(), json!(l));
    }
    m.insert("digest".into(), json!(g.digest()));
    Ok(Value::Object(m))
}

/// A checked config change: the guest, the keys to set and the keys to delete.
type ConfigChange = (u32, BTreeMap<String, String>, Vec<String>);

/// Checks a config change and turns it into the keys to set and delete.
fn config_change(c: &Cluster, r: &Request) -> Result<ConfigChange, ApiError> {
    let g = guest(c, r)?;
    if let Some(d) = r.get("digest") {
        if d != g.digest() {
            return Err(ApiError::fail(match g.kind {
                GuestKind::Qemu => "checksum mismatch (file change by other user?)",
                GuestKind::Lxc => {
                    "detected modified configuration - file changed by other user? Try again."
                }
            }));
        }
    }
    if !r.flag("skiplock") {
        check_unlocked(g)?;
    }
    let control = [
        "node",
        "vmid",
        "digest",
        "delete",
        "skiplock",
        "force",
        "revert",
        "background_delay",
    ];
    let mut set: BTreeMap<String, String> = r
        .params
        .iter()
        .filter(|(k, _)| !control.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let delete: Vec<String> = r
        .get("delete")
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for k in &delete {
        if set.contains_key(k) {
            return Err(ApiError::param(
                k,
                format!("cannot set and delete '{k}' at the same time"),
            ));
        }
        if g.kind == GuestKind::Lxc && matches!(k.as_str(), "rootfs" | "ostype" | "arch") {
            return Err(ApiError::fail(format!(
                "unable to delete required option '{k}'"
            )));
        }
    }
    // Containers become templates only through the template call; a VM's `template` key is settable.
    if g.kind == GuestKind::Lxc && set.contains_key("template") {
        return Err(ApiError::fail(
            "unable to modify read-only option: 'template'",
        ));
    }
    allocate_disks(c, g.kind, g.vmid, &mut set)?;
    Ok((g.vmid, set, delete))
}

/// `PUT .../{vmid}/config`: applied at once.
pub fn config_set(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (vmid, mut set, delete) = config_change(c, r)?;
    assign_macs(c, r.kind(), &mut set, Macs::Missing)?;
    if let Some(g) = c.guests.get_mut(&vmid) {
        for (k, v) in set {
            g.config.insert(k, v);
        }
        for k in delete {
            g.config.remove(&k);
        }
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `POST /nodes/{node}/qemu/{vmid}/config`: the same change as a task.
pub fn config_set_async(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (vmid, mut set, delete) = config_change(c, r)?;
    assign_macs(c, r.kind(), &mut set, Macs::Missing)?;
    let mut log: Vec<String> = set
        .iter()
        .map(|(k, v)| format!("update VM {vmid}: -{k} {v}"))
        .collect();
    if !delete.is_empty() {
        log.push(format!("update VM {vmid}: -delete {}", delete.join(",")));
    }
    answer_task(
        c,
        r,
        TaskSpec::new(
            r.node(),
            "qmconfig",
            vmid,
            r.user(),
            Effect::Config { vmid, set, delete },
        )
        .log(log),
    )
}
