//! Addresses in tenant networks (scmp's IPAM): each NIC of a guest gets an address of its
//! network's subnets when the guest is admitted, in the admitting transaction: the one asked for
//! if it is free, else the lowest free one outside the gateway and the DHCP range. One row per
//! address with the pair (subnet, address) as its key, inserted with `ON CONFLICT DO NOTHING`, so
//! two admissions never get the same address: the loser takes the next. Released with the guest.

use std::net::IpAddr;

use ipnet::IpNet;
use scmp_common::{Error, GuestId, NetworkId, SubnetId};
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, get_u64, DataStore};
use crate::networks::{Network, NetworkState, Subnet};

/// A NIC to give a guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNic {
    /// The network (of the guest's project, ready, at the guest's site).
    pub network_id: NetworkId,
    /// The address asked for, if any.
    pub address: Option<IpAddr>,
}

/// A guest's NIC as stored, with what its configuration needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestNic {
    /// Its index (`net0`, `net1`, ...).
    pub index: u32,
    /// The network.
    pub network_id: NetworkId,
    /// The network's name.
    pub network: String,
    /// The subnet the address is in.
    pub subnet_id: SubnetId,
    /// The address.
    pub address: IpAddr,
    /// The subnet's prefix length.
    pub prefix_len: u8,
    /// The subnet's gateway (empty: none).
    pub gateway: String,
    /// The NIC's MAC address.
    pub mac: String,
    /// The network's SDN zone.
    pub zone: String,
    /// The network's VNet (the NIC's bridge).
    pub vnet: String,
}

fn in_dhcp(s: &Subnet, ip: IpAddr) -> bool {
    match &s.dhcp {
        Some((a, b)) => match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
            (Ok(a), Ok(b)) => ip >= a && ip <= b,
            _ => false,
        },
        None => false,
    }
}

/// Whether scmp may hand `ip` out of the subnet: inside it, not its network or broadcast address,
/// not the gateway, not in the DHCP range.
fn assignable(s: &Subnet, net: &IpNet, ip: IpAddr) -> bool {
    net.contains(&ip)
        && ip != net.network()
        && !(net.addr().is_ipv4() && ip == net.broadcast())
        && s.gateway.parse::<IpAddr>().ok() != Some(ip)
        && !in_dhcp(s, ip)
}

/// A MAC address in Proxmox's range (`BC:24:11`).
pub(crate) fn mac(random: &scmp_common::Random) -> String {
    let b = random.bytes(3);
    format!("BC:24:11:{:02X}:{:02X}:{:02X}", b[0], b[1], b[2])
}

/// Takes `ip` in the subnet for the guest's NIC; false when it is taken.
async fn take(
    tx: &mut crate::db::Tx,
    subnet: SubnetId,
    ip: IpAddr,
    guest: GuestId,
    nic: u32,
    now: i64,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "INSERT INTO addresses (subnet_id, address, guest_id, nic, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subnet_id, address) DO NOTHING",
    )
    .bind(subnet.to_string())
    .bind(ip.to_string())
    .bind(guest.to_string())
    .bind(i64::from(nic))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}

/// How many candidates past the taken ones a search tries before it calls the subnet full (a
/// concurrent admission can take a few meanwhile).
const SEARCH_SLACK: usize = 64;

