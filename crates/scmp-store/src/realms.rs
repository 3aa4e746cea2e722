//! Authentication realms (directories and OpenID providers) and what they bring into scmp: their
//! users, found by their login name in the realm, and their groups, whose members the realm
//! decides. The settings are kept as the JSON document the server gives (the store does not read
//! them); the secret only sealed.

use scmp_common::{Error, GroupId, Name, RealmId, ResourceKind, TenantId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, is_unique_violation, DataStore};
use crate::{Group, User};

/// The kinds of realm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealmKind {
    /// An LDAP directory.
    Ldap,
    /// Microsoft Active Directory (or Samba's).
    Ad,
    /// An OpenID Connect provider.
    OpenId,
}

impl RealmKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RealmKind::Ldap => "ldap",
            RealmKind::Ad => "ad",
            RealmKind::OpenId => "openid",
        }
    }

    fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "ldap" => Ok(RealmKind::Ldap),
            "ad" => Ok(RealmKind::Ad),
            "openid" => Ok(RealmKind::OpenId),
            other => Err(Error::internal(format!("unknown realm kind {other:?}"))),
        }
    }
}

/// A realm as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Realm {
    /// Id.
    pub id: RealmId,
    /// Name, unique on the platform (users log in as `user@name`).
    pub name: Name,
    /// Its tenant; `None` for a platform realm.
    pub tenant_id: Option<TenantId>,
    /// The kind.
    pub kind: RealmKind,
    /// A note for operators.
    pub comment: String,
    /// The settings (JSON).
    pub settings: String,
    /// The bind password or client secret, sealed.
    pub secret_sealed: Option<String>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// What a realm's row changes to (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct RealmChange<'a> {
    /// A new comment.
    pub comment: Option<&'a str>,
    /// New settings.
    pub settings: Option<&'a str>,
    /// A new sealed secret (`Some(None)`: remove it).
    pub secret_sealed: Option<Option<&'a str>>,
}

const REALM_COLUMNS: &str =
    "id, name, tenant_id, kind, comment, settings, secret_sealed, created_at, updated_at";

