//! Guests: admitted in one transaction with their quota reservation and their first operation, moved
//! through their states one operation at a time, placed, given a VMID reserved here first (Proxmox's
//! `nextid` reserves nothing), and removed or failed with their quota released in the same
//! transaction.

use scmp_common::{
    ClusterId, Country, Error, GuestEventKind, GuestId, GuestKind, GuestState, ImageId, Name,
    ProjectId, ResourceDelta, ResourceKind, Resources, SiteId, TenantId,
};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{
    db_error, get_id, get_name, get_opt_id, get_string, get_u64, is_unique_violation, to_i64,
    DataStore,
};
use crate::operations::{NewOperation, Operation};
use crate::projects::amounts;

/// Cloud-init settings of a VM (containers take the user's keys too).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudInit {
    /// The default user's name.
    #[serde(default)]
    pub user: Option<String>,
    /// SSH public keys for that user.
    #[serde(default)]
    pub ssh_keys: Vec<String>,
    /// Proxmox `ipconfig0`: `ip=dhcp` or `ip=10.0.0.5/24,gw=10.0.0.1`.
    #[serde(default)]
    pub ip_config: Option<String>,
}

/// The network a guest's interface is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestNetwork {
    /// The bridge (`vmbr0` when none was asked for).
    pub bridge: Option<String>,
    /// A VLAN on that bridge.
    pub vlan: Option<u16>,
}

/// A guest to admit.
#[derive(Debug, Clone)]
pub struct NewGuest {
    /// Its project.
    pub project_id: ProjectId,
    /// The project's tenant.
    pub tenant_id: TenantId,
    /// Name, unique in the project.
    pub name: Name,
    /// VM or container.
    pub kind: GuestKind,
    /// Catalog image id.
    pub image_id: ImageId,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// A site it must run at (by name).
    pub site: Option<String>,
    /// Managed by Proxmox HA.
    pub ha: bool,
    /// User tags.
    pub tags: Vec<String>,
    /// Cloud-init.
    pub cloud_init: CloudInit,
    /// Its network.
    pub network: GuestNetwork,
    /// Anti-affinity group (empty: none): no two guests of a group share a host.
    pub anti_affinity: String,
    /// The lease a policy gives it.
    pub lease: Option<crate::NewLease>,
    /// Its NICs on tenant networks (none: the one interface of `network`).
    pub nics: Vec<crate::NewNic>,
    /// The security groups it is in (at the site of its networks).
    pub security_groups: Vec<scmp_common::SecurityGroupId>,
}

impl NewGuest {
    /// The quota the guest takes.
    pub fn resources(&self) -> Resources {
        Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: self.vcpus,
            memory_mib: self.memory_mib,
            disk_gib: self.disk_gib,
            guests: 1,
        }
    }
}

/// A guest as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Guest {
    /// Id.
    pub id: GuestId,
    /// Its project.
    pub project_id: ProjectId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Name.
    pub name: Name,
    /// VM or container.
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
    /// Whether the guest's quota is reserved.
    pub quota_held: bool,
    /// The site asked for.
    pub site_request: Option<String>,
    /// Where placement put it.
    pub cluster_id: Option<ClusterId>,
    /// That cluster's name (none once the cluster is gone).
    pub cluster_name: Option<Name>,
    /// That cluster's site.
    pub site_id: Option<SiteId>,
    /// The name of that site.
    pub site_name: Option<Name>,
    /// Its country.
    pub site_country: Option<Country>,
    /// Its host.
    pub node: Option<String>,
    /// Its VMID on the cluster.
    pub vmid: Option<u32>,
    /// Managed by Proxmox HA.
    pub ha: bool,
    /// User tags.
    pub tags: Vec<String>,
    /// Cloud-init.
    pub cloud_init: CloudInit,
    /// Its network.
    pub network: GuestNetwork,
    /// Why placement chose where it did.
    pub placement: String,
    /// What differs on Proxmox from what scmp set (empty when nothing).
    pub drift: String,
    /// The last failure.
    pub error: String,
    /// Anti-affinity group (empty: none).
    pub anti_affinity: String,
    /// Its HA service state as Proxmox reports it (`started`, `fence`, `recovery`, `error`,
    /// ...); empty without HA or before it was seen.
    pub ha_state: String,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

