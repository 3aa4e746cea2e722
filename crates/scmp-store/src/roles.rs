//! Custom roles: named sets of actions, the platform's or one tenant's. The store keeps the
//! actions as the operation ids it is given (the server knows what they mean); bindings name a
//! role by its name, so a role in use cannot be deleted.

use scmp_common::{Error, Name, ProjectId, ResourceKind, RoleBindingId, RoleId, TenantId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, is_unique_violation, DataStore};
use crate::identity::{insert_binding, BindingSubject, StoredBinding};
use crate::link::Link;

/// Where a custom role is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleLevel {
    /// The platform.
    Platform,
    /// A tenant (and its projects).
    Tenant,
    /// A project.
    Project,
}

impl RoleLevel {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleLevel::Platform => "platform",
            RoleLevel::Tenant => "tenant",
            RoleLevel::Project => "project",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "platform" => Ok(RoleLevel::Platform),
            "tenant" => Ok(RoleLevel::Tenant),
            "project" => Ok(RoleLevel::Project),
            other => Err(Error::internal(format!("unknown role level {other:?}"))),
        }
    }
}

/// A custom role as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRoleRow {
    /// Id.
    pub id: RoleId,
    /// Name, unique on the platform.
    pub name: Name,
    /// Its tenant; `None` for a platform role.
    pub tenant_id: Option<TenantId>,
    /// Where it is bound.
    pub level: RoleLevel,
    /// What it is for.
    pub description: String,
    /// The actions it grants (operation ids).
    pub actions: Vec<String>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

pub(crate) const ROLE_COLUMNS: &str =
    "id, name, tenant_id, level, description, actions, created_at, updated_at";

pub(crate) fn custom_role(row: &AnyRow) -> Result<CustomRoleRow, Error> {
    custom_role_in(row, "")
}

/// A role from the columns named `{prefix}id`, `{prefix}name`, ... (beside a binding's own).
pub(crate) fn custom_role_in(row: &AnyRow, prefix: &str) -> Result<CustomRoleRow, Error> {
    let col = |c: &str| format!("{prefix}{c}");
    let tenant: Option<String> = row
        .try_get(col("tenant_id").as_str())
        .map_err(Error::internal)?;
    let actions: Vec<String> =
        serde_json::from_str(&get_string(row, &col("actions"))?).map_err(Error::internal)?;
    Ok(CustomRoleRow {
        id: get_id(row, &col("id"))?,
        name: get_name(row, &col("name"))?,
        tenant_id: tenant
            .map(|t| t.parse())
            .transpose()
            .map_err(Error::internal)?,
        level: RoleLevel::parse(&get_string(row, &col("level"))?)?,
        description: get_string(row, &col("description"))?,
        actions,
        created_at: row
            .try_get(col("created_at").as_str())
            .map_err(Error::internal)?,
        updated_at: row
            .try_get(col("updated_at").as_str())
            .map_err(Error::internal)?,
    })
}

fn not_found(key: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Role,
        name: key.to_string(),
    }
}

fn encode(actions: &[String]) -> Result<String, Error> {
    serde_json::to_string(actions).map_err(Error::internal)
}

