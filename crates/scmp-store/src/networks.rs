//! Tenant networks: a project's network at a site, realised as one SDN zone and VNet on each of
//! the site's clusters. Its admission reserves the project's network quota, takes the lowest free
//! VLAN tag or VNI of the site's pool (unique per site in the table, so never twice) and records
//! its operation, all in one transaction. Deletion is refused while guests have NICs on it.

use scmp_common::{
    Error, Name, NetworkId, ProjectId, ResourceDelta, ResourceKind, SiteId, SubnetId, TenantId,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, get_u64, is_unique_violation, DataStore};
use crate::operations::{NewOperation, Operation, Subject};

/// How a site realises tenant networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneType {
    /// VLANs on a VLAN-aware bridge.
    Vlan,
    /// VXLAN tunnels between the nodes.
    Vxlan,
    /// VXLAN with a BGP-EVPN controller.
    Evpn,
    /// One isolated bridge per network on each node (no uplink).
    Simple,
}

impl ZoneType {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneType::Vlan => "vlan",
            ZoneType::Vxlan => "vxlan",
            ZoneType::Evpn => "evpn",
            ZoneType::Simple => "simple",
        }
    }

    /// The largest tag the type takes (VLAN ids, VNIs).
    pub fn max_tag(self) -> u64 {
        match self {
            ZoneType::Vlan => 4094,
            ZoneType::Vxlan | ZoneType::Evpn => 16_777_215,
            // A simple zone takes no tag; scmp still numbers its networks per site.
            ZoneType::Simple => 16_777_215,
        }
    }
}

impl std::str::FromStr for ZoneType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "vlan" => ZoneType::Vlan,
            "vxlan" => ZoneType::Vxlan,
            "evpn" => ZoneType::Evpn,
            "simple" => ZoneType::Simple,
            other => {
                return Err(Error::invalid(
                    "zone_type",
                    format!("unknown zone type {other:?} (vlan, vxlan, evpn or simple)"),
                ))
            }
        })
    }
}

/// A site's network settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteNetworking {
    /// The zone type of its tenant networks.
    pub zone_type: ZoneType,
    /// The VLAN-aware bridge (VLAN zones).
    pub bridge: String,
    /// The VXLAN peers (the nodes' addresses), comma-separated.
    pub peers: String,
    /// The EVPN controller's id on the clusters.
    pub controller: String,
    /// The first tag of the pool.
    pub tag_min: u64,
    /// The last tag of the pool.
    pub tag_max: u64,
    /// The networks' MTU (0: the zone's default).
    pub mtu: u64,
}

impl Default for SiteNetworking {
    fn default() -> Self {
        Self {
            zone_type: ZoneType::Vlan,
            bridge: "vmbr0".into(),
            peers: String::new(),
            controller: String::new(),
            tag_min: 1000,
            tag_max: 1999,
            mtu: 0,
        }
    }
}

impl SiteNetworking {
    /// Checks the settings as Proxmox would need them.
    pub fn check(&self) -> Result<(), Error> {
        if self.tag_min < 1 || self.tag_min > self.tag_max {
            return Err(Error::invalid(
                "tag_min",
                format!(
                    "the pool {}-{} is empty or starts below 1",
                    self.tag_min, self.tag_max
                ),
            ));
        }
        if self.tag_max > self.zone_type.max_tag() {
            return Err(Error::invalid(
                "tag_max",
                format!(
                    "a {} zone's tags end at {}",
                    self.zone_type.as_str(),
                    self.zone_type.max_tag()
                ),
            ));
        }
        let iface = |s: &str| {
            !s.is_empty()
                && s.len() <= 15
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        match self.zone_type {
            ZoneType::Vlan if !iface(&self.bridge) => Err(Error::invalid(
                "bridge",
                "a VLAN zone needs the name of a bridge on the nodes (vmbr0)",
            )),
            ZoneType::Vxlan
                if self.peers.is_empty()
                    || self
                        .peers
                        .split(',')
                        .any(|p| p.trim().parse::<std::net::IpAddr>().is_err()) =>
            {
                Err(Error::invalid(
                    "peers",
                    "a VXLAN zone needs the nodes' addresses, comma-separated",
                ))
            }
            ZoneType::Evpn if !iface(&self.controller) => Err(Error::invalid(
                "controller",
                "an EVPN zone needs its controller's id",
            )),
            _ => Ok(()),
        }
    }
}

/// Where a network is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkState {
    /// Being made on the site's clusters.
    Creating,
    /// On every cluster of its site.
    Ready,
    /// Its subnets are being changed.
    Updating,
    /// Being removed.
    Deleting,
}