impl Guest {
    /// The quota the guest takes.
    pub fn resources(&self) -> Resources {
        Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: self.vcpus,
            memory_mib: self.memory_mib,
            disk_gib: self.disk_gib,
            guests: 1,
        }
    }

    /// What resizing to `(vcpus, memory_mib, disk_gib)` takes from the project while it runs:
    /// what grows (what shrinks is given back only once the resize is done).
    pub fn growth_to(
        &self,
        (vcpus, memory_mib, disk_gib): (u64, u64, u64),
    ) -> Result<ResourceDelta, Error> {
        let to = Resources {
            public_addresses: 0,
            networks: 0,
            vcpus,
            memory_mib,
            disk_gib,
            guests: 1,
        };
        ResourceDelta::growth(&self.resources(), &to).ok_or_else(|| Error::InvalidValue {
            field: "vcpus".into(),
            message: "sizes beyond what the store can hold".into(),
        })
    }

    /// What a finished resize to `(vcpus, memory_mib)` gives back: what shrank (the disk never
    /// shrinks).
    pub fn shrinkage_to(&self, (vcpus, memory_mib): (u64, u64)) -> Result<ResourceDelta, Error> {
        let to = Resources {
            vcpus,
            memory_mib,
            ..self.resources()
        };
        ResourceDelta::growth(&to, &self.resources())
            .map(|d| -d)
            .ok_or_else(|| Error::internal("sizes beyond what the store can hold"))
    }
}

const COLUMNS: &str = "id, project_id, tenant_id, name, kind, image_id, vcpus, memory_mib, disk_gib, state, \
     quota_held, site_request, cluster_id, node, vmid, ha, tags, cloud_init, placement, drift, error, \
     created_at, updated_at, anti_affinity, bridge, vlan";

/// What a guest is read with: its columns, and the names of its cluster and site.
const SELECT_COLUMNS: &str = "id, project_id, tenant_id, name, kind, image_id, vcpus, memory_mib, \
     disk_gib, state, quota_held, site_request, cluster_id, node, vmid, ha, tags, cloud_init, placement, \
     drift, error, created_at, updated_at, anti_affinity, bridge, vlan, ha_state, \
     (SELECT c.name FROM clusters c WHERE c.id = guests.cluster_id) AS cluster_name, \
     (SELECT c.site_id FROM clusters c WHERE c.id = guests.cluster_id) AS site_id, \
     (SELECT s.name FROM sites s JOIN clusters c ON c.site_id = s.id WHERE c.id = guests.cluster_id) AS site_name, \
     (SELECT s.country FROM sites s JOIN clusters c ON c.site_id = s.id WHERE c.id = guests.cluster_id) AS site_country";

fn guest(row: &AnyRow) -> Result<Guest, Error> {
    let vmid: Option<i64> = row.try_get("vmid").map_err(Error::internal)?;
    let tags = get_string(row, "tags")?;
    Ok(Guest {
        id: get_string(row, "id")?.parse().map_err(Error::internal)?,
        project_id: get_string(row, "project_id")?
            .parse()
            .map_err(Error::internal)?,
        tenant_id: get_string(row, "tenant_id")?
            .parse()
            .map_err(Error::internal)?,
        name: get_name(row, "name")?,
        kind: get_string(row, "kind")?.parse().map_err(Error::internal)?,
        image_id: get_id(row, "image_id")?,
        vcpus: get_u64(row, "vcpus")?,
        memory_mib: get_u64(row, "memory_mib")?,
        disk_gib: get_u64(row, "disk_gib")?,
        state: get_string(row, "state")?.parse().map_err(Error::internal)?,
        quota_held: get_u64(row, "quota_held")? != 0,
        site_request: row.try_get("site_request").map_err(Error::internal)?,
        cluster_id: get_opt_id(row, "cluster_id")?,
        node: row.try_get("node").map_err(Error::internal)?,
        vmid: vmid.and_then(|v| u32::try_from(v).ok()),
        ha: get_u64(row, "ha")? != 0,
        tags: tags
            .split(';')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        cloud_init: serde_json::from_str(&get_string(row, "cloud_init")?)
            .map_err(Error::internal)?,
        placement: get_string(row, "placement")?,
        drift: get_string(row, "drift")?,
        error: get_string(row, "error")?,
        anti_affinity: get_string(row, "anti_affinity")?,
        ha_state: get_string(row, "ha_state")?,
        network: GuestNetwork {
            bridge: Some(get_string(row, "bridge")?).filter(|b| !b.is_empty()),
            vlan: u16::try_from(get_u64(row, "vlan")?)
                .ok()
                .filter(|v| *v != 0),
        },
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
        cluster_name: get_opt_id(row, "cluster_name")?,
        site_id: get_opt_id(row, "site_id")?,
        site_name: get_opt_id(row, "site_name")?,
        site_country: get_opt_id(row, "site_country")?,
    })
}

