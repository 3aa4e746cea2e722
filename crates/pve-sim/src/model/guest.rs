//! Guests: a VM or container with its PVE config keys, run state, lock and snapshots.

use std::collections::BTreeMap;

use pve_types::api::guest::GuestKind;
use pve_types::api::guest_props::{DiskSize, DiskSpec};
use pve_types::indexed::IndexedKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{noise, SHARED_STORAGE};
use crate::clock::SimTime;

/// Run state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunState {
    /// Running.
    Running,
    /// Paused (suspended to RAM).
    Paused,
    /// Stopped.
    Stopped,
}

/// One snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotRec {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Creation time.
    pub snaptime: u64,
    /// Parent snapshot.
    pub parent: Option<String>,
    /// The config at snapshot time.
    pub config: BTreeMap<String, String>,
    /// Whether RAM was saved.
    pub vmstate: bool,
    /// Run state at snapshot time.
    pub state: RunState,
}

/// One guest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Guest {
    /// Id.
    pub vmid: u32,
    /// VM or container.
    pub kind: GuestKind,
    /// The node it is on.
    pub node: String,
    /// Run state.
    pub state: RunState,
    /// PVE config keys (without `digest`, which is computed).
    pub config: BTreeMap<String, String>,
    /// Config lock.
    pub lock: Option<String>,
    /// Snapshots, oldest first.
    pub snapshots: Vec<SnapshotRec>,
    /// When it last started.
    pub started_at: Option<SimTime>,
    /// Pool membership.
    pub pool: Option<String>,
    /// Its firewall options and rules.
    #[serde(default)]
    pub firewall: super::firewall::GuestFirewall,
}

impl Guest {
    /// A new stopped guest.
    pub fn new(vmid: u32, kind: GuestKind, node: &str, config: BTreeMap<String, String>) -> Self {
        Self {
            vmid,
            kind,
            node: node.to_string(),
            state: RunState::Stopped,
            config,
            lock: None,
            snapshots: Vec::new(),
            started_at: None,
            pool: None,
            firewall: Default::default(),
        }
    }

    /// The Debian 12 cloud-init VM template.
    pub fn vm_template(vmid: u32, node: &str, now: SimTime) -> Self {
        let mut c = BTreeMap::new();
        for (k, v) in [
            ("name", "debian-12-cloudinit".to_string()),
            (
                "description",
                "Debian 12 (bookworm) generic cloud image with cloud-init".to_string(),
            ),
            ("memory", "2048".into()),
            ("cores", "2".into()),
            ("sockets", "1".into()),
            ("cpu", "x86-64-v2-AES".into()),
            ("ostype", "l26".into()),
            ("scsihw", "virtio-scsi-single".into()),
            (
                "scsi0",
                format!("{SHARED_STORAGE}:base-{vmid}-disk-0,discard=on,iothread=1,size=3G"),
            ),
            (
                "ide2",
                format!("{SHARED_STORAGE}:vm-{vmid}-cloudinit,media=cdrom"),
            ),
            ("net0", "virtio=BC:24:11:5E:A0:01,bridge=vmbr0".into()),
            ("boot", "order=scsi0".into()),
            ("agent", "1".into()),
            ("serial0", "socket".into()),
            ("vga", "serial0".into()),
            ("ipconfig0", "ip=dhcp".into()),
            (
                "smbios1",
                "uuid=6a0e3b8c-0a6f-4d3e-9a43-5d1f2b7c9e01".into(),
            ),
            ("vmgenid", "0f7f2b0e-1c1d-4a53-8f3a-3c2d7e9b1a20".into()),
            (
                "meta",
                format!("creation-qemu=9.2.0,ctime={}", now as u64 - 2_592_000),
            ),
            ("tags", "debian;template".into()),
            ("template", "1".into()),
        ] {
            c.insert(k.to_string(), v);
        }
        Guest::new(vmid, GuestKind::Qemu, node, c)
    }

