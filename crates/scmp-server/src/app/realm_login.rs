//! Logins through a realm's directory, and what a login brings over: the user (made at the first
//! login, in the realm's tenant) and the user's groups as scmp groups named `<group>-<realm>`,
//! whose memberships are set to what the directory says now, so a user taken out of a group
//! loses its roles at the next login. Roles never come from the directory: they come from role
//! bindings on those groups. Every change is audited.

use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, GroupId, ResourceKind};
use scmp_store::{AuditRecord, MembershipChange, Realm, RealmKind, RealmUser, User};

use crate::context::{AppState, RequestMeta};
use crate::directory::{scmp_name, DirectoryUser, Login};

/// How a password login through a realm ended.
#[derive(Debug)]
pub(crate) enum RealmLogin {
    /// In, as this user.
    Ok(Box<User>),
    /// No such user in the directory, or not this password.
    Wrong,
    /// The directory says the account is disabled.
    Disabled,
}

/// Who acts when a realm changes scmp's users and groups, for the audit log.
pub(crate) struct RealmActor<'a> {
    /// The request.
    pub meta: &'a RequestMeta,
    /// The actor's id and identity (the user logging in, or whoever runs a sync).
    pub actor: String,
    /// Its identity.
    pub identity: scmp_store::ActorIdentity,
    /// How it authenticated.
    pub method: AuthMethod,
    /// Its credential, if any.
    pub credential: String,
}

