//! Public pools: the platform's prefixes of public addresses per site, IPv4 or IPv6, NATed 1:1
//! at the site's edge router or routed to guests on an uplink bridge and VLAN; checked as the
//! site's routers need them, never overlapping at a site, removed only when no project holds an
//! address of them.

use std::net::IpAddr;

use ipnet::IpNet;
use scmp_common::{Error, Name, PublicPoolId, ResourceKind, SiteId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, get_u64, is_unique_violation, DataStore};

/// How a pool's addresses reach guests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicMode {
    /// 1:1 NAT at the site's edge router to the private address of one of the guest's NICs.
    Nat,
    /// Routed to the guest: a NIC of its own on the pool's uplink bridge and VLAN.
    Routed,
}

impl PublicMode {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicMode::Nat => "nat",
            PublicMode::Routed => "routed",
        }
    }
}

impl std::str::FromStr for PublicMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "nat" => Ok(PublicMode::Nat),
            "routed" => Ok(PublicMode::Routed),
            other => Err(Error::invalid(
                "mode",
                format!("unknown mode {other:?} (nat or routed)"),
            )),
        }
    }
}

/// IPv4 or IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

impl Family {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }

    /// The family of an address.
    pub fn of(ip: &IpAddr) -> Self {
        if ip.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        }
    }
}

impl std::str::FromStr for Family {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "ipv4" => Ok(Family::Ipv4),
            "ipv6" => Ok(Family::Ipv6),
            other => Err(Error::invalid(
                "family",
                format!("unknown family {other:?} (ipv4 or ipv6)"),
            )),
        }
    }
}

/// A pool to define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublicPool {
    /// Its site.
    pub site_id: SiteId,
    /// Its name, unique at the site.
    pub name: Name,
    /// The prefix (`203.0.113.0/28`, `2001:db8:1::/64`).
    pub cidr: IpNet,
    /// The upstream gateway in it (never handed out; routed addresses' gateway).
    pub gateway: Option<IpAddr>,
    /// NAT or routed.
    pub mode: PublicMode,
    /// The uplink bridge routed addresses' NICs are on.
    pub bridge: String,
    /// Its VLAN tag (0: untagged).
    pub vlan: u32,
}

/// A pool of public addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPool {
    /// Its id.
    pub id: PublicPoolId,
    /// Its site.
    pub site_id: SiteId,
    /// Its name.
    pub name: Name,
    /// The prefix.
    pub cidr: IpNet,
    /// IPv4 or IPv6.
    pub family: Family,
    /// The gateway, if any.
    pub gateway: Option<IpAddr>,
    /// NAT or routed.
    pub mode: PublicMode,
    /// The uplink bridge (routed).
    pub bridge: String,
    /// The VLAN tag (0: untagged).
    pub vlan: u32,
    /// Addresses held from it.
    pub allocated: u64,
    /// Created (ms since the epoch).
    pub created_at: i64,
}

impl PublicPool {
    /// How many addresses it can hand out (capped for IPv6's huge prefixes).
    pub fn size(&self) -> u64 {
        self.candidates().take(1 << 20).count() as u64
    }

    /// The addresses it hands out, lowest first: not the network's own, not IPv4's broadcast,
    /// not the gateway.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = IpAddr> + '_ {
        let net = self.cidr;
        net.hosts().filter(move |ip| {
            *ip != net.network()
                && !(net.addr().is_ipv4() && *ip == net.broadcast())
                && Some(*ip) != self.gateway
        })
    }
}