impl NetworkState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkState::Creating => "creating",
            NetworkState::Ready => "ready",
            NetworkState::Updating => "updating",
            NetworkState::Deleting => "deleting",
        }
    }

    fn parse(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "creating" => NetworkState::Creating,
            "ready" => NetworkState::Ready,
            "updating" => NetworkState::Updating,
            "deleting" => NetworkState::Deleting,
            other => return Err(Error::internal(format!("unknown network state {other:?}"))),
        })
    }
}

/// A subnet to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubnet {
    /// The prefix, as its network address and length (`10.20.0.0/24`).
    pub cidr: String,
    /// The gateway (empty: none).
    pub gateway: String,
    /// The DHCP range's first and last address (empty: no DHCP).
    pub dhcp: Option<(String, String)>,
    /// Source NAT to the outside.
    pub snat: bool,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    /// Id.
    pub id: SubnetId,
    /// Its network.
    pub network_id: NetworkId,
    /// The prefix.
    pub cidr: String,
    /// The gateway (empty: none).
    pub gateway: String,
    /// The DHCP range.
    pub dhcp: Option<(String, String)>,
    /// Source NAT.
    pub snat: bool,
}

/// A network to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNetwork {
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// Name, unique in the project.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Its subnets.
    pub subnets: Vec<NewSubnet>,
}

/// A network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Id.
    pub id: NetworkId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// Name.
    pub name: Name,
    /// Description.
    pub description: String,
    /// The zone type it was made with.
    pub zone_type: ZoneType,
    /// The suffix of its SDN ids (zone `z<sdn_id>`, VNet `v<sdn_id>`).
    pub sdn_id: String,
    /// Its VLAN tag or VNI.
    pub tag: u64,
    /// Where it is.
    pub state: NetworkState,
    /// Why its last change failed.
    pub error: String,
    /// Its subnets.
    pub subnets: Vec<Subnet>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

impl Network {
    /// Its SDN zone's id.
    pub fn zone(&self) -> String {
        format!("z{}", self.sdn_id)
    }

    /// Its VNet's id: the bridge its guests' NICs name.
    pub fn vnet(&self) -> String {
        format!("v{}", self.sdn_id)
    }
}

const COLUMNS: &str = "id, tenant_id, project_id, site_id, name, description, zone_type, sdn_id, \
                       tag, state, error, created_at, updated_at";

