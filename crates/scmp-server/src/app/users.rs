//! Users: a tenant's (managed by that tenant's administrators) or the platform's (managed by
//! platform administrators), with an e-mail address and, for logins, an argon2id password hash.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use scmp_api::{Page, TenantFilter, UserCreate, UserUpdate, UserView};
use scmp_authz::Action;
use scmp_common::{AuditTarget, Error, ResourceKind, TenantId};

use super::paging;
use crate::context::{AppState, OpContext};

fn invalid(field: &str, message: &str) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: message.into(),
    }
}

/// An e-mail address as kept: at most 254 printable characters.
pub(crate) fn check_email(e: &str) -> Result<(), Error> {
    if e.len() > 254 || e.contains(char::is_control) {
        Err(invalid("email", "must be at most 254 printable characters"))
    } else {
        Ok(())
    }
}

/// A password scmp accepts: 12 to 1024 characters.
pub(crate) fn check_password(p: &str) -> Result<(), Error> {
    if p.chars().count() < 12 || p.len() > 1024 {
        Err(invalid("password", "must be 12 to 1024 characters long"))
    } else {
        Ok(())
    }
}

impl AppState {
    /// An argon2id hash of an acceptable password (salted from the server's randomness).
    fn password_hash(&self, p: &str) -> Result<String, Error> {
        check_password(p)?;
        let salt = SaltString::encode_b64(&self.random.bytes(16)).map_err(Error::internal)?;
        Argon2::default()
            .hash_password(p.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(Error::internal)
    }

    /// Which tenant's list a request is about: the one named (which the caller must be allowed
    /// `action` on), or the whole platform's (for those who see platform users).
    pub(crate) async fn listed_tenant(
        &self,
        ctx: &OpContext,
        tenant: Option<&str>,
        action: Action,
        what: &str,
    ) -> Result<Option<TenantId>, Error> {
        match tenant {
            Some(key) => Ok(Some(self.lookup_tenant(ctx, key, action).await?.id)),
            None if self.may_see_users(ctx, None) => Ok(None),
            None => Err(Error::Forbidden {
                action: format!("list all {what} (name a tenant)"),
            }),
        }
    }

    /// Users the caller may see: one tenant's, or (platform administrators) all.
    pub async fn user_list(
        &self,
        ctx: &OpContext,
        q: &TenantFilter,
    ) -> Result<Page<UserView>, Error> {
        let tenant = self
            .listed_tenant(ctx, q.tenant.as_deref(), Action::UserList, "users")
            .await?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.user_list(tenant, after.as_deref(), n).await }
            },
            |u| u.name.to_string(),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::user))
    }

    /// Creates a user.
    pub async fn user_create(&self, ctx: &OpContext, body: UserCreate) -> Result<UserView, Error> {
        let tenant = match &body.tenant {
            Some(key) => Some(self.lookup_tenant(ctx, key, Action::UserCreate).await?.id),
            None => None,
        };
        if !self.may_manage_users(ctx, tenant) {
            return Err(Error::Forbidden {
                action: "create platform users".into(),
            });
        }
        let email = body.email.clone().unwrap_or_default();
        check_email(&email)?;
        if let Some(key) = &body.realm {
            return self
                .realm_user_create(ctx, key, &body, tenant, &email)
                .await;
        }
        let hash = body
            .password
            .as_deref()
            .map(|p| self.password_hash(p))
            .transpose()?;
        let u = self
            .audited(
                ctx,
                "user_create",
                AuditTarget::new(ResourceKind::User, &body.name),
                tenant,
                self.store
                    .user_create(&body.name, &email, tenant, hash.as_deref()),
            )
            .await?;
        Ok(crate::views::user(u))
    }

    /// One user.
    pub async fn user_view(&self, ctx: &OpContext, key: &str) -> Result<UserView, Error> {
        Ok(crate::views::user(
            self.lookup_user(ctx, key).await?.into_inner(),
        ))
    }

    /// Changes a user's e-mail address or password (their managers, or the user themselves).
    pub async fn user_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: UserUpdate,
    ) -> Result<UserView, Error> {
        let u = self.lookup_user_to_change(ctx, key).await?;
        if let Some(e) = &body.email {
            check_email(e)?;
        }
        let hash = body
            .password
            .as_deref()
            .map(|p| self.password_hash(p))
            .transpose()?;
        let u = self
            .audited(
                ctx,
                "user_update",
                AuditTarget::new(ResourceKind::User, u.id),
                u.tenant_id,
                self.store
                    .user_update(u.id, body.email.as_deref(), hash.as_deref()),
            )
            .await?;
        Ok(crate::views::user(u))
    }

    /// Deletes a user with its credentials, role bindings and group memberships (never the
    /// platform's last administrator, nor oneself).
    pub async fn user_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let u = self.lookup_user(ctx, key).await?;
        if !self.may_manage_users(ctx, u.tenant_id) || u.id == ctx.actor.user.id {
            return Err(Error::Forbidden {
                action: "delete this user".into(),
            });
        }
        self.audited(
            ctx,
            "user_delete",
            AuditTarget::new(ResourceKind::User, u.id),
            u.tenant_id,
            self.store.user_delete(u.id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords() {
        assert!(check_email("a@example.com").is_ok());
        assert!(check_email("").is_ok(), "an address is optional");
        assert!(check_email("a\n@example.com").is_err());
        assert!(check_email(&"a".repeat(255)).is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password("short").is_err());
        assert!(check_password(&"p".repeat(1025)).is_err());
        // Characters, not bytes: twelve letters of any script pass.
        assert!(check_password("äöüäöüäöüäöü").is_ok());
    }
}
