//! The caller's own API tokens: shown once when created, stored hashed, revocable.

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
use super::{ApiJson, ApiPath};
use crate::context::{AppState, OpContext};
use crate::error::Problem;

/// The caller's tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "token_list",
    responses((status = 200, body = Page<TokenView>), (status = 401, body = Problem)))]
pub async fn token_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<Json<Page<TokenView>>, Problem> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    let list = s
        .store
        .credential_list(&ctx.actor.user.id, CredentialKind::Token)
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

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{token}", operation_id = "token_delete",
    params(("token" = String, Path, description = "Token id")),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn token_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(id): ApiPath,
) -> Result<StatusCode, Problem> {
    platform(&s, &ctx, Action::TokenManageOwn)?;
    let target = format!("token/{id}");
    let revoked = audited(
        &s,
        &ctx,
        "token_delete",
        &target,
        ctx.actor.user.tenant_id,
        async {
            let done = s.store.credential_revoke(&ctx.actor.user.id, &id).await?;
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
