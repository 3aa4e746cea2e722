//! `me_view`: who the caller is and what roles it holds where.

use scmp_api::{MeView, RoleView};
use scmp_authz::{Action, Scope};
use scmp_common::Error;

use crate::context::{AppState, OpContext};

/// A scope as the API writes it: `platform`, `tenant/<id>`, `project/<id>`.
pub(crate) fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::Platform => "platform".to_string(),
        Scope::Tenant(t) => format!("tenant/{t}"),
        Scope::Project(_, p) => format!("project/{p}"),
    }
}

impl AppState {
    /// The caller: user, credential and roles.
    pub fn me_view(&self, ctx: &OpContext) -> Result<MeView, Error> {
        self.authorize_platform(ctx, Action::MeView)?;
        let roles = ctx
            .actor
            .principal
            .bindings
            .iter()
            .map(|b| RoleView {
                role: b.role.name().to_string(),
                scope: scope_text(&b.scope),
            })
            .collect();
        Ok(MeView {
            id: ctx.actor.user.id,
            name: ctx.actor.user.name.clone(),
            tenant_id: ctx.actor.user.tenant_id,
            credential: ctx.actor.credential.id,
            roles,
        })
    }
}
