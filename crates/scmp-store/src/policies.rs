//! Governance policies (the platform's, a tenant's or a project's) with every version kept, the
//! generation that tells servers when to compile the set anew, and the recent admissions' inputs
//! that dry runs of a policy change are evaluated over. The store keeps a policy's rules as the
//! JSON the server gives; it does not read them.

use scmp_common::{Error, Name, PolicyId, ProjectId, ResourceKind, TenantId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, is_unique_violation, DataStore};
use crate::link::Link;

/// What a policy's violation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyLevel {
    /// Refuses the request.
    Deny,
    /// Warns.
    Warn,
    /// Holds the request for approvers.
    RequireApproval,
    /// Gives the guest an expiry.
    Lease,
}

impl PolicyLevel {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyLevel::Deny => "deny",
            PolicyLevel::Warn => "warn",
            PolicyLevel::RequireApproval => "require_approval",
            PolicyLevel::Lease => "lease",
        }
    }

    fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "deny" => Ok(PolicyLevel::Deny),
            "warn" => Ok(PolicyLevel::Warn),
            "require_approval" => Ok(PolicyLevel::RequireApproval),
            "lease" => Ok(PolicyLevel::Lease),
            other => Err(Error::internal(format!("unknown enforcement {other:?}"))),
        }
    }
}

/// A policy as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    /// Id.
    pub id: PolicyId,
    /// Name, unique on the platform.
    pub name: Name,
    /// Its tenant (with `project_id`, the project's); `None` for a platform policy.
    pub tenant_id: Option<TenantId>,
    /// Its project.
    pub project_id: Option<ProjectId>,
    /// What it is for.
    pub description: String,
    /// What a violation does.
    pub level: PolicyLevel,
    /// What a violation says.
    pub message: Option<String>,
    /// The rules (JSON).
    pub source: String,
    /// Whether it is enforced.
    pub active: bool,
    /// Who approves what it holds, by when (JSON; with `require_approval` only).
    pub approval: Option<String>,
    /// The shared secret of its ITSM webhook, sealed.
    pub itsm_secret: Option<String>,
    /// How long the guests it holds live (JSON; with `lease` only).
    pub lease: Option<String>,
    /// Its version, from 1.
    pub version: i64,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A policy's content: what a version holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyContent {
    /// What a violation does.
    pub level: PolicyLevel,
    /// What a violation says.
    pub message: Option<String>,
    /// The rules (JSON).
    pub source: String,
    /// Whether it is enforced.
    pub active: bool,
    /// Who approves what it holds, by when (JSON; with `require_approval` only).
    pub approval: Option<String>,
    /// How long the guests it holds live (JSON; with `lease` only).
    pub lease: Option<String>,
}

/// One version of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    /// The version.
    pub version: i64,
    /// What it held.
    pub content: PolicyContent,
    /// Who made it (a user's name).
    pub changed_by: String,
    /// When (ms).
    pub created_at: i64,
}

/// A recent admission's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionRow {
    /// When (ms).
    pub at: i64,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The project.
    pub project_id: ProjectId,
    /// What was asked (`guest_create`, ...).
    pub operation: String,
    /// The policies' input (JSON).
    pub input: String,
}

/// How many admissions are kept for dry runs.
pub const ADMISSIONS_KEPT: i64 = 10_000;

const POLICY_COLUMNS: &str = "id, name, tenant_id, project_id, description, enforcement, message, \
                              source, active, approval, itsm_secret, lease, version, created_at, updated_at";

fn optional_id<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>, Error>
where
    T::Err: std::fmt::Display,
{
    let v: Option<String> = row.try_get(col).map_err(Error::internal)?;
    v.map(|s| s.parse::<T>().map_err(|e| Error::internal(e.to_string())))
        .transpose()
}

