//! Cluster status, resources and the next free VMID.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*};
use crate::ids::Vmid;
use crate::perl;

/// `GET /cluster/status`.
pub const STATUS: Endpoint = Endpoint::new(Get, "/cluster/status");
/// `GET /cluster/resources`.
pub const RESOURCES: Endpoint = Endpoint::new(Get, "/cluster/resources");
/// `GET /cluster/nextid`.
pub const NEXTID: Endpoint = Endpoint::new(Get, "/cluster/nextid");

/// One entry of `/cluster/status`: the cluster itself or a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatusItem {
    /// `cluster` or `node/<name>`.
    pub id: String,
    /// Cluster or node name.
    pub name: String,
    /// Which kind of entry.
    #[serde(rename = "type")]
    pub kind: ClusterStatusKind,
    /// [node] Online.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub online: Option<bool>,
    /// [node] Whether this is the answering node.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub local: Option<bool>,
    /// [node] Corosync node id.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub nodeid: Option<u64>,
    /// [node] IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// [node] Subscription level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// [cluster] Quorate.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorate: Option<bool>,
    /// [cluster] Number of nodes.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub nodes: Option<u64>,
    /// [cluster] Config version.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<u64>,
}

/// The kind of a `/cluster/status` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterStatusKind {
    /// The cluster.
    Cluster,
    /// A node.
    Node,
}

/// The `type` filter and field of `/cluster/resources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceType {
    /// A VM.
    Qemu,
    /// A container.
    Lxc,
    /// A node.
    Node,
    /// A storage on a node.
    Storage,
    /// A pool.
    Pool,
    /// An SDN zone.
    Sdn,
    /// Any other kind a newer PVE reports (network, ...), kept rather than refused.
    #[serde(other)]
    Other,
}

/// One entry of `/cluster/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ClusterResource {
    /// `qemu/100`, `node/pve1`, `storage/pve1/local`, ...
    pub id: String,
    /// The kind of resource.
    #[serde(rename = "type")]
    pub kind: Option<ResourceType>,
    /// The node it is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// State (`running`, `stopped`, `online`, `available`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Guest name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Guest id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmid: Option<Vmid>,
    /// CPU usage (fraction).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu: Option<f64>,
    /// CPUs.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub maxcpu: Option<f64>,
    /// Used memory (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub mem: Option<u64>,
    /// Memory (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub maxmem: Option<u64>,
    /// Used disk (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub disk: Option<u64>,
    /// Disk size (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub maxdisk: Option<u64>,
    /// Uptime (seconds).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub uptime: Option<u64>,
    /// Whether the guest is a template.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub template: Option<bool>,
    /// Pool membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Storage id (for storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// Storage type (for storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugintype: Option<String>,
    /// Storage content types (for storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Shared storage.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub shared: Option<bool>,
    /// HA state, for HA-managed guests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hastate: Option<String>,
    /// Guest tags (`;`-separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Config lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// Support level (for nodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Network traffic in/out and disk IO counters (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub netin: Option<u64>,
    /// See `netin`.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub netout: Option<u64>,
    /// See `netin`.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub diskread: Option<u64>,
    /// See `netin`.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub diskwrite: Option<u64>,
    /// cgroup mode (for nodes).
    #[serde(
        rename = "cgroup-mode",
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cgroup_mode: Option<u64>,
}

/// Builds `/cluster/status`.
pub fn status() -> ApiRequest {
    ApiRequest::new(STATUS, &[])
}

/// Builds `/cluster/resources`, optionally filtered (`vm`, `storage`, `node`, `sdn`).
pub fn resources(filter: Option<ResourceFilter>) -> ApiRequest {
    let r = ApiRequest::new(RESOURCES, &[]);
    match filter {
        Some(f) => r.param("type", f.as_str()),
        None => r,
    }
}

/// The filter values `/cluster/resources` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceFilter {
    /// Guests.
    Vm,
    /// Storage.
    Storage,
    /// Nodes.
    Node,
    /// SDN.
    Sdn,
}

impl ResourceFilter {
    /// The value as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceFilter::Vm => "vm",
            ResourceFilter::Storage => "storage",
            ResourceFilter::Node => "node",
            ResourceFilter::Sdn => "sdn",
        }
    }
}

/// Builds `/cluster/nextid`, optionally asking whether one id is free.
pub fn nextid(vmid: Option<Vmid>) -> ApiRequest {
    let r = ApiRequest::new(NEXTID, &[]);
    match vmid {
        Some(v) => r.param("vmid", v),
        None => r,
    }
}
