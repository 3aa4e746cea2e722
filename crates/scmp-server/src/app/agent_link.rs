//! An agent's link: its hello is checked against the certificate it connected with, and the
//! cluster it fronts is registered at the agent's own site (never another's), reached through the
//! agent from then on (the centre holds no Proxmox VE credentials for it); what the site needs to
//! work on its own is sent down, and what the site did through its own API comes up and joins the
//! audit log.

use scmp_agent::link::chain::verify_entry;
use scmp_agent::link::{Hello, SiteAuditEntry, SiteProject, SiteState, PROTOCOL_VERSION};
use scmp_api::AgentView;
use scmp_common::{
    AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, GuestState, ResourceKind,
};
use scmp_store::{ActorIdentity, AuditRecord, Cluster, NewCluster, SiteAuditRow};

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

    /// The next entry of a site's audit chain: checked (its hash, the agent's signature), kept
    /// as the site wrote it (once per agent and number, however often it comes), and joined to
    /// the audit log once, its origin the site and its credential the site's break-glass one; a
    /// power change it made becomes what the platform expects of the guest, so the next look at
    /// the cluster finds no drift. An entry that does not hold is refused loudly (an audit entry
    /// of its own) and not kept, so `scmp audit verify` reports the gap it leaves.
    pub async fn agent_site_audit(
        &self,
        agent: &AgentView,
        entry: SiteAuditEntry,
    ) -> Result<(), Error> {
        let request_id = format!("site-{}-{}", agent.id, entry.seq);
        let public = hex::decode(self.store.agent_get(agent.id).await?.public_key)
            .map_err(Error::internal)?;
        let event = match verify_entry(&public, &entry) {
            Ok(e) => e,
            Err(why) => {
                tracing::error!(agent = %agent.id, site = %agent.site, seq = entry.seq, error = %why,
                    "a site's audit entry does not hold: refused");
                let rec = site_record(
                    agent,
                    &request_id,
                    "site_audit_entry",
                    AuditTarget::new(ResourceKind::Site, agent.site),
                    None,
                    Some(format!(
                        "the site's audit entry {} does not hold: {why}",
                        entry.seq
                    )),
                );
                self.store.audit_append(&rec).await?;
                return Ok(());
            }
        };
        let seq = i64::try_from(entry.seq).map_err(Error::internal)?;
        let kept = self
            .store
            .site_audit_keep(&SiteAuditRow {
                agent_id: agent.id,
                seq,
                prev_hash: entry.prev_hash.clone(),
                body: entry.body.clone(),
                hash: entry.hash.clone(),
                signature: entry.signature.clone(),
                central_seq: None,
            })
            .await?;
        if kept.hash != entry.hash {
            tracing::error!(agent = %agent.id, seq = entry.seq,
                "a site sent another entry under a number it used already: the first one stands");
            return Ok(());
        }
        if kept.central_seq.is_some() {
            return Ok(());
        }
        // Kept but perhaps joined before a restart that came between the two writes.
        if let Some(central) = self.store.audit_seq_of_request(&request_id).await? {
            return self.store.site_audit_joined(agent.id, seq, central).await;
        }
        let guest = self.store.guest_get(event.guest).await.ok();
        let rec = site_record(
            agent,
            &request_id,
            &event.operation,
            AuditTarget::new(ResourceKind::Guest, event.guest),
            guest.as_ref().map(|g| g.tenant_id),
            event.error.clone(),
        );
        let rec = AuditRecord {
            auth_method: event.method,
            source: event.source.clone(),
            ..rec
        };
        let central = self.store.audit_append(&rec).await?;
        self.store.site_audit_joined(agent.id, seq, central).await?;
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

/// An audit record of something a site did (or sent) on its own.
fn site_record(
    agent: &AgentView,
    request_id: &str,
    operation: &str,
    target: AuditTarget,
    tenant_id: Option<scmp_common::TenantId>,
    error: Option<String>,
) -> AuditRecord {
    AuditRecord {
        request_id: request_id.to_string(),
        phase: AuditPhase::End,
        actor: format!("break-glass@site:{}", agent.site),
        identity: ActorIdentity::default(),
        auth_method: AuthMethod::BreakGlass,
        credential: agent.id.to_string(),
        credential_name: "the site's break-glass credential".into(),
        source: String::new(),
        operation: operation.to_string(),
        target,
        tenant_id,
        result: if error.is_none() {
            AuditResult::Ok
        } else {
            AuditResult::Error
        },
        error: error.unwrap_or_default(),
    }
}
