//! One agent per registered cluster: for a cluster reached directly, an in-process agent on a
//! Proxmox VE client built from its record (the token secret unsealed only in memory), rebuilt
//! when the record changes; for a cluster behind its site's agent, that agent through its link.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use scmp_agent::{Agent, ClusterAccess, LocalAgent};
use scmp_common::{ClusterId, Error};
use scmp_store::Cluster;

use crate::agent_link::{LinkSettings, Links, RemoteAgent};
use crate::secrets::Sealer;

/// An agent and the record identity it was built from.
type Entry = (String, Arc<dyn Agent>);

/// The agents, by cluster id.
#[derive(Default)]
pub struct Connections {
    clients: Mutex<HashMap<ClusterId, Entry>>,
    /// The links of out-of-process agents.
    pub links: Arc<Links>,
    /// Where the in-process agents of sites reached directly keep their site link's key (one
    /// directory per cluster); sites with an agent keep theirs at the site.
    link_root: Option<std::path::PathBuf>,
}

impl Connections {
    /// Connections whose links run so.
    pub fn new(settings: LinkSettings) -> Self {
        Self {
            clients: Mutex::default(),
            links: Arc::new(Links::new(settings)),
            link_root: None,
        }
    }

    /// The same, keeping the site link keys of sites reached directly under `root`.
    pub fn with_link_root(mut self, root: std::path::PathBuf) -> Self {
        self.link_root = Some(root);
        self
    }

    /// The agent of a cluster.
    pub fn get(&self, cluster: &Cluster, sealer: &Sealer) -> Result<Arc<dyn Agent>, Error> {
        if let Some(agent) = cluster.agent_id {
            return Ok(Arc::new(RemoteAgent::new(agent, self.links.clone())));
        }
        // The record's identity: a changed endpoint, token or fingerprint gives a new client.
        let key = format!(
            "{}|{}|{}|{:?}",
            cluster.endpoint,
            cluster.token_id,
            cluster.token_secret_sealed,
            cluster.tls_fingerprint
        );
        let mut clients = self
            .clients
            .lock()
            .map_err(|_| Error::internal("connection cache poisoned"))?;
        if let Some((k, c)) = clients.get(&cluster.id) {
            if *k == key {
                return Ok(c.clone());
            }
        }
        let access = access(cluster, sealer)?;
        let client = scmp_agent::connect(&access)
            .map_err(|e| Error::Unavailable(format!("cluster '{}': {e}", cluster.name)))?;
        let mut local = LocalAgent::new(Arc::new(client));
        if let Some(root) = &self.link_root {
            local = local.with_link_dir(root.join(cluster.id.to_string()));
        }
        let agent: Arc<dyn Agent> = Arc::new(local);
        clients.insert(cluster.id, (key, agent.clone()));
        Ok(agent)
    }

    /// Forgets a cluster's agent.
    pub fn forget(&self, cluster_id: ClusterId) {
        if let Ok(mut c) = self.clients.lock() {
            c.remove(&cluster_id);
        }
    }
}

/// How to reach a cluster, its secret unsealed.
pub fn access(cluster: &Cluster, sealer: &Sealer) -> Result<ClusterAccess, Error> {
    Ok(ClusterAccess {
        endpoint: cluster.endpoint.clone(),
        token_id: cluster.token_id.clone(),
        token_secret: sealer.open(&cluster.token_secret_sealed)?,
        fingerprint: cluster.tls_fingerprint.ok_or_else(|| {
            Error::Unavailable(format!(
                "cluster '{}' has no pinned certificate fingerprint",
                cluster.name
            ))
        })?,
    })
}
