//! Guests (VMs and containers), their creation, changes, placement and snapshots.

use scmp_common::time::Time;
use scmp_common::{
    ClusterId, Country, GuestEventKind, GuestId, GuestKind, GuestState, ImageId, Name, ProjectId,
    SiteId, TenantId,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `guest_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestCreate {
    /// Name (DNS label), unique in the project; also the hostname.
    pub name: Name,
    /// `vm` or `ct`.
    pub kind: GuestKind,
    /// Catalog image (id or name); its kind must match.
    pub image: String,
    /// Instance type (id or name), or the three sizes below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// vCPUs (1..128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u64>,
    /// Memory (64 MiB .. 4 TiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
    /// Root disk (1 .. 65536 GiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_gib: Option<u64>,
    /// A site the guest must run at (name or id); otherwise placement chooses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Cloud-init.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_init: Option<CloudInitSpec>,
    /// The network it joins (the bridge `vmbr0`, untagged, when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkSpec>,
    /// Managed by Proxmox HA (restarted elsewhere when its host fails).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<bool>,
    /// Tags (lower case letters, digits, `_ - + .`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Anti-affinity group (a name of your choice): no two guests of the project's group share a host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity_group: Option<String>,
    /// NICs on the project's tenant networks (1 to 8, in order `net0`, `net1`, ...), each with
    /// an address of its network; the guest lands at their site. Not with `network`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nics: Option<Vec<NicSpec>>,
    /// Security groups of the project at the guest's site, by name (needs `nics`): the guest's
    /// firewall lets in only what they allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
}

/// A NIC on a tenant network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NicSpec {
    /// The network's name in the guest's project.
    pub network: String,
    /// The address it should have (free, in a subnet of the network; none: the lowest free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A guest's NIC on a tenant network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NicView {
    /// The network's name.
    pub network: String,
    /// The network's id.
    pub network_id: scmp_common::NetworkId,
    /// Its address with the prefix length (`10.20.0.2/24`).
    pub address: String,
    /// The subnet's gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Its MAC address.
    pub mac: String,
    /// The bridge it is on (the network's VNet).
    pub bridge: String,
}

/// Cloud-init settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudInitSpec {
    /// The default user (`debian`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// SSH public keys for that user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<String>,
    /// `ip=dhcp` (default) or `ip=10.0.0.5/24,gw=10.0.0.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_config: Option<String>,
}

/// The network a guest joins: a bridge of its cluster, and optionally a VLAN on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// The bridge (`vmbr0` when left out); placement picks a host that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// A VLAN (1..4094) on that bridge, which must then be VLAN aware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
}

/// `guest_update`: new sizes (the disk only grows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestUpdate {
    /// vCPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u64>,
    /// Memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
    /// Root disk (grow only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_gib: Option<u64>,
}

/// `guest_migrate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestMigrate {
    /// The host to move to (in the guest's cluster); placement chooses when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// Where a guest's console is: Proxmox VE's own console for it (noVNC for a VM, xterm.js for a
/// container), opened with the user's Proxmox VE login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsoleView {
    /// The guest.
    pub guest_id: GuestId,
    /// Its host.
    pub node: String,
    /// Its VMID.
    pub vmid: u32,
    /// `novnc` or `xtermjs`.
    pub protocol: String,
    /// The console in Proxmox VE's web interface.
    pub url: String,
}

/// A guest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GuestView {
    /// Id.
    pub id: GuestId,
    /// Name.
    pub name: Name,
    /// Its project.
    pub project_id: ProjectId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// `vm` or `ct`.
    pub kind: GuestKind,
    /// Catalog image id.
    pub image_id: ImageId,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// Lifecycle state.
    pub state: GuestState,
    /// The site it runs at (absent until placed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<Name>,
    /// The cluster it runs on (absent until placed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<ClusterId>,
    /// That cluster's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Name>,
    /// Its host (absent until placed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Its VMID (absent until it has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmid: Option<u32>,
    /// Managed by Proxmox HA.
    pub ha: bool,
    /// Its HA service state as Proxmox reports it (`started`, `stopped`, `fence`, `recovery`,
    /// `migrate`, `freeze`, `error`, ...); absent without HA or before it was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha_state: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Anti-affinity group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anti_affinity_group: Option<String>,
    /// Its network configuration as asked (`ip=dhcp`, or a static address and gateway).
    #[serde(default)]
    pub ip_config: String,
    /// The network it is on.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Its NICs on tenant networks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nics: Vec<NicView>,
    /// Its public addresses (only in `guest_view`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_addresses: Vec<crate::PublicAddressView>,
    /// The security groups it is in, by name (only in `guest_view`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// The addresses it has now, as the guest reports them (a VM through its QEMU guest agent);
    /// only in `guest_view`, only while it runs, empty when the site or the agent does not answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// The cloud-init user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_user: Option<String>,
    /// Where placement put it and why (absent until placed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementView>,
    /// What differs on Proxmox from scmp's record (absent when in sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<String>,
    /// The last failure (absent when there was none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Recent events (drift, repairs, adoption), newest first; only in `guest_view`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<GuestEventView>,
    /// Its lease, when a policy gave it one; only in `guest_view`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<crate::LeaseView>,
    /// Created.
    pub created_at: Time,
    /// Last changed.
    pub updated_at: Time,
}

/// An event on a guest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GuestEventView {
    /// When.
    pub at: Time,
    /// What kind of event.
    pub kind: GuestEventKind,
    /// What happened.
    pub detail: String,
}

/// Where placement put a guest, or would put it now (`guest_create?dry_run=true`), and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlacementView {
    /// The site.
    pub site_id: SiteId,
    /// The site's name.
    pub site: Name,
    /// The site's country.
    pub country: Country,
    /// The cluster.
    pub cluster_id: ClusterId,
    /// The cluster's name.
    pub cluster: Name,
    /// The host.
    pub host: String,
    /// Why this host: how many hosts passed every filter, and why this one won.
    pub reason: String,
    /// What governance policies warn about the request (a refusal is an error instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_warnings: Vec<crate::PolicyWarning>,
    /// The policies whose approvers must approve the request before it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_approvals: Vec<crate::PolicyWarning>,
}

/// `snapshot_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotCreate {
    /// Name: a letter, then letters, digits, `_` or `-` (up to 40).
    pub name: String,
}

/// A snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotView {
    /// Name.
    pub name: String,
    /// Description (absent when it has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it was taken, when Proxmox says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<Time>,
}
