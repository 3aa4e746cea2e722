//! Tenant networks on Proxmox VE SDN: a network is one zone with one VNet and its subnets. Its
//! changes are staged, applied with one `PUT /cluster/sdn` waited as a task, and, when the apply
//! fails, the staged changes are undone and applied again, so the cluster is left as it was. Every
//! update carries the digest it was based on. Like the other actions, each is idempotent.

use pve_client::PveApi;
use pve_types::api::sdn::{
    self, IpMapping, PendingState, Subnet, SubnetCreate, SubnetUpdate, View, VnetCreate,
    VnetUpdate, ZoneCreate, ZoneType,
};
use serde::{Deserialize, Serialize};

use crate::actions::Error;

/// A subnet of a tenant network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdnSubnet {
    /// The prefix (`10.20.0.0/24`).
    pub cidr: String,
    /// The gateway, if the subnet has one.
    pub gateway: Option<String>,
    /// Source NAT to the outside.
    pub snat: bool,
    /// The DHCP range's first and last address.
    pub dhcp_range: Option<(String, String)>,
}

impl SdnSubnet {
    fn range(&self) -> Option<String> {
        self.dhcp_range
            .as_ref()
            .map(|(a, b)| format!("start-address={a},end-address={b}"))
    }
}

/// A tenant network as Proxmox VE SDN holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdnNetwork {
    /// The zone's id (at most 8 characters).
    pub zone: String,
    /// The VNet's id (at most 8 characters): the bridge guests' NICs name.
    pub vnet: String,
    /// The zone's plugin.
    pub kind: ZoneType,
    /// The bridge (VLAN zones).
    pub bridge: Option<String>,
    /// VXLAN peers, comma-separated.
    pub peers: Option<String>,
    /// EVPN controller.
    pub controller: Option<String>,
    /// EVPN's layer-3 VNI.
    pub vrf_vxlan: Option<u32>,
    /// The VLAN tag or VNI.
    pub tag: Option<u32>,
    /// MTU (VXLAN zones need 50 bytes less than the underlay).
    pub mtu: Option<u32>,
    /// A description (the network's name in scmp).
    pub alias: String,
    /// Its subnets.
    pub subnets: Vec<SdnSubnet>,
}

/// A staged change's opposite, to put the staged configuration back after a failed apply.
#[derive(Debug, Clone)]
enum Undo {
    DeleteZone(String),
    DeleteVnet(String),
    DeleteSubnet {
        vnet: String,
        id: String,
    },
    CreateZone(ZoneCreate),
    CreateVnet(VnetCreate),
    CreateSubnet {
        vnet: String,
        s: SubnetCreate,
    },
    UpdateVnet {
        vnet: String,
        u: VnetUpdate,
    },
    UpdateSubnet {
        vnet: String,
        id: String,
        u: SubnetUpdate,
    },
}

async fn undo_one(api: &dyn PveApi, u: &Undo) -> Result<(), Error> {
    match u {
        Undo::DeleteZone(z) => api.sdn_zone_delete(z).await,
        Undo::DeleteVnet(v) => api.sdn_vnet_delete(v).await,
        Undo::DeleteSubnet { vnet, id } => api.sdn_subnet_delete(vnet, id).await,
        Undo::CreateZone(z) => api.sdn_zone_create(z).await,
        Undo::CreateVnet(v) => api.sdn_vnet_create(v).await,
        Undo::CreateSubnet { vnet, s } => api.sdn_subnet_create(vnet, s).await,
        Undo::UpdateVnet { vnet, u } => api.sdn_vnet_update(vnet, u).await,
        Undo::UpdateSubnet { vnet, id, u } => api.sdn_subnet_update(vnet, id, u).await,
    }
}

fn zone_create(net: &SdnNetwork) -> ZoneCreate {
    ZoneCreate {
        zone: net.zone.clone(),
        kind: net.kind,
        bridge: net.bridge.clone(),
        peers: net.peers.clone(),
        controller: net.controller.clone(),
        vrf_vxlan: net.vrf_vxlan,
        ipam: Some("pve".into()),
        mtu: net.mtu,
    }
}

fn subnet_create(s: &SdnSubnet) -> SubnetCreate {
    SubnetCreate {
        subnet: s.cidr.clone(),
        kind: "subnet",
        gateway: s.gateway.clone(),
        snat: s.snat.then_some(true),
        dhcp_range: s.range(),
    }
}

