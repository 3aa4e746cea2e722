//! VMs and containers: list, create, clone, config, power, delete, resize, migrate, snapshots,
//! templates and statistics, with PVE's refusals (locks, states, templates) and its task types.

use std::collections::{BTreeMap, BTreeSet};

use pve_types::api::guest::GuestKind;
use pve_types::api::guest_props::{DiskSize, DiskSpec};
use serde_json::{json, Map, Value};

use super::nodes::rrd_points;
use super::render::{guest_common, guest_ha, guest_pid};
use super::Request;
use crate::error::ApiError;
use crate::model::guest_keys::is_disk_key;
use crate::model::{Cluster, Effect, Guest, RunState, SnapshotRec, TaskSpec, GIB, SHARED_STORAGE};
use crate::params::{self, ParamType};

/// Parameters of create and clone that are instructions, not config keys.
const CREATE_CONTROL: &[&str] = &[
    "node",
    "vmid",
    "start",
    "pool",
    "storage",
    "force",
    "unique",
    "archive",
    "live-restore",
    "bwlimit",
    "import-working-storage",
    "password",
    "ssh-public-keys",
    "ostemplate",
    "restore",
    "ignore-unpack-errors",
];

/// PVE's worker type for a VM or a container (`qmstart` / `vzstart`).
fn by_kind(kind: GuestKind, qemu: &'static str, lxc: &'static str) -> &'static str {
    match kind {
        GuestKind::Qemu => qemu,
        GuestKind::Lxc => lxc,
    }
}

/// The guest named by the path: it must exist, be of the path's kind and be on the path's node.
fn guest<'a>(c: &'a Cluster, r: &Request) -> Result<&'a Guest, ApiError> {
    let vmid = r.vmid();
    match c.guests.get(&vmid) {
        Some(g) if g.kind == r.kind() && g.node == r.node() => Ok(g),
        _ => Err(ApiError::no_config(r.kind(), r.node(), vmid)),
    }
}

fn locked(g: &Guest) -> Option<String> {
    g.lock
        .as_ref()
        .map(|l| format!("{} is locked ({l})", g.type_word()))
}

fn check_unlocked(g: &Guest) -> Result<(), ApiError> {
    match locked(g) {
        Some(m) => Err(ApiError::fail(m)),
        None => Ok(()),
    }
}

fn ha_sid(g: &Guest) -> String {
    format!("{}:{}", g.kind.ha_prefix(), g.vmid)
}

/// Renders config values with the types PVE's schema gives each key (numbers and booleans unquoted).
fn typed_config(kind: GuestKind, config: &BTreeMap<String, String>) -> Map<String, Value> {
    let key = format!("PUT /nodes/{{node}}/{}/{{vmid}}/config", kind.as_str());
    let spec = params::specs().get(&key);
    config
        .iter()
        .map(|(k, v)| {
            let ty = spec.and_then(|s| {
                s.params.iter().find(|p| {
                    if p.indexed {
                        k.strip_prefix(p.name.as_str())
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    } else {
                        p.name == *k
                    }
                })
            });
            let value = match ty.map(|p| &p.ty) {
                Some(ParamType::Int { .. } | ParamType::Bool | ParamType::Vmid) => v
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| json!(v)),
                Some(ParamType::Num { .. }) => v
                    .parse::<f64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| json!(v)),
                _ => json!(v),
            };
            (k.clone(), value)
        })
        .collect()
}

/// The volumes (`storage:vm-100-disk-0`) a guest id holds already: in its configuration (a linked
/// clone's own part of `base-9000-disk-0/vm-101-disk-0`) and allocated for it outside.
fn taken_volumes(c: &Cluster, vmid: u32) -> BTreeSet<String> {
    let mut taken: BTreeSet<String> = c
        .allocated
        .iter()
        .filter(|a| a.vmid == vmid)
        .map(|a| a.volid.clone())
        .collect();
    if let Some(g) = c.guests.get(&vmid) {
        for (_, d) in g.disks() {
            if let Some((storage, name)) = d.volume.split_once(':') {
                let own = name.rsplit('/').next().unwrap_or(name);
                taken.insert(format!("{storage}:{own}"));
            }
        }
    }
    taken
}

