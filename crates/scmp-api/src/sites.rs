//! Sites, the Proxmox VE clusters registered at them, and their hosts.

use pve_types::{Authid, Fingerprint, Upid};
use scmp_common::time::Time;
use scmp_common::{AgentId, ClusterId, ClusterState, Country, DriftAction, Name, SiteId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `site_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteCreate {
    /// Name.
    pub name: Name,
    /// ISO 3166-1 alpha-2 country code (`DE`), for residency.
    pub country: Country,
    /// Region within the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `site_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteUpdate {
    /// Region within the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The groups (names or ids) whose members the site's identity cache holds, so they can work
    /// at the site while it is cut off (empty: nobody but the site's break-glass credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_groups: Option<Vec<String>>,
}

/// A site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteView {
    /// Id.
    pub id: SiteId,
    /// Name.
    pub name: Name,
    /// Country code.
    pub country: Country,
    /// Region within the country (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Created.
    pub created_at: Time,
    /// The groups whose members the site's identity cache holds (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline_groups: Vec<scmp_common::GroupId>,
    /// The site's link to the platform, when its clusters are reached through agents (absent for
    /// a site reached directly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<SiteLinkView>,
}

/// A site's link: its agents' links taken together, the worst first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteLinkView {
    /// The worst of its agents' states.
    pub state: crate::Connectivity,
    /// Since when the worst agent is in that state (absent: not since this replica started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Time>,
    /// How long ago the least recently heard agent was heard, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_ms: Option<u64>,
    /// Agents fronting the site's clusters.
    pub agents: u64,
    /// How many of them are connected.
    pub connected: u64,
    /// Commands for the site waiting for an answer (or for its agents to come back).
    pub waiting_commands: u64,
    /// Messages its agents' journals hold for the platform, as they last said.
    #[serde(default)]
    pub journaled_waiting: u64,
}

/// `cluster_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterCreate {
    /// Name.
    pub name: Name,
    /// `https://host:8006`.
    pub endpoint: String,
    /// The API token id, `USER@REALM!TOKENID`.
    pub token_id: Authid,
    /// The API token secret (stored encrypted, never returned).
    pub token_secret: String,
    /// The SHA-256 fingerprint of the cluster's certificate, as PVE shows it (`AB:CD:...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_fingerprint: Option<Fingerprint>,
    /// vCPUs allowed per physical core (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_overcommit: Option<f64>,
    /// Memory overcommit (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_overcommit: Option<f64>,
}

/// `cluster_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterUpdate {
    /// vCPUs allowed per physical core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_overcommit: Option<f64>,
    /// Memory overcommit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_overcommit: Option<f64>,
    /// `report` drift only, or `repair` it (start/stop and re-size guests back to scmp's record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_action: Option<DriftAction>,
}

/// A registered cluster (without its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClusterView {
    /// Id.
    pub id: ClusterId,
    /// Its site.
    pub site_id: SiteId,
    /// Name.
    pub name: Name,
    /// API endpoint.
    pub endpoint: String,
    /// API token id.
    pub token_id: Authid,
    /// Pinned certificate fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_fingerprint: Option<Fingerprint>,
    /// The site agent the cluster is reached through (absent: the platform reaches it directly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentId>,
    /// CPU overcommit.
    pub cpu_overcommit: f64,
    /// Memory overcommit.
    pub memory_overcommit: f64,
    /// What inventory sync does about drift.
    pub drift_action: DriftAction,
    /// Health as inventory sync last saw it.
    pub health: ClusterHealthView,
    /// Storage on each node.
    pub storage: Vec<StorageView>,
    /// Network bridges guests can attach to.
    pub bridges: Vec<BridgeView>,
    /// The cluster's most recent Proxmox tasks, newest first.
    pub recent_tasks: Vec<TaskView>,
    /// The Proxmox HA manager's status (absent until it was read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<HaManagerView>,
    /// Created.
    pub created_at: Time,
}

/// The Proxmox HA manager of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HaManagerView {
    /// Whether the HA stack has quorum.
    pub quorate: bool,
    /// The master's status (`pve1 (active, ...)`); absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// Each node's local resource manager.
    pub nodes: Vec<HaNodeView>,
    /// How many HA resources the cluster has.
    pub services: u64,
}

/// A node's local HA resource manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HaNodeView {
    /// The node.
    pub node: String,
    /// Its status (`active`, `idle`, `old timestamp - dead?`, `maintenance mode`, ...).
    pub status: String,
}

/// A cluster's health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClusterHealthView {
    /// How inventory sync last found it.
    pub state: ClusterState,
    /// Since when (absent until the first sync).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Time>,
    /// Last successful sync (absent until there was one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<Time>,
    /// Why the last sync failed, or what it could not read (absent when all went well).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Proxmox VE version (absent until known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pve_version: Option<String>,
    /// Guests on the cluster that are not scmp's (never touched).
    pub unmanaged_guests: u64,
}

/// A Proxmox task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskView {
    /// Its UPID.
    pub upid: Upid,
    /// Node.
    pub node: String,
    /// `qmclone`, `qmstart`, ...
    pub kind: String,
    /// What it acts on (a VMID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Who started it.
    pub user: String,
    /// When it started.
    pub started_at: Time,
    /// `OK`, an error, or absent while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A storage as one node sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StorageView {
    /// Storage id.
    pub name: String,
    /// Node.
    pub node: String,
    /// Plugin type (`rbd`, `zfspool`, `dir`, ...).
    pub kind: String,
    /// Shared between nodes.
    pub shared: bool,
    /// Content types.
    pub content: String,
    /// Size.
    pub total_gib: u64,
    /// In use.
    pub used_gib: u64,
}

/// A network bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BridgeView {
    /// Interface name (`vmbr0`).
    pub name: String,
    /// VLAN aware on every node that has it.
    pub vlan_aware: bool,
    /// Nodes that have it.
    pub nodes: Vec<String>,
}

/// A host of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HostView {
    /// Node name.
    pub name: String,
    /// Its cluster.
    pub cluster_id: ClusterId,
    /// Up.
    pub online: bool,
    /// In maintenance: no new guests are placed on it.
    pub maintenance: bool,
    /// CPU threads.
    pub cores: u64,
    /// Memory.
    pub memory_mib: u64,
    /// CPU load (0..1).
    pub cpu_usage: f64,
    /// Memory in use.
    pub memory_used_mib: u64,
    /// vCPUs of guests that are not scmp's.
    pub unmanaged_vcpus: u64,
    /// Last observed.
    pub updated_at: Time,
}
