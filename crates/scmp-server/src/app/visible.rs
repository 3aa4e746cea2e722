//! What of a list the caller may see, worked out once per request from the caller's role
//! bindings (the policy decides, as for one object), so that the store reads only those rows.
//! Each item a list answers is still authorized on its own as well.

use scmp_authz::{Action, Resource};
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
        let tenants: Vec<TenantId> = ctx
            .actor
            .principal
            .tenants()
            .into_iter()
            .filter(|t| self.allows(ctx, action, Resource::Tenant(*t)))
            .collect();
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
        let tenants: Vec<TenantId> = ctx
            .actor
            .principal
            .tenants()
            .into_iter()
            .filter(|t| self.allows(ctx, action, Resource::Project(*t, none)))
            .collect();
        let projects: Vec<ProjectId> = ctx
            .actor
            .principal
            .projects()
            .into_iter()
            .filter(|(t, p)| {
                !tenants.contains(t) && self.allows(ctx, action, Resource::Project(*t, *p))
            })
            .map(|(_, p)| p)
            .collect();
        Visible::Within { tenants, projects }
    }
}