/// Turns `STORAGE:SIZE_GIB` disk requests into allocated volumes named as PVE names them: the
/// lowest free `vm-<vmid>-disk-<n>` on that storage (`find_free_diskname`); checks storages exist.
fn allocate_disks(
    c: &Cluster,
    kind: GuestKind,
    vmid: u32,
    config: &mut BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let mut taken = taken_volumes(c, vmid);
    let keys: Vec<String> = config
        .keys()
        .filter(|k| is_disk_key(kind, k))
        .cloned()
        .collect();
    for k in keys {
        let Some(v) = config.get(&k).cloned() else {
            continue;
        };
        if v == "none" {
            continue;
        }
        let mut d: DiskSpec = v.parse().map_err(|e: pve_types::PropertyStringError| {
            ApiError::param(&k, format!("invalid format - {e}\n"))
        })?;
        // An empty drive (`none,media=cdrom`) or the host's drive (`cdrom`) has no volume.
        if d.volume == "none" || d.volume == "cdrom" {
            continue;
        }
        let Some((storage, rest)) = d.volume.split_once(':') else {
            return Err(ApiError::param(
                &k,
                "invalid format - unable to parse volume ID\n",
            ));
        };
        if d.is_cdrom() {
            // A cloud-init drive is allocated as `STORAGE:cloudinit`.
            if rest == "cloudinit" {
                d.volume = format!("{storage}:vm-{vmid}-cloudinit");
                config.insert(k, d.to_string());
            }
            continue;
        }
        if c.storage(storage).is_none() {
            return Err(ApiError::fail(format!(
                "storage '{storage}' does not exist"
            )));
        }
        if let Ok(gib) = rest.parse::<f64>() {
            // A new volume of that many GiB.
            if c.storage(storage).is_some_and(|s| {
                !s.content.contains(if kind == GuestKind::Qemu {
                    "images"
                } else {
                    "rootdir"
                })
            }) {
                return Err(ApiError::fail(format!(
                    "storage '{storage}' does not support {} images",
                    if kind == GuestKind::Qemu {
                        "vm"
                    } else {
                        "container"
                    }
                )));
            }
            let volume = (0..)
                .map(|n| format!("{storage}:vm-{vmid}-disk-{n}"))
                .find(|v| !taken.contains(v))
                .unwrap_or_default();
            taken.insert(volume.clone());
            d.volume = volume;
            d.set_size(DiskSize((gib * GIB as f64) as u64));
            config.insert(k, d.to_string());
        }
    }
    Ok(())
}

/// `GET /nodes/{node}/{qemu,lxc}`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = r.node();
    let kind = r.kind();
    let out: Vec<Value> = c
        .guests
        .values()
        .filter(|g| g.node == node && g.kind == kind)
        .map(|g| {
            let mut m = guest_common(c, g, r.now, true);
            match kind {
                GuestKind::Qemu => {
                    let qmp = match g.state {
                        RunState::Running => "running",
                        RunState::Paused => "paused",
                        RunState::Stopped => "stopped",
                    };
                    m.insert("qmpstatus".into(), json!(qmp));
                }
                GuestKind::Lxc => {
                    m.insert("type".into(), json!("lxc"));
                    let swap = g
                        .config
                        .get("swap")
                        .and_then(|s| s.parse::<u64>().ok())
                        .unwrap_or(512);
                    m.insert("maxswap".into(), json!(swap << 20));
                    m.insert("swap".into(), json!(0));
                }
            }
            if let Some(pid) = guest_pid(g).filter(|_| g.state != RunState::Stopped) {
                m.insert("pid".into(), json!(pid));
            }
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(out))
}

/// `POST /nodes/{node}/{qemu,lxc}`.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let kind = r.kind();
    let node = r.node().to_string();
    let vmid = r.vmid();
    if let Some(existing) = c.guests.get(&vmid) {
        return Err(ApiError::fail(match kind {
            GuestKind::Qemu => format!(
                "unable to create VM {vmid} - VM {vmid} already exists on node '{}'",
                existing.node
            ),
            GuestKind::Lxc => format!("CT {vmid} already exists on node '{}'", existing.node),
        }));
    }
    if let Some(pool) = r.get("pool") {
        if !c.pools.contains_key(pool) {
            return Err(ApiError::fail(format!("pool '{pool}' does not exist")));
        }
    }
    let mut config: BTreeMap<String, String> = r
        .params
        .iter()
        .filter(|(k, _)| !CREATE_CONTROL.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match kind {
        GuestKind::Qemu => {
            config
                .entry("smbios1".into())
                .or_insert_with(|| format!("uuid={}", uuid_like(c, vmid)));
            config
                .entry("vmgenid".into())
                .or_insert_with(|| uuid_like(c, vmid ^ 0x5a5a));
            config.insert(
                "meta".into(),
                format!("creation-qemu=9.2.0,ctime={}", r.now as u64),
            );
        }
        GuestKind::Lxc => {
            let Some(template) = r.get("ostemplate") else {
                return Err(ApiError::param(
                    "ostemplate",
                    "property is missing and it is not optional",
                ));
            };
            if !c
                .local_files
                .iter()
                .any(|f| f.volid == template && f.content == "vztmpl")
            {
                return Err(ApiError::fail(format!(
                    "volume '{template}' does not exist"
                )));
            }
            config
                .entry("arch".into())
                .or_insert_with(|| "amd64".into());
            config
                .entry("ostype".into())
                .or_insert_with(|| "debian".into());
            config
                .entry("rootfs".into())
                .or_insert_with(|| format!("{}:4", r.get("storage").unwrap_or(SHARED_STORAGE)));
            if !config.contains_key("hostname") {
                config.insert("hostname".into(), format!("CT{vmid}"));
            }
        }
    }
    allocate_disks(c, kind, vmid, &mut config)?;
    assign_macs(c, kind, &mut config, Macs::Missing)?;
    if kind == GuestKind::Qemu && !config.contains_key("boot") {
        if let Some(order) = default_boot_order(&config) {
            config.insert("boot".into(), order);
        }
    }
    let mut g = Guest::new(vmid, kind, &node, config);
    g.lock = Some("create".into());
    g.pool = r.get("pool").map(str::to_string);
    let disks: Vec<String> = g
        .disks()
        .iter()
        .map(|(k, d)| format!("{k}: successfully created disk '{}'", d.volume))
        .collect();
    c.guests.insert(vmid, g);
    let mut log = disks;
    if kind == GuestKind::Lxc {
        log.insert(
            0,
            format!(
                "extracting archive '/var/lib/vz/template/cache/{}'",
                r.get("ostemplate")
                    .and_then(|t| t.rsplit('/').next())
                    .unwrap_or_default()
            ),
        );
        log.push("Total bytes read: 524288000 (500MiB, 210MiB/s)".into());
        log.push("Detected container architecture: amd64".into());
    }
    let wtype = by_kind(kind, "qmcreate", "vzcreate");
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            &node,
            wtype,
            vmid,
            r.user(),
            Effect::Create {
                vmid,
                start: r.flag("start"),
            },
        )
        .log(log),
    );
    Ok(json!(upid.as_str()))
}

