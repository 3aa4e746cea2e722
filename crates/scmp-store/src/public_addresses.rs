//! Public addresses: what projects hold of their sites' pools ([`crate::public_pools`]). An
//! allocation takes the project's quota and the lowest free address of the site's pools in one
//! transaction; (pool, address) is unique, so no address is handed out twice. Binding an address
//! to a guest is one conditional update (only a free address binds, one per NIC), so two
//! attachments never share it.

use std::net::IpAddr;

use scmp_common::{
    Error, GuestId, ProjectId, PublicAddressId, PublicPoolId, ResourceDelta, ResourceKind,
    Resources, SiteId, TenantId,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{
    db_error, get_id, get_opt_id, get_string, get_u64, is_unique_violation, DataStore,
};
use crate::public_pools::{pool, Family, PublicPool};

/// Where an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicState {
    /// Held by the project, on no guest.
    Free,
    /// Bound to a guest, being set up there.
    Attaching,
    /// On its guest.
    Attached,
    /// Being taken off its guest.
    Detaching,
}

impl PublicState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicState::Free => "free",
            PublicState::Attaching => "attaching",
            PublicState::Attached => "attached",
            PublicState::Detaching => "detaching",
        }
    }
}

impl std::str::FromStr for PublicState {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "free" => PublicState::Free,
            "attaching" => PublicState::Attaching,
            "attached" => PublicState::Attached,
            "detaching" => PublicState::Detaching,
            other => return Err(Error::internal(format!("unknown address state {other:?}"))),
        })
    }
}

/// An address held by a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAddress {
    /// Its id.
    pub id: PublicAddressId,
    /// The address.
    pub address: IpAddr,
    /// Its pool.
    pub pool: PublicPool,
    /// The holder.
    pub tenant_id: TenantId,
    /// The holding project.
    pub project_id: ProjectId,
    /// Free text.
    pub description: String,
    /// Its guest, when bound to one.
    pub guest_id: Option<GuestId>,
    /// The guest's name, when bound.
    pub guest_name: Option<String>,
    /// NAT: the guest's NIC whose address it maps to; routed: the NIC it is.
    pub nic: u32,
    /// The MAC address of its NIC (routed).
    pub mac: String,
    /// Where it is.
    pub state: PublicState,
    /// Allocated (ms since the epoch).
    pub created_at: i64,
    /// Last changed (ms since the epoch).
    pub updated_at: i64,
}

/// A NAT entry of a site: public to private.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatEntry {
    /// The public address.
    pub public: IpAddr,
    /// The private address it maps to.
    pub private: IpAddr,
    /// The guest's name.
    pub guest: String,
}

const ADDRESS_SELECT: &str = "SELECT a.id, a.address, a.tenant_id, a.project_id, a.description, \
     a.guest_id, g.name AS guest_name, a.nic, a.mac, a.state, a.created_at, a.updated_at, \
     p.id AS pool_id, p.site_id AS pool_site, p.name AS pool_name, p.cidr, p.family, p.gateway, \
     p.mode, p.bridge, p.vlan, p.created_at AS pool_created \
     FROM public_addresses a JOIN public_pools p ON p.id = a.pool_id \
     LEFT JOIN guests g ON g.id = a.guest_id";

fn address(row: &AnyRow) -> Result<PublicAddress, Error> {
    Ok(PublicAddress {
        id: get_id(row, "id")?,
        address: get_string(row, "address")?
            .parse()
            .map_err(Error::internal)?,
        pool: pool(row, 0)?,
        tenant_id: get_id(row, "tenant_id")?,
        project_id: get_id(row, "project_id")?,
        description: get_string(row, "description")?,
        guest_id: get_opt_id(row, "guest_id")?,
        guest_name: row.try_get("guest_name").map_err(Error::internal)?,
        nic: get_u64(row, "nic")? as u32,
        mac: get_string(row, "mac")?,
        state: get_string(row, "state")?.parse()?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::PublicAddress,
        name: name.to_string(),
    }
}

/// One public address more (or less) of a project's quota.
fn one_address(n: i64) -> ResourceDelta {
    ResourceDelta {
        public_addresses: n,
        ..ResourceDelta::default()
    }
}

/// What to allocate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublicAddress {
    /// The holder.
    pub tenant_id: TenantId,
    /// The holding project.
    pub project_id: ProjectId,
    /// The site.
    pub site_id: SiteId,
    /// IPv4 or IPv6.
    pub family: Family,
    /// The pool to take it from (else any pool of the site of the family).
    pub pool_id: Option<PublicPoolId>,
    /// The address asked for, if any.
    pub address: Option<IpAddr>,
    /// Free text.
    pub description: String,
}

