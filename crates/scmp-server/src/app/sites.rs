//! Sites: the edge locations clusters are registered at (a country, for residency).

use scmp_api::{Page, PageQuery, SiteCreate, SiteUpdate, SiteView};
use scmp_authz::Action;
use scmp_common::{AuditTarget, Error, ResourceKind};
use scmp_store::NewSite;

use super::paging;
use crate::context::{AppState, OpContext};

fn target(key: impl std::fmt::Display) -> AuditTarget {
    AuditTarget::new(ResourceKind::Site, key)
}

impl AppState {
    /// Every site, by name.
    pub async fn site_list(&self, ctx: &OpContext, q: &PageQuery) -> Result<Page<SiteView>, Error> {
        self.authorize_platform(ctx, Action::SiteList)?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.site_list(after.as_deref(), n).await }
            },
            |site| site.name.to_string(),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::site))
    }

    /// Creates a site.
    pub async fn site_create(&self, ctx: &OpContext, body: SiteCreate) -> Result<SiteView, Error> {
        self.authorize_platform(ctx, Action::SiteCreate)?;
        let new = NewSite {
            name: body.name,
            country: body.country,
            region: body.region.unwrap_or_default(),
            description: body.description.unwrap_or_default(),
        };
        let site = self
            .audited(
                ctx,
                "site_create",
                target(&new.name),
                None,
                self.store.site_create(&new),
            )
            .await?;
        Ok(crate::views::site(site))
    }

    /// One site.
    pub async fn site_view(&self, ctx: &OpContext, key: &str) -> Result<SiteView, Error> {
        let site = self.lookup_site(ctx, key, Action::SiteView).await?;
        Ok(crate::views::site(site.into_inner()))
    }

    /// Changes a site's region or description (its country, which residency relies on, stays).
    pub async fn site_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: SiteUpdate,
    ) -> Result<SiteView, Error> {
        let site = self.lookup_site(ctx, key, Action::SiteCreate).await?;
        let site = self
            .audited(
                ctx,
                "site_update",
                target(site.id),
                None,
                self.store.site_update(
                    site.id,
                    body.region.as_deref(),
                    body.description.as_deref(),
                ),
            )
            .await?;
        Ok(crate::views::site(site))
    }

    /// Deletes a site; refused while clusters are registered at it.
    pub async fn site_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let site = self.lookup_site(ctx, key, Action::SiteDelete).await?;
        self.audited(
            ctx,
            "site_delete",
            target(site.id),
            None,
            self.store.site_delete(site.id),
        )
        .await
    }
}
