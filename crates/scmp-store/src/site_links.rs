//! Site links: the datacentre's WireGuard hub and each linked site's tunnel address, port and
//! public key. A site's tunnel address is the lowest free one of the hub's prefix after the hub's
//! own, unique in the table, so never given twice; the hub's prefix cannot shrink past an address
//! in use.

use std::net::IpAddr;

use ipnet::IpNet;
use scmp_common::{Error, SiteId, TenantId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, get_u64, is_unique_violation, DataStore};

/// The datacentre's hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkHub {
    /// Where the sites reach it (`hub.example.net:51820`).
    pub endpoint: String,
    /// Its public key (WireGuard's base64).
    pub public_key: String,
    /// The tunnel prefix; the hub has its first address.
    pub tunnel: IpNet,
    /// The port it listens on.
    pub listen_port: u16,
}

impl LinkHub {
    /// The hub's own tunnel address.
    pub fn address(&self) -> Option<IpAddr> {
        nth(&self.tunnel, 1)
    }
}

/// A linked site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink {
    /// The site.
    pub site_id: SiteId,
    /// Its tunnel address.
    pub address: IpAddr,
    /// The port it listens on.
    pub listen_port: u16,
    /// The public key its agent made (empty until it answered).
    pub public_key: String,
    /// How often its key was made (1: the first).
    pub key_version: u64,
    /// When its key was last made (ms; 0: not yet).
    pub key_at: i64,
    /// When it was linked (ms).
    pub created_at: i64,
}

/// A subnet of a tenant network, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedSubnet {
    /// The network's tenant.
    pub tenant_id: TenantId,
    /// Its site.
    pub site_id: SiteId,
    /// The network's name.
    pub network: String,
    /// The prefix.
    pub cidr: IpNet,
}

/// The `n`th address of a prefix.
fn nth(net: &IpNet, n: u128) -> Option<IpAddr> {
    match net {
        IpNet::V4(v4) => {
            let base = u32::from(v4.network());
            let n = u32::try_from(n).ok()?;
            let a = base.checked_add(n)?;
            (n < (1u32 << (32 - v4.prefix_len())).max(1)).then(|| IpAddr::from(a.to_be_bytes()))
        }
        IpNet::V6(v6) => {
            let base = u128::from(v6.network());
            let span = 128 - u32::from(v6.prefix_len());
            let fits = span >= 128 || n < (1u128 << span);
            fits.then(|| IpAddr::from(base.wrapping_add(n).to_be_bytes()))
        }
    }
}

/// Checks a WireGuard public key: 32 bytes in base64.
pub fn check_public_key(field: &str, key: &str) -> Result<(), Error> {
    use base64::Engine;
    let ok = base64::engine::general_purpose::STANDARD
        .decode(key)
        .is_ok_and(|b| b.len() == 32);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "not a WireGuard key (32 bytes in base64)",
        ))
    }
}

fn link(row: &AnyRow) -> Result<SiteLink, Error> {
    let address = get_string(row, "address")?;
    Ok(SiteLink {
        site_id: get_id(row, "site_id")?,
        address: address.parse().map_err(Error::internal)?,
        listen_port: u16::try_from(get_u64(row, "listen_port")?).map_err(Error::internal)?,
        public_key: get_string(row, "public_key")?,
        key_version: get_u64(row, "key_version")?,
        key_at: row.try_get("key_at").map_err(Error::internal)?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
    })
}

const LINK_COLUMNS: &str =
    "site_id, address, listen_port, public_key, key_version, key_at, created_at";

