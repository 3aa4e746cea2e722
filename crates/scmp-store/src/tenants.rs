//! Tenants: create, look up, list, delete, and their quota (limits, allocated to projects, used).

use scmp_common::{Country, Error, Name, ResourceKind, Resources, TenantId};
use sqlx::any::AnyRow;

use crate::db::{db_error, get_name, get_string, get_u64, is_unique_violation, to_i64, DataStore};
use crate::dependents;

/// A new tenant.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// Name, unique on the platform.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Quota.
    pub quota: Resources,
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    /// Labels (key to value), which governance policies read.
    pub labels: crate::labels::Labels,
    /// Id.
    pub id: TenantId,
    /// Name.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Quota.
    pub limits: Resources,
    /// Taken by its projects' quotas.
    pub allocated: Resources,
    /// Countries (ISO 3166-1 alpha-2) its guests may run in; empty means anywhere.
    pub countries: Vec<Country>,
    /// Its users must have a second factor.
    pub require_mfa: bool,
    /// Created (ms since the epoch).
    pub created_at: i64,
    /// Last changed (ms since the epoch).
    pub updated_at: i64,
}

/// A quota's three figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaView {
    /// The quota.
    pub limits: Resources,
    /// Handed on (a tenant's to its projects) or reserved.
    pub allocated: Resources,
    /// Used by guests.
    pub used: Resources,
}

pub(crate) fn resources(row: &AnyRow, prefix: &str) -> Result<Resources, Error> {
    Ok(Resources {
        vcpus: get_u64(row, &format!("{prefix}_vcpus"))?,
        memory_mib: get_u64(row, &format!("{prefix}_memory_mib"))?,
        disk_gib: get_u64(row, &format!("{prefix}_disk_gib"))?,
        guests: get_u64(row, &format!("{prefix}_guests"))?,
        networks: get_u64(row, &format!("{prefix}_networks"))?,
        public_addresses: get_u64(row, &format!("{prefix}_public_addresses"))?,
    })
}

fn tenant(row: &AnyRow) -> Result<Tenant, Error> {
    Ok(Tenant {
        id: get_string(row, "id")?.parse().map_err(Error::internal)?,
        name: get_name(row, "name")?,
        description: get_string(row, "description")?,
        limits: resources(row, "limit")?,
        allocated: resources(row, "alloc")?,
        countries: get_string(row, "countries")?
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| c.parse().map_err(Error::internal))
            .collect::<Result<_, _>>()?,
        require_mfa: sqlx::Row::try_get::<i64, _>(row, "require_mfa").map_err(Error::internal)?
            != 0,
        labels: crate::labels::read(row)?,
        created_at: sqlx::Row::try_get(row, "created_at").map_err(Error::internal)?,
        updated_at: sqlx::Row::try_get(row, "updated_at").map_err(Error::internal)?,
    })
}

const COLUMNS: &str =
    "id, name, description, limit_vcpus, limit_memory_mib, limit_disk_gib, limit_guests, \
     limit_networks, alloc_vcpus, alloc_memory_mib, alloc_disk_gib, alloc_guests, alloc_networks, created_at, updated_at, countries, \
     require_mfa, labels, limit_public_addresses, alloc_public_addresses";

/// Free text the store keeps: at most 4 KiB, and no NUL (PostgreSQL cannot store it; SQLite is held to
/// the same rule so both backends accept the same input).
pub(crate) fn check_text(field: &str, value: &str) -> Result<(), Error> {
    if value.len() > 4096 {
        return Err(Error::InvalidValue {
            field: field.to_string(),
            message: "must be at most 4096 bytes long".into(),
        });
    }
    if value.contains('\0') {
        return Err(Error::InvalidValue {
            field: field.to_string(),
            message: "must not contain NUL characters".into(),
        });
    }
    Ok(())
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Tenant,
        name: name.to_string(),
    }
}

