//! Typed lookups: an object found by its id (or name) and the caller's right to act on it checked
//! in one step. Each answers an [`Authorized`] object, which nothing else can make, so code that
//! changes something holds proof that it looked the object up for that action. What the caller
//! may not see is not found (the same answer as for what does not exist); what it may see but not
//! change is forbidden.

use std::ops::Deref;

use scmp_authz::{Action, Denial, Resource};
use scmp_common::{Error, ResourceKind, TenantId};
use scmp_store::{
    Group, Guest, Image, InstanceType, Network, Operation, Project, Site, Tenant, User,
};

use crate::context::{AppState, OpContext};

/// An object the caller was found allowed to act on.
#[derive(Debug, Clone)]
pub struct Authorized<T>(T);

impl<T> Authorized<T> {
    /// The object.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Authorized<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn not_found(kind: ResourceKind, key: &str) -> Error {
    Error::NotFound {
        kind,
        name: key.to_string(),
    }
}

/// A refusal of the policy as the answer: hidden, or forbidden.
fn denied(d: Denial, kind: ResourceKind, key: &str, action: Action) -> Error {
    match d {
        Denial::NotFound => not_found(kind, key),
        Denial::Forbidden => Error::Forbidden {
            action: action.id().to_string(),
        },
    }
}

/// A store lookup whose not-found names the key asked for.
fn found<T>(r: Result<T, Error>, kind: ResourceKind, key: &str) -> Result<T, Error> {
    match r {
        Err(Error::NotFound { .. }) => Err(not_found(kind, key)),
        other => other,
    }
}

impl AppState {
    /// Checks an action on the platform.
    pub fn authorize_platform(&self, ctx: &OpContext, action: Action) -> Result<(), Error> {
        self.authz
            .check(&ctx.actor.principal, action, Resource::Platform)
            .map_err(|_| Error::Forbidden {
                action: action.id().to_string(),
            })
    }

    /// Whether the caller may do `action` on a resource (for filters; no error).
    pub fn allows(&self, ctx: &OpContext, action: Action, on: Resource) -> bool {
        self.authz.authorize(&ctx.actor.principal, action, on)
    }

    /// [`Self::allows`] for each item of a batch (a list's page), decided together.
    pub fn allows_each<T>(
        &self,
        ctx: &OpContext,
        action: Action,
        items: &[T],
        on: impl Fn(&T) -> Resource,
    ) -> Vec<bool> {
        let resources: Vec<Resource> = items.iter().map(on).collect();
        self.authz
            .authorize_each(&ctx.actor.principal, action, &resources)
    }

