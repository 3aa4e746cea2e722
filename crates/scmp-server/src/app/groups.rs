//! Groups of users: a tenant's (managed by its administrators, members from that tenant only) or
//! the platform's (managed by platform administrators). Roles bound to a group hold for every
//! member.

use scmp_api::{GroupCreate, GroupUpdate, GroupView, Page, TenantFilter};
use scmp_authz::Action;
use scmp_common::{AuditTarget, Error, ResourceKind, TenantId, UserId};

use super::paging;
use crate::context::{AppState, OpContext};

impl AppState {
    /// Resolves members to user ids; each must belong to the group's tenant (any user for a
    /// platform group). A member the caller cannot see is no such user.
    async fn group_members(
        &self,
        ctx: &OpContext,
        tenant: Option<TenantId>,
        keys: &[String],
    ) -> Result<Vec<UserId>, Error> {
        let mut ids = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            let field = format!("members[{i}]");
            let u = match self.lookup_user(ctx, key).await {
                Ok(u) => u,
                Err(Error::NotFound { .. }) => {
                    return Err(Error::InvalidValue {
                        field,
                        message: "no such user".into(),
                    })
                }
                Err(e) => return Err(e),
            };
            if tenant.is_some() && u.tenant_id != tenant {
                return Err(Error::InvalidValue {
                    field,
                    message: "a tenant's group holds only that tenant's users".into(),
                });
            }
            if !ids.contains(&u.id) {
                ids.push(u.id);
            }
        }
        Ok(ids)
    }

    /// Groups the caller may see: one tenant's, or (platform administrators) all.
    pub async fn group_list(
        &self,
        ctx: &OpContext,
        q: &TenantFilter,
    ) -> Result<Page<GroupView>, Error> {
        let tenant = self
            .listed_tenant(ctx, q.tenant.as_deref(), Action::UserList, "groups")
            .await?;
        // `None`: every group; `Some(t)`: that tenant's.
        let filter = q.tenant.as_ref().map(|_| tenant);
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.group_list(filter, after.as_deref(), n).await }
            },
            |g| g.name.to_string(),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::group))
    }

    /// Creates a group.
    pub async fn group_create(
        &self,
        ctx: &OpContext,
        body: GroupCreate,
    ) -> Result<GroupView, Error> {
        let tenant = match &body.tenant {
            Some(key) => Some(self.lookup_tenant(ctx, key, Action::UserCreate).await?.id),
            None => None,
        };
        if !self.may_manage_users(ctx, tenant) {
            return Err(Error::Forbidden {
                action: "create platform groups".into(),
            });
        }
        let ids = self.group_members(ctx, tenant, &body.members).await?;
        let description = body.description.unwrap_or_default();
        let g = self
            .audited(
                ctx,
                "group_create",
                AuditTarget::new(ResourceKind::Group, &body.name),
                tenant,
                self.store
                    .group_create(&body.name, tenant, &description, &ids),
            )
            .await?;
        Ok(crate::views::group(g))
    }

    /// One group with its members.
    pub async fn group_view(&self, ctx: &OpContext, key: &str) -> Result<GroupView, Error> {
        Ok(crate::views::group(
            self.lookup_group(ctx, key).await?.into_inner(),
        ))
    }

    /// Changes a group's description or replaces its members.
    pub async fn group_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: GroupUpdate,
    ) -> Result<GroupView, Error> {
        let g = self.lookup_group_to_manage(ctx, key).await?;
        if g.realm_id.is_some() && body.members.is_some() {
            return Err(Error::InvalidValue {
                field: "members".into(),
                message: "the realm's directory decides this group's members (sync the realm)"
                    .into(),
            });
        }
        let ids = match &body.members {
            Some(m) => Some(self.group_members(ctx, g.tenant_id, m).await?),
            None => None,
        };
        let g = self
            .audited(
                ctx,
                "group_update",
                AuditTarget::new(ResourceKind::Group, g.id),
                g.tenant_id,
                self.store
                    .group_update(g.id, body.description.as_deref(), ids.as_deref()),
            )
            .await?;
        Ok(crate::views::group(g))
    }

    /// Deletes a group with its memberships and the roles bound to it.
    pub async fn group_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let g = self.lookup_group_to_manage(ctx, key).await?;
        self.audited(
            ctx,
            "group_delete",
            AuditTarget::new(ResourceKind::Group, g.id),
            g.tenant_id,
            self.store.group_delete(g.id),
        )
        .await
    }
}
