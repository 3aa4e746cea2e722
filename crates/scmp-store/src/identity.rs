//! Users, their credentials (API tokens and login sessions, stored only as hashes) and role bindings.
//!
//! A credential's text is `scmp_<id>_<secret>`: the id finds the row, the secret is compared with its
//! SHA-256 hash. The text is returned once, when issued, and never stored.

use scmp_common::{
    CredentialId, Error, GroupId, Name, ProjectId, ResourceKind, RoleBindingId, TenantId, UserId,
};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, is_unique_violation, DataStore};
use crate::link::Link;

/// A user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name, unique.
    pub name: Name,
    /// E-mail address (may be empty).
    pub email: String,
    /// The tenant the user belongs to (none for platform staff).
    pub tenant_id: Option<TenantId>,
    /// That tenant's name.
    pub tenant_name: Option<Name>,
    /// The realm the user comes from; `None` for scmp's own users.
    pub realm: Option<Name>,
}

impl User {
    /// Where the user is defined: the realm's name, `local` for scmp's own users.
    pub fn realm(&self) -> &str {
        self.realm.as_ref().map(Name::as_str).unwrap_or("local")
    }

    /// Who the user is, for the audit log: name, realm and tenant as they are now.
    pub fn identity(&self) -> crate::ActorIdentity {
        crate::ActorIdentity {
            name: self.name.to_string(),
            realm: self.realm().to_string(),
            tenant: self
                .tenant_name
                .as_ref()
                .map(Name::to_string)
                .unwrap_or_default(),
        }
    }
}

/// Token or session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A long-lived API token the user created.
    Token,
    /// A short-lived session from a login.
    Session,
}

impl CredentialKind {
    fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Token => "token",
            CredentialKind::Session => "session",
        }
    }
}

/// A credential's stored facts (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Id.
    pub id: CredentialId,
    /// Whose.
    pub user_id: UserId,
    /// Token or session.
    pub kind: CredentialKind,
    /// Name given by the user.
    pub name: String,
    /// Expiry (ms), if any.
    pub expires_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
}

/// A freshly issued credential: the only time its text exists outside the caller.
#[derive(Clone)]
pub struct IssuedSecret {
    /// The credential.
    pub credential: Credential,
    /// `scmp_<id>_<secret>`.
    pub text: String,
}

impl std::fmt::Debug for IssuedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedSecret")
            .field("credential", &self.credential)
            .field("text", &"<redacted>")
            .finish()
    }
}

/// Who a role is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingSubject {
    /// A user.
    User(UserId),
    /// A group: every member holds the role.
    Group(GroupId),
}

/// A role binding as stored (the role by name; the server interprets it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBinding {
    /// Id.
    pub id: RoleBindingId,
    /// Who.
    pub subject: BindingSubject,
    /// Role name.
    pub role: String,
    /// Tenant scope.
    pub tenant_id: Option<TenantId>,
    /// Project scope.
    pub project_id: Option<ProjectId>,
    /// Created (ms).
    pub created_at: i64,
}

/// Role bindings to users and to groups as one relation.
const BOTH: &str =
    "SELECT id, 'user' AS kind, user_id AS subject, role, tenant_id, project_id, created_at \
     FROM role_bindings UNION ALL \
     SELECT id, 'group' AS kind, group_id AS subject, role, tenant_id, project_id, created_at \
     FROM group_role_bindings";

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn user(row: &AnyRow) -> Result<User, Error> {
    user_in(row, "")
}

/// A user from the columns named `{prefix}id`, `{prefix}name`, ... (`user_` beside a credential's
/// own columns, whose `user_id` is then the user's id).
fn user_in(row: &AnyRow, prefix: &str) -> Result<User, Error> {
    let col = |c: &str| format!("{prefix}{c}");
    let tenant: Option<String> = row
        .try_get(col("tenant_id").as_str())
        .map_err(Error::internal)?;
    Ok(User {
        id: get_id(row, &col("id"))?,
        name: get_name(row, &col("name"))?,
        email: get_string(row, &col("email"))?,
        tenant_id: tenant
            .map(|t| t.parse())
            .transpose()
            .map_err(Error::internal)?,
        tenant_name: optional_name(row, &col("tenant_name"))?,
        realm: optional_name(row, &col("realm_name"))?,
    })
}

