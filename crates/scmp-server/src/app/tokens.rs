//! API tokens: the caller's own (shown once when created, stored hashed, revocable), and for those
//! who manage a user (the tenant's administrators, platform administrators), that user's tokens to
//! see and revoke, never their secrets.

use scmp_api::{Page, TokenCreate, TokenListQuery, TokenView};
use scmp_authz::Action;
use scmp_common::time::to_ms;
use scmp_common::{AuditTarget, CredentialId, Error, ResourceKind, UserId};
use scmp_store::CredentialKind;

use super::paging;
use crate::context::{AppState, OpContext};

/// A token's label: 1 to 100 characters, no NUL.
fn check_label(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() || name.len() > 100 || name.contains('\0') {
        Err(Error::InvalidValue {
            field: "name".into(),
            message: "must be 1 to 100 characters".into(),
        })
    } else {
        Ok(())
    }
}

impl AppState {
    /// The user whose tokens a request is about: the caller, or a user the caller manages (a user
    /// it may not manage is not found).
    async fn token_owner(&self, ctx: &OpContext, user: Option<&str>) -> Result<UserId, Error> {
        let Some(key) = user else {
            return Ok(ctx.actor.user.id);
        };
        let u = self.lookup_user(ctx, key).await?;
        if u.id == ctx.actor.user.id || self.may_manage_users(ctx, u.tenant_id) {
            Ok(u.id)
        } else {
            Err(Error::NotFound {
                kind: ResourceKind::User,
                name: key.to_string(),
            })
        }
    }

    /// The caller's tokens, or those of a user the caller manages (never their secrets).
    pub async fn token_list(
        &self,
        ctx: &OpContext,
        q: &TokenListQuery,
    ) -> Result<Page<TokenView>, Error> {
        self.authorize_platform(ctx, Action::TokenManageOwn)?;
        let limit = q.limit()?;
        let user = self.token_owner(ctx, q.user.as_deref()).await?;
        let found = paging::fill(
            q.page_token.as_deref(),
            limit,
            |after, n| {
                let store = self.store.clone();
                async move {
                    store
                        .credential_list(user, CredentialKind::Token, after, n)
                        .await
                }
            },
            |c| (c.created_at, c.id.to_string()),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, |c| crate::views::token(c, None)))
    }

    /// Creates a token for the caller; the answer holds its secret, once.
    pub async fn token_create(
        &self,
        ctx: &OpContext,
        body: TokenCreate,
    ) -> Result<TokenView, Error> {
        self.authorize_platform(ctx, Action::TokenManageOwn)?;
        if ctx.setup_only() {
            return Err(Error::Forbidden {
                action: "create tokens before setting up the second factor your tenant requires"
                    .into(),
            });
        }
        check_label(&body.name)?;
        let expires = body.expires_at.as_ref().map(to_ms);
        if expires.is_some_and(|t| t <= self.clock.now_ms()) {
            return Err(Error::InvalidValue {
                field: "expires_at".into(),
                message: "must be in the future".into(),
            });
        }
        let issued = self
            .audited(
                ctx,
                "token_create",
                AuditTarget::new(ResourceKind::User, ctx.actor.user.id)
                    .child(ResourceKind::Token, &body.name),
                ctx.actor.user.tenant_id,
                self.store.credential_issue(
                    ctx.actor.user.id,
                    CredentialKind::Token,
                    &body.name,
                    expires,
                ),
            )
            .await?;
        Ok(crate::views::token(
            issued.credential.clone(),
            Some(issued.text),
        ))
    }

    /// Revokes one of the caller's tokens, or of a user the caller manages.
    pub async fn token_delete(
        &self,
        ctx: &OpContext,
        key: &str,
        user: Option<&str>,
    ) -> Result<(), Error> {
        self.authorize_platform(ctx, Action::TokenManageOwn)?;
        let owner = self.token_owner(ctx, user).await?;
        let not_found = || Error::NotFound {
            kind: ResourceKind::Token,
            name: key.to_string(),
        };
        let id: CredentialId = key.parse().map_err(|_| not_found())?;
        self.audited(
            ctx,
            "token_delete",
            AuditTarget::new(ResourceKind::Token, id),
            ctx.actor.user.tenant_id,
            async {
                if self.store.credential_revoke(owner, id).await? {
                    Ok(())
                } else {
                    Err(not_found())
                }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_label("CI token (nightly)").is_ok());
        assert!(check_label(" ").is_err());
        assert!(check_label("a\0b").is_err());
        assert!(check_label(&"x".repeat(101)).is_err());
    }
}
