//! `/cluster/status`, `/cluster/resources`, `/cluster/nextid`, the guests no backup job covers and
//! the QDevice status.

use serde::Serialize;
use serde_json::{json, Value};

use super::render::{node_usage_with, ROOTFS_TOTAL};
use super::{Reply, Request};
use crate::error::ApiError;
use crate::model::{Cluster, Guest, RunState};

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

/// One `/cluster/resources` entry. Rendered straight to JSON text: on a cluster of a thousand nodes the
/// list has tens of thousands of entries.
#[derive(Serialize, Default)]
struct Entry<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vmid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maxcpu: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mem: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maxmem: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disk: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maxdisk: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uptime: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    netin: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    netout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diskread: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diskwrite: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hastate: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'a str>,
    #[serde(rename = "cgroup-mode", skip_serializing_if = "Option::is_none")]
    cgroup_mode: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugintype: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sdn: Option<&'a str>,
}

/// Renders guests as comma-separated entries.
fn render_guests(
    c: &Cluster,
    guests: &[&Guest],
    online: &std::collections::HashSet<String>,
    ha: &std::collections::HashMap<u32, &str>,
    now: f64,
) -> Result<Vec<u8>, String> {
    let mut buf = Vec::with_capacity(guests.len() * 330);
    for (i, g) in guests.iter().enumerate() {
        let status = if !online.contains(&g.node) {
            "unknown"
        } else if g.state == RunState::Stopped {
            "stopped"
        } else {
            "running"
        };
        let [netin, netout, diskread, diskwrite] = g.io_counters(c.seed, now);
        let maxmem = g.maxmem();
        let maxdisk = g.maxdisk();
        let e = Entry {
            id: format!("{}/{}", g.kind.as_str(), g.vmid),
            kind: g.kind.as_str(),
            node: Some(&g.node),
            status: Some(status),
            name: Some(g.name_ref()),
            vmid: Some(g.vmid),
            cpu: Some(g.cpu_usage(c.seed, now)),
            maxcpu: Some(g.cpus()),
            mem: Some(g.mem_usage_of(maxmem, c.seed, now)),
            maxmem: Some(maxmem),
            disk: Some(g.disk_usage_of(maxdisk, c.seed)),
            maxdisk: Some(maxdisk),
            uptime: Some(g.uptime(now)),
            netin: Some(netin),
            netout: Some(netout),
            diskread: Some(diskread),
            diskwrite: Some(diskwrite),
            template: Some(u8::from(g.is_template())),
            tags: g.config.get("tags").map(String::as_str),
            lock: g.lock.as_deref(),
            pool: g.pool.as_deref(),
            hastate: ha.get(&g.vmid).copied(),
            ..Default::default()
        };
        if i > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut buf, &e).map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

/// `GET /cluster/resources`.
pub fn resources(c: &mut Cluster, r: &Request) -> Result<Reply, ApiError> {
    let filter = r.get("type");
    let want = |t: &str| filter.is_none_or(|f| f == t);
    let now = r.now;
    // Computed once: per-guest or per-node lookups would make this quadratic on large clusters.
    let online = c.online_set();
    // Guests are most of a large cluster's list: they are rendered in parallel, one slice per core.
    let mut guest_parts: Vec<Vec<u8>> = Vec::new();
    if want("vm") {
        let ha: std::collections::HashMap<u32, &str> =
            c.ha.values()
                .map(|h| (h.vmid, h.crm_state.as_str()))
                .collect();
        let guests: Vec<&Guest> = c.guests.values().collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = guests.len().div_ceil(threads).max(1);
        let cluster: &Cluster = c;
        let results: Vec<Result<Vec<u8>, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = guests
                .chunks(chunk)
                .map(|part| {
                    let (online, ha) = (&online, &ha);
                    scope.spawn(move || render_guests(cluster, part, online, ha, now))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("rendering failed".into())))
                .collect()
        });
        for r in results {
            guest_parts.push(r.map_err(ApiError::fail)?);
        }
    }
    let mut out: Vec<Entry> = Vec::with_capacity(c.nodes.len() * 4 + c.pools.len());
    if want("node") {
        let loads = c.node_loads(now);
        for n in &c.nodes {
            let mut e = Entry {
                id: format!("node/{}", n.name),
                kind: "node",
                node: Some(&n.name),
                status: Some("offline"),
                ..Default::default()
            };
            if online.contains(&n.name) {
                let load = loads.get(n.name.as_str()).copied().unwrap_or_default();
                let (cpu, mem, disk, _) = node_usage_with(c, n, load, now);
                e.status = Some("online");
                e.cpu = Some(cpu);
                e.maxcpu = Some(n.spec.cpus());
                e.mem = Some(mem);
                e.maxmem = Some(n.spec.memory);
                e.disk = Some(disk);
                e.maxdisk = Some(ROOTFS_TOTAL);
                e.uptime = Some((now - n.boot_time).max(0.0) as u64);
                e.level = Some("");
                e.cgroup_mode = Some(2);
            }
            out.push(e);
        }
    }
    if want("storage") {
        let (shared, local) = c.disk_usage();
        let files: u64 = c.local_files.iter().map(|f| f.size).sum();
        for n in &c.nodes {
            let node_online = online.contains(&n.name);
            for s in &c.storages {
                let mut e = Entry {
                    id: format!("storage/{}/{}", n.name, s.id),
                    kind: "storage",
                    node: Some(&n.name),
                    storage: Some(&s.id),
                    plugintype: Some(&s.kind),
                    content: Some(&s.content),
                    shared: Some(u8::from(s.shared)),
                    status: Some("unknown"),
                    ..Default::default()
                };
                if node_online {
                    let used = if s.shared {
                        shared.get(&s.id).copied().unwrap_or_default()
                    } else {
                        let extra = if s.id == crate::model::LOCAL_STORAGE {
                            files
                        } else {
                            0
                        };
                        local
                            .get(&(s.id.clone(), n.name.clone()))
                            .copied()
                            .unwrap_or_default()
                            + extra
                    };
                    e.status = Some("available");
                    e.disk = Some(s.base_used + used);
                    e.maxdisk = Some(s.total);
                }
                out.push(e);
            }
        }
    }
    if filter.is_none() {
        for p in c.pools.keys() {
            out.push(Entry {
                id: format!("pool/{p}"),
                kind: "pool",
                pool: Some(p),
                ..Default::default()
            });
        }
    }
    if want("sdn") {
        for n in c.nodes.iter().filter(|n| online.contains(&n.name)) {
            out.push(Entry {
                id: format!("sdn/{}/localnetwork", n.name),
                kind: "sdn",
                sdn: Some("localnetwork"),
                node: Some(&n.name),
                status: Some("ok"),
                ..Default::default()
            });
        }
    }
    let mut buf =
        Vec::with_capacity(guest_parts.iter().map(Vec::len).sum::<usize>() + out.len() * 320 + 2);
    buf.push(b'[');
    for part in guest_parts.iter().filter(|p| !p.is_empty()) {
        if buf.len() > 1 {
            buf.push(b',');
        }
        buf.extend_from_slice(part);
    }
    for e in &out {
        if buf.len() > 1 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut buf, e).map_err(|e| ApiError::fail(e.to_string()))?;
    }
    buf.push(b']');
    let text = String::from_utf8(buf).map_err(|e| ApiError::fail(e.to_string()))?;
    serde_json::value::RawValue::from_string(text)
        .map(Reply::Raw)
        .map_err(|e| ApiError::fail(e.to_string()))
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

/// `GET /cluster/backup-info/not-backed-up`: the guests no backup job covers (every guest but
/// templates, as long as the cluster has no backup jobs).
pub fn not_backed_up(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(Value::Array(
        c.guests
            .values()
            .filter(|g| !g.is_template())
            .map(|g| {
                json!({
                    "vmid": g.vmid,
                    "name": g.name(),
                    "type": match g.kind {
                        pve_types::api::guest::GuestKind::Qemu => "qemu",
                        pve_types::api::guest::GuestKind::Lxc => "lxc",
                    },
                })
            })
            .collect(),
    ))
}

/// `GET /cluster/config/qdevice`: a cluster of three nodes has no QDevice; PVE answers an empty
/// object then.
pub fn qdevice(_: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(json!({}))
}