/// How many candidates past the taken ones a search tries before it calls the pools full.
const SEARCH_SLACK: usize = 64;

/// Detaches every address of a guest that is being removed (inside its removal).
pub(crate) async fn release_guest(
    tx: &mut crate::db::Tx,
    guest: GuestId,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE public_addresses SET guest_id = NULL, nic = 0, state = 'free', updated_at = $1 \
         WHERE guest_id = $2",
    )
    .bind(now)
    .bind(guest.to_string())
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

impl DataStore {
    /// Allocates an address for a project: its quota and the address in one transaction.
    pub async fn public_address_allocate(
        &self,
        new: &NewPublicAddress,
    ) -> Result<PublicAddress, Error> {
        crate::tenants::check_text("description", &new.description)?;
        let pools: Vec<PublicPool> = self
            .public_pool_list(new.site_id)
            .await?
            .into_iter()
            .filter(|p| p.family == new.family && new.pool_id.is_none_or(|id| id == p.id))
            .collect();
        if pools.is_empty() {
            return Err(Error::Conflict(format!(
                "the site has no {} pool{}",
                new.family.as_str(),
                if new.pool_id.is_some() {
                    " of that id"
                } else {
                    ""
                }
            )));
        }
        let mut tx = self.begin().await?;
        if !self
            .change_project_usage(&mut tx, new.project_id, one_address(1))
            .await?
        {
            drop(tx);
            let one = Resources {
                public_addresses: 1,
                ..Resources::ZERO
            };
            return Err(self.quota_refusal(new.project_id, &one).await);
        }
        let id = self.random.id::<PublicAddressId>();
        let now = self.now_ms();
        let mac = crate::addresses::mac(&self.random);
        let chosen = match new.address {
            Some(ip) => {
                let p = pools.iter().find(|p| p.cidr.contains(&ip)).ok_or_else(|| {
                    Error::invalid("address", format!("{ip} is in no pool of the site"))
                })?;
                if Some(ip) == p.gateway
                    || ip == p.cidr.network()
                    || (ip.is_ipv4() && ip == p.cidr.broadcast())
                {
                    return Err(Error::invalid(
                        "address",
                        format!("{ip} is the pool's network, broadcast or gateway address"),
                    ));
                }
                if !take(&mut tx, id, p, ip, new, now, &mac).await? {
                    return Err(Error::Conflict(format!("{ip} is held already")));
                }
                ip
            }
            None => {
                let mut found = None;
                'pools: for p in &pools {
                    let rows =
                        sqlx::query("SELECT address FROM public_addresses WHERE pool_id = $1")
                            .bind(p.id.to_string())
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    let taken: std::collections::HashSet<IpAddr> = rows
                        .iter()
                        .filter_map(|r| r.try_get::<String, _>("address").ok())
                        .filter_map(|a| a.parse().ok())
                        .collect();
                    let mut tried = 0;
                    for ip in p.candidates().filter(|ip| !taken.contains(ip)) {
                        if take(&mut tx, id, p, ip, new, now, &mac).await? {
                            found = Some(ip);
                            break 'pools;
                        }
                        tried += 1;
                        if tried > SEARCH_SLACK {
                            break;
                        }
                    }
                }
                let Some(ip) = found else {
                    return Err(Error::Conflict(format!(
                        "the site's {} pools have no free address left",
                        new.family.as_str()
                    )));
                };
                ip
            }
        };
        tx.commit().await?;
        tracing::debug!(address = %chosen, "public address allocated");
        self.public_address_get(id).await
    }

    /// An address by id.
    pub async fn public_address_get(&self, id: PublicAddressId) -> Result<PublicAddress, Error> {
        let row = sqlx::query(&format!("{ADDRESS_SELECT} WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?
            .ok_or_else(|| not_found(&id.to_string()))?;
        address(&row)
    }

    /// A project's addresses in id order, `limit` after the one with id `after`.
    pub async fn public_address_list(
        &self,
        project: ProjectId,
        after: Option<PublicAddressId>,
        limit: u32,
    ) -> Result<Vec<PublicAddress>, Error> {
        let rows = sqlx::query(&format!(
            "{ADDRESS_SELECT} WHERE a.project_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3"
        ))
        .bind(project.to_string())
        .bind(after.map(|a| a.to_string()).unwrap_or_default())
        .bind(i64::from(limit.min(1000)))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(address).collect()
    }

    /// A guest's addresses.
    pub async fn guest_public_addresses(
        &self,
        guest: GuestId,
    ) -> Result<Vec<PublicAddress>, Error> {
        let rows = sqlx::query(&format!(
            "{ADDRESS_SELECT} WHERE a.guest_id = $1 ORDER BY a.nic, a.address"
        ))
        .bind(guest.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(address).collect()
    }

    /// Binds a free address to a guest's NIC (`attaching`); false when it is not free any more
    /// or, for a routed address, the NIC index is taken by another.
    pub async fn public_address_bind(
        &self,
        id: PublicAddressId,
        guest: GuestId,
        nic: u32,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE public_addresses SET guest_id = $1, nic = $2, state = 'attaching', updated_at = $3 \
             WHERE id = $4 AND state = 'free' AND guest_id IS NULL",
        )
        .bind(guest.to_string())
        .bind(i64::from(nic))
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await;
        match done {
            Ok(done) => Ok(done.rows_affected() == 1),
            // Another address took the NIC meanwhile.
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(db_error(e)),
        }
    }

    /// Moves a bound address to `state` (`attached`, `detaching`), as long as it is bound to
    /// `guest`.
    pub async fn public_address_set_state(
        &self,
        id: PublicAddressId,
        guest: GuestId,
        state: PublicState,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE public_addresses SET state = $1, updated_at = $2 WHERE id = $3 AND guest_id = $4",
        )
        .bind(state.as_str())
        .bind(self.now_ms())
        .bind(id.to_string())
        .bind(guest.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Unbinds an address from `guest` (free again); done when it is not bound to it.
    pub async fn public_address_unbind(
        &self,
        id: PublicAddressId,
        guest: GuestId,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE public_addresses SET guest_id = NULL, nic = 0, state = 'free', updated_at = $1 \
             WHERE id = $2 AND guest_id = $3",
        )
        .bind(self.now_ms())
        .bind(id.to_string())
        .bind(guest.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Releases a free address and its quota together; refused while it is on a guest.
    pub async fn public_address_release(&self, id: PublicAddressId) -> Result<(), Error> {
        let a = self.public_address_get(id).await?;
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM public_addresses WHERE id = $1 AND state = 'free'")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "{} is on guest '{}': detach it first",
                a.address,
                a.guest_name.as_deref().unwrap_or("?")
            )));
        }
        if !self
            .change_project_usage(&mut tx, a.project_id, one_address(-1))
            .await?
        {
            return Err(Error::internal("releasing more than the project holds"));
        }
        tx.commit().await
    }

    /// A site's 1:1 NAT table: every attached NAT address with the private address of its NIC.
    pub async fn site_nat_table(&self, site: SiteId) -> Result<Vec<NatEntry>, Error> {
        let rows = sqlx::query(
            "SELECT a.address, n.address AS private, g.name FROM public_addresses a \
             JOIN public_pools p ON p.id = a.pool_id JOIN guests g ON g.id = a.guest_id \
             JOIN guest_nics n ON n.guest_id = a.guest_id AND n.idx = a.nic \
             WHERE p.site_id = $1 AND p.mode = 'nat' AND a.state = 'attached' ORDER BY a.address",
        )
        .bind(site.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(NatEntry {
                    public: get_string(r, "address")?.parse().map_err(Error::internal)?,
                    private: get_string(r, "private")?.parse().map_err(Error::internal)?,
                    guest: get_string(r, "name")?,
                })
            })
            .collect()
    }
}

/// Takes `ip` of the pool for the new address; false when it is held already.
async fn take(
    tx: &mut crate::db::Tx,
    id: PublicAddressId,
    p: &PublicPool,
    ip: IpAddr,
    new: &NewPublicAddress,
    now: i64,
    mac: &str,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "INSERT INTO public_addresses (id, pool_id, address, tenant_id, project_id, site_id, \
         description, guest_id, nic, mac, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, $9, 'free', $8, $8) \
         ON CONFLICT (pool_id, address) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(p.id.to_string())
    .bind(ip.to_string())
    .bind(new.tenant_id.to_string())
    .bind(new.project_id.to_string())
    .bind(new.site_id.to_string())
    .bind(&new.description)
    .bind(now)
    .bind(mac)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}