fn realm(row: &AnyRow) -> Result<Realm, Error> {
    let tenant: Option<String> = row.try_get("tenant_id").map_err(Error::internal)?;
    Ok(Realm {
        id: get_id(row, "id")?,
        name: get_name(row, "name")?,
        tenant_id: tenant
            .map(|t| t.parse())
            .transpose()
            .map_err(Error::internal)?,
        kind: RealmKind::parse(&get_string(row, "kind")?)?,
        comment: get_string(row, "comment")?,
        settings: get_string(row, "settings")?,
        secret_sealed: row.try_get("secret_sealed").map_err(Error::internal)?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

/// A directory user as the realm describes it, for [`DataStore::realm_user_upsert`].
#[derive(Debug, Clone)]
pub struct RealmUser<'a> {
    /// The login name in the realm, case-folded.
    pub login: &'a str,
    /// The scmp name the user gets when new.
    pub name: &'a Name,
    /// E-mail address.
    pub email: &'a str,
    /// The tenant a new user belongs to.
    pub tenant_id: Option<TenantId>,
}

/// How a user's memberships in a realm's groups changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipChange {
    /// Groups joined.
    pub added: Vec<GroupId>,
    /// Groups left.
    pub removed: Vec<GroupId>,
}

impl MembershipChange {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

impl DataStore {
    /// Creates a realm.
    pub async fn realm_create(
        &self,
        name: &Name,
        tenant: Option<TenantId>,
        kind: RealmKind,
        comment: &str,
        settings: &str,
        secret_sealed: Option<&str>,
    ) -> Result<Realm, Error> {
        crate::tenants::check_text("comment", comment)?;
        let id = self.random.id::<RealmId>();
        let now = self.now_ms();
        let r = sqlx::query(
            "INSERT INTO realms (id, name, tenant_id, kind, comment, settings, secret_sealed, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id.to_string())
        .bind(name.as_str())
        .bind(tenant.map(|t| t.to_string()))
        .bind(kind.as_str())
        .bind(comment)
        .bind(settings)
        .bind(secret_sealed)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.realm_lookup(&id.to_string()).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::Realm,
                name: name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// A realm by id or name.
    pub async fn realm_lookup(&self, key: &str) -> Result<Realm, Error> {
        let row = sqlx::query(&format!(
            "SELECT {REALM_COLUMNS} FROM realms WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        match row {
            Some(r) => realm(&r),
            None => Err(Error::NotFound {
                kind: ResourceKind::Realm,
                name: key.to_string(),
            }),
        }
    }

    /// Realms by name, all or one tenant's (`Some(None)`: the platform's), `limit` of them after
    /// the name `after`.
    pub async fn realm_list(
        &self,
        tenant: Option<Option<TenantId>>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Realm>, Error> {
        let which = match tenant {
            None => "",
            Some(Some(_)) => "AND tenant_id = $3",
            Some(None) => "AND tenant_id IS NULL",
        };
        let sql = format!(
            "SELECT {REALM_COLUMNS} FROM realms WHERE name > $1 {which} ORDER BY name LIMIT $2"
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
        rows.iter().map(realm).collect()
    }

    /// Changes a realm.
    pub async fn realm_update(&self, id: RealmId, change: RealmChange<'_>) -> Result<Realm, Error> {
        let mut tx = self.begin().await?;
        let now = self.now_ms();
        if let Some(c) = change.comment {
            crate::tenants::check_text("comment", c)?;
        }
        let sets: [(&str, Option<Option<&str>>); 3] = [
            ("comment", change.comment.map(Some)),
            ("settings", change.settings.map(Some)),
            ("secret_sealed", change.secret_sealed),
        ];
        for (column, value) in sets {
            let Some(value) = value else { continue };
            sqlx::query(&format!(
                "UPDATE realms SET {column} = $1, updated_at = $2 WHERE id = $3"
            ))
            .bind(value)
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await?;
        self.realm_lookup(&id.to_string()).await
    }

    /// Deletes a realm with its groups (their memberships and role bindings); refused while it
    /// has users (delete them, or sync with vanished users removed, first).
    pub async fn realm_delete(&self, id: RealmId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let users: Vec<String> =
            sqlx::query_scalar("SELECT name FROM users WHERE realm_id = $1 ORDER BY name LIMIT 6")
                .bind(id.to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
        if !users.is_empty() {
            return Err(Error::Conflict(format!(
                "the realm still has users ({}{}); delete them first",
                users[..users.len().min(5)].join(", "),
                if users.len() > 5 { ", ..." } else { "" }
            )));
        }
        for sql in [
            "DELETE FROM sso_logins WHERE realm_id = $1",
            "DELETE FROM group_role_bindings WHERE group_id IN \
             (SELECT id FROM user_groups WHERE realm_id = $1)",
            "DELETE FROM group_members WHERE group_id IN \
             (SELECT id FROM user_groups WHERE realm_id = $1)",
            "DELETE FROM user_groups WHERE realm_id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let gone = sqlx::query("DELETE FROM realms WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if gone.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: ResourceKind::Realm,
                name: id.to_string(),
            });
        }
        tx.commit().await
    }

    /// The user of a realm with this login name.
    pub async fn realm_user(&self, realm: RealmId, login: &str) -> Result<Option<User>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM users WHERE realm_id = $1 AND external_id = $2",
            crate::identity::USER_COLUMNS
        ))
        .bind(realm.to_string())
        .bind(login)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(crate::identity::user).transpose()
    }

    /// The users of a realm, with their login names there.
    pub async fn realm_users(&self, realm: RealmId) -> Result<Vec<(String, User)>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {}, external_id FROM users WHERE realm_id = $1 ORDER BY external_id",
            crate::identity::USER_COLUMNS
        ))
        .bind(realm.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| Ok((get_string(r, "external_id")?, crate::identity::user(r)?)))
            .collect()
    }

    /// The user of a realm with this login name, made when there is none yet (its e-mail
    /// address follows the realm's). A name taken by another user is a conflict.
    pub async fn realm_user_upsert(
        &self,
        realm: RealmId,
        u: &RealmUser<'_>,
    ) -> Result<(User, bool), Error> {
        if let Some(found) = self.realm_user(realm, u.login).await? {
            if found.email != u.email {
                self.user_update(found.id, Some(u.email), None).await?;
                return Ok((self.user_get(found.id).await?, false));
            }
            return Ok((found, false));
        }
        let id = self.random.id::<UserId>();
        let r = sqlx::query(
            "INSERT INTO users (id, name, email, tenant_id, password_hash, created_at, realm_id, \
             external_id) VALUES ($1, $2, $3, $4, NULL, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(u.name.as_str())
        .bind(u.email)
        .bind(u.tenant_id.map(|t| t.to_string()))
        .bind(self.now_ms())
        .bind(realm.to_string())
        .bind(u.login)
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => Ok((self.user_get(id).await?, true)),
            Err(e) if is_unique_violation(&e) => {
                // Another login made it meanwhile, or the name belongs to someone else.
                match self.realm_user(realm, u.login).await? {
                    Some(found) => Ok((found, false)),
                    None => Err(Error::Conflict(format!(
                        "the name '{}' belongs to another user",
                        u.name
                    ))),
                }
            }
            Err(e) => Err(db_error(e)),
        }
    }

    /// The groups of a realm, with their names in the directory.
    pub async fn realm_groups(&self, realm: RealmId) -> Result<Vec<(String, Group)>, Error> {
        let ids: Vec<(String, String)> = sqlx::query_as(
            "SELECT external_id, id FROM user_groups WHERE realm_id = $1 ORDER BY external_id",
        )
        .bind(realm.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let mut out = Vec::with_capacity(ids.len());
        for (external, id) in ids {
            out.push((external, self.group_lookup(&id).await?));
        }
        Ok(out)
    }

    /// The group of a realm for a directory group, made when there is none yet.
    pub async fn realm_group_ensure(
        &self,
        realm: RealmId,
        external: &str,
        name: &Name,
        tenant: Option<TenantId>,
    ) -> Result<(GroupId, bool), Error> {
        let find = || async {
            let id: Option<String> = sqlx::query_scalar(
                "SELECT id FROM user_groups WHERE realm_id = $1 AND external_id = $2",
            )
            .bind(realm.to_string())
            .bind(external)
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
            id.map(|i| i.parse().map_err(Error::internal)).transpose()
        };
        if let Some(id) = find().await? {
            return Ok((id, false));
        }
        let id = self.random.id::<GroupId>();
        let r = sqlx::query(
            "INSERT INTO user_groups (id, name, tenant_id, description, created_at, realm_id, \
             external_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(name.as_str())
        .bind(tenant.map(|t| t.to_string()))
        .bind(format!("directory group {external}"))
        .bind(self.now_ms())
        .bind(realm.to_string())
        .bind(external)
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => Ok((id, true)),
            Err(e) if is_unique_violation(&e) => match find().await? {
                Some(id) => Ok((id, false)),
                None => Err(Error::Conflict(format!(
                    "the group name '{name}' belongs to another group"
                ))),
            },
            Err(e) => Err(db_error(e)),
        }
    }

    /// Makes a user's memberships among a realm's groups exactly `groups` (its memberships in
    /// other groups stay), in one transaction.
    pub async fn realm_memberships_set(
        &self,
        realm: RealmId,
        user: UserId,
        groups: &[GroupId],
    ) -> Result<MembershipChange, Error> {
        let mut tx = self.begin().await?;
        let held: Vec<String> = sqlx::query_scalar(
            "SELECT m.group_id FROM group_members m JOIN user_groups g ON g.id = m.group_id \
             WHERE m.user_id = $1 AND g.realm_id = $2",
        )
        .bind(user.to_string())
        .bind(realm.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let held: Vec<GroupId> = held
            .iter()
            .map(|g| g.parse().map_err(Error::internal))
            .collect::<Result<_, _>>()?;
        let mut change = MembershipChange::default();
        for g in groups {
            if !held.contains(g) && !change.added.contains(g) {
                sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)")
                    .bind(g.to_string())
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                change.added.push(*g);
            }
        }
        for g in held.iter().filter(|g| !groups.contains(g)) {
            sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                .bind(g.to_string())
                .bind(user.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            change.removed.push(*g);
        }
        tx.commit().await?;
        Ok(change)
    }
}
