//! Realms: the platform's (managed by platform administrators) and each tenant's (managed by
//! whoever manages its users). A tenant's users log in through its own realms and the
//! platform's only; the realm's secret is sealed at rest and never answered.

use scmp_api::{
    DirectorySettings, OpenIdSettings, Page, RealmCreate, RealmTestView, RealmType, RealmUpdate,
    RealmView, ScheduledSync, TenantFilter,
};
use scmp_authz::Action;
use scmp_common::{AuditTarget, Error, ResourceKind};
use scmp_store::{Realm, RealmChange, RealmKind};
use serde::{Deserialize, Serialize};

use super::{paging, realm_settings};
use crate::context::{AppState, OpContext};
use crate::directory::{Directory, Flavor};

/// What a realm's `settings` column holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    directory: Option<DirectorySettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    openid: Option<OpenIdSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sync: Option<ScheduledSync>,
}

fn settings(r: &Realm) -> Result<Settings, Error> {
    serde_json::from_str(&r.settings).map_err(Error::internal)
}

fn kind_of(t: RealmType) -> RealmKind {
    match t {
        RealmType::Ldap => RealmKind::Ldap,
        RealmType::Ad => RealmKind::Ad,
        RealmType::Openid => RealmKind::OpenId,
    }
}

fn type_of(k: RealmKind) -> RealmType {
    match k {
        RealmKind::Ldap => RealmType::Ldap,
        RealmKind::Ad => RealmType::Ad,
        RealmKind::OpenId => RealmType::Openid,
    }
}

/// The API's view of a realm (its secret only as whether there is one).
fn view(r: Realm) -> Result<RealmView, Error> {
    let s = settings(&r)?;
    Ok(RealmView {
        id: r.id,
        name: r.name,
        kind: type_of(r.kind),
        tenant_id: r.tenant_id,
        comment: (!r.comment.is_empty()).then_some(r.comment),
        directory: s.directory,
        openid: s.openid,
        secret_set: r.secret_sealed.is_some(),
        sync: s.sync,
        created_at: scmp_common::time::from_ms(r.created_at),
        updated_at: scmp_common::time::from_ms(r.updated_at),
    })
}

