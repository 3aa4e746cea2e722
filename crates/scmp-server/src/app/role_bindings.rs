//! Role bindings: a role given to a user or a group on the platform, a tenant or a project. Roles
//! inside a tenant go only to that tenant's users and groups, so a tenant administrator can never
//! open its tenant to outsiders or reach beyond it.

use scmp_api::{Page, RoleBindingCreate, RoleBindingView, ScopeBody, TenantFilter};
use scmp_authz::{Action, Resource, Role};
use scmp_common::{AuditTarget, Error, ProjectId, ResourceKind, RoleBindingId, TenantId};
use scmp_store::BindingSubject;

use super::paging;
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
    role: Role,
    tenant: Option<TenantId>,
    project: Option<ProjectId>,
) -> Result<(), Error> {
    let fits = matches!(
        (role.level(), tenant, project),
        ("platform", None, None) | ("tenant", Some(_), None) | ("project", Some(_), Some(_))
    );
    if fits {
        return Ok(());
    }
    let where_ = match role.level() {
        "platform" => "the platform (\"platform\")",
        "tenant" => "tenant ({\"tenant\": ...})",
        _ => "project ({\"project\": ...})",
    };
    Err(invalid(
        "scope",
        format!("the role {role} can only be bound on a {where_}"),
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
        let role: Role = body
            .role
            .parse()
            .map_err(|e: scmp_authz::UnknownRole| invalid("role", e.to_string()))?;
        let (tenant, project) = self.binding_scope(ctx, &body.scope).await?;
        check_level(role, tenant, project)?;
        if !self.may_manage_users(ctx, tenant) {
            return Err(Error::Forbidden {
                action: "grant roles here".into(),
            });
        }
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
        let b = self
            .audited(
                ctx,
                "role_binding_create",
                target,
                tenant,
                self.store
                    .binding_create(&subject, role.name(), tenant, project),
            )
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
        for role in Role::ALL {
            let ok = match role.level() {
                "platform" => (None, None),
                "tenant" => (t, None),
                _ => (t, p),
            };
            assert!(check_level(role, ok.0, ok.1).is_ok(), "{role}");
            for wrong in [(None, None), (t, None), (t, p)] {
                if wrong != ok {
                    let e = check_level(role, wrong.0, wrong.1).unwrap_err();
                    assert!(matches!(e, Error::InvalidValue { ref field, .. } if field == "scope"));
                }
            }
        }
    }
}
