//! Authentication: the bearer token or session becomes an [`OpContext`] with the real user, the
//! credential used and the user's role bindings. Anything else is a 401 problem.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;
use scmp_authz::{Principal, Role, RoleBinding, Scope};
use scmp_store::StoredBinding;

use crate::context::{Actor, AppState, OpContext};
use crate::error::Problem;
use crate::http::RequestId;

/// The role bindings the policy engine understands; unknown or malformed ones grant nothing.
fn bindings(stored: &[StoredBinding]) -> Vec<RoleBinding> {
    stored
        .iter()
        .filter_map(|b| {
            let role: Role = b.role.parse().ok()?;
            let scope = match (b.tenant_id, b.project_id) {
                (None, None) => Scope::Platform,
                (Some(t), None) => Scope::Tenant(t),
                (Some(t), Some(p)) => Scope::Project(t, p),
                (None, Some(_)) => return None,
            };
            let binding = RoleBinding { role, scope };
            binding.is_well_formed().then_some(binding)
        })
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl FromRequestParts<Arc<AppState>> for OpContext {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let unauthenticated = || Problem::unauthenticated().at(&request_id);
        let header = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(unauthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(unauthenticated)?
            .trim();
        let found = state
            .store
            .credential_verify(token, now_ms())
            .await
            .map_err(|e| Problem::from(e).at(&request_id))?;
        let Some((user, credential)) = found else {
            return Err(unauthenticated());
        };
        let stored = state
            .store
            .bindings_of(&user.id)
            .await
            .map_err(|e| Problem::from(e).at(&request_id))?;
        let principal = Principal {
            id: user.id.clone(),
            bindings: bindings(&stored),
        };
        Ok(OpContext {
            request_id,
            source,
            actor: Actor {
                user,
                credential,
                principal,
            },
        })
    }
}
