//! Destroying, resizing, migrating guests and turning them into templates.

use super::super::{answer_task, Request};
use super::{by_kind, check_unlocked, guest, ha_sid, locked};
use crate::error::ApiError;
use crate::model::{Cluster, Effect, RunState, TaskSpec, SHARED_STORAGE};
use pve_types::api::guest::GuestKind;
use pve_types::api::guest_props::{DiskSize, DiskSpec};
use serde_json::Value;

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
    answer_task(
        c,
        r,
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
    )
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
    answer_task(
        c,
        r,
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
    )
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
    answer_task(
        c,
        r,
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
    )
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
        GuestKind::Qemu => answer_task(
            c,
            r,
            TaskSpec::new(
                r.node(),
                "qmtemplate",
                g.vmid,
                r.user(),
                Effect::Template { vmid: g.vmid },
            ),
        ),
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
