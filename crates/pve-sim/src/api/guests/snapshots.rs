//! Snapshots: list, take, roll back, delete.

use super::super::{answer_task, Request};
use super::{by_kind, check_unlocked, guest, locked};
use crate::error::ApiError;
use crate::model::{Cluster, Effect, RunState, SnapshotRec, TaskSpec};
use pve_types::api::guest::GuestKind;
use serde_json::{json, Map, Value};

/// `GET .../{vmid}/snapshot`.
pub fn snapshot_list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    let mut out: Vec<Value> = g
        .snapshots
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("name".into(), json!(s.name));
            m.insert("description".into(), json!(s.description));
            m.insert("snaptime".into(), json!(s.snaptime));
            if let Some(p) = &s.parent {
                m.insert("parent".into(), json!(p));
            }
            if g.kind == GuestKind::Qemu {
                m.insert("vmstate".into(), json!(u8::from(s.vmstate)));
            }
            Value::Object(m)
        })
        .collect();
    let mut current = Map::new();
    current.insert("name".into(), json!("current"));
    current.insert("description".into(), json!("You are here!"));
    current.insert("digest".into(), json!(g.digest()));
    current.insert(
        "running".into(),
        json!(u8::from(g.state != RunState::Stopped)),
    );
    if let Some(p) = g.config.get("parent") {
        current.insert("parent".into(), json!(p));
    }
    out.push(Value::Object(current));
    Ok(Value::Array(out))
}

/// `POST .../{vmid}/snapshot`.
pub fn snapshot_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let name = r.req("snapname").to_string();
    if name == "current" || name == "pending" {
        return Err(ApiError::fail(format!(
            "unable to use snapshot name '{name}' (reserved name)"
        )));
    }
    check_unlocked(&g)?;
    let fail = if g.is_template() {
        Some(match g.kind {
            GuestKind::Qemu => "you can't take a snapshot if it's a template".to_string(),
            GuestKind::Lxc => "you can't take a snapshot of a template".to_string(),
        })
    } else if g.snapshots.iter().any(|s| s.name == name) {
        Some(format!("snapshot name '{name}' already used"))
    } else {
        None
    };
    let vmstate = g.kind == GuestKind::Qemu && r.flag("vmstate") && g.state != RunState::Stopped;
    if fail.is_none() {
        if let Some(x) = c.guests.get_mut(&g.vmid) {
            x.lock = Some("snapshot".into());
            x.snapshots.push(SnapshotRec {
                name: name.clone(),
                description: r.get("description").unwrap_or_default().to_string(),
                snaptime: r.now as u64,
                parent: g.config.get("parent").cloned(),
                config: g.config.clone(),
                vmstate,
                state: g.state,
            });
        }
    }
    let wtype = by_kind(g.kind, "qmsnapshot", "vzsnapshot");
    let mut log: Vec<String> = g
        .disks()
        .iter()
        .map(|(k, d)| format!("snapshotting '{k}' ({})", d.volume))
        .collect();
    if vmstate {
        log.insert(0, "saving VM state and RAM using storage 'ceph-vm'".into());
    }
    answer_task(
        c,
        r,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::Snapshot { vmid: g.vmid, name },
        )
        .log(log)
        .fail(fail),
    )
}

/// `POST .../snapshot/{snapname}/rollback`.
pub fn rollback(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let name = r.req("snapname").to_string();
    let fail = if g.is_template() {
        Some("you can't rollback if vm is a template".to_string())
    } else if !g.snapshots.iter().any(|s| s.name == name) {
        Some(format!("snapshot '{name}' does not exist"))
    } else {
        locked(&g)
    };
    if fail.is_none() {
        if let Some(x) = c.guests.get_mut(&g.vmid) {
            x.lock = Some("rollback".into());
            // PVE stops the guest before rolling back.
            x.set_stopped();
        }
    }
    let wtype = by_kind(g.kind, "qmrollback", "vzrollback");
    answer_task(
        c,
        r,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::Rollback {
                vmid: g.vmid,
                name,
                start: r.flag("start"),
            },
        )
        .fail(fail),
    )
}

/// `DELETE .../snapshot/{snapname}`.
pub fn snapshot_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let name = r.req("snapname").to_string();
    if !g.snapshots.iter().any(|s| s.name == name) {
        return Err(ApiError::fail(format!("snapshot '{name}' does not exist")));
    }
    if !r.flag("force") {
        check_unlocked(&g)?;
    }
    if let Some(x) = c.guests.get_mut(&g.vmid) {
        x.lock = Some("snapshot-delete".into());
    }
    let wtype = by_kind(g.kind, "qmdelsnapshot", "vzdelsnapshot");
    answer_task(
        c,
        r,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::SnapshotDelete { vmid: g.vmid, name },
        ),
    )
}
