//! The governance a site evaluates on its own while cut off: where it is, and the active policies
//! of the platform and of the tenants and projects it serves, as the centre holds them.

use scmp_agent::link::{SiteGovernance, SitePolicy, SiteProject};
use scmp_common::Error;
use scmp_store::Cluster;

use super::governance::{applies, definition};
use crate::context::AppState;

impl AppState {
    /// The site's governance: its place, and the policies that apply to its projects.
    pub(crate) async fn site_governance(
        &self,
        cluster: &Cluster,
        projects: &[SiteProject],
    ) -> Result<SiteGovernance, Error> {
        let site = self.store.site_lookup(&cluster.site_id.to_string()).await?;
        let mut policies = Vec::new();
        for r in self.store.policy_all().await? {
            let scope = (r.tenant_id, r.project_id);
            let serves = projects
                .iter()
                .any(|p| applies(scope, p.project.tenant_id, p.project.id));
            if r.active && serves {
                policies.push(SitePolicy {
                    tenant: r.tenant_id,
                    project: r.project_id,
                    policy: definition(&r)?,
                });
            }
        }
        Ok(SiteGovernance {
            site: site.name.to_string(),
            country: site.country.to_string(),
            policies,
        })
    }
}
