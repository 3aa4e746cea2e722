//! Resource pools: create, list, read, change members, delete.

use serde_json::{json, Map, Value};

use super::render::guest_common;
use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, PoolRec};

fn members(c: &Cluster, pool: &str, rec: &PoolRec, now: f64, kind: Option<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    for g in c
        .guests
        .values()
        .filter(|g| g.pool.as_deref() == Some(pool))
    {
        if kind.is_some_and(|k| k != g.kind.as_str()) {
            continue;
        }
        let mut m: Map<String, Value> = guest_common(c, g, now, c.node_online(&g.node));
        m.insert(
            "id".into(),
            json!(format!("{}/{}", g.kind.as_str(), g.vmid)),
        );
        m.insert("type".into(), json!(g.kind.as_str()));
        m.insert("node".into(), json!(g.node));
        m.insert("maxcpu".into(), json!(g.cpus()));
        m.remove("cpus");
        out.push(Value::Object(m));
    }
    if kind.is_none_or(|k| k == "storage") {
        for s in &rec.storage {
            for n in &c.nodes {
                out.push(json!({"id": format!("storage/{}/{s}", n.name), "type": "storage", "node": n.name, "storage": s}));
            }
        }
    }
    out
}

/// `GET /pools`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let out: Vec<Value> = c
        .pools
        .iter()
        .filter(|(id, _)| r.get("poolid").is_none_or(|p| p == id.as_str()))
        .map(|(id, rec)| {
            let mut m = Map::new();
            m.insert("poolid".into(), json!(id));
            if let Some(cm) = &rec.comment {
                m.insert("comment".into(), json!(cm));
            }
            if r.get("poolid").is_some() {
                m.insert(
                    "members".into(),
                    Value::Array(members(c, id, rec, r.now, r.get("type"))),
                );
            }
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(out))
}

/// `POST /pools`.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("poolid");
    if c.pools.contains_key(id) {
        return Err(ApiError::fail(format!("pool '{id}' already exists")));
    }
    if let Some((parent, _)) = id.rsplit_once('/') {
        if !c.pools.contains_key(parent) {
            return Err(ApiError::fail(format!(
                "parent '{parent}' of pool '{id}' does not exist"
            )));
        }
    }
    c.pools.insert(
        id.to_string(),
        PoolRec {
            comment: r.get("comment").map(str::to_string),
            ..Default::default()
        },
    );
    c.config_version += 1;
    Ok(Value::Null)
}

fn pool_missing(id: &str) -> ApiError {
    ApiError::fail(format!("pool '{id}' does not exist"))
}

/// `GET /pools/{poolid}`.
pub fn get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("poolid");
    let rec = c.pools.get(id).ok_or_else(|| pool_missing(id))?;
    let mut m = Map::new();
    if let Some(cm) = &rec.comment {
        m.insert("comment".into(), json!(cm));
    }
    m.insert(
        "members".into(),
        Value::Array(members(c, id, rec, r.now, r.get("type"))),
    );
    Ok(Value::Object(m))
}

/// `PUT /pools/{poolid}`: comment, add or remove guests and storage.
pub fn update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("poolid").to_string();
    if !c.pools.contains_key(&id) {
        return Err(pool_missing(&id));
    }
    let remove = r.flag("delete");
    let allow_move = r.flag("allow-move");
    let mut vmids = Vec::new();
    for v in r
        .get("vms")
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
    {
        let vmid: u32 = v.parse().ok().filter(|n| *n >= 100).ok_or_else(|| {
            ApiError::param(
                "vms",
                format!("invalid format - value '{v}' does not look like a valid VM ID\n"),
            )
        })?;
        let g = c
            .guests
            .get(&vmid)
            .ok_or_else(|| ApiError::fail(format!("no such VMID '{vmid}'")))?;
        if !remove {
            if let Some(other) = &g.pool {
                if other != &id && !allow_move {
                    return Err(ApiError::fail(format!(
                        "VM {vmid} belongs already to pool '{other}' and 'allow-move' is not set"
                    )));
                }
            }
        }
        vmids.push(vmid);
    }
    let storages: Vec<String> = r
        .get("storage")
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for s in &storages {
        if c.storage(s).is_none() {
            return Err(ApiError::fail(format!("storage '{s}' does not exist")));
        }
    }
    for vmid in vmids {
        if let Some(g) = c.guests.get_mut(&vmid) {
            if remove {
                if g.pool.as_deref() == Some(id.as_str()) {
                    g.pool = None;
                }
            } else {
                g.pool = Some(id.clone());
            }
        }
    }
    if let Some(rec) = c.pools.get_mut(&id) {
        for s in storages {
            if remove {
                rec.storage.remove(&s);
            } else {
                rec.storage.insert(s);
            }
        }
        if let Some(cm) = r.get("comment") {
            rec.comment = Some(cm.to_string()).filter(|s| !s.is_empty());
        }
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `DELETE /pools/{poolid}`: only an empty pool.
pub fn delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("poolid");
    let rec = c.pools.get(id).ok_or_else(|| pool_missing(id))?;
    if let Some(sub) = c.pools.keys().find(|p| p.starts_with(&format!("{id}/"))) {
        return Err(ApiError::fail(format!(
            "pool '{id}' is not empty (contains pool '{sub}')"
        )));
    }
    if let Some(g) = c.guests.values().find(|g| g.pool.as_deref() == Some(id)) {
        return Err(ApiError::fail(format!(
            "pool '{id}' is not empty (contains VM {})",
            g.vmid
        )));
    }
    if let Some(s) = rec.storage.iter().next() {
        return Err(ApiError::fail(format!(
            "pool '{id}' is not empty (contains storage '{s}')"
        )));
    }
    c.pools.remove(id);
    c.config_version += 1;
    Ok(Value::Null)
}
