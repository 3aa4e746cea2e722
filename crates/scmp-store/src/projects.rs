//! Projects: created inside their tenant's quota (one conditional update reserves it), looked up,
//! listed, deleted (releasing the reservation) and re-sized; and the reservation of a project's quota
//! by its guests.

use scmp_common::{Error, Name, ProjectId, ResourceDelta, ResourceKind, Resources, TenantId};
use sqlx::any::AnyRow;

use crate::db::{db_error, get_name, get_string, is_unique_violation, to_i64, DataStore};
use crate::dependents;
use crate::tenants::{check_text, resources, QuotaView};

/// A new project.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// Name, unique in its tenant.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Quota, taken from the tenant's.
    pub quota: Resources,
}

/// A project as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Labels (key to value), which governance policies read.
    pub labels: crate::labels::Labels,
    /// Id.
    pub id: ProjectId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Name.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Quota.
    pub limits: Resources,
    /// Used by its guests.
    pub used: Resources,
    /// Created (ms since the epoch).
    pub created_at: i64,
    /// Last changed (ms since the epoch).
    pub updated_at: i64,
}

impl Project {
    /// The quota's three figures (a project hands nothing on: allocated is what its guests reserve).
    pub fn quota(&self) -> QuotaView {
        QuotaView {
            limits: self.limits,
            allocated: self.used,
            used: self.used,
        }
    }
}

const COLUMNS: &str =
    "id, tenant_id, name, description, limit_vcpus, limit_memory_mib, limit_disk_gib, \
     limit_guests, used_vcpus, used_memory_mib, used_disk_gib, used_guests, created_at, updated_at, \
     labels, limit_networks, used_networks, limit_public_addresses, used_public_addresses";

fn project(row: &AnyRow) -> Result<Project, Error> {
    Ok(Project {
        id: get_string(row, "id")?.parse().map_err(Error::internal)?,
        tenant_id: get_string(row, "tenant_id")?
            .parse()
            .map_err(Error::internal)?,
        name: get_name(row, "name")?,
        description: get_string(row, "description")?,
        limits: resources(row, "limit")?,
        used: resources(row, "used")?,
        labels: crate::labels::read(row)?,
        created_at: sqlx::Row::try_get(row, "created_at").map_err(Error::internal)?,
        updated_at: sqlx::Row::try_get(row, "updated_at").map_err(Error::internal)?,
    })
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Project,
        name: name.to_string(),
    }
}

/// The amounts of a resource vector as a delta (taking them), each within the columns' range.
pub(crate) fn amounts(r: &Resources) -> Result<ResourceDelta, Error> {
    Ok(ResourceDelta {
        public_addresses: to_i64("public_addresses", r.public_addresses)?,
        vcpus: to_i64("vcpus", r.vcpus)?,
        memory_mib: to_i64("memory_mib", r.memory_mib)?,
        disk_gib: to_i64("disk_gib", r.disk_gib)?,
        guests: to_i64("guests", r.guests)?,
        networks: to_i64("networks", r.networks)?,
    })
}

impl DataStore {
    /// Changes a tenant's allocation by `delta` (vCPUs, MiB, GiB, guests) in the admitting transaction: one
    /// conditional update that changes the row only when every new total stays within its limit, so
    /// concurrent requests can never over-allocate. False when it would not fit.
    async fn reserve_in_tenant(
        &self,
        tx: &mut crate::link::Link,
        tenant: TenantId,
        delta: ResourceDelta,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE tenants SET alloc_vcpus = alloc_vcpus + $1, alloc_memory_mib = alloc_memory_mib + $2, \
             alloc_disk_gib = alloc_disk_gib + $3, alloc_guests = alloc_guests + $4, updated_at = $5, \
             alloc_networks = alloc_networks + $7, alloc_public_addresses = alloc_public_addresses + $8 \
             WHERE id = $6 AND alloc_vcpus + $1 <= limit_vcpus AND alloc_memory_mib + $2 <= limit_memory_mib \
             AND alloc_disk_gib + $3 <= limit_disk_gib AND alloc_guests + $4 <= limit_guests \
             AND alloc_networks + $7 <= limit_networks \
             AND alloc_public_addresses + $8 <= limit_public_addresses",
        )
        .bind(delta.vcpus)
        .bind(delta.memory_mib)
        .bind(delta.disk_gib)
        .bind(delta.guests)
        .bind(self.now_ms())
        .bind(tenant.to_string())
        .bind(delta.networks)
        .bind(delta.public_addresses)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }
}

