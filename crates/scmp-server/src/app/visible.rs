//! What of a list the caller may see, worked out once per request from the caller's role
//! bindings (the policy decides, as for one object), so that the store reads only those rows.
//! Each item a list answers is still authorized on its own as well.

use scmp_authz::{Action, Resource, Scope};
use scmp_common::{ProjectId, TenantId};
use scmp_store::Visible;

use crate::context::{AppState, OpContext};

/// A tenant and a project that no binding names: the policy allows an action on them only through
/// a platform-wide role.
fn unbound() -> (TenantId, ProjectId) {
    (
        TenantId::from(uuid::Uuid::nil()),
        ProjectId::from(uuid::Uuid::nil()),
    )
}

impl AppState {
    /// The tenants on which the caller may do `action` (an action on a tenant).
    pub fn visible_tenants(&self, ctx: &OpContext, action: Action) -> Visible {
        let (nobody, _) = unbound();
        if self.allows(ctx, action, Resource::Tenant(nobody)) {
            return Visible::All;
        }
        let mut tenants: Vec<TenantId> = self
            .bound_tenants(ctx)
            .into_iter()
            .filter(|t| self.allows(ctx, action, Resource::Tenant(*t)))
            .collect();
        tenants.dedup();
        Visible::Within {
            tenants,
            projects: Vec::new(),
        }
    }

    /// The tenants (all their projects) and projects on which the caller may do `action` (an
    /// action on a project).
    pub fn visible_projects(&self, ctx: &OpContext, action: Action) -> Visible {
        let (nobody, none) = unbound();
        if self.allows(ctx, action, Resource::Project(nobody, none)) {
            return Visible::All;
        }
        let tenants: Vec<TenantId> = self
            .bound_tenants(ctx)
            .into_iter()
            .filter(|t| self.allows(ctx, action, Resource::Project(*t, none)))
            .collect();
        let mut projects: Vec<ProjectId> = ctx
            .actor
            .principal
            .bindings
            .iter()
            .filter_map(|b| match b.scope {
                Scope::Project(t, p) if !tenants.contains(&t) => Some((t, p)),
                _ => None,
            })
            .filter(|(t, p)| self.allows(ctx, action, Resource::Project(*t, *p)))
            .map(|(_, p)| p)
            .collect();
        projects.sort();
        projects.dedup();
        Visible::Within { tenants, projects }
    }

    /// Every tenant the caller's bindings name (on the tenant or on one of its projects), once.
    fn bound_tenants(&self, ctx: &OpContext) -> Vec<TenantId> {
        let mut tenants: Vec<TenantId> = ctx
            .actor
            .principal
            .bindings
            .iter()
            .filter_map(|b| match b.scope {
                Scope::Tenant(t) | Scope::Project(t, _) => Some(t),
                Scope::Platform => None,
            })
            .collect();
        tenants.sort();
        tenants.dedup();
        tenants
    }
}