fn policy(row: &AnyRow) -> Result<PolicyRow, Error> {
    Ok(PolicyRow {
        id: get_id(row, "id")?,
        name: get_name(row, "name")?,
        tenant_id: optional_id(row, "tenant_id")?,
        project_id: optional_id(row, "project_id")?,
        description: get_string(row, "description")?,
        level: PolicyLevel::parse(&get_string(row, "enforcement")?)?,
        message: row.try_get("message").map_err(Error::internal)?,
        source: get_string(row, "source")?,
        active: row.try_get::<i64, _>("active").map_err(Error::internal)? != 0,
        approval: row.try_get("approval").map_err(Error::internal)?,
        itsm_secret: row.try_get("itsm_secret").map_err(Error::internal)?,
        lease: row.try_get("lease").map_err(Error::internal)?,
        version: row.try_get("version").map_err(Error::internal)?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

fn not_found(key: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Policy,
        name: key.to_string(),
    }
}

async fn bump(conn: &mut Link) -> Result<(), Error> {
    sqlx::query("UPDATE policy_generation SET generation = generation + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

async fn keep_version(
    conn: &mut Link,
    id: PolicyId,
    version: i64,
    c: &PolicyContent,
    changed_by: &str,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO policy_versions (policy_id, version, enforcement, message, source, active, \
         changed_by, created_at, approval, lease) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(version)
    .bind(c.level.as_str())
    .bind(c.message.as_deref())
    .bind(&c.source)
    .bind(i64::from(c.active))
    .bind(changed_by)
    .bind(now)
    .bind(c.approval.as_deref())
    .bind(c.lease.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

impl DataStore {
    /// Creates a policy at version 1 (with its ITSM webhook's sealed secret, if it has one).
    pub async fn policy_create(
        &self,
        name: &Name,
        scope: (Option<TenantId>, Option<ProjectId>),
        description: &str,
        content: &PolicyContent,
        itsm_secret: Option<&str>,
        changed_by: &str,
    ) -> Result<PolicyRow, Error> {
        crate::tenants::check_text("description", description)?;
        let id = self.random.id::<PolicyId>();
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let made = sqlx::query(
            "INSERT INTO policies (id, name, tenant_id, project_id, description, enforcement, \
             message, source, active, version, created_at, updated_at, approval, itsm_secret, lease) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10, $11, $12, $13)",
        )
        .bind(id.to_string())
        .bind(name.as_str())
        .bind(scope.0.map(|t| t.to_string()))
        .bind(scope.1.map(|p| p.to_string()))
        .bind(description)
        .bind(content.level.as_str())
        .bind(content.message.as_deref())
        .bind(&content.source)
        .bind(i64::from(content.active))
        .bind(now)
        .bind(content.approval.as_deref())
        .bind(itsm_secret)
        .bind(content.lease.as_deref())
        .execute(&mut *tx)
        .await;
        match made {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists {
                    kind: ResourceKind::Policy,
                    name: name.to_string(),
                })
            }
            Err(e) => return Err(db_error(e)),
        }
        keep_version(&mut tx, id, 1, content, changed_by, now).await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        self.policy_lookup(&id.to_string()).await
    }

    /// A policy by id or name.
    pub async fn policy_lookup(&self, key: &str) -> Result<PolicyRow, Error> {
        let row = sqlx::query(&format!(
            "SELECT {POLICY_COLUMNS} FROM policies WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref()
            .map(policy)
            .transpose()?
            .ok_or_else(|| not_found(key))
    }

    /// Every policy, by name (the set is compiled whole; lists filter it).
    pub async fn policy_all(&self) -> Result<Vec<PolicyRow>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {POLICY_COLUMNS} FROM policies ORDER BY name"
        ))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(policy).collect()
    }

    /// How many times any policy changed: the set to compile is the same while this is.
    pub async fn policy_generation(&self) -> Result<i64, Error> {
        sqlx::query_scalar("SELECT generation FROM policy_generation WHERE id = 1")
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db_error)
    }

    /// A new version of a policy (its description and ITSM secret aside, which are not
    /// versioned: `itsm_secret` `None` keeps it, `Some(None)` removes it), if `version` is still
    /// its current one: two edits made from the same version do not both land.
    pub async fn policy_update(
        &self,
        id: PolicyId,
        version: i64,
        description: Option<&str>,
        content: &PolicyContent,
        itsm_secret: Option<Option<&str>>,
        changed_by: &str,
    ) -> Result<PolicyRow, Error> {
        if let Some(d) = description {
            crate::tenants::check_text("description", d)?;
        }
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE policies SET description = COALESCE($1, description), enforcement = $2, \
             message = $3, source = $4, active = $5, version = version + 1, updated_at = $6, \
             approval = $9, itsm_secret = CASE WHEN $10 = 1 THEN $11 ELSE itsm_secret END, \
             lease = $12 WHERE id = $7 AND version = $8",
        )
        .bind(description)
        .bind(content.level.as_str())
        .bind(content.message.as_deref())
        .bind(&content.source)
        .bind(i64::from(content.active))
        .bind(now)
        .bind(id.to_string())
        .bind(version)
        .bind(content.approval.as_deref())
        .bind(i64::from(itsm_secret.is_some()))
        .bind(itsm_secret.flatten())
        .bind(content.lease.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "the policy changed since version {version}; read it again"
            )));
        }
        keep_version(&mut tx, id, version + 1, content, changed_by, now).await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        self.policy_lookup(&id.to_string()).await
    }

    /// A policy's versions, newest first.
    pub async fn policy_versions(&self, id: PolicyId) -> Result<Vec<PolicyVersion>, Error> {
        let rows = sqlx::query(
            "SELECT version, enforcement, message, source, active, changed_by, created_at, \
             approval, lease FROM policy_versions WHERE policy_id = $1 ORDER BY version DESC",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(PolicyVersion {
                    version: r.try_get("version").map_err(Error::internal)?,
                    content: PolicyContent {
                        level: PolicyLevel::parse(&get_string(r, "enforcement")?)?,
                        message: r.try_get("message").map_err(Error::internal)?,
                        source: get_string(r, "source")?,
                        active: r.try_get::<i64, _>("active").map_err(Error::internal)? != 0,
                        approval: r.try_get("approval").map_err(Error::internal)?,
                        lease: r.try_get("lease").map_err(Error::internal)?,
                    },
                    changed_by: get_string(r, "changed_by")?,
                    created_at: r.try_get("created_at").map_err(Error::internal)?,
                })
            })
            .collect()
    }

    /// Deletes a policy with its versions (the audit log keeps what it was).
    pub async fn policy_delete(&self, id: PolicyId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        delete_policies(&mut tx, "id = $1", &id.to_string()).await?;
        tx.commit().await
    }

    /// Keeps what an admission asked (the policies' input), and only the newest
    /// [`ADMISSIONS_KEPT`].
    pub async fn admission_record(&self, a: &AdmissionRow) -> Result<(), Error> {
        let mut conn = self.write().await?;
        sqlx::query(
            "INSERT INTO admissions (id, at, tenant_id, project_id, operation, input) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.random.id::<PolicyId>().to_string())
        .bind(a.at)
        .bind(a.tenant_id.to_string())
        .bind(a.project_id.to_string())
        .bind(&a.operation)
        .bind(&a.input)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        sqlx::query(
            "DELETE FROM admissions WHERE at < (SELECT at FROM admissions ORDER BY at DESC \
             LIMIT 1 OFFSET $1)",
        )
        .bind(ADMISSIONS_KEPT)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// The newest `limit` admissions, of one tenant (and project) or all, newest first.
    pub async fn admissions_recent(
        &self,
        tenant: Option<TenantId>,
        project: Option<ProjectId>,
        limit: u32,
    ) -> Result<Vec<AdmissionRow>, Error> {
        let rows = sqlx::query(
            "SELECT at, tenant_id, project_id, operation, input FROM admissions \
             WHERE ($1 = '' OR tenant_id = $1) AND ($2 = '' OR project_id = $2) \
             ORDER BY at DESC LIMIT $3",
        )
        .bind(tenant.map(|t| t.to_string()).unwrap_or_default())
        .bind(project.map(|p| p.to_string()).unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(AdmissionRow {
                    at: r.try_get("at").map_err(Error::internal)?,
                    tenant_id: get_id(r, "tenant_id")?,
                    project_id: get_id(r, "project_id")?,
                    operation: get_string(r, "operation")?,
                    input: get_string(r, "input")?,
                })
            })
            .collect()
    }
}

/// Deletes the policies `condition` (on `$1`) selects, with their versions.
pub(crate) async fn delete_policies(
    conn: &mut Link,
    condition: &str,
    key: &str,
) -> Result<(), Error> {
    sqlx::query(&format!(
        "DELETE FROM policy_versions WHERE policy_id IN (SELECT id FROM policies WHERE {condition})"
    ))
    .bind(key)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    let gone = sqlx::query(&format!("DELETE FROM policies WHERE {condition}"))
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    if gone.rows_affected() > 0 {
        bump(conn).await?;
    }
    Ok(())
}