fn uuid_like(c: &Cluster, salt: u32) -> String {
    let a = crate::model::noise(c.seed, salt as u64, 11);
    let b = crate::model::noise(c.seed, salt as u64, 12);
    let x = (a * u64::MAX as f64) as u64;
    let y = (b * u64::MAX as f64) as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xffff,
        x & 0xfff,
        y >> 52,
        y & 0xffff_ffff_ffff
    )
}

/// Which NICs get a fresh MAC address.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Macs {
    /// Those without one (create, config change), as PVE does.
    Missing,
    /// All of them (a clone must not share its source's addresses).
    All,
}

/// Gives NICs fresh MAC addresses from the cluster's seeded source, as `parse_net` does; a NIC
/// that is not a valid network device is refused as PVE refuses it.
fn assign_macs(
    c: &mut Cluster,
    kind: GuestKind,
    config: &mut BTreeMap<String, String>,
    which: Macs,
) -> Result<(), ApiError> {
    let keys: Vec<String> = config
        .keys()
        .filter(|k| k.starts_with("net") && k[3..].parse::<u8>().is_ok())
        .cloned()
        .collect();
    for k in keys {
        let Some(v) = config.get(&k).cloned() else {
            continue;
        };
        let invalid = |e: pve_types::PropertyStringError| {
            ApiError::param(&k, format!("invalid format - format error {k}: {e}\n"))
        };
        let new = match kind {
            GuestKind::Qemu => {
                let mut n = v
                    .parse::<pve_types::api::guest_props::QemuNet>()
                    .map_err(invalid)?;
                if which == Macs::All || n.macaddr.is_none() {
                    n.macaddr = Some(c.mac());
                }
                n.to_string()
            }
            GuestKind::Lxc => {
                let mut n = v
                    .parse::<pve_types::api::guest_props::LxcNet>()
                    .map_err(invalid)?;
                if which == Macs::All || n.hwaddr.is_none() {
                    n.hwaddr = Some(c.mac());
                }
                n.to_string()
            }
        };
        config.insert(k, new);
    }
    Ok(())
}

/// The boot order PVE writes on creation when none is given (`get_default_bootdevices`): the first
/// hard disk, the first CD-ROM, the first NIC (disks in PVE's order: ide, scsi, virtio, sata).
fn default_boot_order(config: &BTreeMap<String, String>) -> Option<String> {
    let drives = (0..4)
        .map(|i| format!("ide{i}"))
        .chain((0..31).map(|i| format!("scsi{i}")))
        .chain((0..16).map(|i| format!("virtio{i}")))
        .chain((0..6).map(|i| format!("sata{i}")));
    let drives: Vec<(String, bool)> = drives
        .filter_map(|k| {
            let v = config.get(&k)?;
            let cdrom = v.contains("media=cdrom") || v.starts_with("cdrom") || v == "none";
            Some((k, cdrom))
        })
        .collect();
    let mut devices = Vec::new();
    devices.extend(drives.iter().find(|(_, cd)| !cd).map(|(k, _)| k.clone()));
    devices.extend(drives.iter().find(|(_, cd)| *cd).map(|(k, _)| k.clone()));
    devices.extend(
        (0..32)
            .map(|i| format!("net{i}"))
            .find(|k| config.contains_key(k)),
    );
    (!devices.is_empty()).then(|| format!("order={}", devices.join(";")))
}

