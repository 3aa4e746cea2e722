//! Nodes: the list, one node's status, its RRD statistics and its network interfaces.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*};
use crate::ids::NodeName;
use crate::perl;

/// `GET /nodes`.
pub const LIST: Endpoint = Endpoint::new(Get, "/nodes");
/// `GET /nodes/{node}/status`.
pub const STATUS: Endpoint = Endpoint::new(Get, "/nodes/{node}/status");
/// `GET /nodes/{node}/rrddata`.
pub const RRDDATA: Endpoint = Endpoint::new(Get, "/nodes/{node}/rrddata");
/// `GET /nodes/{node}/network`.
pub const NETWORK: Endpoint = Endpoint::new(Get, "/nodes/{node}/network");

/// One network interface of a node (the fields scmp reads; PVE sends many more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    /// Interface name (`vmbr0`).
    pub iface: String,
    /// `bridge`, `bond`, `eth`, `vlan`, `OVSBridge`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the interface is up.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub active: Option<bool>,
    /// VLAN aware (bridges).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub bridge_vlan_aware: Option<bool>,
    /// Address with prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
}

/// A node's state in `/nodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Reachable and in the cluster.
    Online,
    /// Not reachable.
    Offline,
    /// Not known.
    Unknown,
}

/// One entry of `/nodes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeListItem {
    /// Node name.
    pub node: NodeName,
    /// State.
    pub status: NodeState,
    /// CPU usage (fraction).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu: Option<f64>,
    /// Logical CPUs.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub maxcpu: Option<u64>,
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
    /// Used root disk (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub disk: Option<u64>,
    /// Root disk (bytes).
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
    /// Subscription level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The node certificate's SHA-256 fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_fingerprint: Option<String>,
    /// `node/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `node`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Memory or swap figures of `/nodes/{node}/status` (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct MemoryFigures {
    /// Total.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub total: u64,
    /// Used.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub used: u64,
    /// Free.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub free: u64,
}

/// CPU model facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CpuInfo {
    /// Model name.
    #[serde(default)]
    pub model: String,
    /// Sockets.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub sockets: u64,
    /// Physical cores per socket.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub cores: u64,
    /// Logical CPUs.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub cpus: u64,
    /// Any further fields (flags, mhz, hvm, ...), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The answer of `/nodes/{node}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// CPU usage (fraction).
    #[serde(deserialize_with = "perl::deserialize_f64")]
    pub cpu: f64,
    /// CPU facts.
    pub cpuinfo: CpuInfo,
    /// Memory.
    pub memory: MemoryFigures,
    /// Swap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap: Option<MemoryFigures>,
    /// Root filesystem (`total`, `used`, `free`, `avail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rootfs: Option<serde_json::Value>,
    /// Load averages (1, 5, 15 minutes); PVE sends them as strings.
    #[serde(deserialize_with = "perl::deserialize_f64_list")]
    pub loadavg: Vec<f64>,
    /// Uptime (seconds).
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub uptime: u64,
    /// `pve-manager/8.4.14/...`.
    pub pveversion: String,
    /// Kernel version string.
    #[serde(default)]
    pub kversion: String,
    /// Every other key (`boot-info`, `current-kernel`, `ksm`, `idle`, `wait`, ...), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// RRD time frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeframe {
    /// Last hour.
    Hour,
    /// Last day.
    Day,
    /// Last week.
    Week,
    /// Last month.
    Month,
    /// Last year.
    Year,
}

impl Timeframe {
    /// The value as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Timeframe::Hour => "hour",
            Timeframe::Day => "day",
            Timeframe::Week => "week",
            Timeframe::Month => "month",
            Timeframe::Year => "year",
        }
    }

    /// Seconds between two RRD points.
    pub fn step_secs(self) -> u64 {
        match self {
            Timeframe::Hour => 60,
            Timeframe::Day => 1800,
            Timeframe::Week => 10800,
            Timeframe::Month => 43200,
            Timeframe::Year => 604800,
        }
    }
}

/// One RRD data point: `time` plus series such as `cpu`, `memused`, `netin` (absent where unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RrdPoint {
    /// Unix time of the point.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub time: u64,
    /// The series values.
    #[serde(flatten)]
    pub values: BTreeMap<String, serde_json::Value>,
}

/// Builds `/nodes`.
pub fn list() -> ApiRequest {
    ApiRequest::new(LIST, &[])
}

/// Builds `/nodes/{node}/status`.
pub fn status(node: &NodeName) -> ApiRequest {
    ApiRequest::new(STATUS, &[node])
}

/// Builds `/nodes/{node}/network?type=any_bridge` (the bridges guests can attach to).
pub fn bridges(node: &NodeName) -> ApiRequest {
    ApiRequest::new(NETWORK, &[node]).param("type", "any_bridge")
}

/// Builds `/nodes/{node}/rrddata`.
pub fn rrddata(node: &NodeName, timeframe: Timeframe) -> ApiRequest {
    ApiRequest::new(RRDDATA, &[node]).param("timeframe", timeframe.as_str())
}