impl AppState {
    /// The realm a login names (`user@realm`, or the `realm` field) and the login name in it;
    /// no realm for scmp's own users. A name after `@` that is no realm's stays part of the name.
    pub(crate) async fn login_realm(
        &self,
        username: &str,
        realm: Option<&str>,
    ) -> Result<(Option<Realm>, String), Error> {
        if let Some(key) = realm {
            return match self.store.realm_lookup(key).await {
                Ok(r) => Ok((Some(r), username.to_lowercase())),
                Err(Error::NotFound { .. }) => Err(Error::InvalidValue {
                    field: "realm".into(),
                    message: "no such realm".into(),
                }),
                Err(e) => Err(e),
            };
        }
        if let Some((login, suffix)) = username.rsplit_once('@') {
            match self.store.realm_lookup(suffix).await {
                Ok(r) => return Ok((Some(r), login.to_lowercase())),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((None, username.to_string()))
    }

    /// Checks a password with a realm's directory and brings the user and their groups over.
    pub(crate) async fn realm_password_login(
        &self,
        meta: &RequestMeta,
        realm: &Realm,
        login: &str,
        password: &str,
    ) -> Result<RealmLogin, Error> {
        if realm.kind == RealmKind::OpenId {
            // Single sign-on only: a provider's users have no password here.
            return Ok(RealmLogin::Wrong);
        }
        let found = match self.directory_of(realm)?.login(login, password).await? {
            Login::Wrong => return Ok(RealmLogin::Wrong),
            Login::Disabled => return Ok(RealmLogin::Disabled),
            Login::Ok(found) => found,
        };
        let user = self
            .realm_user_bring(meta, realm, &found, AuthMethod::Directory)
            .await?;
        let who = RealmActor {
            meta,
            actor: user.id.to_string(),
            identity: user.identity(),
            method: AuthMethod::Directory,
            credential: String::new(),
        };
        self.realm_memberships_bring(&who, realm, &user, &found.groups)
            .await?;
        Ok(RealmLogin::Ok(Box::new(user)))
    }

    /// The scmp user of a directory user, made (and audited) at their first login.
    pub(crate) async fn realm_user_bring(
        &self,
        meta: &RequestMeta,
        realm: &Realm,
        found: &DirectoryUser,
        method: AuthMethod,
    ) -> Result<User, Error> {
        let Some(name) = scmp_name(&found.login, realm.name.as_str()) else {
            return Err(Error::Refused(format!(
                "the directory's login name {:?} cannot be made an scmp user name",
                found.login
            )));
        };
        let (user, made) = self
            .store
            .realm_user_upsert(
                realm.id,
                &RealmUser {
                    login: &found.login,
                    name: &name,
                    email: &found.email,
                    tenant_id: realm.tenant_id,
                },
            )
            .await?;
        if made {
            let who = RealmActor {
                meta,
                actor: user.id.to_string(),
                identity: user.identity(),
                method,
                credential: String::new(),
            };
            self.realm_audit(
                &who,
                "user_create",
                AuditTarget::new(ResourceKind::User, user.id),
                realm,
            )
            .await?;
        }
        Ok(user)
    }

    /// The scmp group of each directory group (made when new), and the user's memberships among
    /// the realm's groups set to exactly those.
    pub(crate) async fn realm_memberships_bring(
        &self,
        who: &RealmActor<'_>,
        realm: &Realm,
        user: &User,
        groups: &[String],
    ) -> Result<MembershipChange, Error> {
        let mut ids = Vec::with_capacity(groups.len());
        for g in groups {
            if let Some(id) = self.realm_group_bring(who, realm, g).await? {
                ids.push(id);
            }
        }
        let change = self
            .store
            .realm_memberships_set(realm.id, user.id, &ids)
            .await?;
        for (op, list) in [
            ("group_member_add", &change.added),
            ("group_member_remove", &change.removed),
        ] {
            for g in list {
                let target =
                    AuditTarget::new(ResourceKind::Group, g).child(ResourceKind::User, user.id);
                self.realm_audit(who, op, target, realm).await?;
            }
        }
        Ok(change)
    }

    /// The scmp group of a directory group, made (and audited) when new; none when its name
    /// cannot be an scmp name or is another group's.
    pub(crate) async fn realm_group_bring(
        &self,
        who: &RealmActor<'_>,
        realm: &Realm,
        external: &str,
    ) -> Result<Option<GroupId>, Error> {
        let Some(name) = scmp_name(external, realm.name.as_str()) else {
            tracing::warn!(realm = %realm.name, group = external, "directory group name cannot be an scmp name; skipped");
            return Ok(None);
        };
        match self
            .store
            .realm_group_ensure(realm.id, external, &name, realm.tenant_id)
            .await
        {
            Ok((id, made)) => {
                if made {
                    let target = AuditTarget::new(ResourceKind::Group, id);
                    self.realm_audit(who, "group_create", target, realm).await?;
                }
                Ok(Some(id))
            }
            Err(Error::Conflict(why)) => {
                tracing::warn!(realm = %realm.name, group = external, why, "directory group skipped");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Makes a user of a realm before their first login (`user_create` with a realm): the
    /// platform's realms take any tenant's users, a tenant's realm only that tenant's.
    pub(crate) async fn realm_user_create(
        &self,
        ctx: &crate::context::OpContext,
        key: &str,
        body: &scmp_api::UserCreate,
        tenant: Option<scmp_common::TenantId>,
        email: &str,
    ) -> Result<scmp_api::UserView, Error> {
        let invalid = |field: &str, message: &str| Error::InvalidValue {
            field: field.into(),
            message: message.into(),
        };
        let realm = match self.lookup_realm(ctx, key).await {
            Ok(r) => r,
            Err(Error::NotFound { .. }) => return Err(invalid("realm", "no such realm")),
            Err(e) => return Err(e),
        };
        if realm.tenant_id.is_some() && realm.tenant_id != tenant {
            return Err(invalid(
                "realm",
                "a tenant's realm holds only that tenant's users",
            ));
        }
        if body.password.is_some() {
            return Err(invalid(
                "password",
                "a realm's user logs in with the realm's password",
            ));
        }
        let login = body
            .login
            .clone()
            .unwrap_or_else(|| body.name.to_string())
            .to_lowercase();
        if login.is_empty() || login.len() > 256 || login.chars().any(char::is_control) {
            return Err(invalid("login", "must be 1 to 256 characters"));
        }
        if self.store.realm_user(realm.id, &login).await?.is_some() {
            return Err(Error::Conflict(format!(
                "realm '{}' already has a user '{login}'",
                realm.name
            )));
        }
        let new = RealmUser {
            login: &login,
            name: &body.name,
            email,
            tenant_id: tenant,
        };
        let made = self.store.realm_user_upsert(realm.id, &new);
        let (u, _) = self
            .audited(
                ctx,
                "user_create",
                AuditTarget::new(ResourceKind::User, &body.name),
                tenant,
                made,
            )
            .await?;
        Ok(crate::views::user(u))
    }

    /// Audits a change a realm made (both entries: it has happened).
    pub(crate) async fn realm_audit(
        &self,
        who: &RealmActor<'_>,
        operation: &str,
        target: AuditTarget,
        realm: &Realm,
    ) -> Result<(), Error> {
        let mut rec = AuditRecord {
            request_id: who.meta.request_id.clone(),
            phase: AuditPhase::Begin,
            actor: who.actor.clone(),
            identity: who.identity.clone(),
            auth_method: who.method,
            credential: who.credential.clone(),
            credential_name: format!("realm {}", realm.name),
            source: who.meta.source.ip().to_string(),
            operation: operation.into(),
            target,
            tenant_id: realm.tenant_id,
            result: AuditResult::Pending,
            error: String::new(),
        };
        self.store.audit_append(&rec).await?;
        rec.phase = AuditPhase::End;
        rec.result = AuditResult::Ok;
        self.append_end(&rec).await;
        Ok(())
    }
}