/// `POST .../{vmid}/clone`.
pub fn clone(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let kind = r.kind();
    let src = guest(c, r)?.clone();
    let newid = r.int("newid").unwrap_or_default() as u32;
    if c.guests.contains_key(&newid) {
        return Err(ApiError::fail(format!(
            "unable to create VM {newid}: config file already exists"
        )));
    }
    check_unlocked(&src)?;
    if let Some(snap) = r.get("snapname") {
        if !src.snapshots.iter().any(|s| s.name == snap) {
            return Err(ApiError::fail(format!("snapshot '{snap}' does not exist")));
        }
    }
    let full = match r.get("full") {
        Some(_) => r.flag("full"),
        None => !src.is_template(),
    };
    if !full && !src.is_template() {
        return Err(ApiError::fail(format!(
            "Linked clone feature is not supported for '{}' (not a template)",
            src.name()
        )));
    }
    if !full && r.get("storage").is_some() {
        return Err(ApiError::fail(
            "parameter 'storage' not allowed for linked clones",
        ));
    }
    let target = r.get("target").unwrap_or(r.node()).to_string();
    if c.node(&target).is_none() {
        return Err(ApiError::fail(format!("no such cluster node '{target}'")));
    }
    if !c.node_online(&target) {
        return Err(ApiError::fail(format!(
            "target node '{target}' is not online"
        )));
    }
    if let Some(pool) = r.get("pool") {
        if !c.pools.contains_key(pool) {
            return Err(ApiError::fail(format!("pool '{pool}' does not exist")));
        }
    }
    let storage = r.get("storage").map(str::to_string);
    if let Some(s) = &storage {
        if c.storage(s).is_none() {
            return Err(ApiError::fail(format!("storage '{s}' does not exist")));
        }
    }
    let mut config = src.config.clone();
    for k in ["template", "parent", "lock"] {
        config.remove(k);
    }
    let name_key = match kind {
        GuestKind::Qemu => "name",
        GuestKind::Lxc => "hostname",
    };
    let name = r
        .get(if kind == GuestKind::Qemu {
            "name"
        } else {
            "hostname"
        })
        .map(str::to_string)
        .unwrap_or_else(|| format!("Copy-of-{}-{}", src.type_word(), src.name()));
    config.insert(name_key.into(), name);
    if let Some(d) = r.get("description") {
        config.insert("description".into(), d.to_string());
    }
    let mut log = Vec::new();
    for (n, (k, d)) in src.disks().into_iter().enumerate() {
        let from = d.volume.clone();
        let store = storage.clone().unwrap_or_else(|| d.storage().to_string());
        let mut nd = d.clone();
        nd.volume = if full {
            format!("{store}:vm-{newid}-disk-{n}")
        } else {
            let base = from.split_once(':').map(|(_, v)| v).unwrap_or(&from);
            format!("{store}:{base}/vm-{newid}-disk-{n}")
        };
        if full {
            log.push(format!("create full clone of drive {k} ({from})"));
            let size = d.size().map(|s| s.to_string()).unwrap_or_default();
            log.push(format!("transferred 0.0 B of {size} (0.00%)"));
            log.push(format!("transferred {size} of {size} (100.00%)"));
        } else {
            log.push(format!("create linked clone of drive {k} ({from})"));
        }
        config.insert(k, nd.to_string());
    }
    // The clone gets its own cloud-init drive.
    let cdroms: Vec<(String, String)> = config
        .iter()
        .filter(|(_, v)| v.contains("-cloudinit"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in cdroms {
        if let Ok(mut d) = v.parse::<DiskSpec>() {
            let store = storage.clone().unwrap_or_else(|| d.storage().to_string());
            d.volume = format!("{store}:vm-{newid}-cloudinit");
            config.insert(k, d.to_string());
        }
    }
    if kind == GuestKind::Qemu {
        config.insert("smbios1".into(), format!("uuid={}", uuid_like(c, newid)));
        config.insert("vmgenid".into(), uuid_like(c, newid ^ 0x5a5a));
    }
    assign_macs(c, kind, &mut config, Macs::All)?;
    let mut g = Guest::new(newid, kind, &target, config);
    g.lock = Some("clone".into());
    g.pool = r.get("pool").map(str::to_string);
    c.guests.insert(newid, g);
    let wtype = by_kind(kind, "qmclone", "vzclone");
    let disk_gib: u64 = src
        .disks()
        .iter()
        .filter_map(|(_, d)| d.size())
        .map(|s| s.gib_ceil())
        .sum();
    // A full copy moves the data (about 1 GiB/s on Ceph); a linked clone only writes metadata.
    let duration = if full { 4.0 + disk_gib as f64 } else { 1.5 };
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            wtype,
            src.vmid,
            r.user(),
            Effect::Clone {
                source: src.vmid,
                newid,
            },
        )
        .log(log)
        .duration(duration),
    );
    Ok(json!(upid.as_str()))
}

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
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            "qmconfig",
            vmid,
            r.user(),
            Effect::Config { vmid, set, delete },
        )
        .log(log),
    );
    Ok(json!(upid.as_str()))
}