impl DataStore {
    /// Creates a tenant.
    pub async fn tenant_create(&self, new: &NewTenant) -> Result<Tenant, Error> {
        check_text("description", &new.description)?;
        let id = self.random.id::<TenantId>();
        let now = self.now_ms();
        let q = &new.quota;
        let sql = "INSERT INTO tenants (id, name, description, limit_vcpus, limit_memory_mib, limit_disk_gib, \
                   limit_guests, created_at, updated_at, limit_networks, limit_public_addresses) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        let result = sqlx::query(sql)
            .bind(id.to_string())
            .bind(new.name.as_str())
            .bind(new.description.as_str())
            .bind(to_i64("quota.vcpus", q.vcpus)?)
            .bind(to_i64("quota.memory_mib", q.memory_mib)?)
            .bind(to_i64("quota.disk_gib", q.disk_gib)?)
            .bind(to_i64("quota.guests", q.guests)?)
            .bind(now)
            .bind(now)
            .bind(to_i64("quota.networks", q.networks)?)
            .bind(to_i64("quota.public_addresses", q.public_addresses)?)
            .execute(&mut *self.write().await?)
            .await;
        match result {
            Ok(_) => self.tenant_get(id).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::Tenant,
                name: new.name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// A tenant by id.
    pub async fn tenant_get(&self, id: TenantId) -> Result<Tenant, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref()
            .map(tenant)
            .unwrap_or_else(|| Err(not_found(&id.to_string())))
    }

    /// A tenant by id or name.
    pub async fn tenant_lookup(&self, id_or_name: &str) -> Result<Tenant, Error> {
        if let Ok(id) = id_or_name.parse::<TenantId>() {
            return self.tenant_get(id).await;
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE name = $1"))
            .bind(id_or_name)
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref()
            .map(tenant)
            .unwrap_or_else(|| Err(not_found(id_or_name)))
    }

    /// Tenants ordered by name, `limit` of them after the name `after` (keyset pagination).
    pub async fn tenant_list(
        &self,
        visible: &crate::Visible,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Tenant>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE name > $1 AND {} ORDER BY name LIMIT $2",
            visible.condition("id", None)
        ))
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(tenant).collect()
    }

