//! Role bindings: a role given to a user or a group on the platform, a tenant or a project. Roles
//! inside a tenant go only to that tenant's users and groups, so a tenant administrator can never
//! open its tenant to outsiders or reach beyond it; and nobody gives a role with rights they do
//! not hold themselves on the binding's scope.

use scmp_api::{Page, RoleBindingCreate, RoleBindingView, ScopeBody, TenantFilter};
use scmp_authz::{Action, Level, Resource, Scope};
use scmp_common::{AuditTarget, Error, ProjectId, ResourceKind, RoleBindingId, TenantId};
use scmp_store::BindingSubject;

use super::paging;
use super::roles::Bindable;
use crate::context::{AppState, OpContext};

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: message.into(),
    }
}

/// Whether a role may be bound on a scope of this shape (a tenant role on a tenant, ...); the
/// refusal says where it may be bound.
pub(crate) fn check_level(
    name: &str,
    level: Level,
    tenant: Option<TenantId>,
    project: Option<ProjectId>,
) -> Result<Scope, Error> {
    if let Some(scope) = Scope::of(tenant, project).filter(|s| level.fits(s)) {
        return Ok(scope);
    }
    let where_ = match level {
        Level::Platform => "the platform (\"platform\")",
        Level::Tenant => "tenant ({\"tenant\": ...})",
        Level::Project => "project ({\"project\": ...})",
    };
    Err(invalid(
        "scope",
        format!("the role {name} can only be bound on a {where_}"),
    ))
}

impl AppState {
    /// The tenant and project a scope names, checked: the caller must be able to see it.
    async fn binding_scope(
        &self,
        ctx: &OpContext,
        scope: &ScopeBody,
    ) -> Result<(Option<TenantId>, Option<ProjectId>), Error> {
        match scope {
            ScopeBody::Platform(p) if p == "platform" => Ok((None, None)),
            ScopeBody::Platform(_) => Err(invalid(
                "scope",
                "must be \"platform\", {\"tenant\": T} or {\"project\": P}",
            )),
            ScopeBody::Tenant { tenant } => {
                let t = self
                    .lookup_tenant(ctx, tenant, Action::RoleBindingCreate)
                    .await?;
                Ok((Some(t.id), None))
            }
            ScopeBody::Project { project } => {
                let hidden = || Error::NotFound {
                    kind: ResourceKind::Project,
                    name: project.clone(),
                };
                let p = self
                    .store
                    .project_lookup(None, project)
                    .await
                    .map_err(|_| hidden())?;
                if !self
                    .authz
                    .can_see(&ctx.actor.principal, Resource::Project(p.tenant_id, p.id))
                {
                    return Err(hidden());
                }
                Ok((Some(p.tenant_id), Some(p.id)))
            }
        }
    }

    /// Role bindings the caller may see: one tenant's, or (platform administrators) all.
    pub async fn role_binding_list(
        &self,
        ctx: &OpContext,
        q: &TenantFilter,
    ) -> Result<Page<RoleBindingView>, Error> {
        let tenant = self
            .listed_tenant(
                ctx,
                q.tenant.as_deref(),
                Action::RoleBindingList,
                "role bindings",
            )
            .await?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after, n| {
                let store = self.store.clone();
                async move { store.binding_list(tenant, after, n).await }
            },
            |b| (b.created_at, b.id.to_string()),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::role_binding))
    }

    /// Binds a role to a user or a group on a scope.
    pub async fn role_binding_create(
        &self,
        ctx: &OpContext,
        body: RoleBindingCreate,
    ) -> Result<RoleBindingView, Error> {
        let role = match self.lookup_role(ctx, &body.role).await {
            Err(Error::NotFound { .. }) => {
                return Err(invalid(
                    "role",
                    format!("unknown role '{}' (see role_list)", body.role),
                ))
            }
            found => found?,
        };
        let grant = role.grant();
        let (tenant, project) = self.binding_scope(ctx, &body.scope).await?;
        let scope = check_level(grant.name(), grant.level(), tenant, project)?;
        if let Bindable::Custom(r) = &role {
            if r.tenant_id.is_some() && r.tenant_id != tenant {
                return Err(invalid(
                    "role",
                    "a tenant's role can only be bound inside that tenant",
                ));
            }
        }
        if !self.may_manage_users(ctx, tenant) {
            return Err(Error::Forbidden {
                action: "grant roles here".into(),
            });
        }
        let actions = scmp_authz::Action::ALL
            .iter()
            .copied()
            .filter(|a| grant.grants(*a));
        self.check_held(ctx, actions, scope, "grant a role")?;
        let (subject, target) = match (&body.subject.user, &body.subject.group) {
            (Some(user), None) => {
                let u = self.lookup_user(ctx, user).await?;
                if tenant.is_some() && u.tenant_id != tenant {
                    return Err(invalid(
                        "subject.user",
                        "roles in a tenant can only be given to that tenant's users",
                    ));
                }
                (
                    BindingSubject::User(u.id),
                    AuditTarget::new(ResourceKind::User, u.id),
                )
            }
            (None, Some(group)) => {
                let g = self.lookup_group(ctx, group).await?;
                if tenant.is_some() && g.tenant_id != tenant {
                    return Err(invalid(
                        "subject.group",
                        "roles in a tenant can only be given to that tenant's groups",
                    ));
                }
                (
                    BindingSubject::Group(g.id),
                    AuditTarget::new(ResourceKind::Group, g.id),
                )
            }
            _ => {
                return Err(invalid(
                    "subject",
                    "must be {\"user\": U} or {\"group\": G}",
                ))
            }
        };
        let store = &self.store;
        let create = async {
            match &role {
                Bindable::Builtin(r) => {
                    store
                        .binding_create(&subject, r.name(), tenant, project)
                        .await
                }
                Bindable::Custom(r) => {
                    store
                        .custom_role_binding_create(&subject, r, tenant, project)
                        .await
                }
            }
        };
        let b = self
            .audited(ctx, "role_binding_create", target, tenant, create)
            .await?;
        Ok(crate::views::role_binding(b))
    }

    /// Removes a role binding.
    pub async fn role_binding_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let not_found = || Error::NotFound {
            kind: ResourceKind::RoleBinding,
            name: key.to_string(),
        };
        let id: RoleBindingId = key.parse().map_err(|_| not_found())?;
        let b = self.store.binding_get(id).await?.ok_or_else(not_found)?;
        if !self.may_see_users(ctx, b.tenant_id) {
            return Err(not_found());
        }
        if !self.may_manage_users(ctx, b.tenant_id) {
            return Err(Error::Forbidden {
                action: "remove this role binding".into(),
            });
        }
        self.audited(
            ctx,
            "role_binding_delete",
            AuditTarget::new(ResourceKind::RoleBinding, id),
            b.tenant_id,
            self.store.binding_delete(id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_bind_only_at_their_level() {
        let (t, p) = (Some(TenantId::new()), Some(ProjectId::new()));
        for level in Level::ALL {
            let ok = match level {
                Level::Platform => (None, None),
                Level::Tenant => (t, None),
                Level::Project => (t, p),
            };
            assert!(check_level("r", level, ok.0, ok.1).is_ok(), "{level}");
            for wrong in [(None, None), (t, None), (t, p), (None, p)] {
                if wrong != ok {
                    let e = check_level("r", level, wrong.0, wrong.1).unwrap_err();
                    assert!(matches!(e, Error::InvalidValue { ref field, .. } if field == "scope"));
                }
            }
        }
    }
}