/// Checks a pool as the site's routers need it.
pub fn check_pool(p: &NewPublicPool) -> Result<(), Error> {
    if p.cidr != p.cidr.trunc() {
        return Err(Error::invalid(
            "cidr",
            format!(
                "{} has host bits set; the prefix is {}",
                p.cidr,
                p.cidr.trunc()
            ),
        ));
    }
    let (min, max) = if p.cidr.addr().is_ipv4() {
        (20, 32)
    } else {
        (48, 128)
    };
    if p.cidr.prefix_len() < min || p.cidr.prefix_len() > max {
        return Err(Error::invalid(
            "cidr",
            format!("a pool's prefix is /{min} to /{max} long"),
        ));
    }
    if let Some(g) = p.gateway {
        if !p.cidr.contains(&g) || g == p.cidr.network() {
            return Err(Error::invalid(
                "gateway",
                format!("{g} is not a host address of {}", p.cidr),
            ));
        }
    }
    match p.mode {
        PublicMode::Nat if p.cidr.addr().is_ipv6() => Err(Error::invalid(
            "mode",
            "IPv6 addresses are routed, not NATed: use mode routed",
        )),
        PublicMode::Routed if p.gateway.is_none() => Err(Error::invalid(
            "gateway",
            "a routed pool needs the gateway its guests use",
        )),
        PublicMode::Routed
            if p.bridge.is_empty()
                || p.bridge.len() > 15
                || !p
                    .bridge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) =>
        {
            Err(Error::invalid(
                "bridge",
                "a routed pool needs the uplink bridge on the nodes (vmbr1)",
            ))
        }
        _ if p.vlan > 4094 => Err(Error::invalid("vlan", "VLAN tags are 1 to 4094 (0: none)")),
        _ => Ok(()),
    }
}

const POOL_COLUMNS: &str = "p.id AS pool_id, p.site_id AS pool_site, p.name AS pool_name, \
     p.cidr, p.family, p.gateway, p.mode, p.bridge, p.vlan, p.created_at AS pool_created";

pub(crate) fn pool(row: &AnyRow, allocated: u64) -> Result<PublicPool, Error> {
    let gateway = get_string(row, "gateway")?;
    Ok(PublicPool {
        id: get_id(row, "pool_id")?,
        site_id: get_id(row, "pool_site")?,
        name: get_name(row, "pool_name")?,
        cidr: get_string(row, "cidr")?.parse().map_err(Error::internal)?,
        family: get_string(row, "family")?.parse()?,
        gateway: if gateway.is_empty() {
            None
        } else {
            Some(gateway.parse().map_err(Error::internal)?)
        },
        mode: get_string(row, "mode")?.parse()?,
        bridge: get_string(row, "bridge")?,
        vlan: get_u64(row, "vlan")? as u32,
        allocated,
        created_at: row.try_get("pool_created").map_err(Error::internal)?,
    })
}

fn pool_not_found(name: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::PublicPool,
        name: name.to_string(),
    }
}

