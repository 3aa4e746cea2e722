//! Storage: the definitions (and new ones), per-node status, content (guest volumes, template
//! files, allocated images) and allocation. Messages are PVE's (`PVE/API2/Storage/*.pm`).

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::{AllocatedVolume, Cluster, StorageDef, LOCAL_STORAGE, TB};

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
            if !s.settings.is_empty() {
                for (k, v) in &s.settings {
                    m.insert(k.clone(), json!(v));
                }
                m.insert("shared".into(), json!(u8::from(s.shared)));
            } else if s.kind == "dir" {
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
    for a in c
        .allocated
        .iter()
        .filter(|a| a.storage == s.id && (s.shared || a.node == node))
    {
        out.push(json!({"volid": a.volid, "content": "images", "format": a.format, "size": a.size, "vmid": a.vmid}));
    }
    out.extend(super::backup::listed(c, &s.id, node));
    out.retain(|v| {
        filter_content.is_none_or(|fc| v["content"] == fc)
            && filter_vmid.is_none_or(|id| v["vmid"] == id)
    });
    Ok(Value::Array(out))
}

/// What each storage type may hold, and whether it is shared between nodes by its nature.
fn plugin(kind: &str) -> (&'static [&'static str], bool) {
    const FILES: &[&str] = &[
        "images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import",
    ];
    match kind {
        "dir" | "btrfs" => (FILES, false),
        "nfs" | "cifs" | "glusterfs" => (FILES, true),
        "cephfs" => (&["vztmpl", "iso", "backup", "snippets", "import"], true),
        "rbd" => (&["images", "rootdir"], true),
        "pbs" => (&["backup"], true),
        "iscsi" | "iscsidirect" => (&["images", "none"], true),
        "esxi" => (&["import"], true),
        _ => (&["images", "rootdir"], false),
    }
}

/// The parameters of `POST /storage` that are not kept as the storage's settings.
const NOT_SETTINGS: &[&str] = &[
    "storage",
    "type",
    "content",
    "shared",
    "password",
    "encryption-key",
    "keyring",
    "master-pubkey",
];

/// `POST /storage`: a new storage. Its size is what such a storage typically has at a site: 2 TB
/// on a node, 10 TB when shared.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("storage").to_string();
    if c.storage(&id).is_some() {
        return Err(ApiError::fail(format!("storage ID '{id}' already defined")));
    }
    let kind = r.req("type").to_string();
    let (allowed, shared_by_nature) = plugin(&kind);
    let content = match r.get("content") {
        Some(list) => {
            let items: Vec<&str> = list
                .split([',', ';', ' '])
                .filter(|x| !x.is_empty())
                .collect();
            if items.contains(&"none") && items.len() > 1 {
                return Err(ApiError::param(
                    "content",
                    "unable to combine 'none' with other content types\n",
                ));
            }
            for item in &items {
                if !allowed.contains(item) {
                    return Err(ApiError::param(
                        "content",
                        format!("storage does not support content type '{item}'\n"),
                    ));
                }
            }
            items.join(",")
        }
        None => allowed
            .iter()
            .filter(|x| ["images", "rootdir", "backup"].contains(x))
            .copied()
            .collect::<Vec<_>>()
            .join(","),
    };
    let needs: &[&str] = match kind.as_str() {
        "dir" | "btrfs" => &["path"],
        "nfs" => &["server", "export"],
        "cifs" => &["server", "share"],
        "pbs" => &["server", "datastore"],
        "zfspool" => &["pool"],
        "lvm" => &["vgname"],
        "lvmthin" => &["vgname", "thinpool"],
        _ => &[],
    };
    for key in needs {
        if r.get(key).is_none() {
            return Err(ApiError::param(
                key,
                "property is missing and it is not optional\n",
            ));
        }
    }
    let shared = shared_by_nature || r.flag("shared");
    let answer = json!({"storage": id, "type": kind});
    let settings = r
        .params
        .iter()
        .filter(|(k, _)| !NOT_SETTINGS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    c.storages.push(StorageDef {
        id,
        kind,
        content,
        shared,
        total: if shared { 10 * TB } else { 2 * TB },
        base_used: 0,
        settings,
    });
    c.config_version += 1;
    Ok(answer)
}

/// `POST /nodes/{node}/storage/{storage}/content`: allocates a disk image for a guest; answers its
/// volume id. Sizes are in KiB, or with `M`/`G`.
pub fn allocate(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("storage").to_string();
    let name = r.req("filename").to_string();
    let vmid = r.vmid();
    let size = r.req("size");
    let kib: u64 = if let Ok(n) = size.parse::<u64>() {
        n
    } else if let Some(m) = size.strip_suffix('M').and_then(|n| n.parse::<u64>().ok()) {
        m * 1024
    } else if let Some(g) = size.strip_suffix('G').and_then(|n| n.parse::<u64>().ok()) {
        g * 1024 * 1024
    } else {
        return Err(ApiError::param(
            "size",
            format!("unable to parse size '{size}'"),
        ));
    };
    let mut format = r.get("format").map(str::to_string);
    for ext in ["raw", "qcow2", "vmdk"] {
        if name.ends_with(&format!(".{ext}")) {
            if format.as_deref().is_some_and(|f| f != ext) {
                return Err(ApiError::param(
                    "format",
                    format!(
                        "different storage formats ({} != {ext})",
                        format.unwrap_or_default()
                    ),
                ));
            }
            format = Some(ext.to_string());
        }
    }
    let s = c
        .storage(&id)
        .ok_or_else(|| ApiError::fail(format!("storage '{id}' does not exist")))?;
    if !s.content.split(',').any(|x| x == "images") {
        return Err(ApiError::fail(format!(
            "storage '{id}' does not support vm images"
        )));
    }
    if !name.starts_with(&format!("vm-{vmid}-")) && !name.starts_with(&format!("base-{vmid}-")) {
        return Err(ApiError::fail(format!(
            "illegal name '{name}' - should be 'vm-{vmid}-*'"
        )));
    }
    let volid = format!("{id}:{name}");
    if c.allocated.iter().any(|a| a.volid == volid) {
        return Err(ApiError::fail(format!(
            "unable to create volume '{volid}' - volume already exists"
        )));
    }
    let node = r.node().to_string();
    c.allocated.push(AllocatedVolume {
        storage: id,
        node,
        vmid,
        volid: volid.clone(),
        format: format.unwrap_or_else(|| "raw".into()),
        size: kib * 1024,
    });
    Ok(json!(volid))
}
