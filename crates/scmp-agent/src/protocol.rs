//! What an agent reports about its cluster. Serializable, because a remote agent will send it.

use serde::{Deserialize, Serialize};

/// One look at the cluster. A section that could not be read is left out (and named in
/// `problems`): the centre keeps what it knew of it rather than taking it for empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteObservation {
    /// Proxmox VE version (`8.4.14`); empty when it could not be read.
    pub version: String,
    /// Whether the cluster has quorum.
    pub quorate: bool,
    /// Whether the cluster's resources (hosts, guests, templates, storage) were read; when not,
    /// those lists are empty and mean nothing.
    #[serde(default = "yes")]
    pub resources_read: bool,
    /// Its nodes.
    pub hosts: Vec<HostState>,
    /// Every guest that is not a template.
    pub guests: Vec<ObservedGuest>,
    /// Templates (the images' sources).
    pub templates: Vec<ObservedTemplate>,
    /// Storage on each node (shared storage appears once per node, as PVE lists it).
    pub storage: Vec<ObservedStorage>,
    /// Network bridges guests can attach to; `None` when this look did not ask the nodes.
    pub bridges: Option<Vec<ObservedBridge>>,
    /// The most recent tasks of every node, newest first; `None` when they could not be read.
    pub tasks: Option<Vec<ObservedTask>>,
    /// The HA manager's status; `None` when it could not be read.
    #[serde(default)]
    pub ha: Option<ObservedHa>,
    /// What could not be read, and why (`recent tasks: ...`).
    #[serde(default)]
    pub problems: Vec<String>,
}

fn yes() -> bool {
    true
}

impl SiteObservation {
    /// `online` when every node is up, the cluster is quorate and every section was read, else
    /// `degraded`.
    pub fn health(&self) -> scmp_common::ClusterState {
        if self.quorate && self.problems.is_empty() && self.hosts.iter().all(|h| h.online) {
            scmp_common::ClusterState::Online
        } else {
            scmp_common::ClusterState::Degraded
        }
    }
}

/// A node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostState {
    /// Node name.
    pub name: String,
    /// Up.
    pub online: bool,
    /// CPU threads.
    pub cores: u64,
    /// Memory.
    pub memory_mib: u64,
    /// CPU load 0..1.
    pub cpu_usage: f64,
    /// Memory in use.
    pub memory_used_mib: u64,
}

/// A guest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedGuest {
    /// VMID.
    pub vmid: u32,
    /// Node.
    pub node: String,
    /// `qemu` or `lxc`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// `running`, `stopped`, ...
    pub status: String,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Tags as Proxmox shows them.
    pub tags: String,
    /// A lock (`clone`, `backup`, ...), if any.
    pub lock: Option<String>,
    /// Its HA service state (`started`, `fence`, `recovery`, `error`, ...) when it is under HA.
    #[serde(default)]
    pub hastate: Option<String>,
}

/// A template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedTemplate {
    /// VMID.
    pub vmid: u32,
    /// `qemu` or `lxc`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Node.
    pub node: String,
    /// Its boot disk's size in whole GiB (rounded down; 0 when Proxmox does not say): a clone's
    /// disk starts at this size.
    #[serde(default)]
    pub disk_gib: u64,
}

/// A storage as one node sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedStorage {
    /// Storage id (`ceph-vm`).
    pub name: String,
    /// Node.
    pub node: String,
    /// Plugin type (`rbd`, `zfspool`, `dir`, ...).
    pub kind: String,
    /// Shared between nodes.
    pub shared: bool,
    /// Content types (`images,rootdir`).
    pub content: String,
    /// Size.
    pub total_gib: u64,
    /// In use.
    pub used_gib: u64,
}

/// A bridge and the nodes that have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedBridge {
    /// Interface name (`vmbr0`).
    pub name: String,
    /// VLAN aware on every node that has it.
    pub vlan_aware: bool,
    /// Nodes that have it.
    pub nodes: Vec<String>,
}

/// A Proxmox task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedTask {
    /// Its UPID.
    pub upid: String,
    /// Node.
    pub node: String,
    /// `qmclone`, `qmstart`, ...
    pub kind: String,
    /// What it acts on (a VMID).
    pub id: String,
    /// Who started it.
    pub user: String,
    /// Started (seconds since the epoch).
    pub starttime: i64,
    /// `OK`, an error, or `None` while it runs.
    pub status: Option<String>,
}

/// The HA manager as `/cluster/ha/status/current` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObservedHa {
    /// Whether the HA stack has quorum.
    pub quorate: bool,
    /// The node whose manager is master, and its status text.
    pub master: Option<String>,
    /// Each node's local resource manager: node and status text (`active`, `idle`, `old
    /// timestamp - dead?`, `maintenance mode`, ...).
    pub nodes: Vec<(String, String)>,
    /// How many HA resources there are.
    pub services: u64,
}

/// A backup on one of the cluster's storages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedBackup {
    /// `storage:backup/...`.
    pub volid: String,
    /// The storage.
    pub storage: String,
    /// The node it was seen from (the one holding it, for a storage that is not shared).
    pub node: String,
    /// The guest it is a backup of.
    pub vmid: u32,
    /// `vma.zst`, `tar.zst`, `pbs-vm`, `pbs-ct`.
    pub format: String,
    /// Bytes.
    pub size_bytes: u64,
    /// When it was made (seconds since the epoch).
    pub ctime: u64,
    /// Its notes (the first line).
    pub notes: Option<String>,
    /// Protected from pruning and deletion.
    pub protected: bool,
}
