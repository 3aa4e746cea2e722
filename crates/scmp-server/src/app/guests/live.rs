//! What is asked of a guest's site while a user looks at the guest: the addresses it reports and
//! its snapshots (neither is kept in the store; both are Proxmox's to know), and where its console
//! is.

use std::time::Duration;

use pve_types::api::guest::Snapshot;
use scmp_agent::{Command, Reply};
use scmp_common::{Error, GuestState};
use scmp_store::Guest;

use crate::context::AppState;

/// How long a view waits for a site to say a guest's addresses (a site slow or away leaves them out).
const ADDRESSES_WITHIN: Duration = Duration::from_secs(2);

impl AppState {
    /// The addresses a running guest reports now (none when it is not running or its site does not
    /// answer in time).
    pub async fn guest_addresses(&self, g: &Guest) -> Vec<String> {
        let s = self;
        let (Some(cluster_id), Some(node), Some(vmid)) = (&g.cluster_id, &g.node, g.vmid) else {
            return Vec::new();
        };
        if g.state != GuestState::Running {
            return Vec::new();
        }
        let ask = async {
            let c = s.store.cluster_get(*cluster_id).await.ok()?;
            let agent = s.connections.get(&c, &s.sealer).ok()?;
            let command = Command::Addresses {
                kind: g.kind,
                node: node.clone(),
                vmid,
            };
            agent.ask(command).await.and_then(Reply::addresses).ok()
        };
        tokio::time::timeout(ADDRESSES_WITHIN, ask)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// A guest's snapshots as Proxmox has them (none before it has a VMID); a site that does not
    /// answer is `Unavailable`.
    pub async fn guest_snapshots(&self, g: &Guest) -> Result<Vec<Snapshot>, Error> {
        let s = self;
        let (Some(cluster_id), Some(node), Some(vmid)) = (&g.cluster_id, &g.node, g.vmid) else {
            return Ok(Vec::new());
        };
        let c = s.store.cluster_get(*cluster_id).await?;
        let agent = s.connections.get(&c, &s.sealer)?;
        let command = Command::Snapshots {
            kind: g.kind,
            node: node.clone(),
            vmid,
        };
        agent
            .ask(command)
            .await
            .and_then(Reply::snapshots)
            .map_err(|e| Error::Unavailable(format!("cluster '{}': {e}", c.name)))
    }
}

impl AppState {
    /// Where a guest's console is (for those who may operate it): Proxmox VE's own, on the host
    /// the guest runs on.
    pub async fn guest_console(
        &self,
        ctx: &crate::context::OpContext,
        key: &str,
    ) -> Result<scmp_api::ConsoleView, Error> {
        let g = self
            .lookup_guest(ctx, key, scmp_authz::Action::GuestOperate)
            .await?
            .into_inner();
        let (Some(cluster_id), Some(node), Some(vmid)) = (g.cluster_id, &g.node, g.vmid) else {
            return Err(Error::Conflict(format!(
                "guest '{}' is not placed on a host yet",
                g.name
            )));
        };
        let c = self.store.cluster_get(cluster_id).await?;
        Ok(scmp_agent::console::console(
            &c.endpoint,
            g.id,
            g.kind,
            node,
            vmid,
        ))
    }
}