fn not_found(key: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Guest,
        name: key.to_string(),
    }
}

impl DataStore {
    /// Changes a project's usage by `delta` in the admitting transaction: one conditional update that
    /// changes the row only when every new total stays within the limit and above zero. False when it
    /// would not fit.
    pub(crate) async fn change_project_usage(
        &self,
        conn: &mut crate::link::Link,
        project: ProjectId,
        delta: ResourceDelta,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE projects SET used_vcpus = used_vcpus + $1, used_memory_mib = used_memory_mib + $2, \
             used_disk_gib = used_disk_gib + $3, used_guests = used_guests + $4, updated_at = $5, \
             used_networks = used_networks + $7, used_public_addresses = used_public_addresses + $8 \
             WHERE id = $6 AND used_vcpus + $1 <= limit_vcpus AND used_memory_mib + $2 <= limit_memory_mib \
             AND used_disk_gib + $3 <= limit_disk_gib AND used_guests + $4 <= limit_guests \
             AND used_networks + $7 <= limit_networks \
             AND used_public_addresses + $8 <= limit_public_addresses \
             AND used_vcpus + $1 >= 0 AND used_memory_mib + $2 >= 0 AND used_disk_gib + $3 >= 0 \
             AND used_guests + $4 >= 0 AND used_networks + $7 >= 0 \
             AND used_public_addresses + $8 >= 0",
        )
        .bind(delta.vcpus)
        .bind(delta.memory_mib)
        .bind(delta.disk_gib)
        .bind(delta.guests)
        .bind(self.now_ms())
        .bind(project.to_string())
        .bind(delta.networks)
        .bind(delta.public_addresses)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }
}

impl DataStore {
    pub(crate) async fn quota_refusal(&self, project: ProjectId, amount: &Resources) -> Error {
        match self.project_get(project).await {
            Ok(p) => Error::quota(format!("project '{}'", p.name), &p.limits, &p.used, amount)
                .unwrap_or_else(|| {
                    Error::Conflict("the project's quota changed meanwhile; try again".into())
                }),
            Err(e) => e,
        }
    }

