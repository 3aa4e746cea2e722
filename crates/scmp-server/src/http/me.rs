//! `me_view`: who the caller is and what roles it holds where.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use scmp_authz::{Action, Scope};

use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// The caller: user, credential and roles.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "me_view",
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
pub async fn me_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<MeView>, HttpError> {
    super::tenants::platform(&s, &ctx, Action::MeView)?;
    let roles = ctx
        .actor
        .principal
        .bindings
        .iter()
        .map(|b| RoleView {
            role: b.role.name().to_string(),
            scope: match b.scope {
                Scope::Platform => "platform".to_string(),
                Scope::Tenant(t) => format!("tenant/{t}"),
                Scope::Project(_, p) => format!("project/{p}"),
            },
        })
        .collect();
    Ok(Json(MeView {
        id: ctx.actor.user.id.clone(),
        name: ctx.actor.user.name.to_string(),
        tenant_id: ctx.actor.user.tenant_id.map(|t| t.to_string()),
        credential: ctx.actor.credential.id.clone(),
        roles,
    }))
}