fn subnet_as_created(s: &Subnet) -> SubnetCreate {
    SubnetCreate {
        subnet: s.cidr.clone().unwrap_or_default(),
        kind: "subnet",
        gateway: s.gateway.clone(),
        snat: s.snat.filter(|x| *x),
        dhcp_range: s.dhcp_range.first().cloned(),
    }
}

/// What differs between a subnet as wanted and as staged: the update, and its opposite.
fn subnet_change(want: &SdnSubnet, have: &Subnet) -> Option<(SubnetUpdate, SubnetUpdate)> {
    let snat = have.snat.unwrap_or(false);
    let range = have.dhcp_range.first().cloned();
    if want.gateway == have.gateway && want.snat == snat && want.range() == range {
        return None;
    }
    let mut deleted = Vec::new();
    if want.gateway.is_none() && have.gateway.is_some() {
        deleted.push("gateway");
    }
    if want.range().is_none() && range.is_some() {
        deleted.push("dhcp-range");
    }
    let forward = SubnetUpdate {
        gateway: want.gateway.clone(),
        snat: Some(want.snat),
        dhcp_range: want.range(),
        delete: (!deleted.is_empty()).then(|| deleted.join(",")),
        digest: have.digest.clone(),
    };
    let back = SubnetUpdate {
        gateway: have.gateway.clone(),
        snat: Some(snat),
        dhcp_range: range,
        delete: None,
        digest: None,
    };
    Some((forward, back))
}

