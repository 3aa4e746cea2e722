//! An agent's link opening: its hello is checked against the certificate it connected with, and
//! the cluster it fronts is registered at the agent's own site (never another's), reached through
//! the agent from then on; the centre holds no Proxmox VE credentials for it.

use scmp_agent::link::{Hello, PROTOCOL_VERSION};
use scmp_api::AgentView;
use scmp_common::{AuditTarget, AuthMethod, Error, ResourceKind};
use scmp_store::{Cluster, NewCluster};

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