impl AppState {
    /// A realm the caller may see: the platform's (everyone signed in may know where to log in),
    /// or a tenant's whose users the caller may see.
    pub(crate) async fn lookup_realm(&self, ctx: &OpContext, key: &str) -> Result<Realm, Error> {
        match self.store.realm_lookup(key).await {
            Ok(r) if self.may_see_users(ctx, r.tenant_id) => Ok(r),
            Ok(_) | Err(Error::NotFound { .. }) => Err(Error::NotFound {
                kind: ResourceKind::Realm,
                name: key.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    async fn lookup_realm_to_manage(&self, ctx: &OpContext, key: &str) -> Result<Realm, Error> {
        let r = self.lookup_realm(ctx, key).await?;
        if self.may_manage_users(ctx, r.tenant_id) {
            Ok(r)
        } else {
            Err(Error::Forbidden {
                action: "manage this realm".into(),
            })
        }
    }

    /// A realm's scheduled sync, if it has one.
    pub(crate) fn realm_schedule(&self, r: &Realm) -> Result<Option<ScheduledSync>, Error> {
        Ok(settings(r)?.sync)
    }

    /// The provider settings of a realm of type `openid`.
    pub(crate) fn openid_settings(&self, r: &Realm) -> Result<OpenIdSettings, Error> {
        settings(r)?
            .openid
            .ok_or_else(|| Error::internal("an openid realm without its settings"))
    }

    /// The directory behind a realm of type `ldap` or `ad`, its bind password unsealed.
    pub(crate) fn directory_of(&self, r: &Realm) -> Result<Directory, Error> {
        let flavor = match r.kind {
            RealmKind::Ldap => Flavor::Ldap,
            RealmKind::Ad => Flavor::Ad,
            RealmKind::OpenId => {
                return Err(Error::InvalidValue {
                    field: "realm".into(),
                    message: "an openid realm has no directory".into(),
                })
            }
        };
        let d = settings(r)?
            .directory
            .ok_or_else(|| Error::internal("a directory realm without its settings"))?;
        let password = r
            .secret_sealed
            .as_deref()
            .map(|s| self.sealer.open(s))
            .transpose()?;
        Ok(Directory::new(flavor, d, password))
    }

    /// Realms the caller may see: one tenant's, or (platform administrators) all.
    pub async fn realm_list(
        &self,
        ctx: &OpContext,
        q: &TenantFilter,
    ) -> Result<Page<RealmView>, Error> {
        let tenant = self
            .listed_tenant(ctx, q.tenant.as_deref(), Action::UserList, "realms")
            .await?;
        let filter = q.tenant.as_ref().map(|_| tenant);
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.realm_list(filter, after.as_deref(), n).await }
            },
            |r| r.name.to_string(),
            paging::everything,
        )
        .await?;
        let (realms, next_page_token) = found;
        let items = realms
            .into_iter()
            .map(view)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            next_page_token,
        })
    }

    /// Creates a realm.
    pub async fn realm_create(
        &self,
        ctx: &OpContext,
        body: RealmCreate,
    ) -> Result<RealmView, Error> {
        let tenant = match &body.tenant {
            Some(key) => Some(self.lookup_tenant(ctx, key, Action::UserCreate).await?.id),
            None => None,
        };
        if !self.may_manage_users(ctx, tenant) {
            return Err(Error::Forbidden {
                action: "create platform realms".into(),
            });
        }
        realm_settings::check(
            body.kind,
            body.directory.as_ref(),
            body.openid.as_ref(),
            body.secret.as_deref(),
        )?;
        let sync = realm_settings::check_sync(body.kind, body.sync)?;
        let stored = serde_json::to_string(&Settings {
            directory: body.directory,
            openid: body.openid,
            sync,
        })
        .map_err(Error::internal)?;
        let sealed = match body.secret.as_deref() {
            Some(s) if !s.is_empty() => Some(self.sealer.seal(s)?),
            _ => None,
        };
        let comment = body.comment.unwrap_or_default();
        let r = self
            .audited(
                ctx,
                "realm_create",
                AuditTarget::new(ResourceKind::Realm, &body.name),
                tenant,
                self.store.realm_create(
                    &body.name,
                    tenant,
                    kind_of(body.kind),
                    &comment,
                    &stored,
                    sealed.as_deref(),
                ),
            )
            .await?;
        view(r)
    }

    /// One realm.
    pub async fn realm_view(&self, ctx: &OpContext, key: &str) -> Result<RealmView, Error> {
        view(self.lookup_realm(ctx, key).await?)
    }

    /// Changes a realm: what is given replaces what was there.
    pub async fn realm_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: RealmUpdate,
    ) -> Result<RealmView, Error> {
        let r = self.lookup_realm_to_manage(ctx, key).await?;
        let old = settings(&r)?;
        let sync = match body.sync {
            Some(s) => realm_settings::check_sync(type_of(r.kind), Some(s))?,
            None => old.sync,
        };
        let new = Settings {
            directory: body.directory.or(old.directory),
            openid: body.openid.or(old.openid),
            sync,
        };
        let secret = match body.secret.as_deref() {
            Some("") => Some(None),
            Some(s) => Some(Some(s.to_string())),
            None => None,
        };
        let kept = match &secret {
            Some(s) => s.clone(),
            None => r
                .secret_sealed
                .as_deref()
                .map(|s| self.sealer.open(s))
                .transpose()?,
        };
        realm_settings::check(
            type_of(r.kind),
            new.directory.as_ref(),
            new.openid.as_ref(),
            kept.as_deref(),
        )?;
        let stored = serde_json::to_string(&new).map_err(Error::internal)?;
        let sealed = match &secret {
            Some(Some(s)) => Some(Some(self.sealer.seal(s)?)),
            Some(None) => Some(None),
            None => None,
        };
        let change = RealmChange {
            comment: body.comment.as_deref(),
            settings: Some(&stored),
            secret_sealed: sealed.as_ref().map(|s| s.as_deref()),
        };
        let r = self
            .audited(
                ctx,
                "realm_update",
                AuditTarget::new(ResourceKind::Realm, r.id),
                r.tenant_id,
                self.store.realm_update(r.id, change),
            )
            .await?;
        self.sso.forget(r.id);
        view(r)
    }

    /// Deletes a realm with its groups; refused while it has users.
    pub async fn realm_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let r = self.lookup_realm_to_manage(ctx, key).await?;
        self.audited(
            ctx,
            "realm_delete",
            AuditTarget::new(ResourceKind::Realm, r.id),
            r.tenant_id,
            self.store.realm_delete(r.id),
        )
        .await
    }

    /// Tries the way to the realm's server step by step and says which step failed.
    pub async fn realm_test(&self, ctx: &OpContext, key: &str) -> Result<RealmTestView, Error> {
        let r = self.lookup_realm_to_manage(ctx, key).await?;
        match r.kind {
            RealmKind::Ldap | RealmKind::Ad => Ok(self.directory_of(&r)?.test().await),
            RealmKind::OpenId => {
                let s = self.openid_settings(&r)?;
                let secret = r
                    .secret_sealed
                    .as_deref()
                    .map(|x| self.sealer.open(x))
                    .transpose()?;
                let p = crate::sso::Provider {
                    realm: r.id,
                    settings: &s,
                    secret,
                };
                Ok(self.sso.test(&p).await)
            }
        }
    }
}