/// Applies the staged configuration and waits for every node to reload it. When the apply fails,
/// the staged changes are undone and applied again; the error says so.
async fn apply(api: &dyn PveApi, undo: &[Undo], upids: &mut Vec<String>) -> Result<(), Error> {
    let upid = api.sdn_apply().await?;
    upids.push(upid.to_string());
    let failure = match api.wait_task(&upid, crate::actions::wait_options()).await {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    let mut rollback = Vec::new();
    for u in undo.iter().rev() {
        if let Err(e) = undo_one(api, u).await {
            rollback.push(e.to_string());
        }
    }
    match api.sdn_apply().await {
        Ok(upid) => {
            upids.push(upid.to_string());
            if let Err(e) = api.wait_task(&upid, crate::actions::wait_options()).await {
                rollback.push(e.to_string());
            }
        }
        Err(e) => rollback.push(e.to_string()),
    }
    let said = if rollback.is_empty() {
        "; the change was rolled back".to_string()
    } else {
        format!("; rolling back failed too: {}", rollback.join("; "))
    };
    Err(match failure {
        Error::TaskFailed {
            upid,
            exitstatus,
            log_tail,
        } => Error::TaskFailed {
            upid,
            exitstatus: format!("{exitstatus}{said}"),
            log_tail,
        },
        other => other,
    })
}

fn pending(state: Option<PendingState>) -> bool {
    state.is_some()
}

/// Makes the network exist and run on the cluster as described (staging only what differs, and
/// applying only when something is not running yet).
pub async fn ensure_network(
    api: &dyn PveApi,
    net: &SdnNetwork,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let mut undo = Vec::new();
    let mut not_running = false;
    let zones = api.sdn_zones(View::Pending).await?;
    match zones.iter().find(|z| z.zone == net.zone) {
        None => {
            api.sdn_zone_create(&zone_create(net)).await?;
            undo.push(Undo::DeleteZone(net.zone.clone()));
        }
        Some(z) => not_running |= pending(z.state),
    }
    let vnets = api.sdn_vnets(View::Pending).await?;
    match vnets.iter().find(|v| v.vnet == net.vnet) {
        None => {
            api.sdn_vnet_create(&VnetCreate {
                vnet: net.vnet.clone(),
                zone: net.zone.clone(),
                tag: net.tag,
                alias: Some(net.alias.clone()),
            })
            .await?;
            undo.push(Undo::DeleteVnet(net.vnet.clone()));
        }
        Some(v) => {
            not_running |= pending(v.state);
            let staged = api.sdn_vnet(&net.vnet).await?;
            if staged.tag.map(|t| t as u32) != net.tag {
                api.sdn_vnet_update(
                    &net.vnet,
                    &VnetUpdate {
                        tag: net.tag,
                        digest: staged.digest.clone(),
                        ..Default::default()
                    },
                )
                .await?;
                undo.push(Undo::UpdateVnet {
                    vnet: net.vnet.clone(),
                    u: VnetUpdate {
                        tag: staged.tag.map(|t| t as u32),
                        ..Default::default()
                    },
                });
            }
        }
    }
    let states = api.sdn_subnets(&net.vnet, View::Pending).await?;
    let staged = api.sdn_subnets(&net.vnet, View::Staged).await?;
    for want in &net.subnets {
        let id = sdn::subnet_id(&net.zone, &want.cidr);
        not_running |= states.iter().any(|s| s.subnet == id && pending(s.state));
        match staged.iter().find(|s| s.subnet == id) {
            None => {
                api.sdn_subnet_create(&net.vnet, &subnet_create(want))
                    .await?;
                undo.push(Undo::DeleteSubnet {
                    vnet: net.vnet.clone(),
                    id,
                });
            }
            Some(have) => {
                if let Some((forward, back)) = subnet_change(want, have) {
                    api.sdn_subnet_update(&net.vnet, &id, &forward).await?;
                    undo.push(Undo::UpdateSubnet {
                        vnet: net.vnet.clone(),
                        id,
                        u: back,
                    });
                }
            }
        }
    }
    // Subnets the network no longer has.
    for have in &staged {
        let kept = net
            .subnets
            .iter()
            .any(|w| sdn::subnet_id(&net.zone, &w.cidr) == have.subnet);
        if !kept {
            api.sdn_subnet_delete(&net.vnet, &have.subnet).await?;
            undo.push(Undo::CreateSubnet {
                vnet: net.vnet.clone(),
                s: subnet_as_created(have),
            });
        }
    }
    if undo.is_empty() && !not_running {
        return Ok(());
    }
    apply(api, &undo, upids).await
}

/// Removes the network from the cluster (its subnets, VNet and zone), applied; a network that is
/// not there is done.
pub async fn remove_network(
    api: &dyn PveApi,
    net: &SdnNetwork,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let mut undo = Vec::new();
    let vnets = api.sdn_vnets(View::Staged).await?;
    if let Some(v) = vnets.iter().find(|v| v.vnet == net.vnet) {
        for s in api.sdn_subnets(&net.vnet, View::Staged).await? {
            api.sdn_subnet_delete(&net.vnet, &s.subnet).await?;
            undo.push(Undo::CreateSubnet {
                vnet: net.vnet.clone(),
                s: subnet_as_created(&s),
            });
        }
        api.sdn_vnet_delete(&net.vnet).await?;
        undo.push(Undo::CreateVnet(VnetCreate {
            vnet: v.vnet.clone(),
            zone: v.zone.clone(),
            tag: v.tag.map(|t| t as u32),
            alias: v.alias.clone(),
        }));
    }
    let zones = api.sdn_zones(View::Staged).await?;
    if zones.iter().any(|z| z.zone == net.zone) {
        api.sdn_zone_delete(&net.zone).await?;
        undo.push(Undo::CreateZone(zone_create(net)));
    }
    let running = api.sdn_vnets(View::Running).await?;
    let still_running = running.iter().any(|v| v.vnet == net.vnet)
        || api
            .sdn_zones(View::Running)
            .await?
            .iter()
            .any(|z| z.zone == net.zone);
    if undo.is_empty() && !still_running {
        return Ok(());
    }
    apply(api, &undo, upids).await
}

/// Maps an address to a NIC in the zone's IPAM (for DHCP); mapped already is done.
pub async fn map_address(
    api: &dyn PveApi,
    zone: &str,
    vnet: &str,
    ip: &str,
    mac: Option<&str>,
) -> Result<(), Error> {
    let m = IpMapping {
        zone: zone.to_string(),
        ip: ip.to_string(),
        mac: mac.map(str::to_string),
    };
    match api.sdn_ip_create(vnet, &m).await {
        Err(e) if e.to_string().contains("already exist") => Ok(()),
        other => other,
    }
}

/// Removes an address's mapping; not mapped is done.
pub async fn unmap_address(
    api: &dyn PveApi,
    zone: &str,
    vnet: &str,
    ip: &str,
) -> Result<(), Error> {
    let m = IpMapping {
        zone: zone.to_string(),
        ip: ip.to_string(),
        mac: None,
    };
    match api.sdn_ip_delete(vnet, &m).await {
        Err(e)
            if e.to_string().contains("does not exist")
                || e.to_string().contains("doesn't exist") =>
        {
            Ok(())
        }
        other => other,
    }
}
