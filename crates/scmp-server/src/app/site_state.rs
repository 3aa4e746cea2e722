//! What a site needs to keep working on its own, sent down its agent's link: the scmp guests on
//! its cluster, the projects they belong to and those with an offline budget there (with their
//! tenants' names), the budgets, and the catalog it may create guests from.

use scmp_agent::link::{SiteGrant, SiteImage, SiteInstanceType, SiteProject, SiteState};
use scmp_common::{Error, ProjectId};
use scmp_store::Cluster;

use crate::context::AppState;

impl AppState {
    /// The site's state for the agent of `cluster`.
    pub async fn site_state_of(&self, cluster: &Cluster) -> Result<SiteState, Error> {
        // Guests first, budgets after: a guest adopted in between then shows in neither (or in
        // both), so the site never counts a budget's share both as free and as its guest's.
        let guests = self.store.guest_list_on_cluster(cluster.id).await?;
        let budgets = self.store.site_budget_list_at(cluster.site_id).await?;
        let mut ids: Vec<ProjectId> = guests.iter().map(|g| g.project_id).collect();
        ids.extend(budgets.iter().map(|b| b.project_id));
        ids.sort_by_key(|p| p.to_string());
        ids.dedup();
        let mut projects = Vec::with_capacity(ids.len());
        for id in ids {
            let p = self.store.project_get(id).await?;
            let t = self.store.tenant_get(p.tenant_id).await?;
            projects.push(SiteProject {
                tenant: t.name,
                project: crate::views::project(p),
            });
        }
        let images = self
            .store
            .image_list_all()
            .await?
            .into_iter()
            .map(|i| SiteImage {
                id: i.id,
                name: i.name,
                kind: i.kind,
                template: i.template,
            })
            .collect();
        let instance_types = self
            .store
            .instance_type_list(None, 1_000)
            .await?
            .into_iter()
            .map(|t| SiteInstanceType {
                name: t.name,
                vcpus: t.vcpus,
                memory_mib: t.memory_mib,
                disk_gib: t.disk_gib,
            })
            .collect();
        Ok(SiteState {
            at_ms: self.clock.now_ms(),
            guests: guests.into_iter().map(crate::views::guest).collect(),
            projects,
            budgets: budgets
                .into_iter()
                .map(|b| SiteGrant {
                    project: b.project_id,
                    granted: b.granted,
                    used: b.used,
                    valid_until_ms: b.valid_until,
                })
                .collect(),
            images,
            instance_types,
        })
    }
}
