//! API tokens: the caller's own (shown once when created, stored hashed, revocable), and for those
//! who manage a user (the tenant's administrators, platform administrators), that user's tokens to
//! see and revoke, never their secrets.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::Action;
use scmp_common::Error;
use scmp_store::CredentialKind;

use super::audit::audited;
use super::tenants::platform;
use super::types::{Page, TokenCreate, TokenView};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::Problem;

/// Whose tokens: `?user=` (id or name) for a user the caller manages, else the caller's own.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokenOwner {
    /// A user the caller manages (id or name); the caller's own tokens when left out.
    pub user: Option<String>,
}

/// The user whose tokens a request is about: the caller, or a user the caller manages (a user it
/// may not manage is not found).
async fn owner(s: &AppState, ctx: &OpContext, q: &TokenOwner) -> Result<String, Problem> {
    let Some(key) = &q.user else {
        return Ok(ctx.actor.user.id.clone());
    };
    let u = super::users::user_for(s, ctx, key).await?;
    if u.id == ctx.actor.user.id || super::users::may_manage(s, ctx, u.tenant_id) {
        Ok(u.id)
    } else {
        Err(Problem::not_found(&format!("user '{key}'")).at(&ctx.request_id))
    }
}

/// The caller's tokens, or those of a user the caller manages (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "token_list", params(TokenOwner),
    responses((status = 200, body = Page<TokenView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn token_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TokenOwner>,
) -> Result<Json<Page<TokenView>>, Problem> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    let user = owner(&s, &ctx, &q).await?;
    let list = s
        .store
        .credential_list(&user, CredentialKind::Token)
        .await
        .map_err(|e| Problem::from(e).at(&ctx.request_id))?;
    let items = list
        .into_iter()
        .map(|c| TokenView {
            id: c.id,
            name: c.name,
            expires_at: c.expires_at,
            created_at: c.created_at,
            secret: None,
        })
        .collect();
    Ok(Json(Page {
        items,
        next_page_token: None,
    }))
}

/// Creates a token for the caller; the answer holds its secret, once.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "token_create", request_body = TokenCreate,
    responses((status = 201, body = TokenView), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn token_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TokenCreate>,
) -> Result<(StatusCode, Json<TokenView>), Problem> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    if body.name.trim().is_empty() || body.name.len() > 100 || body.name.contains('\0') {
        return Err(Problem::invalid("name", "must be 1 to 100 characters").at(&ctx.request_id));
    }
    let issued = audited(
        &s,
        &ctx,
        "token_create",
        "token",
        ctx.actor.user.tenant_id,
        async {
            s.store
                .credential_issue(
                    &ctx.actor.user.id,
                    CredentialKind::Token,
                    &body.name,
                    body.expires_at,
                )
                .await
        },
    )
    .await?;
    let c = issued.credential.clone();
    Ok((
        StatusCode::CREATED,
        Json(TokenView {
            id: c.id,
            name: c.name,
            expires_at: c.expires_at,
            created_at: c.created_at,
            secret: Some(issued.text),
        }),
    ))
}

/// Revokes one of the caller's tokens, or of a user the caller manages.
#[utoipa::path(delete, path = "/api/v1/tokens/{token}", operation_id = "token_delete",
    params(("token" = String, Path, description = "Token id"), TokenOwner),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn token_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(id): ApiPath,
    ApiQuery(q): ApiQuery<TokenOwner>,
) -> Result<StatusCode, Problem> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    let user = owner(&s, &ctx, &q).await?;
    let target = format!("token/{id}");
    let revoked = audited(
        &s,
        &ctx,
        "token_delete",
        &target,
        ctx.actor.user.tenant_id,
        async {
            let done = s.store.credential_revoke(&user, &id).await?;
            if done {
                Ok(())
            } else {
                Err(Error::Conflict(String::new()))
            }
        },
    )
    .await;
    match revoked {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(_) => Err(Problem::not_found(&format!("token '{id}'")).at(&ctx.request_id)),
    }
}