fn optional_name(row: &AnyRow, column: &str) -> Result<Option<Name>, Error> {
    match row.try_get::<Option<String>, _>(column) {
        Ok(Some(_)) => Ok(Some(get_name(row, column)?)),
        Ok(None) => Ok(None),
        Err(e) => Err(Error::internal(e)),
    }
}

fn credential(row: &AnyRow) -> Result<Credential, Error> {
    let kind = match get_string(row, "kind")?.as_str() {
        "token" => CredentialKind::Token,
        _ => CredentialKind::Session,
    };
    Ok(Credential {
        id: get_id(row, "id")?,
        user_id: get_id(row, "user_id")?,
        kind,
        name: get_string(row, "name")?,
        expires_at: row.try_get("expires_at").map_err(Error::internal)?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
    })
}

fn binding(r: &AnyRow) -> Result<StoredBinding, Error> {
    let t: Option<String> = r.try_get("tenant_id").map_err(Error::internal)?;
    let p: Option<String> = r.try_get("project_id").map_err(Error::internal)?;
    let subject = match get_string(r, "kind")?.as_str() {
        "group" => BindingSubject::Group(get_id(r, "subject")?),
        _ => BindingSubject::User(get_id(r, "subject")?),
    };
    Ok(StoredBinding {
        id: get_id(r, "id")?,
        subject,
        role: get_string(r, "role")?,
        tenant_id: t.map(|t| t.parse()).transpose().map_err(Error::internal)?,
        project_id: p.map(|p| p.parse()).transpose().map_err(Error::internal)?,
        created_at: r.try_get("created_at").map_err(Error::internal)?,
    })
}

pub(crate) const USER_COLUMNS: &str = "id, name, email, tenant_id, \
     (SELECT t.name FROM tenants t WHERE t.id = users.tenant_id) AS tenant_name, \
     (SELECT r.name FROM realms r WHERE r.id = users.realm_id) AS realm_name";
const CRED_COLUMNS: &str = "id, user_id, kind, name, expires_at, created_at";

impl DataStore {
    /// Creates a user.
    pub async fn user_create(
        &self,
        name: &Name,
        email: &str,
        tenant_id: Option<TenantId>,
        password_hash: Option<&str>,
    ) -> Result<User, Error> {
        let id = self.random.id::<UserId>();
        let r = sqlx::query(
            "INSERT INTO users (id, name, email, tenant_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(name.as_str())
        .bind(email)
        .bind(tenant_id.map(|t| t.to_string()))
        .bind(password_hash)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.user_get(id).await,
            Err(e) if is_unique_violation(&e) => {
                Err(Error::Conflict(format!("user '{name}' already exists")))
            }
            Err(e) => Err(db_error(e)),
        }
    }

