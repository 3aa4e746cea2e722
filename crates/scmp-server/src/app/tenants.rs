//! Tenants (business units) and their quota.

use scmp_api::{Page, PageQuery, QuotaBody, ResourcesBody, TenantCreate, TenantUpdate, TenantView};
use scmp_authz::{Action, Resource};
use scmp_common::{AuditTarget, Error, ResourceKind, Resources};
use scmp_store::{NewTenant, Tenant};

use super::paging;
use crate::context::{AppState, OpContext};

fn target(key: impl std::fmt::Display) -> AuditTarget {
    AuditTarget::new(ResourceKind::Tenant, key)
}

impl AppState {
    /// A tenant as the API shows it, with its quota.
    async fn tenant_view_of(&self, t: Tenant) -> Result<TenantView, Error> {
        let quota = self.store.tenant_quota_view(t.id).await?;
        Ok(crate::views::tenant(t, quota))
    }

    /// Tenants the caller may see, by name.
    pub async fn tenant_list(
        &self,
        ctx: &OpContext,
        q: &PageQuery,
    ) -> Result<Page<TenantView>, Error> {
        let limit = q.limit()?;
        let seen = self.visible_tenants(ctx, Action::TenantView);
        let (visible, next) = paging::fill(
            q.page_token.as_deref(),
            limit,
            |after, n| {
                let (store, seen) = (self.store.clone(), seen.clone());
                async move { store.tenant_list(&seen, after.as_deref(), n).await }
            },
            |t| t.name.to_string(),
            |batch| self.allows_each(ctx, Action::TenantView, batch, |t| Resource::Tenant(t.id)),
        )
        .await?;
        let items = self
            .store
            .tenant_quota_views(visible)
            .await?
            .into_iter()
            .map(|(t, quota)| crate::views::tenant(t, quota))
            .collect();
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// Creates a tenant (platform administrators).
    pub async fn tenant_create(
        &self,
        ctx: &OpContext,
        body: TenantCreate,
    ) -> Result<TenantView, Error> {
        self.authorize_platform(ctx, Action::TenantCreate)?;
        let new = NewTenant {
            name: body.name,
            description: body.description.unwrap_or_default(),
            quota: body.quota.map(Resources::from).unwrap_or_default(),
        };
        let countries = body.countries.unwrap_or_default();
        self.audited(ctx, "tenant_create", target(&new.name), None, async {
            let mut t = self.store.tenant_create(&new).await?;
            if !countries.is_empty() {
                t = self.store.tenant_set_countries(t.id, &countries).await?;
            }
            self.tenant_view_of(t).await
        })
        .await
    }

    /// One tenant.
    pub async fn tenant_view(&self, ctx: &OpContext, key: &str) -> Result<TenantView, Error> {
        let t = self.lookup_tenant(ctx, key, Action::TenantView).await?;
        self.tenant_view_of(t.into_inner()).await
    }

    /// Changes a tenant's description, whether its users must have a second factor, or
    /// (platform administrators only: residency is the platform's policy) the countries its
    /// guests may run in.
    pub async fn tenant_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: TenantUpdate,
    ) -> Result<TenantView, Error> {
        let t = self.lookup_tenant(ctx, key, Action::TenantUpdate).await?;
        if body.countries.is_some() {
            self.authorize_platform(ctx, Action::TenantCreate)?;
        }
        let id = t.id;
        self.audited(ctx, "tenant_update", target(id), Some(id), async {
            let mut t = t.into_inner();
            if let Some(d) = &body.description {
                t = self.store.tenant_update(id, d).await?;
            }
            if let Some(c) = &body.countries {
                t = self.store.tenant_set_countries(id, c).await?;
            }
            if let Some(on) = body.require_mfa {
                t = self.store.tenant_set_require_mfa(id, on).await?;
            }
            self.tenant_view_of(t).await
        })
        .await
    }

    /// Replaces a tenant's labels (platform administrators: policies read them).
    pub async fn tenant_labels_update(
        &self,
        ctx: &OpContext,
        key: &str,
        labels: scmp_store::Labels,
    ) -> Result<TenantView, Error> {
        let t = self.lookup_tenant(ctx, key, Action::TenantUpdate).await?;
        let id = t.id;
        self.audited(ctx, "tenant_labels_update", target(id), Some(id), async {
            self.store.tenant_labels_set(id, &labels).await?;
            let t = self.store.tenant_get(id).await?;
            self.tenant_view_of(t).await
        })
        .await
    }

    /// Deletes a tenant with the roles bound on it; refused while it has projects, users or groups.
    pub async fn tenant_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let t = self.lookup_tenant(ctx, key, Action::TenantDelete).await?;
        self.audited(
            ctx,
            "tenant_delete",
            target(t.id),
            Some(t.id),
            self.store.tenant_delete(t.id),
        )
        .await
    }

    /// A tenant's quota: limits, allocated to projects, used by guests.
    pub async fn tenant_quota_view(&self, ctx: &OpContext, key: &str) -> Result<QuotaBody, Error> {
        let t = self
            .lookup_tenant(ctx, key, Action::TenantQuotaView)
            .await?;
        let q = self.store.tenant_quota_view(t.id).await?;
        Ok(crate::views::quota(q))
    }

    /// Sets a tenant's quota (refused below what its projects hold).
    pub async fn tenant_quota_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: ResourcesBody,
    ) -> Result<QuotaBody, Error> {
        let t = self
            .lookup_tenant(ctx, key, Action::TenantQuotaUpdate)
            .await?;
        let limits = Resources::from(body);
        let q = self
            .audited(
                ctx,
                "tenant_quota_update",
                target(t.id),
                Some(t.id),
                async {
                    self.store.tenant_quota_update(t.id, &limits).await?;
                    self.store.tenant_quota_view(t.id).await
                },
            )
            .await?;
        Ok(crate::views::quota(q))
    }
}
