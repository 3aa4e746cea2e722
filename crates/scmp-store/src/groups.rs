//! Groups of users (of one tenant, or of the platform) and the role bindings given to them.

use scmp_common::{Error, GroupId, Name, RealmId, ResourceKind, TenantId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, is_unique_violation, DataStore};

/// A group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Id.
    pub id: GroupId,
    /// Name, unique on the platform.
    pub name: Name,
    /// Its tenant; `None` for a platform group.
    pub tenant_id: Option<TenantId>,
    /// Description.
    pub description: String,
    /// Members.
    pub members: Vec<UserId>,
    /// The realm whose directory decides the members; `None` for scmp's own groups.
    pub realm_id: Option<RealmId>,
    /// Created (ms).
    pub created_at: i64,
}

fn group(row: &AnyRow, members: Vec<UserId>) -> Result<Group, Error> {
    let tenant: Option<String> = row.try_get("tenant_id").map_err(Error::internal)?;
    let realm: Option<String> = row.try_get("realm_id").map_err(Error::internal)?;
    Ok(Group {
        id: get_id(row, "id")?,
        name: get_name(row, "name")?,
        tenant_id: tenant
            .map(|t| t.parse())
            .transpose()
            .map_err(Error::internal)?,
        description: get_string(row, "description")?,
        members,
        realm_id: realm
            .map(|r| r.parse())
            .transpose()
            .map_err(Error::internal)?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
    })
}

impl DataStore {
    /// Creates a group with its members.
    pub async fn group_create(
        &self,
        name: &Name,
        tenant: Option<TenantId>,
        description: &str,
        members: &[UserId],
    ) -> Result<Group, Error> {
        crate::tenants::check_text("description", description)?;
        let id = self.random.uuid().to_string();
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO user_groups (id, name, tenant_id, description, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(name.as_str())
        .bind(tenant.map(|t| t.to_string()))
        .bind(description)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists {
                    kind: ResourceKind::Group,
                    name: name.to_string(),
                })
            }
            Err(e) => return Err(db_error(e)),
        }
        for m in members {
            sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)")
                .bind(&id)
                .bind(m.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await?;
        self.group_lookup(&id).await
    }

    /// A group by id or name.
    pub async fn group_lookup(&self, key: &str) -> Result<Group, Error> {
        let row = sqlx::query(
            "SELECT id, name, tenant_id, description, created_at, realm_id FROM user_groups WHERE id = $1 OR name = $1",
        )
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let Some(row) = row else {
            return Err(Error::NotFound {
                kind: ResourceKind::Group,
                name: key.to_string(),
            });
        };
        let members = self.group_members(&get_string(&row, "id")?).await?;
        group(&row, members)
    }

    async fn group_members(&self, id: &str) -> Result<Vec<UserId>, Error> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id",
        )
        .bind(id)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        ids.iter()
            .map(|u| u.parse().map_err(Error::internal))
            .collect()
    }

    /// Groups, all or one tenant's (`Some(None)`: the platform's), by name: `limit` of them after
    /// the name `after`.
    pub async fn group_list(
        &self,
        tenant: Option<Option<TenantId>>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Group>, Error> {
        let which = match tenant {
            None => "",
            Some(Some(_)) => "AND tenant_id = $3",
            Some(None) => "AND tenant_id IS NULL",
        };
        let sql = format!(
            "SELECT id, name, tenant_id, description, created_at, realm_id FROM user_groups \
             WHERE name > $1 {which} ORDER BY name LIMIT $2"
        );
        let mut q = sqlx::query(&sql)
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit));
        if let Some(Some(t)) = tenant {
            q = q.bind(t.to_string());
        }
        let rows = q
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let members = self.group_members(&get_string(r, "id")?).await?;
            out.push(group(r, members)?);
        }
        Ok(out)
    }

    /// Changes a group's description and, when given, replaces its members.
    pub async fn group_update(
        &self,
        id: GroupId,
        description: Option<&str>,
        members: Option<&[UserId]>,
    ) -> Result<Group, Error> {
        let mut tx = self.begin().await?;
        if let Some(d) = description {
            crate::tenants::check_text("description", d)?;
            sqlx::query("UPDATE user_groups SET description = $1 WHERE id = $2")
                .bind(d)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        if let Some(members) = members {
            sqlx::query("DELETE FROM group_members WHERE group_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            for m in members {
                sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)")
                    .bind(id.to_string())
                    .bind(m.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
        }
        tx.commit().await?;
        self.group_lookup(&id.to_string()).await
    }

    /// Deletes a group with what it owns: its memberships and the roles bound to it.
    pub async fn group_delete(&self, id: GroupId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        crate::dependents::delete_with_owned(
            &mut tx,
            &[
                "DELETE FROM group_role_bindings WHERE group_id = $1",
                "DELETE FROM group_members WHERE group_id = $1",
            ],
            "DELETE FROM user_groups WHERE id = $1",
            ResourceKind::Group,
            &id.to_string(),
        )
        .await?;
        tx.commit().await
    }
}

impl DataStore {
    /// The names of a user's groups, sorted.
    pub async fn group_names_of(&self, user: UserId) -> Result<Vec<String>, Error> {
        sqlx::query_scalar(
            "SELECT g.name FROM user_groups g JOIN group_members m ON m.group_id = g.id \
             WHERE m.user_id = $1 ORDER BY g.name",
        )
        .bind(user.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)
    }
}
