//! Read-only views of one guest that tools walk: the directory indexes of a guest and of one of its
//! snapshots, and a guest's migration preconditions (`GET .../{qemu,lxc}/{vmid}/migrate`, the
//! container's since PVE 9).

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, Guest, RunState};
use pve_types::api::guest::GuestKind;

fn guest<'a>(c: &'a Cluster, r: &Request) -> Result<&'a Guest, ApiError> {
    let vmid = r.vmid();
    match c.guests.get(&vmid) {
        Some(g) if g.kind == r.kind() && g.node == r.node() => Ok(g),
        _ => Err(ApiError::no_config(r.kind(), r.node(), vmid)),
    }
}

fn subdirs(names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| json!({ "subdir": n })).collect())
}

/// `GET /nodes/{node}/{qemu,lxc}/{vmid}`: the guest's directory index.
pub fn index(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    Ok(match g.kind {
        GuestKind::Qemu => subdirs(&[
            "config",
            "pending",
            "status",
            "unlink",
            "vncproxy",
            "termproxy",
            "migrate",
            "resize",
            "move",
            "rrd",
            "rrddata",
            "monitor",
            "agent",
            "snapshot",
            "spiceproxy",
            "sendkey",
            "firewall",
            "mtunnel",
            "remote_migrate",
        ]),
        GuestKind::Lxc => subdirs(&[
            "config",
            "pending",
            "status",
            "vncproxy",
            "termproxy",
            "vncwebsocket",
            "spiceproxy",
            "migrate",
            "clone",
            "rrd",
            "rrddata",
            "firewall",
            "snapshot",
            "resize",
            "interfaces",
        ]),
    })
}

/// `GET .../{vmid}/snapshot/{snapname}`: what can be done with one snapshot.
pub fn snapshot_index(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    let name = r.req("snapname");
    if !g.snapshots.iter().any(|s| s.name == name) {
        return Err(ApiError::fail(format!("snapshot '{name}' does not exist")));
    }
    Ok(json!([{"cmd": "rollback"}, {"cmd": "config"}]))
}

/// `GET /nodes/{node}/qemu/{vmid}/migrate`: whether the VM runs, the nodes it may move to (the
/// online ones that have its storages), and its local disks and resources (none: its disks are on
/// shared storage unless they are on a node's own).
pub fn migrate_preconditions(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    if r.kind() == GuestKind::Lxc {
        return ct_migrate_preconditions(c, r);
    }
    let g = guest(c, r)?;
    let online = c.online_set();
    let mut allowed = Vec::new();
    let mut not_allowed = Map::new();
    let mut local_disks = Vec::new();
    for (key, d) in g.disks() {
        if c.storage(d.storage()).is_some_and(|s| !s.shared) {
            local_disks.push(json!({
                "volid": d.volume,
                "drivename": key,
                "size": d.size().map(|x| x.bytes()).unwrap_or_default(),
                "is_unused": 0,
                "cdrom": 0,
            }));
        }
    }
    for n in &c.nodes {
        if n.name == g.node {
            continue;
        }
        if !online.contains(&n.name) {
            not_allowed.insert(n.name.clone(), json!({"unavailable_storages": []}));
            continue;
        }
        allowed.push(json!(n.name));
    }
    if let Some(target) = r.get("target") {
        if c.node(target).is_none() {
            return Err(ApiError::fail(format!("no such cluster node '{target}'")));
        }
    }
    Ok(json!({
        "running": u8::from(g.state != RunState::Stopped),
        "allowed_nodes": allowed,
        "not_allowed_nodes": Value::Object(not_allowed),
        "local_disks": local_disks,
        "local_resources": [],
        "mapped-resources": [],
        "mapped-resource-info": {},
    }))
}

/// A container's preconditions (PVE 9): the online nodes it may go to, and the nodes its HA
/// resource may not go to because a resource it is kept apart from runs there.
fn ct_migrate_preconditions(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    if let Some(target) = r.get("target") {
        if c.node(target).is_none() {
            return Err(ApiError::fail(format!("no such cluster node '{target}'")));
        }
    }
    let sid = format!("ct:{}", g.vmid);
    let online = c.online_set();
    let mut blocking: Vec<Value> = Vec::new();
    let mut blocked = std::collections::BTreeSet::new();
    for rule in c
        .ha_rules
        .values()
        .filter(|x| !x.disable && x.resources.contains(&sid))
    {
        if rule.kind != (crate::model::HaRuleKind::ResourceAffinity { positive: false }) {
            continue;
        }
        for other in rule.resources.iter().filter(|s| **s != sid) {
            let node =
                c.ha.get(other)
                    .and_then(|h| c.guests.get(&h.vmid))
                    .map(|o| o.node.clone());
            if let Some(node) = node {
                blocked.insert(node);
                blocking.push(json!({"sid": other, "cause": "resource-affinity"}));
            }
        }
    }
    let allowed: Vec<&String> = c
        .nodes
        .iter()
        .map(|n| &n.name)
        .filter(|n| **n != g.node && online.contains(*n) && !blocked.contains(*n))
        .collect();
    let mut out = json!({
        "running": u8::from(g.state != RunState::Stopped),
        "allowed-nodes": allowed,
    });
    if !blocking.is_empty() {
        out["not-allowed-nodes"] = json!({ "blocking-ha-resources": blocking });
    }
    Ok(out)
}