fn network(row: &AnyRow, subnets: Vec<Subnet>) -> Result<Network, Error> {
    Ok(Network {
        id: get_id(row, "id")?,
        tenant_id: get_id(row, "tenant_id")?,
        project_id: get_id(row, "project_id")?,
        site_id: get_id(row, "site_id")?,
        name: get_name(row, "name")?,
        description: get_string(row, "description")?,
        zone_type: get_string(row, "zone_type")?.parse()?,
        sdn_id: get_string(row, "sdn_id")?,
        tag: get_u64(row, "tag")?,
        state: NetworkState::parse(&get_string(row, "state")?)?,
        error: get_string(row, "error")?,
        subnets,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

fn subnet(row: &AnyRow) -> Result<Subnet, Error> {
    let start = get_string(row, "dhcp_start")?;
    let end = get_string(row, "dhcp_end")?;
    Ok(Subnet {
        id: get_id(row, "id")?,
        network_id: get_id(row, "network_id")?,
        cidr: get_string(row, "cidr")?,
        gateway: get_string(row, "gateway")?,
        dhcp: (!start.is_empty()).then_some((start, end)),
        snat: get_u64(row, "snat")? != 0,
    })
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Network,
        name: name.to_string(),
    }
}

/// One network more (or less) of a project's quota.
fn one_network(n: i64) -> ResourceDelta {
    ResourceDelta {
        networks: n,
        ..ResourceDelta::default()
    }
}

/// The lowest tag of `min..=max` not in `taken` (sorted).
fn lowest_free(taken: &[u64], min: u64, max: u64) -> Option<u64> {
    let mut want = min;
    for t in taken {
        if *t < want {
            continue;
        }
        if *t > want {
            break;
        }
        want += 1;
    }
    (want <= max).then_some(want)
}

/// A fresh SDN id suffix: seven lower-case letters and digits.
fn sdn_suffix(random: &scmp_common::Random) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    random
        .bytes(7)
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

impl DataStore {
    /// A site's network settings (the defaults when it has none of its own).
    pub async fn site_networking(&self, site: SiteId) -> Result<SiteNetworking, Error> {
        let row = sqlx::query(
            "SELECT zone_type, bridge, peers, controller, tag_min, tag_max, mtu \
             FROM site_networking WHERE site_id = $1",
        )
        .bind(site.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let Some(row) = row else {
            return Ok(SiteNetworking::default());
        };
        Ok(SiteNetworking {
            zone_type: get_string(&row, "zone_type")?.parse()?,
            bridge: get_string(&row, "bridge")?,
            peers: get_string(&row, "peers")?,
            controller: get_string(&row, "controller")?,
            tag_min: get_u64(&row, "tag_min")?,
            tag_max: get_u64(&row, "tag_max")?,
            mtu: get_u64(&row, "mtu")?,
        })
    }

    /// Sets a site's network settings (for networks made from now on). A pool that would leave
    /// out a tag in use is refused.
    pub async fn site_networking_set(&self, site: SiteId, s: &SiteNetworking) -> Result<(), Error> {
        s.check()?;
        let mut tx = self.begin().await?;
        let outside = sqlx::query(
            "SELECT name, tag FROM networks WHERE site_id = $1 AND (tag < $2 OR tag > $3) LIMIT 1",
        )
        .bind(site.to_string())
        .bind(crate::db::to_i64("tag_min", s.tag_min)?)
        .bind(crate::db::to_i64("tag_max", s.tag_max)?)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        if let Some(row) = outside {
            return Err(Error::Conflict(format!(
                "network '{}' has tag {}, outside the pool {}-{}",
                get_string(&row, "name")?,
                get_u64(&row, "tag")?,
                s.tag_min,
                s.tag_max
            )));
        }
        sqlx::query("DELETE FROM site_networking WHERE site_id = $1")
            .bind(site.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO site_networking (site_id, zone_type, bridge, peers, controller, tag_min, \
             tag_max, mtu, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(site.to_string())
        .bind(s.zone_type.as_str())
        .bind(&s.bridge)
        .bind(&s.peers)
        .bind(&s.controller)
        .bind(crate::db::to_i64("tag_min", s.tag_min)?)
        .bind(crate::db::to_i64("tag_max", s.tag_max)?)
        .bind(crate::db::to_i64("mtu", s.mtu)?)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await
    }

    /// Admits a network: its quota, its tag and its creation's operation, in one transaction.
    /// A tag another admission took meanwhile makes it try again with the next.
    pub async fn network_admit(
        &self,
        new: &NewNetwork,
        op: &NewOperation,
    ) -> Result<(Network, Operation), Error> {
        crate::tenants::check_text("description", &new.description)?;
        let settings = self.site_networking(new.site_id).await?;
        for _ in 0..32 {
            match self.try_network_admit(new, op, &settings).await {
                Err(Error::Unavailable(_)) => continue,
                other => return other,
            }
        }
        Err(Error::Conflict(
            "the site's tags are being taken by others; try again".into(),
        ))
    }

    async fn try_network_admit(
        &self,
        new: &NewNetwork,
        op: &NewOperation,
        settings: &SiteNetworking,
    ) -> Result<(Network, Operation), Error> {
        let mut tx = self.begin().await?;
        let exists = sqlx::query("SELECT id FROM networks WHERE project_id = $1 AND name = $2")
            .bind(new.project_id.to_string())
            .bind(new.name.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        if exists.is_some() {
            return Err(Error::AlreadyExists {
                kind: ResourceKind::Network,
                name: new.name.to_string(),
            });
        }
        if !self
            .change_project_usage(&mut tx, new.project_id, one_network(1))
            .await?
        {
            drop(tx);
            let one = scmp_common::Resources {
                networks: 1,
                ..scmp_common::Resources::ZERO
            };
            return Err(self.quota_refusal(new.project_id, &one).await);
        }
        let rows = sqlx::query("SELECT tag FROM networks WHERE site_id = $1 ORDER BY tag")
            .bind(new.site_id.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
        let taken: Vec<u64> = rows
            .iter()
            .map(|r| get_u64(r, "tag"))
            .collect::<Result<_, _>>()?;
        let Some(tag) = lowest_free(&taken, settings.tag_min, settings.tag_max) else {
            drop(tx);
            return Err(Error::Conflict(format!(
                "no free {} tag at the site: the pool {}-{} is used up",
                settings.zone_type.as_str(),
                settings.tag_min,
                settings.tag_max
            )));
        };
        let id = self.random.id::<NetworkId>();
        let now = self.now_ms();
        let inserted = sqlx::query(&format!(
            "INSERT INTO networks ({COLUMNS}, quota_held) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             'creating', '', $10, $10, 1)"
        ))
        .bind(id.to_string())
        .bind(new.tenant_id.to_string())
        .bind(new.project_id.to_string())
        .bind(new.site_id.to_string())
        .bind(new.name.as_str())
        .bind(&new.description)
        .bind(settings.zone_type.as_str())
        .bind(sdn_suffix(&self.random))
        .bind(crate::db::to_i64("tag", tag)?)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // Another admission took the tag (or, once in 78 billion, the SDN id): again.
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Unavailable("a tag was taken meanwhile".into()))
            }
            Err(e) => return Err(db_error(e)),
        }
        for s in &new.subnets {
            insert_subnet(&mut tx, &self.random, id, s).await?;
        }
        let op = self
            .insert_operation(
                &mut tx,
                op,
                Subject::Network(id),
                new.tenant_id,
                new.project_id,
            )
            .await?;
        tx.commit().await?;
        Ok((self.network_get(id).await?, op))
    }

    /// A network by id.
    pub async fn network_get(&self, id: NetworkId) -> Result<Network, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM networks WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?
            .ok_or_else(|| not_found(&id.to_string()))?;
        let subnets = self.subnets_of(id).await?;
        network(&row, subnets)
    }

    /// A project's network by name.
    pub async fn network_by_name(&self, project: ProjectId, name: &str) -> Result<Network, Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM networks WHERE project_id = $1 AND name = $2"
        ))
        .bind(project.to_string())
        .bind(name)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(name))?;
        let id: NetworkId = get_id(&row, "id")?;
        let subnets = self.subnets_of(id).await?;
        network(&row, subnets)
    }

    /// A project's networks by name, `limit` after `after`.
    pub async fn network_list(
        &self,
        project: ProjectId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Network>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM networks WHERE project_id = $1 AND name > $2 ORDER BY name LIMIT $3"
        ))
        .bind(project.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit.min(1000)))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: NetworkId = get_id(row, "id")?;
            out.push(network(row, self.subnets_of(id).await?)?);
        }
        Ok(out)
    }

    async fn subnets_of(&self, id: NetworkId) -> Result<Vec<Subnet>, Error> {
        let rows = sqlx::query(
            "SELECT id, network_id, cidr, gateway, dhcp_start, dhcp_end, snat FROM subnets \
             WHERE network_id = $1 ORDER BY cidr",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(subnet).collect()
    }

    /// Moves a network to `state`, with its error (empty: none).
    pub async fn network_set_state(
        &self,
        id: NetworkId,
        state: NetworkState,
        error: &str,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE networks SET state = $1, error = $2, updated_at = $3 WHERE id = $4")
            .bind(state.as_str())
            .bind(error)
            .bind(self.now_ms())
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// The names of the guests with NICs on a network.
    pub async fn network_guests(&self, id: NetworkId) -> Result<Vec<String>, Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT g.name FROM guest_nics n JOIN guests g ON g.id = n.guest_id \
             WHERE n.network_id = $1 ORDER BY g.name",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(|r| get_string(r, "name")).collect()
    }

    /// Starts a network's removal: refused while guests have NICs on it (naming them) or while
    /// another change runs; else its state is `deleting` and the operation is recorded.
    pub async fn network_begin_delete(
        &self,
        id: NetworkId,
        op: &NewOperation,
    ) -> Result<Operation, Error> {
        let n = self.network_get(id).await?;
        let mut tx = self.begin().await?;
        let names = crate::db::names_in(
            &mut tx,
            "SELECT DISTINCT g.name FROM guest_nics n JOIN guests g ON g.id = n.guest_id \
             WHERE n.network_id = $1 ORDER BY g.name LIMIT 20",
            &id.to_string(),
        )
        .await?;
        if !names.is_empty() {
            return Err(Error::Conflict(format!(
                "network '{}' is in use by guests {}",
                n.name,
                names.join(", ")
            )));
        }
        let moved = sqlx::query(
            "UPDATE networks SET state = 'deleting', error = '', updated_at = $1 \
             WHERE id = $2 AND state = 'ready'",
        )
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if moved.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "network '{}' is {}; try again when it is ready",
                n.name,
                n.state.as_str()
            )));
        }
        let op = self
            .insert_operation(&mut tx, op, Subject::Network(id), n.tenant_id, n.project_id)
            .await?;
        tx.commit().await?;
        Ok(op)
    }

    /// Forgets a network (removed from its clusters, or its creation undone): its subnets and
    /// addresses go, its tag is free and the project's quota gets it back. Gone already is done.
    pub async fn network_remove(&self, id: NetworkId) -> Result<(), Error> {
        let n = match self.network_get(id).await {
            Ok(n) => n,
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut tx = self.begin().await?;
        for sql in [
            "DELETE FROM addresses WHERE subnet_id IN (SELECT id FROM subnets WHERE network_id = $1)",
            "DELETE FROM subnets WHERE network_id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let held = sqlx::query("DELETE FROM networks WHERE id = $1 AND quota_held = 1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if held.rows_affected() == 1
            && !self
                .change_project_usage(&mut tx, n.project_id, one_network(-1))
                .await?
        {
            return Err(Error::internal(
                "releasing a network the project did not hold",
            ));
        }
        tx.commit().await
    }
}

pub(crate) async fn insert_subnet(
    tx: &mut crate::db::Tx,
    random: &scmp_common::Random,
    network: NetworkId,
    s: &NewSubnet,
) -> Result<(), Error> {
    let (start, end) = s.dhcp.clone().unwrap_or_default();
    sqlx::query(
        "INSERT INTO subnets (id, network_id, cidr, gateway, dhcp_start, dhcp_end, snat) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(random.id::<SubnetId>().to_string())
    .bind(network.to_string())
    .bind(&s.cidr)
    .bind(&s.gateway)
    .bind(start)
    .bind(end)
    .bind(i64::from(s.snat))
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_free_tag_is_taken() {
        assert_eq!(lowest_free(&[], 10, 12), Some(10));
        assert_eq!(lowest_free(&[10, 11], 10, 12), Some(12));
        assert_eq!(lowest_free(&[10, 12], 10, 12), Some(11));
        assert_eq!(lowest_free(&[3, 10, 11, 12], 10, 12), None);
        assert_eq!(lowest_free(&[5, 20], 10, 12), Some(10));
    }

    #[test]
    fn site_settings_are_checked() {
        assert!(SiteNetworking::default().check().is_ok());
        let vx = SiteNetworking {
            zone_type: ZoneType::Vxlan,
            peers: "192.0.2.1,192.0.2.2".into(),
            tag_min: 10_000,
            tag_max: 19_999,
            ..Default::default()
        };
        assert!(vx.check().is_ok());
        let bad_vlan = SiteNetworking {
            tag_max: 5000,
            ..Default::default()
        };
        assert!(bad_vlan.check().is_err());
        let no_peers = SiteNetworking {
            peers: String::new(),
            ..vx
        };
        assert!(no_peers.check().is_err());
    }
}
