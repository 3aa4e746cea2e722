//! An agent's link: its hello is checked against the certificate it connected with, and the
//! cluster it fronts is registered at the agent's own site (never another's), reached through the
//! agent from then on (the centre holds no Proxmox VE credentials for it); what the site needs to
//! work on its own is sent down, and what the site did through its own API comes up and joins the
//! audit log.

use scmp_agent::link::{Hello, LocalEvent, SiteProject, SiteState, PROTOCOL_VERSION};
use scmp_api::AgentView;
use scmp_common::{
    AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, GuestState, ResourceKind,
};
use scmp_store::{ActorIdentity, AuditRecord, Cluster, NewCluster};

use super::agents::AgentRequest;
use crate::context::{AppState, RequestMeta};

impl AppState {
    /// Takes an agent's hello: answers the cluster it fronts, registering it the first time.
    pub async fn agent_hello(
        &self,
        meta: &RequestMeta,
        agent: &AgentView,
        hello: &Hello,
    ) -> Result<Cluster, Error> {
        if hello.protocol != PROTOCOL_VERSION {
            return Err(Error::InvalidValue {
                field: "protocol".into(),
                message: format!(
                    "the agent speaks version {}, the platform {PROTOCOL_VERSION}",
                    hello.protocol
                ),
            });
        }
        if hello.agent != agent.id {
            return Err(Error::Unauthenticated {
                message: "the hello names another agent than the certificate".into(),
            });
        }
        let c = &hello.cluster;
        if !c.missing_privileges.is_empty() {
            return Err(Error::InvalidValue {
                field: "token_id".into(),
                message: format!(
                    "the agent's token {} lacks privileges scmp needs: {}",
                    c.token_id,
                    c.missing_privileges.join(", ")
                ),
            });
        }
        if let Some(known) = self.store.cluster_of_agent(agent.id).await? {
            if known.name != c.name {
                return Err(Error::InvalidValue {
                    field: "cluster".into(),
                    message: format!(
                        "this agent fronts cluster '{}'; enroll another agent for '{}'",
                        known.name, c.name
                    ),
                });
            }
            if known.endpoint != c.endpoint || known.token_id != c.token_id {
                self.store
                    .cluster_set_reach(known.id, &c.endpoint, &c.token_id)
                    .await?;
            }
            return self.store.cluster_get(known.id).await;
        }
        let new = NewCluster {
            name: c.name.clone(),
            endpoint: c.endpoint.clone(),
            token_id: c.token_id.clone(),
            token_secret_sealed: String::new(),
            tls_fingerprint: None,
            cpu_overcommit: 4.0,
            memory_overcommit: 1.0,
            agent_id: Some(agent.id),
        };
        let request = AgentRequest {
            agent: agent.id,
            method: AuthMethod::AgentKey,
            credential: agent.id.to_string(),
            credential_name: "agent certificate",
            operation: "cluster_create",
            target: AuditTarget::new(ResourceKind::Site, agent.site)
                .child(ResourceKind::Cluster, &c.name),
        };
        let made = self
            .agent_audited(meta, request, self.store.cluster_create(agent.site, &new))
            .await?;
        self.placer.invalidate().await;
        Ok(made)
    }

    /// An agent's session is open: its cluster is looked at now (not at the next sync), so a
    /// cluster that just registered can take guests at once.
    pub async fn agent_linked(self: &std::sync::Arc<Self>, cluster: &Cluster) {
        let (state, cluster) = (self.clone(), cluster.clone());
        tokio::spawn(async move {
            if let Err(e) = crate::inventory::sync_cluster(&state, &cluster).await {
                tracing::warn!(cluster = %cluster.name, error = %e.chain(), "inventory sync through the agent failed");
            }
            state.placer.invalidate().await;
        });
    }
}

impl AppState {
    /// What a site needs to keep working on its own: the scmp guests on its agent's cluster and
    /// their projects.
    pub async fn site_state_of(&self, cluster: &Cluster) -> Result<SiteState, Error> {
        let guests = self.store.guest_list_on_cluster(cluster.id).await?;
        let mut projects: Vec<SiteProject> = Vec::new();
        for g in &guests {
            if projects.iter().any(|p| p.project.id == g.project_id) {
                continue;
            }
            let p = self.store.project_get(g.project_id).await?;
            let t = self.store.tenant_get(p.tenant_id).await?;
            projects.push(SiteProject {
                tenant: t.name,
                project: crate::views::project(p),
            });
        }
        Ok(SiteState {
            at_ms: self.clock.now_ms(),
            guests: guests.into_iter().map(crate::views::guest).collect(),
            projects,
        })
    }

    /// Something done at the site through its own API: it joins the audit log (its origin the
    /// site, its credential the site's break-glass one), and a power change it made becomes what
    /// the platform expects of the guest, so the next look at the cluster finds no drift.
    pub async fn agent_local_event(
        &self,
        agent: &AgentView,
        seq: u64,
        event: LocalEvent,
    ) -> Result<(), Error> {
        let guest = self.store.guest_get(event.guest).await.ok();
        let rec = AuditRecord {
            request_id: format!("site-{}-{seq}", agent.id),
            phase: AuditPhase::End,
            actor: format!("break-glass@site:{}", agent.site),
            identity: ActorIdentity::default(),
            auth_method: event.method,
            credential: agent.id.to_string(),
            credential_name: "the site's break-glass credential".into(),
            source: event.source.clone(),
            operation: event.operation.clone(),
            target: AuditTarget::new(ResourceKind::Guest, event.guest),
            tenant_id: guest.as_ref().map(|g| g.tenant_id),
            result: if event.error.is_none() {
                AuditResult::Ok
            } else {
                AuditResult::Error
            },
            error: event.error.clone().unwrap_or_default(),
        };
        self.store.audit_append(&rec).await?;
        tracing::warn!(agent = %agent.id, site = %agent.site, operation = %event.operation,
            guest = %event.guest, "the site acted through its break-glass credential");
        let Some(g) = guest else { return Ok(()) };
        if event.error.is_some() || !matches!(g.state, GuestState::Running | GuestState::Stopped) {
            return Ok(());
        }
        let expected = match event.operation.as_str() {
            "guest_stop" | "guest_shutdown" => GuestState::Stopped,
            "guest_start" | "guest_reboot" => GuestState::Running,
            _ => return Ok(()),
        };
        if g.state != expected {
            self.store.guest_set_state(g.id, expected, "").await?;
        }
        Ok(())
    }
}