    /// The Debian 12 container template.
    pub fn ct_template(vmid: u32, node: &str, _now: SimTime) -> Self {
        let mut c = BTreeMap::new();
        for (k, v) in [
            ("hostname", "debian-12-standard".to_string()),
            (
                "description",
                "Debian 12 (bookworm) standard container".to_string(),
            ),
            ("arch", "amd64".into()),
            ("ostype", "debian".into()),
            ("memory", "512".into()),
            ("swap", "512".into()),
            ("cores", "1".into()),
            (
                "rootfs",
                format!("{SHARED_STORAGE}:base-{vmid}-disk-0,size=4G"),
            ),
            (
                "net0",
                "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:A0:02,ip=dhcp,type=veth".into(),
            ),
            ("unprivileged", "1".into()),
            ("features", "nesting=1".into()),
            ("tags", "debian;template".into()),
            ("template", "1".into()),
        ] {
            c.insert(k.to_string(), v);
        }
        Guest::new(vmid, GuestKind::Lxc, node, c)
    }

    /// "VM" or "CT", as PVE's messages name guests.
    pub fn type_word(&self) -> &'static str {
        match self.kind {
            GuestKind::Qemu => "VM",
            GuestKind::Lxc => "CT",
        }
    }

    /// Whether it is a template.
    pub fn is_template(&self) -> bool {
        self.config.get("template").map(String::as_str) == Some("1")
    }

    /// Name (VM) or hostname (container).
    pub fn name(&self) -> String {
        let key = match self.kind {
            GuestKind::Qemu => "name",
            GuestKind::Lxc => "hostname",
        };
        self.config
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("{}{}", self.type_word(), self.vmid))
    }

    /// Name (VM) or hostname (container), borrowed when set.
    pub fn name_ref(&self) -> std::borrow::Cow<'_, str> {
        let key = match self.kind {
            GuestKind::Qemu => "name",
            GuestKind::Lxc => "hostname",
        };
        match self.config.get(key) {
            Some(n) => std::borrow::Cow::Borrowed(n.as_str()),
            None => std::borrow::Cow::Owned(format!("{}{}", self.type_word(), self.vmid)),
        }
    }

    /// Logical CPUs.
    pub fn cpus(&self) -> u64 {
        let cores = self
            .config
            .get("cores")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1u64);
        let sockets = match self.kind {
            GuestKind::Qemu => self
                .config
                .get("sockets")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1u64),
            GuestKind::Lxc => 1,
        };
        cores * sockets
    }

    /// Memory in bytes (`memory` may be `current=N` on newer PVE).
    pub fn maxmem(&self) -> u64 {
        let mib = self
            .config
            .get("memory")
            .map(|m| {
                m.trim_start_matches("current=")
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .and_then(|m| m.parse::<u64>().ok())
            .unwrap_or(match self.kind {
                GuestKind::Qemu => 512,
                GuestKind::Lxc => 512,
            });
        mib << 20
    }

    /// Storage and size (bytes) of every disk, read without parsing whole property strings: usage
    /// totals ask this of every guest.
    pub fn disk_sizes(&self) -> impl Iterator<Item = (&str, u64)> {
        self.config
            .iter()
            .filter(|(k, v)| is_disk_key(self.kind, k) && !v.contains("media=cdrom"))
            .filter_map(|(_, v)| {
                let storage = v.split_once(':')?.0;
                let size = v.split(',').find_map(|kv| kv.strip_prefix("size="))?;
                Some((storage, size.parse::<DiskSize>().ok()?.bytes()))
            })
    }

    /// Every disk (VM disks, container rootfs and mount points) with its key.
    pub fn disks(&self) -> Vec<(String, DiskSpec)> {
        self.config
            .iter()
            .filter(|(k, _)| is_disk_key(self.kind, k))
            .filter_map(|(k, v)| v.parse::<DiskSpec>().ok().map(|d| (k.clone(), d)))
            .filter(|(_, d)| !d.is_cdrom())
            .collect()
    }

    /// The root disk's size in bytes (first VM disk, or the container rootfs). Read without parsing the
    /// whole property string: listings ask this of every guest.
    pub fn maxdisk(&self) -> u64 {
        let size_of = |v: &str| -> Option<u64> {
            if v.contains("media=cdrom") {
                return None;
            }
            let s = v.split(',').find_map(|kv| kv.strip_prefix("size="))?;
            s.parse::<DiskSize>().ok().map(DiskSize::bytes)
        };
        match self.kind {
            GuestKind::Lxc => self.config.get("rootfs").and_then(|v| size_of(v)),
            // PVE reports the boot disk: the first disk of `boot: order=...`, else the first bus's disk 0.
            GuestKind::Qemu => {
                let boot = self
                    .config
                    .get("boot")
                    .and_then(|b| b.strip_prefix("order="))
                    .unwrap_or("");
                boot.split(';')
                    .chain(["scsi0", "virtio0", "sata0", "ide0"])
                    .filter_map(|k| self.config.get(k))
                    .find_map(|v| size_of(v))
            }
        }
        .unwrap_or_default()
    }

    /// The config digest, as PVE computes one over the config file (40 hex digits).
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (k, v) in &self.config {
            h.update(k.as_bytes());
            h.update(b": ");
            h.update(v.as_bytes());
            h.update(b"\n");
        }
        hex::encode(h.finalize())[..40].to_string()
    }

    /// Starts it.
    pub fn set_running(&mut self, now: SimTime) {
        self.state = RunState::Running;
        self.started_at = Some(now);
    }

    /// Stops it.
    pub fn set_stopped(&mut self) {
        self.state = RunState::Stopped;
        self.started_at = None;
    }

    /// Uptime in seconds.
    pub fn uptime(&self, now: SimTime) -> u64 {
        match (self.state, self.started_at) {
            (RunState::Running | RunState::Paused, Some(t)) => (now - t).max(0.0) as u64,
            _ => 0,
        }
    }

    /// CPU usage as a fraction of its CPUs, varying by the minute.
    pub fn cpu_usage(&self, seed: u64, now: SimTime) -> f64 {
        if self.state != RunState::Running {
            return 0.0;
        }
        0.01 + 0.25 * noise(seed, self.vmid as u64, (now / 60.0) as u64)
    }

    /// Memory in use, in bytes.
    pub fn mem_usage(&self, seed: u64, now: SimTime) -> u64 {
        self.mem_usage_of(self.maxmem(), seed, now)
    }

    /// Memory in use, given the memory size (bytes).
    pub fn mem_usage_of(&self, maxmem: u64, seed: u64, now: SimTime) -> u64 {
        if self.state == RunState::Stopped {
            return 0;
        }
        let share = 0.3 + 0.4 * noise(seed ^ 0x55, self.vmid as u64, (now / 300.0) as u64);
        (maxmem as f64 * share) as u64
    }

    /// Disk space in use (containers report it; VMs report 0 without the agent).
    pub fn disk_usage(&self, seed: u64) -> u64 {
        self.disk_usage_of(self.maxdisk(), seed)
    }

    /// Disk space in use, given the root disk size (bytes).
    pub fn disk_usage_of(&self, maxdisk: u64, seed: u64) -> u64 {
        match self.kind {
            GuestKind::Lxc => {
                let share = 0.2 + 0.3 * noise(seed ^ 0x77, self.vmid as u64, 0);
                (maxdisk as f64 * share) as u64
            }
            GuestKind::Qemu => 0,
        }
    }

    /// Network and disk counters since start, growing with uptime.
    pub fn io_counters(&self, seed: u64, now: SimTime) -> [u64; 4] {
        let up = self.uptime(now);
        let rate = |salt: u64, per_sec: f64| {
            (up as f64 * per_sec * (0.5 + noise(seed ^ salt, self.vmid as u64, 1))) as u64
        };
        [
            rate(1, 20_000.0),
            rate(2, 8_000.0),
            rate(3, 50_000.0),
            rate(4, 30_000.0),
        ]
    }

    /// Tags as PVE renders them (`;`-separated).
    pub fn tags(&self) -> Option<String> {
        self.config.get("tags").cloned()
    }
}

/// Whether a config key holds a disk of this kind of guest.
pub fn is_disk_key(kind: GuestKind, key: &str) -> bool {
    // Indexed keys end in a digit; checking first keeps this cheap for the many other keys.
    if key != "rootfs" && !key.as_bytes().last().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    match kind {
        GuestKind::Qemu => {
            key == "efidisk0"
                || key == "tpmstate0"
                || key.parse::<IndexedKey>().is_ok_and(|k| k.prefix.is_disk())
        }
        GuestKind::Lxc => {
            key == "rootfs"
                || key
                    .parse::<IndexedKey>()
                    .is_ok_and(|k| k.prefix == pve_types::indexed::KeyPrefix::Mp)
        }
    }
}
