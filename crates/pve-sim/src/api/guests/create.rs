//! Creating guests: `POST /nodes/{node}/{qemu,lxc}` and `.../clone`, with the disks, MAC
//! addresses, ids and boot order PVE derives.

use super::super::{answer_task, Request};
use super::{by_kind, check_unlocked, guest};
use crate::error::ApiError;
use crate::model::guest_keys::is_disk_key;
use crate::model::{Cluster, Effect, Guest, TaskSpec, GIB, SHARED_STORAGE};
use pve_types::api::guest::GuestKind;
use pve_types::api::guest_props::{DiskSize, DiskSpec};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Parameters of create and clone that are instructions, not config keys.
pub(super) const CREATE_CONTROL: &[&str] = &[
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
pub(super) fn allocate_disks(
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

/// `POST /nodes/{node}/{qemu,lxc}`.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    if super::restore::is_restore(r) {
        return super::restore::restore(c, r);
    }
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
    answer_task(c, r, creation_task(r, &node, wtype, vmid).log(log))
}

/// The task that makes guest `vmid` (inserted locked): unlocked, and started when asked, at its
/// end; removed when it fails.
pub(super) fn creation_task(r: &Request, node: &str, wtype: &'static str, vmid: u32) -> TaskSpec {
    TaskSpec::new(
        node,
        wtype,
        vmid,
        r.user(),
        Effect::Create {
            vmid,
            start: r.flag("start"),
        },
    )
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
pub(super) enum Macs {
    /// Those without one (create, config change), as PVE does.
    Missing,
    /// All of them (a clone must not share its source's addresses).
    All,
}

/// Gives NICs fresh MAC addresses from the cluster's seeded source, as `parse_net` does; a NIC
/// that is not a valid network device is refused as PVE refuses it.
pub(super) fn assign_macs(
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
    // PVE copies the source's firewall configuration with the clone.
    g.firewall = src.firewall.clone();
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
    answer_task(
        c,
        r,
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
    )
}