/// `GET .../{vmid}/status/current`.
pub fn status_current(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    let mut m = guest_common(c, g, r.now, true);
    m.insert("ha".into(), guest_ha(c, g));
    if let Some(pid) = guest_pid(g).filter(|_| g.state != RunState::Stopped) {
        m.insert("pid".into(), json!(pid));
    }
    match g.kind {
        GuestKind::Qemu => {
            let qmp = match g.state {
                RunState::Running => "running",
                RunState::Paused => "paused",
                RunState::Stopped => "stopped",
            };
            m.insert("qmpstatus".into(), json!(qmp));
            if g.config
                .get("agent")
                .is_some_and(|a| a.starts_with('1') || a.contains("enabled=1"))
            {
                m.insert("agent".into(), json!(1));
            }
            if g.state != RunState::Stopped {
                m.insert("running-machine".into(), json!("pc-i440fx-9.2+pve1"));
                m.insert("running-qemu".into(), json!("9.2.0"));
            }
        }
        GuestKind::Lxc => {
            m.insert("type".into(), json!("lxc"));
            let swap = g
                .config
                .get("swap")
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(512);
            m.insert("maxswap".into(), json!(swap << 20));
            m.insert("swap".into(), json!(0));
        }
    }
    Ok(Value::Object(m))
}

/// Starts a power task, through the HA manager when the guest is HA-managed.
fn power_task(
    c: &mut Cluster,
    r: &Request,
    g: &Guest,
    wtype: &'static str,
    effect: Effect,
    fail: Option<String>,
) -> Value {
    let sid = ha_sid(g);
    let ha_request = match (&effect, c.ha.contains_key(&sid)) {
        (Effect::Start { .. }, true) => Some("started"),
        (Effect::Stop { .. }, true) => Some("stopped"),
        _ => None,
    };
    let (wtype, log) = match ha_request {
        Some(state) => {
            if fail.is_none() {
                if let Some(h) = c.ha.get_mut(&sid) {
                    h.state = state.to_string();
                }
            }
            let verb = if state == "started" { "start" } else { "stop" };
            (
                if state == "started" {
                    "hastart"
                } else {
                    "hastop"
                },
                vec![format!(
                    "Requesting HA {verb} for {} {}",
                    g.type_word(),
                    g.vmid
                )],
            )
        }
        None => (wtype, Vec::new()),
    };
    let upid = c.start_task(
        r.now,
        TaskSpec::new(r.node(), wtype, g.vmid, r.user(), effect)
            .log(log)
            .fail(fail),
    );
    json!(upid.as_str())
}

/// `POST .../status/start`.
pub fn start(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let running = g.state != RunState::Stopped;
    if running && g.kind == GuestKind::Lxc {
        return Err(ApiError::fail(format!("CT {} already running", g.vmid)));
    }
    // VMs refuse inside the worker.
    let fail = if g.is_template() {
        Some(match g.kind {
            GuestKind::Qemu => "you can't start a vm if it's a template".to_string(),
            GuestKind::Lxc => "you can't start a CT if it's a template".to_string(),
        })
    } else if running {
        Some(format!("VM {} already running", g.vmid))
    } else if !r.flag("skiplock") {
        locked(&g)
    } else {
        None
    };
    let wtype = by_kind(g.kind, "qmstart", "vzstart");
    Ok(power_task(
        c,
        r,
        &g,
        wtype,
        Effect::Start { vmid: g.vmid },
        fail,
    ))
}

fn require_running(g: &Guest) -> Result<(), ApiError> {
    if g.state == RunState::Stopped {
        return Err(ApiError::fail(format!(
            "{} {} not running",
            g.type_word(),
            g.vmid
        )));
    }
    Ok(())
}

/// `POST .../status/stop`.
pub fn stop(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if g.kind == GuestKind::Lxc {
        require_running(&g)?;
    }
    let fail = if r.flag("skiplock") { None } else { locked(&g) };
    let wtype = by_kind(g.kind, "qmstop", "vzstop");
    Ok(power_task(
        c,
        r,
        &g,
        wtype,
        Effect::Stop { vmid: g.vmid },
        fail,
    ))
}

/// `POST .../status/shutdown`.
pub fn shutdown(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if g.kind == GuestKind::Lxc {
        require_running(&g)?;
    }
    if g.state == RunState::Paused {
        return Err(ApiError::fail("VM is paused - cannot shutdown"));
    }
    let fail = locked(&g);
    let wtype = by_kind(g.kind, "qmshutdown", "vzshutdown");
    Ok(power_task(
        c,
        r,
        &g,
        wtype,
        Effect::Stop { vmid: g.vmid },
        fail,
    ))
}

