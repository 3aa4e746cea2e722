//! Software-defined networking: zones, VNets and subnets (staged in `/etc/pve/sdn/*.cfg`, made
//! the running configuration by one `PUT /cluster/sdn`), and the IPAM's address mappings.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::perl;

/// `PUT /cluster/sdn`: apply the staged configuration (a task).
pub const APPLY: Endpoint = Endpoint::new(Put, "/cluster/sdn");
/// `GET /cluster/sdn/zones`.
pub const ZONES: Endpoint = Endpoint::new(Get, "/cluster/sdn/zones");
/// `POST /cluster/sdn/zones`.
pub const ZONE_CREATE: Endpoint = Endpoint::new(Post, "/cluster/sdn/zones");
/// `GET /cluster/sdn/zones/{zone}`.
pub const ZONE_GET: Endpoint = Endpoint::new(Get, "/cluster/sdn/zones/{zone}");
/// `PUT /cluster/sdn/zones/{zone}`.
pub const ZONE_UPDATE: Endpoint = Endpoint::new(Put, "/cluster/sdn/zones/{zone}");
/// `DELETE /cluster/sdn/zones/{zone}`.
pub const ZONE_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/sdn/zones/{zone}");
/// `GET /cluster/sdn/vnets`.
pub const VNETS: Endpoint = Endpoint::new(Get, "/cluster/sdn/vnets");
/// `POST /cluster/sdn/vnets`.
pub const VNET_CREATE: Endpoint = Endpoint::new(Post, "/cluster/sdn/vnets");
/// `GET /cluster/sdn/vnets/{vnet}`.
pub const VNET_GET: Endpoint = Endpoint::new(Get, "/cluster/sdn/vnets/{vnet}");
/// `PUT /cluster/sdn/vnets/{vnet}`.
pub const VNET_UPDATE: Endpoint = Endpoint::new(Put, "/cluster/sdn/vnets/{vnet}");
/// `DELETE /cluster/sdn/vnets/{vnet}`.
pub const VNET_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/sdn/vnets/{vnet}");
/// `GET /cluster/sdn/vnets/{vnet}/subnets`.
pub const SUBNETS: Endpoint = Endpoint::new(Get, "/cluster/sdn/vnets/{vnet}/subnets");
/// `POST /cluster/sdn/vnets/{vnet}/subnets`.
pub const SUBNET_CREATE: Endpoint = Endpoint::new(Post, "/cluster/sdn/vnets/{vnet}/subnets");
/// `PUT /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
pub const SUBNET_UPDATE: Endpoint =
    Endpoint::new(Put, "/cluster/sdn/vnets/{vnet}/subnets/{subnet}");
/// `DELETE /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
pub const SUBNET_DELETE: Endpoint =
    Endpoint::new(Delete, "/cluster/sdn/vnets/{vnet}/subnets/{subnet}");
/// `POST /cluster/sdn/vnets/{vnet}/ips`: map an address in the IPAM.
pub const IP_CREATE: Endpoint = Endpoint::new(Post, "/cluster/sdn/vnets/{vnet}/ips");
/// `DELETE /cluster/sdn/vnets/{vnet}/ips`: remove a mapping.
pub const IP_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/sdn/vnets/{vnet}/ips");

/// A zone's plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZoneType {
    /// One isolated bridge per VNet on each node, no uplink.
    Simple,
    /// VLANs on an existing (VLAN-aware) bridge.
    Vlan,
    /// Stacked VLANs.
    Qinq,
    /// VXLAN tunnels between the listed peers.
    Vxlan,
    /// VXLAN with a BGP-EVPN controller.
    Evpn,
    /// Faucet (OpenFlow).
    Faucet,
}

impl ZoneType {
    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneType::Simple => "simple",
            ZoneType::Vlan => "vlan",
            ZoneType::Qinq => "qinq",
            ZoneType::Vxlan => "vxlan",
            ZoneType::Evpn => "evpn",
            ZoneType::Faucet => "faucet",
        }
    }
}

/// Whether an object is the same in the staged and running configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PendingState {
    /// Staged, not applied yet.
    New,
    /// Applied, with staged changes.
    Changed,
    /// Applied, staged for removal.
    Deleted,
}