    /// A tenant by id or name, for `action`.
    pub async fn lookup_tenant(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Tenant>, Error> {
        let kind = ResourceKind::Tenant;
        let t = found(self.store.tenant_lookup(key).await, kind, key)?;
        self.authz
            .check(&ctx.actor.principal, action, Resource::Tenant(t.id))
            .map_err(|d| denied(d, kind, key, action))?;
        Ok(Authorized(t))
    }

    /// A project by id, for `action`.
    pub async fn lookup_project(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Project>, Error> {
        let kind = ResourceKind::Project;
        let p = found(self.store.project_lookup(None, key).await, kind, key)?;
        self.authz
            .check(
                &ctx.actor.principal,
                action,
                Resource::Project(p.tenant_id, p.id),
            )
            .map_err(|d| denied(d, kind, key, action))?;
        Ok(Authorized(p))
    }

    /// A guest by id (or by name, when exactly one guest the caller may see has it), for `action`.
    pub async fn lookup_guest(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Guest>, Error> {
        let kind = ResourceKind::Guest;
        let visible: Vec<Guest> = self
            .store
            .guest_find(key)
            .await?
            .into_iter()
            .filter(|g| {
                self.authz.can_see(
                    &ctx.actor.principal,
                    Resource::Project(g.tenant_id, g.project_id),
                )
            })
            .collect();
        let g = match <[Guest; 1]>::try_from(visible) {
            Ok([g]) => g,
            Err(v) if v.is_empty() => return Err(not_found(kind, key)),
            Err(_) => {
                return Err(Error::InvalidValue {
                    field: "guest".into(),
                    message: "several guests have that name; use the id".into(),
                })
            }
        };
        let owner = Resource::Project(g.tenant_id, g.project_id);
        self.in_project(ctx, kind, key, action, owner, g)
    }

    /// `found` if the caller may do `action` on `owner` (the project it belongs to).
    fn in_project<T>(
        &self,
        ctx: &OpContext,
        kind: ResourceKind,
        key: &str,
        action: Action,
        owner: Resource,
        found: T,
    ) -> Result<Authorized<T>, Error> {
        self.authz
            .check(&ctx.actor.principal, action, owner)
            .map_err(|d| denied(d, kind, key, action))?;
        Ok(Authorized(found))
    }

    /// A network by id, for `action` on its project.
    pub async fn lookup_network(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Network>, Error> {
        let kind = ResourceKind::Network;
        let id = key.parse().map_err(|_| not_found(kind, key))?;
        let found = found(self.store.network_get(id).await, kind, key)?;
        let owner = Resource::Project(found.tenant_id, found.project_id);
        self.in_project(ctx, kind, key, action, owner, found)
    }

    /// A security group by id, for `action` on its project.
    pub async fn lookup_security_group(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<scmp_store::SecurityGroup>, Error> {
        let kind = ResourceKind::SecurityGroup;
        let id = key.parse().map_err(|_| not_found(kind, key))?;
        let found = found(self.store.security_group_get(id).await, kind, key)?;
        let owner = Resource::Project(found.tenant_id, found.project_id);
        self.in_project(ctx, kind, key, action, owner, found)
    }

    /// A public address by id, for `action` on its project.
    pub async fn lookup_public_address(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<scmp_store::PublicAddress>, Error> {
        let kind = ResourceKind::PublicAddress;
        let id = key.parse().map_err(|_| not_found(kind, key))?;
        let found = found(self.store.public_address_get(id).await, kind, key)?;
        let owner = Resource::Project(found.tenant_id, found.project_id);
        self.in_project(ctx, kind, key, action, owner, found)
    }

    /// An operation by id, for `action` on its guest's project.
    pub async fn lookup_operation(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Operation>, Error> {
        let kind = ResourceKind::Operation;
        let id = key.parse().map_err(|_| not_found(kind, key))?;
        let op = found(self.store.operation_get(id).await, kind, key)?;
        self.authz
            .check(
                &ctx.actor.principal,
                action,
                Resource::Project(op.tenant_id, op.project_id),
            )
            .map_err(|d| denied(d, kind, key, action))?;
        Ok(Authorized(op))
    }

    /// A site by id or name, for a platform `action`.
    pub async fn lookup_site(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Site>, Error> {
        self.authorize_platform(ctx, action)?;
        let s = found(self.store.site_lookup(key).await, ResourceKind::Site, key)?;
        Ok(Authorized(s))
    }

    /// A cluster by id or name, for a platform `action`.
    pub async fn lookup_cluster(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<scmp_store::Cluster>, Error> {
        self.authorize_platform(ctx, action)?;
        let c = found(
            self.store.cluster_lookup(key).await,
            ResourceKind::Cluster,
            key,
        )?;
        Ok(Authorized(c))
    }

    /// An image by id or name, for a catalog `action`.
    pub async fn lookup_image(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<Image>, Error> {
        self.authorize_platform(ctx, action)?;
        let i = found(self.store.image_lookup(key).await, ResourceKind::Image, key)?;
        Ok(Authorized(i))
    }

    /// An instance type by id or name, for a catalog `action`.
    pub async fn lookup_instance_type(
        &self,
        ctx: &OpContext,
        key: &str,
        action: Action,
    ) -> Result<Authorized<InstanceType>, Error> {
        self.authorize_platform(ctx, action)?;
        let t = found(
            self.store.instance_type_lookup(key).await,
            ResourceKind::InstanceType,
            key,
        )?;
        Ok(Authorized(t))
    }

    /// May the caller manage (create, change, delete, bind roles to) the users and groups of this
    /// tenant, or the platform's (`None`)?
    pub fn may_manage_users(&self, ctx: &OpContext, tenant: Option<TenantId>) -> bool {
        match tenant {
            Some(t) => self.allows(ctx, Action::UserCreate, Resource::Tenant(t)),
            None => self.allows(ctx, Action::PlatformUserManage, Resource::Platform),
        }
    }

    /// May the caller see the users and groups of this tenant, or the platform's (`None`)?
    pub fn may_see_users(&self, ctx: &OpContext, tenant: Option<TenantId>) -> bool {
        match tenant {
            Some(t) => self.allows(ctx, Action::UserList, Resource::Tenant(t)),
            None => self.allows(ctx, Action::PlatformUserManage, Resource::Platform),
        }
    }

    /// A user the caller may see (itself, or one of a tenant whose users it may see).
    pub async fn lookup_user(&self, ctx: &OpContext, key: &str) -> Result<Authorized<User>, Error> {
        let Some((u, _)) = self.store.user_lookup(key).await? else {
            return Err(not_found(ResourceKind::User, key));
        };
        if u.id == ctx.actor.user.id || self.may_see_users(ctx, u.tenant_id) {
            Ok(Authorized(u))
        } else {
            Err(not_found(ResourceKind::User, key))
        }
    }

    /// A user the caller may change: itself, or one it manages.
    pub async fn lookup_user_to_change(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<Authorized<User>, Error> {
        let u = self.lookup_user(ctx, key).await?;
        if u.id == ctx.actor.user.id || self.may_manage_users(ctx, u.tenant_id) {
            Ok(u)
        } else {
            Err(Error::Forbidden {
                action: "change this user".into(),
            })
        }
    }

    /// A group the caller may see.
    pub async fn lookup_group(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<Authorized<Group>, Error> {
        match self.store.group_lookup(key).await {
            Ok(g) if self.may_see_users(ctx, g.tenant_id) => Ok(Authorized(g)),
            Ok(_) | Err(Error::NotFound { .. }) => Err(not_found(ResourceKind::Group, key)),
            Err(e) => Err(e),
        }
    }

    /// A group the caller may change (not found when it may not see it, forbidden when it may only
    /// see it).
    pub async fn lookup_group_to_manage(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<Authorized<Group>, Error> {
        let g = self.lookup_group(ctx, key).await?;
        if self.may_manage_users(ctx, g.tenant_id) {
            Ok(g)
        } else {
            Err(Error::Forbidden {
                action: "manage this group".into(),
            })
        }
    }
}