/// Reboot, suspend and resume: for running guests only, as a task.
fn running_guest_task(
    c: &mut Cluster,
    r: &Request,
    workers: (&'static str, &'static str),
    effect: fn(u32) -> Effect,
    honour_lock: bool,
) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    require_running(&g)?;
    let fail = if honour_lock { locked(&g) } else { None };
    let wtype = by_kind(g.kind, workers.0, workers.1);
    Ok(power_task(c, r, &g, wtype, effect(g.vmid), fail))
}

/// `POST .../status/reboot`.
pub fn reboot(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    running_guest_task(
        c,
        r,
        ("qmreboot", "vzreboot"),
        |vmid| Effect::Reboot { vmid },
        true,
    )
}

/// `POST .../status/suspend`.
pub fn suspend(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    running_guest_task(
        c,
        r,
        ("qmsuspend", "vzsuspend"),
        |vmid| Effect::Suspend { vmid },
        true,
    )
}

/// `POST .../status/resume`.
pub fn resume(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    running_guest_task(
        c,
        r,
        ("qmresume", "vzresume"),
        |vmid| Effect::Resume { vmid },
        false,
    )
}

/// `DELETE .../{vmid}`.
pub fn destroy(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if g.state != RunState::Stopped {
        return Err(ApiError::fail(format!(
            "{} {} is running - destroy failed",
            g.type_word(),
            g.vmid
        )));
    }
    if g.config.get("protection").map(String::as_str) == Some("1") {
        return Err(ApiError::fail(format!(
            "can't remove {} {} - protection mode enabled",
            g.type_word(),
            g.vmid
        )));
    }
    let purge = r.flag("purge");
    if c.ha.contains_key(&ha_sid(&g)) && !purge {
        return Err(ApiError::fail(format!(
            "unable to remove VM {} - used in HA resources and purge parameter not set.",
            g.vmid
        )));
    }
    let mut fail = if r.flag("skiplock") { None } else { locked(&g) };
    if g.is_template() && fail.is_none() {
        let base = format!("base-{}-disk", g.vmid);
        let users = c.guests.values().any(|o| {
            o.vmid != g.vmid
                && o.disks()
                    .iter()
                    .any(|(_, d)| d.volume.contains(&format!("{base}-0/")))
        });
        if users {
            fail = Some(format!(
                "base volume '{}:{base}-0' is still in use by linked cloned",
                SHARED_STORAGE
            ));
        }
    }
    let mut log: Vec<String> = g
        .disks()
        .iter()
        .map(|(_, d)| format!("Removing image: 100% complete...done. ({})", d.volume))
        .collect();
    if purge {
        log.push(format!(
            "purging {} {} from related configurations..",
            g.type_word(),
            g.vmid
        ));
    }
    let wtype = by_kind(g.kind, "qmdestroy", "vzdestroy");
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::Destroy {
                vmid: g.vmid,
                purge,
            },
        )
        .log(log)
        .fail(fail),
    );
    Ok(json!(upid.as_str()))
}

/// `PUT .../{vmid}/resize`: grows a disk (`+10G` or an absolute size); never shrinks.
pub fn resize(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if let Some(d) = r.get("digest") {
        if d != g.digest() {
            return Err(ApiError::fail(
                "checksum mismatch (file change by other user?)",
            ));
        }
    }
    if !r.flag("skiplock") {
        check_unlocked(&g)?;
    }
    let disk = r.req("disk").to_string();
    let Some(value) = g.config.get(&disk) else {
        return Err(ApiError::fail(format!("disk '{disk}' does not exist")));
    };
    let spec: DiskSpec = value
        .parse()
        .map_err(|_| ApiError::fail(format!("disk '{disk}' has no associated volume")))?;
    if spec.is_cdrom() {
        return Err(ApiError::fail("you can't resize a cdrom"));
    }
    let current = spec.size().map(|s| s.bytes()).unwrap_or_default();
    let size = r.req("size");
    let (grow, text) = match size.strip_prefix('+') {
        Some(t) => (true, t),
        None => (false, size),
    };
    let amount = parse_size(text).ok_or_else(|| {
        ApiError::param(
            "size",
            format!("value '{size}' does not match the regex pattern\n"),
        )
    })?;
    let new = if grow { current + amount } else { amount };
    if new < current {
        return Err(ApiError::fail("shrinking disks is not supported"));
    }
    let wtype = "resize";
    let log = vec![format!("Image resized to {}.", DiskSize(new))];
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::Resize {
                vmid: g.vmid,
                disk,
                bytes: new,
            },
        )
        .log(log),
    );
    Ok(json!(upid.as_str()))
}

