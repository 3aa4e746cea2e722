//! API tokens: the caller's own (shown once when created, stored hashed, revocable), and for those
//! who manage a user (the tenant's administrators, platform administrators), that user's tokens to
//! see and revoke, never their secrets.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::Action;
use scmp_common::time::{from_ms, to_ms};
use scmp_common::{Error, ResourceKind};
use scmp_store::CredentialKind;

use super::audit::audited;
use super::tenants::platform;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

fn view(c: scmp_store::Credential, secret: Option<String>) -> TokenView {
    TokenView {
        id: c.id,
        name: c.name,
        expires_at: c.expires_at.map(from_ms),
        created_at: from_ms(c.created_at),
        secret,
    }
}

/// The user whose tokens a request is about: the caller, or a user the caller manages (a user it
/// may not manage is not found).
async fn owner(s: &AppState, ctx: &OpContext, user: Option<&str>) -> Result<String, HttpError> {
    let Some(key) = user else {
        return Ok(ctx.actor.user.id.clone());
    };
    let u = super::users::user_for(s, ctx, key).await?;
    if u.id == ctx.actor.user.id || super::users::may_manage(s, ctx, u.tenant_id) {
        Ok(u.id)
    } else {
        Err(HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::User,
            name: key.to_string(),
        }))
    }
}

/// The caller's tokens, or those of a user the caller manages (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "token_list", params(TokenListQuery),
    responses((status = 200, body = Page<TokenView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn token_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TokenListQuery>,
) -> Result<Json<Page<TokenView>>, HttpError> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    let limit = q.limit()?;
    let user = owner(&s, &ctx, q.user.as_deref()).await?;
    let (list, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after, n| {
            let (store, user) = (s.store.clone(), user.clone());
            async move {
                store
                    .credential_list(&user, CredentialKind::Token, after, n)
                    .await
            }
        },
        |c| (c.created_at, c.id.clone()),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: list.into_iter().map(|c| view(c, None)).collect(),
        next_page_token: next,
    }))
}

/// Creates a token for the caller; the answer holds its secret, once.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "token_create", request_body = TokenCreate,
    responses((status = 201, body = TokenView), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn token_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TokenCreate>,
) -> Result<(StatusCode, Json<TokenView>), HttpError> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    if body.name.trim().is_empty() || body.name.len() > 100 || body.name.contains('\0') {
        return Err(HttpError::invalid("name", "must be 1 to 100 characters"));
    }
    if body
        .expires_at
        .is_some_and(|t| t <= scmp_common::time::Time::now())
    {
        return Err(HttpError::invalid("expires_at", "must be in the future"));
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
                    body.expires_at.as_ref().map(to_ms),
                )
                .await
        },
    )
    .await?;
    let c = issued.credential.clone();
    Ok((StatusCode::CREATED, Json(view(c, Some(issued.text)))))
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
) -> Result<StatusCode, HttpError> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    let user = owner(&s, &ctx, q.user.as_deref()).await?;
    let target = format!("token/{id}");
    audited(
        &s,
        &ctx,
        "token_delete",
        &target,
        ctx.actor.user.tenant_id,
        async {
            if s.store.credential_revoke(&user, &id).await? {
                Ok(())
            } else {
                Err(Error::NotFound {
                    kind: ResourceKind::Token,
                    name: id.clone(),
                })
            }
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
