//! Sites: the edge locations clusters are registered at (a country, for residency), with the link
//! of the agents that front their clusters.

use scmp_api::{Connectivity, Page, PageQuery, SiteCreate, SiteLinkView, SiteUpdate, SiteView};
use scmp_authz::Action;
use scmp_common::{AgentId, AuditTarget, Error, ResourceKind};
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
        let behind_agents = self.store.cluster_list_all().await?;
        Ok(paging::page(found, |site| {
            let agents: Vec<_> = behind_agents
                .iter()
                .filter(|c| c.site_id == site.id)
                .filter_map(|c| c.agent_id)
                .collect();
            self.site_view_of(site, &agents)
        }))
    }

    /// A site as the API shows it, with the link of the agents fronting its clusters.
    fn site_view_of(&self, site: scmp_store::Site, agents: &[AgentId]) -> SiteView {
        let mut view = crate::views::site(site);
        if agents.is_empty() {
            return view;
        }
        let links: Vec<_> = agents.iter().map(|a| self.agent_link(*a)).collect();
        let rank = |c: Connectivity| match c {
            Connectivity::Connected => 0,
            Connectivity::Degraded => 1,
            Connectivity::Disconnected => 2,
        };
        let worst = links
            .iter()
            .max_by_key(|l| (rank(l.state), std::cmp::Reverse(l.since)))
            .map(|l| (l.state, l.since));
        if let Some((state, since)) = worst {
            view.link = Some(SiteLinkView {
                state,
                since,
                lag_ms: links.iter().filter_map(|l| l.lag_ms).max(),
                agents: links.len() as u64,
                connected: links
                    .iter()
                    .filter(|l| l.state == Connectivity::Connected)
                    .count() as u64,
                waiting_commands: links.iter().map(|l| l.waiting_commands).sum(),
                journaled_waiting: links.iter().map(|l| l.journaled_waiting).sum(),
            });
        }
        view
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
        let site = self
            .lookup_site(ctx, key, Action::SiteView)
            .await?
            .into_inner();
        self.site_view_linked(site).await
    }

    /// A site as the API shows it, its agents looked up.
    async fn site_view_linked(&self, site: scmp_store::Site) -> Result<SiteView, Error> {
        let agents: Vec<_> = self
            .store
            .cluster_list(site.id, None, u32::MAX)
            .await?
            .into_iter()
            .filter_map(|c| c.agent_id)
            .collect();
        Ok(self.site_view_of(site, &agents))
    }

    /// Changes a site's region or description (its country, which residency relies on, stays).
    pub async fn site_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: SiteUpdate,
    ) -> Result<SiteView, Error> {
        let site = self.lookup_site(ctx, key, Action::SiteCreate).await?;
        let groups = match &body.offline_groups {
            Some(keys) => {
                let mut ids = Vec::with_capacity(keys.len());
                for k in keys {
                    match self.store.group_lookup(k).await {
                        Ok(g) => ids.push(g.id),
                        Err(Error::NotFound { .. }) => {
                            return Err(Error::InvalidValue {
                                field: "offline_groups".into(),
                                message: format!("no group '{k}'"),
                            })
                        }
                        Err(e) => return Err(e),
                    }
                }
                ids.sort();
                ids.dedup();
                Some(ids)
            }
            None => None,
        };
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
                    groups.as_deref(),
                ),
            )
            .await?;
        self.site_view_linked(site).await
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