/// `10G`, `512M`, `1.5T`, `1024` (bytes), as `qm resize` reads sizes.
fn parse_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        'K' => (&s[..s.len() - 1], 1u64 << 10),
        'M' => (&s[..s.len() - 1], 1 << 20),
        'G' => (&s[..s.len() - 1], 1 << 30),
        'T' => (&s[..s.len() - 1], 1 << 40),
        c if c.is_ascii_digit() => (s, 1),
        _ => return None,
    };
    let n: f64 = num
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    Some((n * mult as f64) as u64)
}

/// `POST .../{vmid}/migrate`.
pub fn migrate(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let target = r.req("target").to_string();
    if target == g.node {
        return Err(ApiError::fail("target is local node."));
    }
    if c.node(&target).is_none() {
        return Err(ApiError::fail(format!("no such cluster node '{target}'")));
    }
    if !c.node_online(&target) {
        return Err(ApiError::fail(format!(
            "target node '{target}' is not online"
        )));
    }
    check_unlocked(&g)?;
    let running = g.state != RunState::Stopped;
    match g.kind {
        GuestKind::Qemu if running && !r.flag("online") => {
            return Err(ApiError::fail("can't migrate running VM without --online"));
        }
        GuestKind::Lxc if running && r.flag("online") => {
            return Err(ApiError::fail(
                "lxc live migration is currently not implemented",
            ));
        }
        GuestKind::Lxc if running && !r.flag("restart") => {
            return Err(ApiError::fail(
                "CT is running - use online or restart migration",
            ));
        }
        _ => {}
    }
    if let Some((k, _)) = g
        .disks()
        .into_iter()
        .find(|(_, d)| c.storage(d.storage()).is_some_and(|s| !s.shared))
    {
        if !r.flag("with-local-disks") {
            return Err(ApiError::fail(format!(
                "can't migrate local disk '{k}': use --with-local-disks"
            )));
        }
    }
    if let Some(x) = c.guests.get_mut(&g.vmid) {
        x.lock = Some("migrate".into());
    }
    let log = vec![
        format!(
            "starting migration of {} {} to node '{target}' ({})",
            g.type_word(),
            g.vmid,
            c.node(&target).map(|n| n.ip.clone()).unwrap_or_default()
        ),
        if running {
            "migration active, transferred 1.2 GiB of 2.0 GiB VM-state".into()
        } else {
            "migration of stopped guest: moving config only".into()
        },
        format!(
            "migration finished successfully (duration 00:00:{:02})",
            if running { 15 } else { 2 }
        ),
    ];
    let wtype = by_kind(g.kind, "qmigrate", "vzmigrate");
    let duration = if running {
        4.0 + (g.maxmem() >> 30) as f64 * 1.5
    } else {
        2.0
    };
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::Migrate {
                vmid: g.vmid,
                target,
            },
        )
        .log(log)
        .duration(duration),
    );
    Ok(json!(upid.as_str()))
}

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
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::Snapshot { vmid: g.vmid, name },
        )
        .log(log)
        .fail(fail),
    );
    Ok(json!(upid.as_str()))
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
    let upid = c.start_task(
        r.now,
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
    );
    Ok(json!(upid.as_str()))
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
    let upid = c.start_task(
        r.now,
        TaskSpec::new(
            r.node(),
            wtype,
            g.vmid,
            r.user(),
            Effect::SnapshotDelete { vmid: g.vmid, name },
        ),
    );
    Ok(json!(upid.as_str()))
}

/// `POST .../{vmid}/template`: a task for VMs, immediate (null) for containers.
pub fn template(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if g.is_template() {
        return Err(ApiError::fail(match g.kind {
            GuestKind::Qemu => "you can't convert a template to a template",
            GuestKind::Lxc => "you can't convert a template to a template",
        }));
    }
    if g.state != RunState::Stopped {
        return Err(ApiError::fail(match g.kind {
            GuestKind::Qemu => "you can't convert a VM to template if VM is running",
            GuestKind::Lxc => "you can't convert a CT to template if the CT is running",
        }));
    }
    if !g.snapshots.is_empty() {
        return Err(ApiError::fail(
            "unable to create template, because VM contains snapshots",
        ));
    }
    check_unlocked(&g)?;
    match g.kind {
        GuestKind::Qemu => {
            let upid = c.start_task(
                r.now,
                TaskSpec::new(
                    r.node(),
                    "qmtemplate",
                    g.vmid,
                    r.user(),
                    Effect::Template { vmid: g.vmid },
                ),
            );
            Ok(json!(upid.as_str()))
        }
        GuestKind::Lxc => {
            if let Some(x) = c.guests.get_mut(&g.vmid) {
                x.config.insert("template".into(), "1".into());
                for (k, _) in x.disks() {
                    if let Some(v) = x.config.get_mut(&k) {
                        *v = v.replace(
                            &format!("vm-{}-disk", g.vmid),
                            &format!("base-{}-disk", g.vmid),
                        );
                    }
                }
            }
            c.config_version += 1;
            Ok(Value::Null)
        }
    }
}