/// A zone as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Its id.
    pub zone: String,
    /// Its plugin.
    #[serde(rename = "type")]
    pub kind: ZoneType,
    /// The bridge (VLAN and QinQ zones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// VXLAN peers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peers: Option<String>,
    /// EVPN controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// The nodes it is on (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// The IPAM it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipam: Option<String>,
    /// MTU.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub mtu: Option<u64>,
    /// The staged state, when listed with `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PendingState>,
    /// The configuration's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Create a zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneCreate {
    /// Its id (at most 8 characters, `^[a-z][a-z0-9]*[a-z0-9]$`).
    pub zone: String,
    /// Its plugin.
    #[serde(rename = "type")]
    pub kind: ZoneType,
    /// The bridge (VLAN and QinQ zones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// VXLAN peers, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<String>,
    /// EVPN controller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// EVPN's layer-3 VNI.
    #[serde(rename = "vrf-vxlan", skip_serializing_if = "Option::is_none")]
    pub vrf_vxlan: Option<u32>,
    /// The IPAM (`pve`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipam: Option<String>,
    /// MTU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
}

/// A VNet as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vnet {
    /// Its id.
    pub vnet: String,
    /// Its zone.
    pub zone: String,
    /// VLAN tag or VNI.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub tag: Option<u64>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The staged state, when listed with `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PendingState>,
    /// The configuration's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Create a VNet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VnetCreate {
    /// Its id (at most 8 characters).
    pub vnet: String,
    /// Its zone.
    pub zone: String,
    /// VLAN tag or VNI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<u32>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// Change a VNet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VnetUpdate {
    /// A new description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// A new tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<u32>,
    /// The digest the change is based on (refused when the configuration changed since).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// A subnet as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// Its id (`zone-10.0.0.0-24`).
    pub subnet: String,
    /// The prefix (`10.0.0.0/24`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// Its VNet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnet: Option<String>,
    /// The gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Source NAT to the outside.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub snat: Option<bool>,
    /// DHCP ranges (`start-address=...,end-address=...`).
    #[serde(rename = "dhcp-range", default, skip_serializing_if = "Vec::is_empty")]
    pub dhcp_range: Vec<String>,
    /// The staged state, when listed with `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PendingState>,
    /// The configuration's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Create a subnet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubnetCreate {
    /// The prefix (`10.0.0.0/24`).
    pub subnet: String,
    /// Always `subnet`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Source NAT to the outside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snat: Option<bool>,
    /// One DHCP range (`start-address=...,end-address=...`).
    #[serde(rename = "dhcp-range", skip_serializing_if = "Option::is_none")]
    pub dhcp_range: Option<String>,
}

/// Change a subnet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SubnetUpdate {
    /// The gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Source NAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snat: Option<bool>,
    /// One DHCP range.
    #[serde(rename = "dhcp-range", skip_serializing_if = "Option::is_none")]
    pub dhcp_range: Option<String>,
    /// Settings to remove, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete: Option<String>,
    /// The digest the change is based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// An address mapping in the IPAM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpMapping {
    /// The zone.
    pub zone: String,
    /// The address.
    pub ip: String,
    /// The NIC's MAC address (DHCP hands the address to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

/// Which configuration a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The staged one.
    Staged,
    /// The staged one, with each object's pending state.
    Pending,
    /// The running one.
    Running,
}

fn view(req: ApiRequest, v: View) -> ApiRequest {
    match v {
        View::Staged => req,
        View::Pending => req.param("pending", "1"),
        View::Running => req.param("running", "1"),
    }
}

/// Builds `PUT /cluster/sdn`.
pub fn apply() -> ApiRequest {
    ApiRequest::new(APPLY, &[])
}

/// Builds `GET /cluster/sdn/zones`.
pub fn zones(v: View) -> ApiRequest {
    view(ApiRequest::new(ZONES, &[]), v)
}

/// Builds `POST /cluster/sdn/zones`.
pub fn zone_create(z: &ZoneCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(ZONE_CREATE, &[]).with_params(z)
}