impl DataStore {
    /// Creates a custom role.
    pub async fn custom_role_create(
        &self,
        name: &Name,
        tenant: Option<TenantId>,
        level: RoleLevel,
        description: &str,
        actions: &[String],
    ) -> Result<CustomRoleRow, Error> {
        crate::tenants::check_text("description", description)?;
        let id = self.random.id::<RoleId>();
        let now = self.now_ms();
        let r = sqlx::query(
            "INSERT INTO custom_roles (id, name, tenant_id, level, description, actions, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id.to_string())
        .bind(name.as_str())
        .bind(tenant.map(|t| t.to_string()))
        .bind(level.as_str())
        .bind(description)
        .bind(encode(actions)?)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.custom_role_lookup(&id.to_string()).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::Role,
                name: name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// A custom role by id or name.
    pub async fn custom_role_lookup(&self, key: &str) -> Result<CustomRoleRow, Error> {
        let row = sqlx::query(&format!(
            "SELECT {ROLE_COLUMNS} FROM custom_roles WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref()
            .map(custom_role)
            .transpose()?
            .ok_or_else(|| not_found(key))
    }

    /// Custom roles by name, `limit` of them after the name `after`: the platform's, and those
    /// of the tenants given (`None`: every tenant's).
    pub async fn custom_role_list(
        &self,
        tenants: Option<&[TenantId]>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CustomRoleRow>, Error> {
        let which = match tenants {
            None => String::new(),
            Some(ts) => {
                let mut cond = String::from("AND (tenant_id IS NULL");
                for i in 0..ts.len() {
                    cond.push_str(&format!(" OR tenant_id = ${}", i + 3));
                }
                cond.push(')');
                cond
            }
        };
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM custom_roles WHERE name > $1 {which} ORDER BY name LIMIT $2"
        );
        let mut q = sqlx::query(&sql)
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit));
        for t in tenants.unwrap_or_default() {
            q = q.bind(t.to_string());
        }
        let rows = q
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(custom_role).collect()
    }

    /// Changes a custom role's description or actions (`None`: unchanged); every binding of it
    /// grants the new actions from then on.
    pub async fn custom_role_update(
        &self,
        id: RoleId,
        description: Option<&str>,
        actions: Option<&[String]>,
    ) -> Result<CustomRoleRow, Error> {
        if let Some(d) = description {
            crate::tenants::check_text("description", d)?;
        }
        let actions = actions.map(encode).transpose()?;
        let done = sqlx::query(
            "UPDATE custom_roles SET description = COALESCE($1, description), \
             actions = COALESCE($2, actions), updated_at = $3 WHERE id = $4",
        )
        .bind(description)
        .bind(actions)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(not_found(&id.to_string()));
        }
        self.custom_role_lookup(&id.to_string()).await
    }

    /// The custom roles of these names (names of no custom role are left out).
    pub async fn custom_roles_named(&self, names: &[&str]) -> Result<Vec<CustomRoleRow>, Error> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM custom_roles WHERE name IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for n in names {
            q = q.bind(*n);
        }
        let rows = q
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(custom_role).collect()
    }

    /// Binds a custom role to a user or a group on a scope, while the role exists: the role's
    /// row is locked first, so a delete of the role and a new binding of it never both succeed.
    pub async fn custom_role_binding_create(
        &self,
        subject: &BindingSubject,
        role: &CustomRoleRow,
        tenant_id: Option<TenantId>,
        project_id: Option<ProjectId>,
    ) -> Result<StoredBinding, Error> {
        let mut tx = self.begin().await?;
        lock(&mut tx, role.id).await?;
        let b = StoredBinding {
            id: self.random.id::<RoleBindingId>(),
            subject: subject.clone(),
            role: role.name.to_string(),
            tenant_id,
            project_id,
            created_at: self.now_ms(),
        };
        insert_binding(&mut tx, &b).await?;
        tx.commit().await?;
        Ok(b)
    }

    /// Deletes a custom role; refused, naming them, while bindings give it.
    pub async fn custom_role_delete(&self, id: RoleId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        lock(&mut tx, id).await?;
        let name: String = sqlx::query_scalar("SELECT name FROM custom_roles WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        let found = crate::dependents::find(
            &mut tx,
            ResourceKind::RoleBinding,
            "(SELECT id FROM role_bindings WHERE role = $1 UNION ALL \
             SELECT id FROM group_role_bindings WHERE role = $1) AS b",
            "id",
            &name,
        )
        .await?;
        crate::dependents::refuse_if_any(ResourceKind::Role, &name, [found])?;
        sqlx::query("DELETE FROM custom_roles WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }
}

/// Locks a role's row for the rest of the transaction (a write that changes nothing); a role
/// that is gone is not found.
async fn lock(conn: &mut Link, id: RoleId) -> Result<(), Error> {
    let done = sqlx::query("UPDATE custom_roles SET updated_at = updated_at WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Err(not_found(&id.to_string()));
    }
    Ok(())
}