impl DataStore {
    /// Creates a project, reserving its quota from the tenant's in the same transaction.
    pub async fn project_create(
        &self,
        tenant_id: TenantId,
        new: &NewProject,
    ) -> Result<Project, Error> {
        check_text("description", &new.description)?;
        let quota = amounts(&new.quota)?;
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        // The reservation: the row changes only if every new total stays within its limit.
        if !self.reserve_in_tenant(&mut tx, tenant_id, quota).await? {
            drop(tx);
            let t = self.tenant_get(tenant_id).await?;
            return Err(Error::quota(
                format!("tenant '{}'", t.name),
                &t.limits,
                &t.allocated,
                &new.quota,
            )
            .unwrap_or_else(|| {
                Error::Conflict("the tenant's quota changed meanwhile; try again".into())
            }));
        }
        let id = self.random.id::<ProjectId>();
        let inserted = sqlx::query(
            "INSERT INTO projects (id, tenant_id, name, description, limit_vcpus, limit_memory_mib, \
             limit_disk_gib, limit_guests, created_at, updated_at, limit_networks, limit_public_addresses) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id.to_string())
        .bind(tenant_id.to_string())
        .bind(new.name.as_str())
        .bind(new.description.as_str())
        .bind(quota.vcpus)
        .bind(quota.memory_mib)
        .bind(quota.disk_gib)
        .bind(quota.guests)
        .bind(now)
        .bind(now)
        .bind(quota.networks)
        .bind(quota.public_addresses)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists {
                    kind: ResourceKind::Project,
                    name: new.name.to_string(),
                })
            }
            Err(e) => return Err(db_error(e)),
        }
        tx.commit().await?;
        self.project_get(id).await
    }

    /// A project by id.
    pub async fn project_get(&self, id: ProjectId) -> Result<Project, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM projects WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref()
            .map(project)
            .unwrap_or_else(|| Err(not_found(&id.to_string())))
    }

    /// A project by id, or by name within a tenant.
    pub async fn project_lookup(
        &self,
        tenant_id: Option<TenantId>,
        id_or_name: &str,
    ) -> Result<Project, Error> {
        if let Ok(id) = id_or_name.parse::<ProjectId>() {
            return self.project_get(id).await;
        }
        let Some(tenant_id) = tenant_id else {
            return Err(not_found(id_or_name));
        };
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM projects WHERE tenant_id = $1 AND name = $2"
        ))
        .bind(tenant_id.to_string())
        .bind(id_or_name)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref()
            .map(project)
            .unwrap_or_else(|| Err(not_found(id_or_name)))
    }

    /// A tenant's projects ordered by name, after `after`, at most `limit`.
    pub async fn project_list(
        &self,
        tenant_id: TenantId,
        visible: &crate::Visible,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Project>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM projects WHERE tenant_id = $1 AND name > $2 AND {} \
             ORDER BY name LIMIT $3",
            visible.condition("tenant_id", Some("id"))
        ))
        .bind(tenant_id.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(project).collect()
    }

    /// Changes a project's description.
    pub async fn project_update(&self, id: ProjectId, description: &str) -> Result<Project, Error> {
        if !self
            .description_set("projects", &id.to_string(), description)
            .await?
        {
            return Err(not_found(&id.to_string()));
        }
        self.project_get(id).await
    }

    /// Deletes a project without guests, with the role bindings given on it, and releases its
    /// reservation in the tenant; refused while any guest record (in any state) is in it.
    pub async fn project_delete(&self, id: ProjectId) -> Result<(), Error> {
        let p = self.project_get(id).await?;
        let key = id.to_string();
        let limits = amounts(&p.limits)?;
        let mut tx = self.begin().await?;
        let guests = dependents::find(
            &mut tx,
            ResourceKind::Guest,
            "guests WHERE project_id = $1",
            "name",
            &key,
        )
        .await?;
        dependents::refuse_if_any(ResourceKind::Project, p.name.as_str(), [guests])?;
        for sql in [
            "DELETE FROM site_budgets WHERE project_id = $1",
            "DELETE FROM role_bindings WHERE project_id = $1",
            "DELETE FROM group_role_bindings WHERE project_id = $1",
            "DELETE FROM policy_versions WHERE policy_id IN (SELECT id FROM policies WHERE project_id = $1)",
            "DELETE FROM policies WHERE project_id = $1",
            "DELETE FROM admissions WHERE project_id = $1",
        ] {
            sqlx::query(sql)
                .bind(&key)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        // The limits in the condition: a concurrent quota change makes this delete try again; and
        // nothing may be in use any more.
        let deleted = sqlx::query(
            "DELETE FROM projects WHERE id = $1 AND limit_vcpus = $2 AND limit_memory_mib = $3 \
             AND limit_disk_gib = $4 AND limit_guests = $5 AND used_guests = 0 \
             AND limit_networks = $6 AND used_networks = 0 \
             AND limit_public_addresses = $7 AND used_public_addresses = 0",
        )
        .bind(&key)
        .bind(limits.vcpus)
        .bind(limits.memory_mib)
        .bind(limits.disk_gib)
        .bind(limits.guests)
        .bind(limits.networks)
        .bind(limits.public_addresses)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if deleted.rows_affected() == 0 {
            return Err(Error::Conflict(
                "the project's quota changed meanwhile or is still in use; try again".into(),
            ));
        }
        // Releasing is reserving a negative amount; the CHECK constraints keep allocations >= 0.
        self.reserve_in_tenant(&mut tx, p.tenant_id, -limits)
            .await?;
        tx.commit().await
    }

    /// Sets a project's quota: the difference is reserved from (or returned to) the tenant in one
    /// transaction; refused below what the project's guests use or beyond the tenant's room.
    pub async fn project_quota_update(
        &self,
        id: ProjectId,
        limits: &Resources,
    ) -> Result<Project, Error> {
        let p = self.project_get(id).await?;
        let new = amounts(limits)?;
        let old = amounts(&p.limits)?;
        let delta = new - old;
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE projects SET limit_vcpus = $1, limit_memory_mib = $2, limit_disk_gib = $3, limit_guests = $4, \
             limit_networks = $11, limit_public_addresses = $13, updated_at = $5 WHERE id = $6 AND used_vcpus <= $1 AND used_memory_mib <= $2 AND used_disk_gib <= $3 \
             AND used_guests <= $4 AND limit_vcpus = $7 AND limit_memory_mib = $8 AND limit_disk_gib = $9 \
             AND limit_guests = $10 AND used_networks <= $11 AND limit_networks = $12 \
             AND used_public_addresses <= $13 AND limit_public_addresses = $14",
        )
        .bind(new.vcpus)
        .bind(new.memory_mib)
        .bind(new.disk_gib)
        .bind(new.guests)
        .bind(self.now_ms())
        .bind(id.to_string())
        .bind(old.vcpus)
        .bind(old.memory_mib)
        .bind(old.disk_gib)
        .bind(old.guests)
        .bind(new.networks)
        .bind(old.networks)
        .bind(new.public_addresses)
        .bind(old.public_addresses)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if changed.rows_affected() == 0 {
            drop(tx);
            let current = self.project_get(id).await?;
            return Err(match current.used.first_excess(limits) {
                Some((resource, in_use, requested)) => Error::QuotaBelowUse {
                    scope: format!("project '{}'", current.name),
                    resource,
                    requested,
                    in_use,
                    what: "used",
                },
                None => Error::Conflict("the project's quota changed meanwhile; try again".into()),
            });
        }
        if !self.reserve_in_tenant(&mut tx, p.tenant_id, delta).await? {
            drop(tx);
            let t = self.tenant_get(p.tenant_id).await?;
            let growth = delta.taken();
            return Err(Error::quota(
                format!("tenant '{}'", t.name),
                &t.limits,
                &t.allocated,
                &growth,
            )
            .unwrap_or_else(|| {
                Error::Conflict("the tenant's quota changed meanwhile; try again".into())
            }));
        }
        tx.commit().await?;
        self.project_get(id).await
    }

    /// Reserves part of a project's quota (one conditional update); refused with the numbers when it
    /// does not fit.
    pub async fn project_usage_reserve(
        &self,
        id: ProjectId,
        amount: &Resources,
    ) -> Result<(), Error> {
        let mut conn = self.write().await?;
        if self
            .change_project_usage(&mut conn, id, amounts(amount)?)
            .await?
        {
            return Ok(());
        }
        drop(conn);
        Err(self.quota_refusal(id, amount).await)
    }

    /// Returns a reservation to its project.
    pub async fn project_usage_release(
        &self,
        id: ProjectId,
        amount: &Resources,
    ) -> Result<(), Error> {
        let mut conn = self.write().await?;
        if self
            .change_project_usage(&mut conn, id, -amounts(amount)?)
            .await?
        {
            return Ok(());
        }
        drop(conn);
        self.project_get(id).await?;
        Err(Error::internal("releasing more than the project reserved"))
    }
}