    /// A user by id.
    pub async fn user_get(&self, id: UserId) -> Result<User, Error> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(user).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::User,
                name: id.to_string(),
            })
        })
    }

    /// A user by id or name, with its password hash (for login).
    pub async fn user_lookup(&self, key: &str) -> Result<Option<(User, Option<String>)>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                user(&r)?,
                r.try_get("password_hash").map_err(Error::internal)?,
            ))),
        }
    }

    /// Users by name, all or of one tenant.
    /// (`limit` of them after the name `after`).
    pub async fn user_list(
        &self,
        tenant: Option<TenantId>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<User>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE ($1 IS NULL OR tenant_id = $1) AND name > $2 \
             ORDER BY name LIMIT $3"
        ))
        .bind(tenant.map(|t| t.to_string()))
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(user).collect()
    }

    /// Deletes a user with what it owns: its credentials, its role bindings and its group
    /// memberships. The platform's last administrator stays.
    pub async fn user_delete(&self, id: UserId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let admins: Vec<String> = sqlx::query_scalar(
            "SELECT user_id FROM role_bindings WHERE role = 'platform-admin' AND tenant_id IS NULL",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        if admins.iter().any(|a| *a == id.to_string())
            && admins.iter().all(|a| *a == id.to_string())
        {
            return Err(Error::Conflict(
                "this is the platform's last administrator; make someone else one first".into(),
            ));
        }
        crate::dependents::delete_with_owned(
            &mut tx,
            &[
                "DELETE FROM sso_sessions WHERE credential_id IN \
                 (SELECT id FROM credentials WHERE user_id = $1)",
                "DELETE FROM sso_logins WHERE user_id = $1",
                "DELETE FROM credentials WHERE user_id = $1",
                "DELETE FROM role_bindings WHERE user_id = $1",
                "DELETE FROM group_members WHERE user_id = $1",
                "DELETE FROM mfa_recovery_codes WHERE user_id = $1",
                "DELETE FROM mfa_totp WHERE user_id = $1",
            ],
            "DELETE FROM users WHERE id = $1",
            ResourceKind::User,
            &id.to_string(),
        )
        .await?;
        tx.commit().await
    }

    /// Changes a user's e-mail address and/or password hash.
    pub async fn user_update(
        &self,
        id: UserId,
        email: Option<&str>,
        password_hash: Option<&str>,
    ) -> Result<User, Error> {
        if let Some(e) = email {
            crate::tenants::check_text("email", e)?;
            sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                .bind(e)
                .bind(id.to_string())
                .execute(&mut *self.write().await?)
                .await
                .map_err(db_error)?;
        }
        if let Some(h) = password_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(h)
                .bind(id.to_string())
                .execute(&mut *self.write().await?)
                .await
                .map_err(db_error)?;
        }
        self.user_get(id).await
    }

    /// Role bindings, all or those on one tenant (and its projects).
    /// (oldest first, `limit` of them after the key `(created_at, id)` `after`).
    pub async fn binding_list(
        &self,
        tenant: Option<TenantId>,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<StoredBinding>, Error> {
        let (at, id) = after.unwrap_or((i64::MIN, String::new()));
        let rows = sqlx::query(&format!(
            "SELECT * FROM ({BOTH}) b WHERE ($1 IS NULL OR tenant_id = $1) \
             AND (created_at > $2 OR (created_at = $2 AND id > $3)) ORDER BY created_at, id LIMIT $4"
        ))
        .bind(tenant.map(|t| t.to_string()))
        .bind(at)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(binding).collect()
    }

    /// A role binding by id.
    pub async fn binding_get(&self, id: RoleBindingId) -> Result<Option<StoredBinding>, Error> {
        let row = sqlx::query(&format!("SELECT * FROM ({BOTH}) b WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(binding).transpose()
    }

    /// Removes a role binding.
    /// The platform always keeps an administrator: the last user binding of `platform-admin` stays.
    pub async fn binding_delete(&self, id: RoleBindingId) -> Result<(), Error> {
        let done = sqlx::query(
            "DELETE FROM role_bindings WHERE id = $1 AND (role <> 'platform-admin' OR tenant_id IS NOT NULL \
             OR (SELECT COUNT(*) FROM role_bindings WHERE role = 'platform-admin' AND tenant_id IS NULL) > 1)",
        )
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0
            && self
                .binding_get(id)
                .await?
                .is_some_and(|b| matches!(b.subject, BindingSubject::User(_)))
        {
            return Err(Error::Conflict(
                "this is the platform's last administrator role; give the role to someone else first"
                    .into(),
            ));
        }
        sqlx::query("DELETE FROM group_role_bindings WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Failed logins for a user name since `since_ms` (from the audit log, so every replica counts the
    /// same).
    pub async fn failed_logins_since(&self, username: &str, since_ms: i64) -> Result<i64, Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_entries WHERE operation = 'session_create' AND phase = 'end' \
             AND result = 'error' AND target = $1 AND time_ms >= $2 \
             AND error <> 'a second factor is required'",
        )
        .bind(scmp_common::AuditTarget::new(scmp_common::ResourceKind::User, username).as_str())
        .bind(since_ms)
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(db_error)
    }

    /// How many users exist (the first start creates the administrator).
    pub async fn user_count(&self) -> Result<i64, Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db_error)
    }

    /// Issues a credential; its text is in the answer and nowhere else.
    pub async fn credential_issue(
        &self,
        user_id: UserId,
        kind: CredentialKind,
        name: &str,
        expires_at: Option<i64>,
    ) -> Result<IssuedSecret, Error> {
        let id = self.random.id::<CredentialId>();
        let mut secret = [0u8; 32];
        self.random.fill(&mut secret);
        let secret = hex::encode(secret);
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO credentials (id, user_id, kind, name, secret_hash, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(user_id.to_string())
        .bind(kind.as_str())
        .bind(name)
        .bind(hash_secret(&secret))
        .bind(expires_at)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(IssuedSecret {
            credential: Credential {
                id,
                user_id,
                kind,
                name: name.to_string(),
                expires_at,
                created_at: now,
            },
            text: format!("scmp_{id}_{secret}"),
        })
    }

    /// The user and credential behind a bearer text, if it is valid now (known, matching, unexpired,
    /// not revoked).
    pub async fn credential_verify(
        &self,
        text: &str,
        now: i64,
    ) -> Result<Option<(User, Credential)>, Error> {
        let Some((id, secret)) = text.strip_prefix("scmp_").and_then(|r| r.split_once('_')) else {
            return Ok(None);
        };
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        // The credential and its user in one read: every request makes it.
        let row = sqlx::query(
            "SELECT c.id, c.user_id, c.kind, c.name, c.expires_at, c.created_at, c.secret_hash, \
             c.revoked_at, u.name AS user_name, u.email AS user_email, u.tenant_id AS user_tenant_id, \
             (SELECT t.name FROM tenants t WHERE t.id = u.tenant_id) AS user_tenant_name, \
             (SELECT r.name FROM realms r WHERE r.id = u.realm_id) AS user_realm_name \
             FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        let stored = get_string(&row, "secret_hash")?;
        if !constant_time_eq(stored.as_bytes(), hash_secret(secret).as_bytes()) {
            return Ok(None);
        }
        let revoked: Option<i64> = row.try_get("revoked_at").map_err(Error::internal)?;
        let cred = credential(&row)?;
        if revoked.is_some() || cred.expires_at.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        Ok(Some((user_in(&row, "user_")?, cred)))
    }

    /// A user's live credentials of one kind.
    /// (oldest first, `limit` of them after the key `(created_at, id)` `after`).
    pub async fn credential_list(
        &self,
        user_id: UserId,
        kind: CredentialKind,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<Credential>, Error> {
        let (at, id) = after.unwrap_or((i64::MIN, String::new()));
        let rows = sqlx::query(&format!(
            "SELECT {CRED_COLUMNS} FROM credentials WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL \
             AND (created_at > $3 OR (created_at = $3 AND id > $4)) ORDER BY created_at, id LIMIT $5"
        ))
        .bind(user_id.to_string())
        .bind(kind.as_str())
        .bind(at)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(credential).collect()
    }

    /// Revokes one of a user's credentials; false when the user has no such live credential.
    pub async fn credential_revoke(
        &self,
        user_id: UserId,
        id: CredentialId,
    ) -> Result<bool, Error> {
        let done = sqlx::query("UPDATE credentials SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(self.now_ms())
            .bind(id.to_string())
            .bind(user_id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Binds a role to a user or a group on a scope (no tenant and project: the platform).
    pub async fn binding_create(
        &self,
        subject: &BindingSubject,
        role: &str,
        tenant_id: Option<TenantId>,
        project_id: Option<ProjectId>,
    ) -> Result<StoredBinding, Error> {
        let b = StoredBinding {
            id: self.random.id::<RoleBindingId>(),
            subject: subject.clone(),
            role: role.to_string(),
            tenant_id,
            project_id,
            created_at: self.now_ms(),
        };
        insert_binding(&mut *self.write().await?, &b).await?;
        Ok(b)
    }

    /// Every role binding of a user: its own and those of its groups.
    pub async fn bindings_of(&self, user_id: UserId) -> Result<Vec<StoredBinding>, Error> {
        let rows = sqlx::query(
            "SELECT id, 'user' AS kind, user_id AS subject, role, tenant_id, project_id, created_at FROM role_bindings \
             WHERE user_id = $1 UNION ALL \
             SELECT b.id, 'group' AS kind, b.group_id AS subject, b.role, b.tenant_id, b.project_id, b.created_at \
             FROM group_role_bindings b JOIN group_members m ON m.group_id = b.group_id WHERE m.user_id = $1",
        )
        .bind(user_id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(binding).collect()
    }
}

/// Writes a binding's row.
pub(crate) async fn insert_binding(conn: &mut Link, b: &StoredBinding) -> Result<(), Error> {
    let (table, column, who) = match &b.subject {
        BindingSubject::User(u) => ("role_bindings", "user_id", u.to_string()),
        BindingSubject::Group(g) => ("group_role_bindings", "group_id", g.to_string()),
    };
    sqlx::query(&format!(
        "INSERT INTO {table} (id, {column}, role, tenant_id, project_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(b.id.to_string())
    .bind(who)
    .bind(&b.role)
    .bind(b.tenant_id.map(|t| t.to_string()))
    .bind(b.project_id.map(|p| p.to_string()))
    .bind(b.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}