    /// Admits a guest: its quota reservation, its record and its creating operation commit together
    /// or not at all. Answers the operation (its `guest_id` is the new guest's).
    pub async fn guest_admit(&self, new: &NewGuest, op: &NewOperation) -> Result<Operation, Error> {
        for t in &new.tags {
            crate::tenants::check_text("tags", t)?;
        }
        let id = self.random.id::<GuestId>();
        let mut networks = Vec::with_capacity(new.nics.len());
        for nic in &new.nics {
            networks.push(self.network_get(nic.network_id).await?);
        }
        let mut tx = self.begin().await?;
        if !self
            .change_project_usage(&mut tx, new.project_id, amounts(&new.resources())?)
            .await?
        {
            drop(tx);
            return Err(self.quota_refusal(new.project_id, &new.resources()).await);
        }
        let now = self.now_ms();
        let r = sqlx::query(&format!(
            "INSERT INTO guests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, NULL, \
             NULL, NULL, $12, $13, $14, '', '', '', $15, $15, $16, $17, $18)"
        ))
        .bind(id.to_string())
        .bind(new.project_id.to_string())
        .bind(new.tenant_id.to_string())
        .bind(new.name.as_str())
        .bind(new.kind.as_str())
        .bind(new.image_id.to_string())
        .bind(to_i64("vcpus", new.vcpus)?)
        .bind(to_i64("memory_mib", new.memory_mib)?)
        .bind(to_i64("disk_gib", new.disk_gib)?)
        .bind(GuestState::Creating.as_str())
        .bind(new.site.as_deref())
        .bind(i64::from(new.ha))
        .bind(new.tags.join(";"))
        .bind(serde_json::to_string(&new.cloud_init).map_err(Error::internal)?)
        .bind(now)
        .bind(&new.anti_affinity)
        .bind(new.network.bridge.as_deref().unwrap_or_default())
        .bind(i64::from(new.network.vlan.unwrap_or(0)))
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists {
                    kind: ResourceKind::Guest,
                    name: new.name.to_string(),
                })
            }
            Err(e) => return Err(db_error(e)),
        }
        if let Some(l) = &new.lease {
            crate::guest_leases::insert(&mut tx, id, new.tenant_id, new.project_id, l, now).await?;
        }
        crate::addresses::allocate(&mut tx, self, id, &networks, &new.nics).await?;
        crate::security_groups::join(&mut tx, id, &new.security_groups).await?;
        let op = self
            .insert_operation(
                &mut tx,
                op,
                crate::Subject::Guest(id),
                new.tenant_id,
                new.project_id,
            )
            .await?;
        tx.commit().await?;
        Ok(op)
    }

    /// Starts an operation on an existing guest: the guest moves from one of `from` to `to` and the
    /// operation is recorded in the same transaction, so a guest runs one operation at a time.
    /// `quota_change` (a resize) is reserved or released in that transaction too.
    pub async fn guest_begin(
        &self,
        guest: &Guest,
        from: &[GuestState],
        to: GuestState,
        quota_change: Option<ResourceDelta>,
        op: &NewOperation,
    ) -> Result<Operation, Error> {
        let mut tx = self.begin().await?;
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let moved = sqlx::query(&format!(
            "UPDATE guests SET state = $1, updated_at = $2 WHERE id = $3 AND state IN ({})",
            states.join(", ")
        ))
        .bind(to.as_str())
        .bind(self.now_ms())
        .bind(guest.id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if moved.rows_affected() == 0 {
            drop(tx);
            let now = self.guest_get(guest.id).await?;
            return Err(Error::Conflict(format!(
                "guest '{}' is {}; try again when it is not",
                now.name, now.state
            )));
        }
        if let Some(d) = quota_change {
            if !self
                .change_project_usage(&mut tx, guest.project_id, d)
                .await?
            {
                drop(tx);
                return Err(self.quota_refusal(guest.project_id, &d.taken()).await);
            }
        }
        let op = self
            .insert_operation(
                &mut tx,
                op,
                crate::Subject::Guest(guest.id),
                guest.tenant_id,
                guest.project_id,
            )
            .await?;
        tx.commit().await?;
        Ok(op)
    }

    /// A guest by id.
    pub async fn guest_get(&self, id: GuestId) -> Result<Guest, Error> {
        let row = sqlx::query(&format!(
            "SELECT {SELECT_COLUMNS} FROM guests WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref()
            .map(guest)
            .unwrap_or_else(|| Err(not_found(&id.to_string())))
    }

    /// Guests whose id is `key`, or whose name is `key` in any project.
    pub async fn guest_find(&self, key: &str) -> Result<Vec<Guest>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SELECT_COLUMNS} FROM guests WHERE id = $1 OR name = $1 ORDER BY created_at"
        ))
        .bind(key)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(guest).collect()
    }

    /// A project's guests by name.
    /// (`limit` of them after the name `after`).
    pub async fn guest_list(
        &self,
        project: ProjectId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Guest>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SELECT_COLUMNS} FROM guests WHERE project_id = $1 AND name > $2 ORDER BY name LIMIT $3"
        ))
        .bind(project.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(guest).collect()
    }

    /// Every guest of a tenant that exists (not failed or being created), by project and name.
    pub async fn guest_list_of_tenant(&self, tenant: TenantId) -> Result<Vec<Guest>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SELECT_COLUMNS} FROM guests WHERE tenant_id = $1 \
             AND state NOT IN ('failed', 'creating') ORDER BY project_id, name"
        ))
        .bind(tenant.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(guest).collect()
    }

    /// The guests placed on a cluster.
    pub async fn guest_list_on_cluster(&self, cluster_id: ClusterId) -> Result<Vec<Guest>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SELECT_COLUMNS} FROM guests WHERE cluster_id = $1 ORDER BY vmid"
        ))
        .bind(cluster_id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(guest).collect()
    }

    /// Sets a guest's state (and clears or sets its error).
    pub async fn guest_set_state(
        &self,
        id: GuestId,
        state: GuestState,
        error: &str,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE guests SET state = $1, error = $2, updated_at = $3 WHERE id = $4")
            .bind(state.as_str())
            .bind(error)
            .bind(self.now_ms())
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Ends an operation on a guest: from state `from` to `to`, with new sizes (a resize) and a
    /// quota change (`usage`, released when negative), in one transaction. Guarded by `from`, so a
    /// repeated call changes nothing. False when the guest was not in `from`.
    pub async fn guest_end(
        &self,
        id: GuestId,
        from: GuestState,
        to: GuestState,
        error: &str,
        sizes: Option<(u64, u64, u64)>,
        usage: Option<ResourceDelta>,
    ) -> Result<bool, Error> {
        let g = self.guest_get(id).await?;
        let (v, m, d) = sizes.unwrap_or((g.vcpus, g.memory_mib, g.disk_gib));
        let mut tx = self.begin().await?;
        let moved = sqlx::query(
            "UPDATE guests SET state = $1, error = $2, vcpus = $3, memory_mib = $4, disk_gib = $5, \
             updated_at = $6 WHERE id = $7 AND state = $8",
        )
        .bind(to.as_str())
        .bind(error)
        .bind(to_i64("vcpus", v)?)
        .bind(to_i64("memory_mib", m)?)
        .bind(to_i64("disk_gib", d)?)
        .bind(self.now_ms())
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if moved.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(delta) = usage {
            if !self
                .change_project_usage(&mut tx, g.project_id, delta)
                .await?
            {
                return Err(Error::internal(
                    "the project's usage would leave its bounds",
                ));
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Gives up a guest's VMID reservation (someone else's guest took that VMID on Proxmox).
    pub async fn guest_drop_vmid(&self, id: GuestId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM vmid_reservations WHERE guest_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query("UPDATE guests SET vmid = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }

    /// Records where inventory found a guest (after a restore or an HA recovery).
    pub async fn guest_relocate(&self, id: GuestId, node: &str, vmid: u32) -> Result<(), Error> {
        sqlx::query("UPDATE guests SET node = $1, vmid = $2, updated_at = $3 WHERE id = $4")
            .bind(node)
            .bind(i64::from(vmid))
            .bind(self.now_ms())
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Sets the guest's HA state as Proxmox reports it; true when it changed.
    pub async fn guest_set_ha_state(&self, id: GuestId, ha_state: &str) -> Result<bool, Error> {
        let r = sqlx::query(
            "UPDATE guests SET ha_state = $1, updated_at = $2 WHERE id = $3 AND ha_state <> $1",
        )
        .bind(ha_state)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(r.rows_affected() == 1)
    }

    /// Sets what differs on Proxmox; records an event when it changes.
    pub async fn guest_set_drift(&self, id: GuestId, drift: &str) -> Result<bool, Error> {
        let changed = sqlx::query(
            "UPDATE guests SET drift = $1, updated_at = $2 WHERE id = $3 AND drift <> $1",
        )
        .bind(drift)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        let changed = changed.rows_affected() == 1;
        if changed {
            let kind = if drift.is_empty() {
                GuestEventKind::InSync
            } else {
                GuestEventKind::Drift
            };
            let detail = if drift.is_empty() {
                "Proxmox matches scmp again"
            } else {
                drift
            };
            self.guest_event_add(id, kind, detail).await?;
        }
        Ok(changed)
    }

    /// Ends a failed creation: quota and VMID released and the state set to failed, together.
    pub async fn guest_fail(&self, id: GuestId, error: &str) -> Result<(), Error> {
        self.guest_release(id, Some(error)).await
    }

    /// Removes a decommissioned guest: quota and VMID released and the record deleted, together.
    pub async fn guest_remove(&self, id: GuestId) -> Result<(), Error> {
        self.guest_release(id, None).await
    }

    async fn guest_release(&self, id: GuestId, failed: Option<&str>) -> Result<(), Error> {
        let g = match self.guest_get(id).await {
            Ok(g) => g,
            // Removed already: a repeated step finds its work done.
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut tx = self.begin().await?;
        let took = sqlx::query("UPDATE guests SET quota_held = 0 WHERE id = $1 AND quota_held = 1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if took.rows_affected() == 1
            && !self
                .change_project_usage(&mut tx, g.project_id, -amounts(&g.resources())?)
                .await?
        {
            return Err(Error::internal("releasing more than the project reserved"));
        }
        for table in [
            "vmid_reservations",
            "guest_leases",
            "addresses",
            "guest_nics",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE guest_id = $1"))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        // Its public addresses stay with the project, detached.
        crate::public_addresses::release_guest(&mut tx, id, self.now_ms()).await?;
        match failed {
            Some(error) => {
                sqlx::query(
                    "UPDATE guests SET state = $1, error = $2, vmid = NULL, updated_at = $3 WHERE id = $4",
                )
                .bind(GuestState::Failed.as_str())
                .bind(error)
                .bind(self.now_ms())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            None => {
                sqlx::query("DELETE FROM guest_events WHERE guest_id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                sqlx::query("DELETE FROM guests WHERE id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
