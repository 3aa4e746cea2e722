//! A site's identity cache as the centre makes it: the users the site's policy allows there (the
//! members of its offline groups), each with its password hash, its live tokens' hashes and its
//! role bindings (its groups' included), nothing of anyone else.

use scmp_common::{CredentialId, Error, Name, SiteId, TenantId, UserId};
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, DataStore};
use crate::identity::StoredBinding;

/// A token of a cached user: its id and the hash of its secret (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedToken {
    /// The credential's id.
    pub id: CredentialId,
    /// Its name.
    pub name: String,
    /// SHA-256 (hex) of its secret, as the centre keeps it.
    pub secret_sha256: String,
    /// When it expires (ms), if it does.
    pub expires_at: Option<i64>,
}

/// A user a site may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineIdentity {
    /// The user.
    pub id: UserId,
    /// Its name.
    pub name: Name,
    /// Its tenant (none: a platform user).
    pub tenant_id: Option<TenantId>,
    /// Its password's argon2id hash, when it has one.
    pub password_hash: Option<String>,
    /// Its live tokens.
    pub tokens: Vec<CachedToken>,
    /// Its role bindings, its groups' included.
    pub bindings: Vec<StoredBinding>,
}

impl DataStore {
    /// The identities a site's policy lets it hold, by user name.
    pub async fn site_offline_identities(
        &self,
        site: SiteId,
        now: i64,
    ) -> Result<Vec<OfflineIdentity>, Error> {
        let groups = self.site_lookup(&site.to_string()).await?.offline_groups;
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=groups.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT u.id, u.name, u.tenant_id, u.password_hash FROM users u \
             JOIN group_members m ON m.user_id = u.id WHERE m.group_id IN ({}) \
             ORDER BY u.name",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for g in &groups {
            q = q.bind(g.to_string());
        }
        let users = q
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        let mut out = Vec::with_capacity(users.len());
        for u in &users {
            let id: UserId = get_id(u, "id")?;
            let tenant: Option<String> = u.try_get("tenant_id").map_err(Error::internal)?;
            let tokens = sqlx::query(
                "SELECT id, name, secret_hash, expires_at FROM credentials \
                 WHERE user_id = $1 AND kind = 'token' AND revoked_at IS NULL \
                 AND (expires_at IS NULL OR expires_at > $2) ORDER BY id",
            )
            .bind(id.to_string())
            .bind(now)
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?
            .iter()
            .map(|t| {
                Ok(CachedToken {
                    id: get_id(t, "id")?,
                    name: get_string(t, "name")?,
                    secret_sha256: get_string(t, "secret_hash")?,
                    expires_at: t.try_get("expires_at").map_err(Error::internal)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
            out.push(OfflineIdentity {
                id,
                name: get_name(u, "name")?,
                tenant_id: tenant
                    .map(|t| t.parse())
                    .transpose()
                    .map_err(Error::internal)?,
                password_hash: u.try_get("password_hash").map_err(Error::internal)?,
                tokens,
                bindings: self.bindings_of(id).await?,
            });
        }
        Ok(out)
    }
}
