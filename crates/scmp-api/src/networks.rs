//! Tenant networks: a project's network at a site (one Proxmox VE SDN zone and VNet with its
//! subnets on each of the site's clusters), and how a site realises them.

use scmp_common::time::Time;
use scmp_common::{Name, NetworkId, ProjectId, SiteId, SubnetId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A subnet of a new network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubnetCreate {
    /// The prefix, with its network address (`10.20.0.0/24`, `fd00:20::/64`).
    pub cidr: String,
    /// The gateway inside it (none: the network has no way out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The first address DHCP hands out (with `dhcp_end`; none: addresses only from scmp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_start: Option<String>,
    /// The last address DHCP hands out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_end: Option<String>,
    /// Source NAT to the outside through the nodes (needs a gateway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snat: Option<bool>,
}

/// `network_create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkCreate {
    /// Name, unique in the project (guests' NICs name it).
    pub name: Name,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The site it is at (by name).
    pub site: String,
    /// Its subnets (1 to 8, not overlapping).
    pub subnets: Vec<SubnetCreate>,
}

/// `network_update`: the network's subnets, all of them (a subnet kept by its `cidr` may change
/// its gateway, DHCP range and source NAT; one left out is removed, unless guests have addresses
/// in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkUpdate {
    /// Description (none: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its subnets (1 to 8, not overlapping).
    pub subnets: Vec<SubnetCreate>,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubnetView {
    /// Id.
    pub id: SubnetId,
    /// The prefix.
    pub cidr: String,
    /// The gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The DHCP range's first address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_start: Option<String>,
    /// The DHCP range's last address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_end: Option<String>,
    /// Source NAT.
    pub snat: bool,
}

/// A tenant network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NetworkView {
    /// Id.
    pub id: NetworkId,
    /// Name.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// `vlan`, `vxlan`, `evpn` or `simple`.
    pub zone_type: String,
    /// Its SDN zone on the site's clusters.
    pub zone: String,
    /// Its VNet (the bridge of its guests' NICs).
    pub vnet: String,
    /// Its VLAN tag or VNI.
    pub tag: u64,
    /// `creating`, `ready` or `deleting`.
    pub state: String,
    /// Why its last change failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its subnets.
    pub subnets: Vec<SubnetView>,
    /// Created.
    pub created_at: Time,
    /// Last changed.
    pub updated_at: Time,
}

/// How a site realises tenant networks (`site_networking_set`, `site_networking_view`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteNetworkingBody {
    /// `vlan` (on a VLAN-aware bridge), `vxlan`, `evpn` or `simple`.
    pub zone_type: String,
    /// The bridge of VLAN zones (`vmbr0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// The nodes' addresses for VXLAN zones, comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peers: Option<String>,
    /// The EVPN controller's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// The first VLAN tag or VNI scmp hands out.
    pub tag_min: u64,
    /// The last.
    pub tag_max: u64,
    /// The networks' MTU (none: the zone's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u64>,
}