    /// Sets the description of a row of `table` (a constant of this crate); false when there is none.
    pub(crate) async fn description_set(
        &self,
        table: &'static str,
        id: &str,
        description: &str,
    ) -> Result<bool, Error> {
        check_text("description", description)?;
        let done = sqlx::query(&format!(
            "UPDATE {table} SET description = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(description)
        .bind(self.now_ms())
        .bind(id)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets whether a tenant's users must have a second factor.
    pub async fn tenant_set_require_mfa(&self, id: TenantId, on: bool) -> Result<Tenant, Error> {
        let q = sqlx::query("UPDATE tenants SET require_mfa = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(on));
        self.tenant_set(id, q).await
    }

    /// Sets the countries a tenant's guests may run in (empty: anywhere).
    pub async fn tenant_set_countries(
        &self,
        id: TenantId,
        countries: &[Country],
    ) -> Result<Tenant, Error> {
        let text: Vec<&str> = countries.iter().map(Country::as_str).collect();
        let q = sqlx::query("UPDATE tenants SET countries = $1, updated_at = $2 WHERE id = $3")
            .bind(text.join(","));
        self.tenant_set(id, q).await
    }

    /// Runs an update of one of a tenant's settings (its value bound first, then the time and the
    /// id are bound here); answers the tenant as it is now.
    async fn tenant_set<'q>(
        &self,
        id: TenantId,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<Tenant, Error> {
        let done = q
            .bind(self.now_ms())
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(not_found(&id.to_string()));
        }
        self.tenant_get(id).await
    }

    /// Changes a tenant's description.
    pub async fn tenant_update(&self, id: TenantId, description: &str) -> Result<Tenant, Error> {
        if !self
            .description_set("tenants", &id.to_string(), description)
            .await?
        {
            return Err(not_found(&id.to_string()));
        }
        self.tenant_get(id).await
    }

    /// Deletes a tenant that has no projects, users or groups left, with the role bindings given on
    /// it (they mean nothing without it); refused with what is in the way otherwise.
    pub async fn tenant_delete(&self, id: TenantId) -> Result<(), Error> {
        let key = id.to_string();
        let mut tx = self.begin().await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let name = name.ok_or_else(|| not_found(&key))?;
        let found = [
            dependents::find(
                &mut tx,
                ResourceKind::Project,
                "projects WHERE tenant_id = $1",
                "name",
                &key,
            )
            .await?,
            dependents::find(
                &mut tx,
                ResourceKind::User,
                "users WHERE tenant_id = $1",
                "name",
                &key,
            )
            .await?,
            dependents::find(
                &mut tx,
                ResourceKind::Group,
                "user_groups WHERE tenant_id = $1",
                "name",
                &key,
            )
            .await?,
        ];
        dependents::refuse_if_any(ResourceKind::Tenant, &name, found)?;
        dependents::delete_with_owned(
            &mut tx,
            &[
                "DELETE FROM role_bindings WHERE tenant_id = $1",
                "DELETE FROM group_role_bindings WHERE tenant_id = $1",
                "DELETE FROM custom_roles WHERE tenant_id = $1",
                "DELETE FROM policy_versions WHERE policy_id IN (SELECT id FROM policies WHERE tenant_id = $1)",
                "DELETE FROM policies WHERE tenant_id = $1",
                "DELETE FROM admissions WHERE tenant_id = $1",
            ],
            "DELETE FROM tenants WHERE id = $1",
            ResourceKind::Tenant,
            &key,
        )
        .await?;
        tx.commit().await
    }

    /// Sets a tenant's quota; refused (with the numbers) below what its projects hold.
    pub async fn tenant_quota_update(
        &self,
        id: TenantId,
        limits: &Resources,
    ) -> Result<Tenant, Error> {
        let sql =
            "UPDATE tenants SET limit_vcpus = $1, limit_memory_mib = $2, limit_disk_gib = $3, \
                   limit_guests = $4, updated_at = $5, limit_networks = $7, \
                   limit_public_addresses = $8 WHERE id = $6 AND alloc_vcpus <= $1 \
                   AND alloc_memory_mib <= $2 AND alloc_disk_gib <= $3 AND alloc_guests <= $4 \
                   AND alloc_networks <= $7 AND alloc_public_addresses <= $8";
        let done = sqlx::query(sql)
            .bind(to_i64("vcpus", limits.vcpus)?)
            .bind(to_i64("memory_mib", limits.memory_mib)?)
            .bind(to_i64("disk_gib", limits.disk_gib)?)
            .bind(to_i64("guests", limits.guests)?)
            .bind(self.now_ms())
            .bind(id.to_string())
            .bind(to_i64("networks", limits.networks)?)
            .bind(to_i64("public_addresses", limits.public_addresses)?)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        let current = self.tenant_get(id).await?;
        if done.rows_affected() == 0 {
            let (resource, in_use, requested) = current
                .allocated
                .first_excess(limits)
                .ok_or_else(|| Error::Conflict("the quota changed meanwhile; try again".into()))?;
            return Err(Error::QuotaBelowUse {
                scope: format!("tenant '{}'", current.name),
                resource,
                requested,
                in_use,
                what: "allocated to projects",
            });
        }
        Ok(current)
    }

    /// A tenant's quota: limits, what its projects' quotas take, and what their guests use.
    pub async fn tenant_quota_view(&self, id: TenantId) -> Result<QuotaView, Error> {
        let t = self.tenant_get(id).await?;
        let mut views = self.tenant_quota_views(vec![t]).await?;
        views
            .pop()
            .map(|(_, q)| q)
            .ok_or_else(|| Error::internal("a tenant's usage went missing"))
    }

    /// The quota of each of these tenants, in one query whatever their number (a page of a
    /// list costs the same for one tenant as for a thousand).
    pub async fn tenant_quota_views(
        &self,
        tenants: Vec<Tenant>,
    ) -> Result<Vec<(Tenant, QuotaView)>, Error> {
        if tenants.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            // PostgreSQL sums BIGINT as NUMERIC: cast back so both backends answer integers.
            "SELECT tenant_id, CAST(COALESCE(SUM(used_vcpus), 0) AS BIGINT) AS used_vcpus, \
             CAST(COALESCE(SUM(used_memory_mib), 0) AS BIGINT) AS used_memory_mib, \
             CAST(COALESCE(SUM(used_disk_gib), 0) AS BIGINT) AS used_disk_gib, \
             CAST(COALESCE(SUM(used_guests), 0) AS BIGINT) AS used_guests, \
             CAST(COALESCE(SUM(used_networks), 0) AS BIGINT) AS used_networks, \
             CAST(COALESCE(SUM(used_public_addresses), 0) AS BIGINT) AS used_public_addresses FROM projects \
             WHERE tenant_id IN ({}) GROUP BY tenant_id",
            self.backend().params(1, tenants.len())
        );
        let mut q = sqlx::query(&sql);
        for t in &tenants {
            q = q.bind(t.id.to_string());
        }
        let rows = q
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        let mut used = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            used.insert(get_string(row, "tenant_id")?, resources(row, "used")?);
        }
        Ok(tenants
            .into_iter()
            .map(|t| {
                let view = QuotaView {
                    limits: t.limits,
                    allocated: t.allocated,
                    used: used.remove(&t.id.to_string()).unwrap_or_default(),
                };
                (t, view)
            })
            .collect())
    }
}