/// Gives the guest its NICs (inside its admitting transaction): an address each, recorded.
pub(crate) async fn allocate(
    tx: &mut crate::db::Tx,
    store: &DataStore,
    guest: GuestId,
    networks: &[Network],
    nics: &[NewNic],
) -> Result<(), Error> {
    let now = store.now_ms();
    for (i, nic) in nics.iter().enumerate() {
        let index = i as u32;
        let field = format!("nics[{i}]");
        let n = networks
            .iter()
            .find(|n| n.id == nic.network_id)
            .ok_or_else(|| Error::internal("a NIC's network was not read"))?;
        if n.state != NetworkState::Ready {
            return Err(Error::Conflict(format!(
                "network '{}' is {}",
                n.name,
                n.state.as_str()
            )));
        }
        let mut chosen = None;
        match nic.address {
            Some(ip) => {
                let s = n
                    .subnets
                    .iter()
                    .find(|s| s.cidr.parse::<IpNet>().is_ok_and(|net| net.contains(&ip)))
                    .ok_or_else(|| {
                        Error::invalid(
                            format!("{field}.address"),
                            format!("{ip} is in no subnet of network '{}'", n.name),
                        )
                    })?;
                let net: IpNet = s.cidr.parse().map_err(Error::internal)?;
                if !assignable(s, &net, ip) {
                    return Err(Error::invalid(
                        format!("{field}.address"),
                        format!("{ip} is the subnet's own, its gateway or in its DHCP range"),
                    ));
                }
                if !take(tx, s.id, ip, guest, index, now).await? {
                    return Err(Error::Conflict(format!(
                        "address {ip} of network '{}' is taken",
                        n.name
                    )));
                }
                chosen = Some((s.id, ip));
            }
            None => {
                'subnets: for s in &n.subnets {
                    let net: IpNet = s.cidr.parse().map_err(Error::internal)?;
                    let rows = sqlx::query("SELECT address FROM addresses WHERE subnet_id = $1")
                        .bind(s.id.to_string())
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(db_error)?;
                    let taken: std::collections::HashSet<IpAddr> = rows
                        .iter()
                        .filter_map(|r| r.try_get::<String, _>("address").ok())
                        .filter_map(|a| a.parse().ok())
                        .collect();
                    let mut tried = 0;
                    for ip in net.hosts() {
                        if taken.contains(&ip) || !assignable(s, &net, ip) {
                            continue;
                        }
                        if take(tx, s.id, ip, guest, index, now).await? {
                            chosen = Some((s.id, ip));
                            break 'subnets;
                        }
                        tried += 1;
                        if tried > SEARCH_SLACK {
                            break;
                        }
                    }
                }
            }
        }
        let Some((subnet, ip)) = chosen else {
            return Err(Error::Conflict(format!(
                "network '{}' has no free address left",
                n.name
            )));
        };
        sqlx::query(
            "INSERT INTO guest_nics (guest_id, idx, network_id, subnet_id, address, mac) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(guest.to_string())
        .bind(i64::from(index))
        .bind(n.id.to_string())
        .bind(subnet.to_string())
        .bind(ip.to_string())
        .bind(mac(&store.random))
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

impl DataStore {
    /// A guest's NICs, in order.
    pub async fn guest_nics(&self, guest: GuestId) -> Result<Vec<GuestNic>, Error> {
        let rows = sqlx::query(
            "SELECT n.idx, n.network_id, w.name, n.subnet_id, n.address, n.mac, s.cidr, \
             s.gateway, w.sdn_id FROM guest_nics n JOIN networks w ON w.id = n.network_id \
             JOIN subnets s ON s.id = n.subnet_id WHERE n.guest_id = $1 ORDER BY n.idx",
        )
        .bind(guest.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let cidr: IpNet = get_string(r, "cidr")?.parse().map_err(Error::internal)?;
                let sdn = get_string(r, "sdn_id")?;
                Ok(GuestNic {
                    index: get_u64(r, "idx")? as u32,
                    network_id: get_id(r, "network_id")?,
                    network: get_string(r, "name")?,
                    subnet_id: get_id(r, "subnet_id")?,
                    address: get_string(r, "address")?.parse().map_err(Error::internal)?,
                    prefix_len: cidr.prefix_len(),
                    gateway: get_string(r, "gateway")?,
                    mac: get_string(r, "mac")?,
                    zone: format!("z{sdn}"),
                    vnet: format!("v{sdn}"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateways_and_dhcp_ranges_are_not_handed_out() {
        let s = Subnet {
            id: SubnetId::new(),
            network_id: NetworkId::new(),
            cidr: "10.0.0.0/29".into(),
            gateway: "10.0.0.1".into(),
            dhcp: Some(("10.0.0.5".into(), "10.0.0.6".into())),
            snat: false,
        };
        let net: IpNet = s.cidr.parse().unwrap();
        let free: Vec<IpAddr> = net.hosts().filter(|ip| assignable(&s, &net, *ip)).collect();
        let want: Vec<IpAddr> = ["10.0.0.2", "10.0.0.3", "10.0.0.4"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        assert_eq!(free, want);
        assert!(mac(&scmp_common::Random::seeded(1)).starts_with("BC:24:11:"));
    }
}