impl DataStore {
    /// Defines a pool at a site; refused when it overlaps another of the site's pools.
    pub async fn public_pool_create(&self, new: &NewPublicPool) -> Result<PublicPool, Error> {
        check_pool(new)?;
        for other in self.public_pool_list(new.site_id).await? {
            if other.cidr.contains(&new.cidr.network()) || new.cidr.contains(&other.cidr.network())
            {
                return Err(Error::Conflict(format!(
                    "{} overlaps the site's pool '{}' ({})",
                    new.cidr, other.name, other.cidr
                )));
            }
        }
        let id = self.random.id::<PublicPoolId>();
        let family = if new.cidr.addr().is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        };
        let done = sqlx::query(
            "INSERT INTO public_pools (id, site_id, name, cidr, family, gateway, mode, bridge, vlan, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(new.site_id.to_string())
        .bind(new.name.as_str())
        .bind(new.cidr.to_string())
        .bind(family.as_str())
        .bind(new.gateway.map(|g| g.to_string()).unwrap_or_default())
        .bind(new.mode.as_str())
        .bind(&new.bridge)
        .bind(i64::from(new.vlan))
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await;
        match done {
            Ok(_) => self.public_pool_get(id).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::PublicPool,
                name: new.name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    async fn pools_where(&self, clause: &str, value: String) -> Result<Vec<PublicPool>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {POOL_COLUMNS}, (SELECT COUNT(*) FROM public_addresses a WHERE a.pool_id = p.id) \
             AS allocated FROM public_pools p WHERE {clause} ORDER BY p.name"
        ))
        .bind(value)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| pool(r, get_u64(r, "allocated")?))
            .collect()
    }

    /// A pool by id.
    pub async fn public_pool_get(&self, id: PublicPoolId) -> Result<PublicPool, Error> {
        self.pools_where("p.id = $1", id.to_string())
            .await?
            .pop()
            .ok_or_else(|| pool_not_found(&id.to_string()))
    }

    /// A site's pool by name.
    pub async fn public_pool_by_name(&self, site: SiteId, name: &str) -> Result<PublicPool, Error> {
        self.public_pool_list(site)
            .await?
            .into_iter()
            .find(|p| p.name.as_str() == name)
            .ok_or_else(|| pool_not_found(name))
    }

    /// A site's pools by name.
    pub async fn public_pool_list(&self, site: SiteId) -> Result<Vec<PublicPool>, Error> {
        self.pools_where("p.site_id = $1", site.to_string()).await
    }

    /// Removes a pool; refused while projects hold addresses of it.
    pub async fn public_pool_delete(&self, id: PublicPoolId) -> Result<(), Error> {
        let p = self.public_pool_get(id).await?;
        let done = sqlx::query(
            "DELETE FROM public_pools WHERE id = $1 AND NOT EXISTS \
             (SELECT 1 FROM public_addresses WHERE pool_id = $1)",
        )
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "pool '{}' still has addresses held by projects",
                p.name
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(cidr: &str, gateway: Option<&str>, mode: PublicMode) -> NewPublicPool {
        NewPublicPool {
            site_id: SiteId::new(),
            name: Name::new("p").unwrap(),
            cidr: cidr.parse().unwrap(),
            gateway: gateway.map(|g| g.parse().unwrap()),
            mode,
            bridge: "vmbr1".into(),
            vlan: 0,
        }
    }

    #[test]
    fn pools_are_checked_as_routers_need_them() {
        assert!(check_pool(&pool("203.0.113.0/28", None, PublicMode::Nat)).is_ok());
        assert!(check_pool(&pool("203.0.113.1/28", None, PublicMode::Nat)).is_err());
        assert!(check_pool(&pool("2001:db8::/64", Some("2001:db8::1"), PublicMode::Nat)).is_err());
        assert!(check_pool(&pool(
            "2001:db8::/64",
            Some("2001:db8::1"),
            PublicMode::Routed
        ))
        .is_ok());
        assert!(check_pool(&pool("203.0.113.0/28", None, PublicMode::Routed)).is_err());
        assert!(check_pool(&pool(
            "203.0.113.0/28",
            Some("198.51.100.1"),
            PublicMode::Nat
        ))
        .is_err());
        assert!(check_pool(&pool("10.0.0.0/8", None, PublicMode::Nat)).is_err());
    }

    #[test]
    fn the_gateway_and_the_network_are_never_handed_out() {
        let p = PublicPool {
            id: PublicPoolId::new(),
            site_id: SiteId::new(),
            name: Name::new("p").unwrap(),
            cidr: "203.0.113.0/29".parse().unwrap(),
            family: Family::Ipv4,
            gateway: Some("203.0.113.1".parse().unwrap()),
            mode: PublicMode::Routed,
            bridge: "vmbr1".into(),
            vlan: 0,
            allocated: 0,
            created_at: 0,
        };
        let all: Vec<String> = p.candidates().map(|ip| ip.to_string()).collect();
        assert_eq!(
            all,
            [
                "203.0.113.2",
                "203.0.113.3",
                "203.0.113.4",
                "203.0.113.5",
                "203.0.113.6"
            ]
        );
        assert_eq!(p.size(), 5);
    }
}
