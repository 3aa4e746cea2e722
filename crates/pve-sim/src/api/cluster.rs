//! `/cluster/status`, `/cluster/resources`, `/cluster/nextid`, `/cluster/options` and the lists that are
//! empty on a cluster without replication jobs or HA groups.

use serde_json::{json, Map, Value};

use super::render::{guest_common, node_usage, ROOTFS_TOTAL};
use super::Request;
use crate::error::ApiError;
use crate::model::Cluster;

/// `GET /cluster/status`.
pub fn status(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    let mut out = vec![json!({
        "type": "cluster",
        "id": "cluster",
        "name": c.name,
        "nodes": c.nodes.len(),
        "quorate": u8::from(c.is_quorate()),
        "version": c.config_version,
    })];
    for n in &c.nodes {
        out.push(json!({
            "type": "node",
            "id": format!("node/{}", n.name),
            "name": n.name,
            "nodeid": n.nodeid,
            "ip": n.ip,
            "online": u8::from(c.node_online(&n.name)),
            "local": u8::from(n.name == c.entry_node),
            "level": "",
        }));
    }
    Ok(Value::Array(out))
}

/// `GET /cluster/resources`.
pub fn resources(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let filter = r.get("type");
    let want = |t: &str| filter.is_none_or(|f| f == t);
    let now = r.now;
    let mut out = Vec::with_capacity(c.guests.len() + c.nodes.len() * 4);
    if want("vm") {
        for g in c.guests.values() {
            let reachable = c.node_online(&g.node);
            let mut m = guest_common(c, g, now, reachable);
            m.insert("id".into(), json!(format!("{}/{}", g.kind.as_str(), g.vmid)));
            m.insert("type".into(), json!(g.kind.as_str()));
            m.insert("node".into(), json!(g.node));
            m.insert("maxcpu".into(), json!(g.cpus()));
            m.remove("cpus");
            if !m.contains_key("template") {
                m.insert("template".into(), json!(0));
            }
            if let Some(p) = &g.pool {
                m.insert("pool".into(), json!(p));
            }
            let sid = format!("{}:{}", g.kind.ha_prefix(), g.vmid);
            if let Some(h) = c.ha.get(&sid) {
                m.insert("hastate".into(), json!(h.crm_state.as_str()));
            }
            out.push(Value::Object(m));
        }
    }
    if want("node") {
        for n in &c.nodes {
            let mut m = Map::new();
            m.insert("id".into(), json!(format!("node/{}", n.name)));
            m.insert("type".into(), json!("node"));
            m.insert("node".into(), json!(n.name));
            if c.node_online(&n.name) {
                let (cpu, mem, disk, _) = node_usage(c, n, now);
                m.insert("status".into(), json!("online"));
                m.insert("cpu".into(), json!(cpu));
                m.insert("maxcpu".into(), json!(n.spec.cpus()));
                m.insert("mem".into(), json!(mem));
                m.insert("maxmem".into(), json!(n.spec.memory));
                m.insert("disk".into(), json!(disk));
                m.insert("maxdisk".into(), json!(ROOTFS_TOTAL));
                m.insert("uptime".into(), json!((now - n.boot_time).max(0.0) as u64));
                m.insert("level".into(), json!(""));
                m.insert("cgroup-mode".into(), json!(2));
            } else {
                m.insert("status".into(), json!("offline"));
            }
            out.push(Value::Object(m));
        }
    }
    if want("storage") {
        for n in &c.nodes {
            let online = c.node_online(&n.name);
            for s in &c.storages {
                let mut m = Map::new();
                m.insert("id".into(), json!(format!("storage/{}/{}", n.name, s.id)));
                m.insert("type".into(), json!("storage"));
                m.insert("node".into(), json!(n.name));
                m.insert("storage".into(), json!(s.id));
                m.insert("plugintype".into(), json!(s.kind));
                m.insert("content".into(), json!(s.content));
                m.insert("shared".into(), json!(u8::from(s.shared)));
                if online {
                    m.insert("status".into(), json!("available"));
                    m.insert("disk".into(), json!(c.storage_used(&s.id, &n.name)));
                    m.insert("maxdisk".into(), json!(s.total));
                } else {
                    m.insert("status".into(), json!("unknown"));
                }
                out.push(Value::Object(m));
            }
        }
    }
    if filter.is_none() {
        for p in c.pools.keys() {
            out.push(json!({"id": format!("pool/{p}"), "type": "pool", "pool": p}));
        }
    }
    if want("sdn") {
        for n in c.nodes.iter().filter(|n| c.node_online(&n.name)) {
            out.push(json!({
                "id": format!("sdn/{}/localnetwork", n.name),
                "type": "sdn",
                "sdn": "localnetwork",
                "node": n.name,
                "status": "ok",
            }));
        }
    }
    Ok(Value::Array(out))
}

/// `GET /cluster/nextid`: the lowest free id, or whether the given one is free. Reserves nothing.
pub fn nextid(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    match r.int("vmid") {
        Some(v) => {
            if c.guests.contains_key(&(v as u32)) {
                Err(ApiError::param("vmid", format!("VM {v} already exists")))
            } else {
                Ok(json!(v.to_string()))
            }
        }
        None => Ok(json!(c.next_free_vmid().to_string())),
    }
}

/// `GET /cluster/options` (the datacenter.cfg defaults of a fresh cluster).
pub fn options(_: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(json!({
        "keyboard": "en-us",
        "console": "html5",
        "migration": {"type": "secure"},
        "next-id": {"lower": "100", "upper": "1000000"},
    }))
}

/// Lists that a cluster without replication jobs or HA groups answers empty.
pub fn empty_list(_: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(json!([]))
}
