//! Public addresses: the platform's pools per site, the addresses projects hold from them and
//! attach to guests, and a site's 1:1 NAT table for its edge router.

use scmp_common::time::Time;
use scmp_common::{Name, ProjectId, PublicAddressId, PublicPoolId, SiteId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `public_pool_create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicPoolCreate {
    /// Name, unique at the site.
    pub name: Name,
    /// The prefix (`203.0.113.0/28`, `2001:db8:1::/64`).
    pub cidr: String,
    /// The upstream gateway in it (never handed out; needed for routed pools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// `nat` (1:1 NAT at the site's edge router to a guest's private address; IPv4 only) or
    /// `routed` (a NIC of the guest's own on the uplink bridge).
    pub mode: String,
    /// The uplink bridge on the nodes (routed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// Its VLAN tag (routed; none: untagged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u32>,
}

/// A pool of public addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicPoolView {
    /// Id.
    pub id: PublicPoolId,
    /// The site.
    pub site: SiteId,
    /// Name.
    pub name: Name,
    /// The prefix.
    pub cidr: String,
    /// `ipv4` or `ipv6`.
    pub family: String,
    /// The gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// `nat` or `routed`.
    pub mode: String,
    /// The uplink bridge (routed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// The VLAN tag (routed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u32>,
    /// How many addresses it hands out (counted up to 1,048,576).
    pub size: u64,
    /// How many projects hold.
    pub allocated: u64,
    /// Created.
    pub created_at: Time,
}

/// `public_address_create`: an address for the project at a site, within its quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAddressCreate {
    /// The site (by name).
    pub site: String,
    /// `ipv4` (when absent) or `ipv6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The pool to take it from (by name; else any of the site's pools of the family).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// The address wanted, if free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A public address held by a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicAddressView {
    /// Id.
    pub id: PublicAddressId,
    /// The address.
    pub address: String,
    /// `ipv4` or `ipv6`.
    pub family: String,
    /// `nat` or `routed`, as its pool.
    pub mode: String,
    /// Its pool's name.
    pub pool: Name,
    /// The site.
    pub site: SiteId,
    /// The project.
    pub project: ProjectId,
    /// Description.
    pub description: String,
    /// `free`, `attaching`, `attached` or `detaching`.
    pub state: String,
    /// The guest it is on (name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<String>,
    /// NAT: the guest's NIC it maps to; routed: the guest's NIC it is (`netN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic: Option<u32>,
    /// Allocated.
    pub created_at: Time,
}

/// `public_address_attach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAddressAttach {
    /// The guest (name or id), of the address's project and site.
    pub guest: String,
    /// NAT: the guest's NIC whose address it maps to (0 when absent); routed addresses get a NIC
    /// of their own (net8 and up) and take no index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic: Option<u32>,
}

/// One line of a site's NAT table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NatEntryView {
    /// The public address.
    pub public: String,
    /// The guest's private address.
    pub private: String,
    /// The guest's name.
    pub guest: String,
}

/// A site's 1:1 NAT table, for its edge router: the entries and an nftables ruleset of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NatTableView {
    /// The site.
    pub site: SiteId,
    /// Public to private, by public address.
    pub entries: Vec<NatEntryView>,
    /// The same as an nftables ruleset (`nft -f`): table `ip scmp_nat`, replaced as a whole.
    pub nftables: String,
}
