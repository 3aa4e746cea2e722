//! What an agent reports about its cluster. Serializable, because a remote agent will send it.

use serde::{Deserialize, Serialize};

/// One look at the cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteObservation {
    /// Proxmox VE version (`8.4.14`).
    pub version: String,
    /// Whether the cluster has quorum.
    pub quorate: bool,
    /// Its nodes.
    pub hosts: Vec<HostState>,
    /// Every guest that is not a template.
    pub guests: Vec<ObservedGuest>,
    /// Templates (the images' sources).
    pub templates: Vec<ObservedTemplate>,
}

impl SiteObservation {
    /// `online` when every node is up and the cluster is quorate, else `degraded`.
    pub fn health(&self) -> &'static str {
        if self.quorate && self.hosts.iter().all(|h| h.online) {
            "online"
        } else {
            "degraded"
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
}