impl DataStore {
    /// The hub, if the platform has one.
    pub async fn link_hub(&self) -> Result<Option<LinkHub>, Error> {
        let row = sqlx::query(
            "SELECT endpoint, public_key, tunnel_cidr, listen_port FROM link_hub WHERE id = 1",
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            Ok(LinkHub {
                endpoint: get_string(&r, "endpoint")?,
                public_key: get_string(&r, "public_key")?,
                tunnel: get_string(&r, "tunnel_cidr")?
                    .parse()
                    .map_err(Error::internal)?,
                listen_port: u16::try_from(get_u64(&r, "listen_port")?).map_err(Error::internal)?,
            })
        })
        .transpose()
    }

    /// Sets the hub; a prefix that leaves out a site's tunnel address is refused.
    pub async fn link_hub_set(&self, hub: &LinkHub) -> Result<(), Error> {
        check_public_key("public_key", &hub.public_key)?;
        let mut tx = self.begin().await?;
        let rows = sqlx::query("SELECT address FROM site_links")
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
        for r in &rows {
            let a: IpAddr = get_string(r, "address")?.parse().map_err(Error::internal)?;
            if !hub.tunnel.contains(&a) || Some(a) == hub.address() {
                return Err(Error::Conflict(format!(
                    "a site's tunnel address {a} is outside {} or the hub's own",
                    hub.tunnel
                )));
            }
        }
        sqlx::query("DELETE FROM link_hub WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO link_hub (id, endpoint, public_key, tunnel_cidr, listen_port, updated_at) \
             VALUES (1, $1, $2, $3, $4, $5)",
        )
        .bind(&hub.endpoint)
        .bind(&hub.public_key)
        .bind(hub.tunnel.to_string())
        .bind(i64::from(hub.listen_port))
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await?;
        Ok(())
    }

    /// Links a site: its tunnel address the lowest free one after the hub's (none twice, also
    /// under concurrency). Linked already: as it is.
    pub async fn site_link_enable(
        &self,
        site: SiteId,
        listen_port: u16,
    ) -> Result<SiteLink, Error> {
        let hub = self
            .link_hub()
            .await?
            .ok_or_else(|| Error::Conflict("the platform has no site link hub yet".into()))?;
        for _ in 0..16 {
            if let Some(l) = self.site_link(site).await? {
                return Ok(l);
            }
            let rows = sqlx::query("SELECT address FROM site_links")
                .fetch_all(&mut *self.read().await?)
                .await
                .map_err(db_error)?;
            let taken: Vec<String> = rows
                .iter()
                .map(|r| get_string(r, "address"))
                .collect::<Result<_, _>>()?;
            let free = (2u128..)
                .map_while(|n| nth(&hub.tunnel, n))
                .find(|a| !taken.contains(&a.to_string()) && !is_broadcast(&hub.tunnel, a))
                .ok_or_else(|| {
                    Error::Conflict(format!("the tunnel prefix {} is used up", hub.tunnel))
                })?;
            let now = self.now_ms();
            let inserted = sqlx::query(&format!(
                "INSERT INTO site_links ({LINK_COLUMNS}, updated_at) VALUES ($1, $2, $3, '', 0, 0, $4, $4)"
            ))
            .bind(site.to_string())
            .bind(free.to_string())
            .bind(i64::from(listen_port))
            .bind(now)
            .execute(&mut *self.write().await?)
            .await;
            match inserted {
                Ok(_) => {}
                // Another site took the address, or this site was linked meanwhile: again.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(db_error(e)),
            }
        }
        self.site_link(site).await?.ok_or_else(|| {
            Error::Conflict("the tunnel addresses are being taken; try again".into())
        })
    }

    /// A site's link, if it has one.
    pub async fn site_link(&self, site: SiteId) -> Result<Option<SiteLink>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM site_links WHERE site_id = $1"
        ))
        .bind(site.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(link).transpose()
    }

    /// Every linked site, by tunnel address.
    pub async fn site_link_list(&self) -> Result<Vec<SiteLink>, Error> {
        let rows = sqlx::query(&format!("SELECT {LINK_COLUMNS} FROM site_links"))
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        let mut out: Vec<SiteLink> = rows.iter().map(link).collect::<Result<_, _>>()?;
        out.sort_by_key(|l| l.address);
        Ok(out)
    }

    /// Records the public key a site's agent made; a new key is a new version.
    pub async fn site_link_set_key(
        &self,
        site: SiteId,
        public_key: &str,
    ) -> Result<SiteLink, Error> {
        check_public_key("public_key", public_key)?;
        let now = self.now_ms();
        sqlx::query(
            "UPDATE site_links SET public_key = $1, key_version = key_version + 1, key_at = $2, \
             updated_at = $2 WHERE site_id = $3 AND public_key <> $1",
        )
        .bind(public_key)
        .bind(now)
        .bind(site.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        self.site_link(site)
            .await?
            .ok_or_else(|| Error::not_found(scmp_common::ResourceKind::Site, site.to_string()))
    }

    /// Unlinks a site (its tunnel address is free again).
    pub async fn site_link_delete(&self, site: SiteId) -> Result<(), Error> {
        sqlx::query("DELETE FROM site_links WHERE site_id = $1")
            .bind(site.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// The subnets of every ready tenant network, with their tenant and site.
    pub async fn placed_subnets(&self) -> Result<Vec<PlacedSubnet>, Error> {
        let rows = sqlx::query(
            "SELECT n.tenant_id, n.site_id, n.name, s.cidr FROM networks n \
             JOIN subnets s ON s.network_id = n.id WHERE n.state = 'ready' ORDER BY s.cidr",
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(PlacedSubnet {
                    tenant_id: get_id(r, "tenant_id")?,
                    site_id: get_id(r, "site_id")?,
                    network: get_string(r, "name")?,
                    cidr: get_string(r, "cidr")?.parse().map_err(Error::internal)?,
                })
            })
            .collect()
    }
}

fn is_broadcast(net: &IpNet, a: &IpAddr) -> bool {
    matches!(net, IpNet::V4(_)) && *a == net.broadcast()
}
