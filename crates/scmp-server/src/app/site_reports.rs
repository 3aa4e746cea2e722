//! What a site reports of itself, not a command's answer: the next entry of its audit chain, a
//! change it saw while cut off, what a guest made there held during an hour, or the budgets it
//! holds (`site_budgets`); each taken once
//! under its message's key, and only where it speaks of the agent's own site.

use scmp_agent::link::{LocalEvent, SiteUsage, UpBody};
use scmp_api::AgentView;
use scmp_common::Error;
use scmp_store::{UsageRecord, UsageSource};

use crate::context::AppState;

impl AppState {
    /// What a site reports of itself (not a command's answer): an entry of its audit chain, or
    /// something it saw while cut off; `key` names the message once across sessions.
    pub async fn agent_site_report(
        &self,
        agent: &AgentView,
        key: &str,
        report: UpBody,
    ) -> Result<(), Error> {
        match report {
            UpBody::Local(entry) => self.agent_site_audit(agent, entry).await,
            UpBody::Event(event) => self.agent_site_event(agent, key, event).await,
            UpBody::Usage(usage) => self.agent_site_usage(agent, key, usage).await,
            UpBody::Held { grants } => self.agent_site_held(agent, &grants).await,
            UpBody::Reply { .. } => Ok(()),
        }
    }

    /// Something the site saw happen to one of its guests while cut off: it joins the guest's
    /// history with the time it was seen, once under `key` (a guest of another site is not the
    /// agent's to speak of, and is ignored).
    async fn agent_site_event(
        &self,
        agent: &AgentView,
        key: &str,
        event: scmp_agent::link::SiteEvent,
    ) -> Result<(), Error> {
        let Some(cluster) = self.store.cluster_of_agent(agent.id).await? else {
            return Ok(());
        };
        let Ok(g) = self.store.guest_get(event.guest).await else {
            return Ok(());
        };
        if g.cluster_id != Some(cluster.id) {
            tracing::warn!(agent = %agent.id, guest = %g.id, "a site spoke of a guest not at its cluster: ignored");
            return Ok(());
        }
        self.store
            .guest_event_record(
                g.id,
                scmp_common::GuestEventKind::SeenAtSite,
                &format!("while the site was cut off: {}", event.detail),
                event.at_ms,
                key,
            )
            .await
    }

    /// What a guest made at the site held during an hour: kept once per guest and start, when
    /// the guest is the site's to speak of (its own chain says it made it, with that project,
    /// tenant and sizes) and the record is well formed; anything else is refused loudly and
    /// dropped (a site cannot bill another's tenant).
    async fn agent_site_usage(
        &self,
        agent: &AgentView,
        key: &str,
        u: SiteUsage,
    ) -> Result<(), Error> {
        let hour = scmp_agent::link::usage::HOUR_MS;
        let well_formed = u.to_ms >= u.from_ms
            && (u.to_ms > u.from_ms || u.last)
            && u.from_ms.div_euclid(hour) == (u.to_ms - 1).max(u.from_ms).div_euclid(hour);
        let made = self
            .store
            .site_audit_of_guest(agent.id, u.guest)
            .await?
            .iter()
            .filter_map(|body| serde_json::from_str::<LocalEvent>(body).ok())
            .filter(|e| e.guest == u.guest && e.error.is_none())
            .find_map(|e| e.made);
        let matches = made.is_some_and(|m| {
            (m.project, m.tenant, m.vcpus, m.memory_mib, m.disk_gib)
                == (u.project, u.tenant, u.vcpus, u.memory_mib, u.disk_gib)
        });
        if !(well_formed && matches) {
            tracing::error!(agent = %agent.id, site = %agent.site, guest = %u.guest,
                from_ms = u.from_ms, to_ms = u.to_ms,
                "a site's usage record is not the site's to send or is malformed: dropped");
            return Ok(());
        }
        self.store
            .usage_keep(&UsageRecord {
                guest_id: u.guest,
                tenant_id: u.tenant,
                project_id: u.project,
                site_id: agent.site,
                from_ms: u.from_ms,
                to_ms: u.to_ms,
                vcpus: u.vcpus,
                memory_mib: u.memory_mib,
                disk_gib: u.disk_gib,
                last: u.last,
                source: UsageSource::Site {
                    agent: agent.id,
                    message: key.to_string(),
                },
            })
            .await?;
        Ok(())
    }
}
