//! Escrowed offline budgets: a project's share of its quota that a site may use while cut off
//! from the platform, granted by whoever may set the project's quota and reserved in the project's
//! usage at once (the store's `site_budget_set`), so central admission can never hand it out
//! twice; a cut waits until the site holds it (`agent_site_held`). Expired budgets give back what their sites did not use (`expire`, run by the server).

use scmp_api::{Page, PageQuery, SiteBudgetCut, SiteBudgetSet, SiteBudgetView};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{AuditTarget, Error, ResourceKind, Resources};
use scmp_store::SiteBudget;

use crate::context::{AppState, OpContext};

/// A budget's validity when none is asked for, and the bounds of what may be asked.
const VALID_DEFAULT_S: u64 = 30 * 86_400;
const VALID_MIN_S: u64 = 3600;
const VALID_MAX_S: u64 = 90 * 86_400;

fn view(b: SiteBudget) -> SiteBudgetView {
    SiteBudgetView {
        site: b.site_id,
        granted: b.granted.into(),
        used: b.used.into(),
        valid_until: from_ms(b.valid_until),
        updated_at: from_ms(b.updated_at),
        pending: b.pending.map(|c| SiteBudgetCut {
            granted: c.granted.into(),
            valid_until: from_ms(c.valid_until),
        }),
    }
}

impl AppState {
    /// Grants (or renews, or changes) a project's offline budget at a site.
    pub async fn site_budget_set(
        &self,
        ctx: &OpContext,
        project: &str,
        site: &str,
        body: SiteBudgetSet,
    ) -> Result<SiteBudgetView, Error> {
        let p = self
            .lookup_project(ctx, project, Action::ProjectQuotaUpdate)
            .await?;
        let s = self.store.site_lookup(site).await?;
        let valid = body.valid_for_s.unwrap_or(VALID_DEFAULT_S);
        if !(VALID_MIN_S..=VALID_MAX_S).contains(&valid) {
            return Err(Error::InvalidValue {
                field: "valid_for_s".into(),
                message: format!("must be between {VALID_MIN_S} and {VALID_MAX_S} seconds"),
            });
        }
        let granted = Resources::from(body.budget);
        if granted.networks > 0 {
            return Err(Error::invalid(
                "budget.networks",
                "a site cut off from the platform makes no networks: budget none",
            ));
        }
        if !granted.within_store_range() {
            return Err(Error::InvalidValue {
                field: "budget".into(),
                message: "an amount is too large".into(),
            });
        }
        let until = self.clock.now_ms() + (valid as i64) * 1000;
        let target = AuditTarget::new(ResourceKind::Project, p.id).child(ResourceKind::Site, s.id);
        self.audited(ctx, "site_budget_set", target, Some(p.tenant_id), async {
            self.store
                .site_budget_set(p.id, s.id, &granted, until)
                .await?;
            self.site_budget_settle_unheard(s.id).await
        })
        .await?;
        let b = self
            .store
            .site_budget_get(p.id, s.id)
            .await?
            .ok_or_else(|| Error::internal("the budget just written is gone"))?;
        Ok(view(b))
    }

    /// A project's offline budgets, by site.
    pub async fn site_budget_list(
        &self,
        ctx: &OpContext,
        project: &str,
        q: &PageQuery,
    ) -> Result<Page<SiteBudgetView>, Error> {
        let p = self
            .lookup_project(ctx, project, Action::ProjectQuotaView)
            .await?;
        let found = super::paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let (store, project) = (self.store.clone(), p.id);
                async move { store.site_budget_page(project, after.as_deref(), n).await }
            },
            |b| b.site_id.to_string(),
            super::paging::everything,
        )
        .await?;
        Ok(super::paging::page(found, view))
    }

    /// Withdraws a project's offline budget at a site: what the site did not use goes back.
    pub async fn site_budget_withdraw(
        &self,
        ctx: &OpContext,
        project: &str,
        site: &str,
    ) -> Result<(), Error> {
        let p = self
            .lookup_project(ctx, project, Action::ProjectQuotaUpdate)
            .await?;
        let s = self.store.site_lookup(site).await?;
        let target = AuditTarget::new(ResourceKind::Project, p.id).child(ResourceKind::Site, s.id);
        self.audited(
            ctx,
            "site_budget_withdraw",
            target,
            Some(p.tenant_id),
            async {
                self.store.site_budget_withdraw(p.id, s.id).await?;
                self.site_budget_settle_unheard(s.id).await
            },
        )
        .await
    }

    /// A site no agent ever spoke for was told nothing and can spend nothing on its own: a cut
    /// to its budgets takes effect at once.
    async fn site_budget_settle_unheard(&self, site: scmp_common::SiteId) -> Result<(), Error> {
        if self.store.agent_list(site, None, 1).await?.is_empty() {
            self.store.site_budget_held(site, &[]).await?;
        }
        Ok(())
    }
}

impl AppState {
    /// What a site says it holds of its budgets: cuts within it take effect (what the site did
    /// not use goes back to the projects).
    pub(crate) async fn agent_site_held(
        &self,
        agent: &scmp_api::AgentView,
        grants: &[scmp_agent::link::SiteGrant],
    ) -> Result<(), Error> {
        let held: Vec<_> = grants
            .iter()
            .map(|g| (g.project, g.granted, g.valid_until_ms))
            .collect();
        let n = self.store.site_budget_held(agent.site, &held).await?;
        if n > 0 {
            tracing::info!(agent = %agent.id, site = %agent.site, cuts = n,
                "budget cuts took effect: the site holds them");
        }
        Ok(())
    }
}
