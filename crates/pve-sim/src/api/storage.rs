//! Storage: the definitions, per-node status and content (guest volumes and template files).

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, StorageDef, LOCAL_STORAGE};

/// `GET /storage`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let digest = format!("{:040x}", c.config_version);
    let out: Vec<Value> = c
        .storages
        .iter()
        .filter(|s| r.get("type").is_none_or(|t| t == s.kind))
        .map(|s| {
            let mut m = Map::new();
            m.insert("storage".into(), json!(s.id));
            m.insert("type".into(), json!(s.kind));
            m.insert("content".into(), json!(s.content));
            m.insert("digest".into(), json!(digest));
            if s.kind == "dir" {
                m.insert("path".into(), json!("/var/lib/vz"));
                m.insert("shared".into(), json!(0));
            } else {
                m.insert("pool".into(), json!(s.id));
                m.insert("krbd".into(), json!(0));
                m.insert("shared".into(), json!(1));
            }
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(out))
}

fn status_of(c: &Cluster, s: &StorageDef, node: &str) -> Map<String, Value> {
    let used = c.storage_used(&s.id, node).min(s.total);
    let mut m = Map::new();
    m.insert("storage".into(), json!(s.id));
    m.insert("type".into(), json!(s.kind));
    m.insert("content".into(), json!(s.content));
    m.insert("active".into(), json!(1));
    m.insert("enabled".into(), json!(1));
    m.insert("shared".into(), json!(u8::from(s.shared)));
    m.insert("total".into(), json!(s.total));
    m.insert("used".into(), json!(used));
    m.insert("avail".into(), json!(s.total - used));
    m.insert(
        "used_fraction".into(),
        json!(used as f64 / s.total.max(1) as f64),
    );
    m
}

/// `GET /nodes/{node}/storage`.
pub fn node_list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = r.node();
    let wanted: Option<Vec<&str>> = r.get("content").map(|c| c.split(',').collect());
    let out: Vec<Value> = c
        .storages
        .iter()
        .filter(|s| r.get("storage").is_none_or(|id| id == s.id))
        .filter(|s| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|x| s.content.split(',').any(|c| c == *x)))
        })
        .map(|s| Value::Object(status_of(c, s, node)))
        .collect();
    Ok(Value::Array(out))
}

/// `GET /nodes/{node}/storage/{storage}/status`.
pub fn status(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("storage");
    let s = c
        .storage(id)
        .ok_or_else(|| ApiError::fail(format!("storage '{id}' does not exist")))?;
    Ok(Value::Object(status_of(c, s, r.node())))
}

/// `GET /nodes/{node}/storage/{storage}/content`.
pub fn content(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("storage");
    let s = c
        .storage(id)
        .ok_or_else(|| ApiError::fail(format!("storage '{id}' does not exist")))?
        .clone();
    let node = r.node();
    let filter_content = r.get("content");
    let filter_vmid = r.int("vmid").map(|v| v as u32);
    let mut out = Vec::new();
    if s.id == LOCAL_STORAGE {
        for f in &c.local_files {
            out.push(json!({"volid": f.volid, "content": f.content, "format": f.format, "size": f.size, "ctime": f.ctime}));
        }
    }
    for g in c.guests.values().filter(|g| s.shared || g.node == node) {
        for (_, d) in g.disks().into_iter().filter(|(_, d)| d.storage() == s.id) {
            let content = match g.kind {
                pve_types::api::guest::GuestKind::Qemu => "images",
                pve_types::api::guest::GuestKind::Lxc => "rootdir",
            };
            // A linked clone's volume is `base-9000-disk-0/vm-101-disk-0`: its parent is the base.
            let (volname, parent) = match d.volume.split_once(':').map(|(_, v)| v) {
                Some(v) if v.contains('/') => {
                    let (base, own) = v.split_once('/').unwrap_or((v, v));
                    (format!("{id}:{own}"), Some(format!("{base}@__base__")))
                }
                Some(v) => (format!("{id}:{v}"), None),
                None => (d.volume.clone(), None),
            };
            let mut m = Map::new();
            m.insert("volid".into(), json!(volname));
            m.insert("content".into(), json!(content));
            m.insert("format".into(), json!("raw"));
            m.insert(
                "size".into(),
                json!(d.size().map(|x| x.bytes()).unwrap_or_default()),
            );
            m.insert("vmid".into(), json!(g.vmid));
            if let Some(p) = parent {
                m.insert("parent".into(), json!(p));
            }
            out.push(Value::Object(m));
        }
    }
    out.retain(|v| {
        filter_content.is_none_or(|fc| v["content"] == fc)
            && filter_vmid.is_none_or(|id| v["vmid"] == id)
    });
    Ok(Value::Array(out))
}