/// `GET .../{vmid}/rrddata`.
pub fn rrddata(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let seed = c.seed;
    Ok(rrd_points(r, |t| {
        let mut m = Map::new();
        m.insert("maxcpu".into(), json!(g.cpus()));
        m.insert("maxmem".into(), json!(g.maxmem()));
        m.insert("maxdisk".into(), json!(g.maxdisk()));
        if g.state != RunState::Stopped && g.started_at.is_some_and(|s| s <= t) {
            m.insert("cpu".into(), json!(g.cpu_usage(seed, t)));
            m.insert("mem".into(), json!(g.mem_usage(seed, t)));
            m.insert("disk".into(), json!(g.disk_usage(seed)));
            let [netin, netout, dr, dw] = g.io_counters(seed, t);
            let per = |x: u64| x as f64 / g.uptime(t).max(1) as f64;
            m.insert("netin".into(), json!(per(netin)));
            m.insert("netout".into(), json!(per(netout)));
            m.insert("diskread".into(), json!(per(dr)));
            m.insert("diskwrite".into(), json!(per(dw)));
        }
        m
    }))
}

/// The address a guest is given, with its prefix length: its static one (`ip=10.0.0.5/24,...`),
/// or one the site's DHCP server would hand out, the same for the same VMID.
fn guest_address(ip: Option<&str>, vmid: u32) -> (String, u8) {
    let configured = ip
        .filter(|ip| *ip != "dhcp")
        .and_then(|ip| ip.split_once('/'))
        .and_then(|(addr, len)| Some((addr.to_string(), len.parse().ok()?)));
    configured.unwrap_or_else(|| {
        (
            format!("10.20.{}.{}", (vmid / 253) % 256, vmid % 253 + 1),
            16,
        )
    })
}

fn running_guest<'a>(c: &'a Cluster, r: &Request, kind: GuestKind) -> Result<&'a Guest, ApiError> {
    let vmid = r.vmid();
    let g = match c.guests.get(&vmid) {
        Some(g) if g.kind == kind && g.node == r.node() => g,
        _ => return Err(ApiError::no_config(kind, r.node(), vmid)),
    };
    if g.state != RunState::Running {
        return Err(ApiError::fail(format!(
            "{} {vmid} is not running",
            g.type_word()
        )));
    }
    Ok(g)
}

/// `GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces`: what the VM's guest agent reports
/// (it must be configured, `agent: 1`, and the VM running).
pub fn agent_interfaces(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = running_guest(c, r, GuestKind::Qemu)?;
    if !g
        .config
        .get("agent")
        .is_some_and(|a| a.starts_with('1') || a.contains("enabled=1"))
    {
        return Err(ApiError::fail("No QEMU guest agent configured"));
    }
    let ip = g
        .config
        .get("ipconfig0")
        .and_then(|c| c.split(',').find_map(|kv| kv.strip_prefix("ip=")));
    let (addr, prefix) = guest_address(ip, g.vmid);
    let mac = g
        .config
        .get("net0")
        .and_then(|n| n.parse::<pve_types::api::guest_props::QemuNet>().ok())
        .and_then(|n| n.macaddr)
        .unwrap_or_default();
    Ok(json!({"result": [
        {"name": "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [
            {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8},
            {"ip-address": "::1", "ip-address-type": "ipv6", "prefix": 128}]},
        {"name": "eth0", "hardware-address": mac.to_lowercase(), "ip-addresses": [
            {"ip-address": addr, "ip-address-type": "ipv4", "prefix": prefix}]},
    ]}))
}

/// `GET /nodes/{node}/lxc/{vmid}/interfaces`: a running container's interfaces.
pub fn lxc_interfaces(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = running_guest(c, r, GuestKind::Lxc)?;
    let net = g
        .config
        .get("net0")
        .and_then(|n| n.parse::<pve_types::api::guest_props::LxcNet>().ok());
    let ip = net.as_ref().and_then(|n| n.ip.as_deref());
    let hwaddr = net
        .as_ref()
        .and_then(|n| n.hwaddr.clone())
        .unwrap_or_default();
    let (addr, prefix) = guest_address(ip, g.vmid);
    let hwaddr = hwaddr.to_lowercase();
    Ok(json!([
        {"name": "lo", "hwaddr": "00:00:00:00:00:00", "hardware-address": "00:00:00:00:00:00",
         "inet": "127.0.0.1/8", "inet6": "::1/128", "ip-addresses": [
            {"ip-address": "127.0.0.1", "ip-address-type": "inet", "prefix": 8},
            {"ip-address": "::1", "ip-address-type": "inet6", "prefix": 128}]},
        {"name": "eth0", "hwaddr": hwaddr, "hardware-address": hwaddr, "inet": format!("{addr}/{prefix}"),
         "ip-addresses": [{"ip-address": addr, "ip-address-type": "inet", "prefix": prefix}]},
    ]))
}