/// Builds `GET /cluster/sdn/zones/{zone}`.
pub fn zone_get(zone: &str) -> ApiRequest {
    ApiRequest::new(ZONE_GET, &[&zone])
}

/// Builds `PUT /cluster/sdn/zones/{zone}` (a new MTU or node list, against a digest).
pub fn zone_update(zone: &str, mtu: Option<u32>, digest: Option<&str>) -> ApiRequest {
    let mut r = ApiRequest::new(ZONE_UPDATE, &[&zone]);
    if let Some(m) = mtu {
        r = r.param("mtu", m.to_string());
    }
    if let Some(d) = digest {
        r = r.param("digest", d);
    }
    r
}

/// Builds `DELETE /cluster/sdn/zones/{zone}`.
pub fn zone_delete(zone: &str) -> ApiRequest {
    ApiRequest::new(ZONE_DELETE, &[&zone])
}

/// Builds `GET /cluster/sdn/vnets`.
pub fn vnets(v: View) -> ApiRequest {
    view(ApiRequest::new(VNETS, &[]), v)
}

/// Builds `POST /cluster/sdn/vnets`.
pub fn vnet_create(v: &VnetCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(VNET_CREATE, &[]).with_params(v)
}

/// Builds `GET /cluster/sdn/vnets/{vnet}`.
pub fn vnet_get(vnet: &str) -> ApiRequest {
    ApiRequest::new(VNET_GET, &[&vnet])
}

/// Builds `PUT /cluster/sdn/vnets/{vnet}`.
pub fn vnet_update(vnet: &str, u: &VnetUpdate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(VNET_UPDATE, &[&vnet]).with_params(u)
}

/// Builds `DELETE /cluster/sdn/vnets/{vnet}`.
pub fn vnet_delete(vnet: &str) -> ApiRequest {
    ApiRequest::new(VNET_DELETE, &[&vnet])
}

/// Builds `GET /cluster/sdn/vnets/{vnet}/subnets`.
pub fn subnets(vnet: &str, v: View) -> ApiRequest {
    view(ApiRequest::new(SUBNETS, &[&vnet]), v)
}

/// Builds `POST /cluster/sdn/vnets/{vnet}/subnets`.
pub fn subnet_create(vnet: &str, s: &SubnetCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(SUBNET_CREATE, &[&vnet]).with_params(s)
}

/// Builds `PUT /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
pub fn subnet_update(
    vnet: &str,
    subnet: &str,
    u: &SubnetUpdate,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(SUBNET_UPDATE, &[&vnet, &subnet]).with_params(u)
}

/// Builds `DELETE /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
pub fn subnet_delete(vnet: &str, subnet: &str) -> ApiRequest {
    ApiRequest::new(SUBNET_DELETE, &[&vnet, &subnet])
}

/// Builds `POST /cluster/sdn/vnets/{vnet}/ips`.
pub fn ip_create(vnet: &str, m: &IpMapping) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(IP_CREATE, &[&vnet]).with_params(m)
}

/// Builds `DELETE /cluster/sdn/vnets/{vnet}/ips`.
pub fn ip_delete(vnet: &str, m: &IpMapping) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(IP_DELETE, &[&vnet]).with_params(m)
}

/// The id PVE gives a subnet: the zone and the prefix, `/` made `-` (`z1-10.0.0.0-24`).
pub fn subnet_id(zone: &str, cidr: &str) -> String {
    format!("{zone}-{}", cidr.replace('/', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subnet_id_is_its_zone_and_prefix() {
        assert_eq!(subnet_id("t1", "10.0.0.0/24"), "t1-10.0.0.0-24");
        assert_eq!(subnet_id("t1", "fd00::/64"), "t1-fd00::-64");
    }

    #[test]
    fn listings_ask_for_the_configuration_they_show() {
        let r = vnets(View::Pending);
        assert_eq!(r.params, vec![("pending".to_string(), "1".to_string())]);
        let r = subnets("v1", View::Running);
        assert_eq!(r.path, "/cluster/sdn/vnets/v1/subnets");
        assert_eq!(r.params, vec![("running".to_string(), "1".to_string())]);
    }
}
