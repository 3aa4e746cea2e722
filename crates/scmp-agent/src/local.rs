//! The agent that reaches its cluster's Proxmox VE API itself: inside the server for a site reached
//! directly, and inside `scmp agent` at a site. It carries out [`Command`]s with [`crate::actions`]
//! and answers a command it has seen before from what it answered then.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use pve_client::PveApi;
use tokio::sync::OnceCell;

use crate::actions::{self, SnapshotOp};
use crate::command::{Agent, AgentError, Answer, Command, CommandId, Reply, SnapshotChange};
use crate::{firewall, network};

/// How many commands' answers are remembered, for a command sent again.
const REMEMBERED: usize = 4096;

type Outcome = Result<Reply, AgentError>;

/// Answers by command id: the first call carries a command out, calls with the same id meanwhile
/// wait for it, and later ones get its answer (a transient failure is forgotten, so that sending
/// the command again tries again).
#[derive(Default)]
struct Seen {
    by_id: HashMap<CommandId, Arc<OnceCell<Outcome>>>,
    order: VecDeque<CommandId>,
}

/// An agent on a Proxmox VE API client.
pub struct LocalAgent {
    api: Arc<dyn PveApi>,
    seen: Mutex<Seen>,
    /// Where the site link's key and configurations are kept (none: this agent has no link).
    link_dir: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for LocalAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalAgent")
    }
}

impl LocalAgent {
    /// The agent of the cluster `api` reaches.
    pub fn new(api: Arc<dyn PveApi>) -> Self {
        Self {
            api,
            seen: Mutex::new(Seen::default()),
            link_dir: None,
        }
    }

    /// The same agent keeping the site link's key and configurations in `dir`.
    pub fn with_link_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.link_dir = Some(dir);
        self
    }

    /// Carries out a site link command: the agent's own work, not Proxmox's.
    fn site_link(&self, command: &Command) -> Option<Result<Answer, AgentError>> {
        let dir = || {
            self.link_dir.clone().ok_or_else(|| {
                AgentError::new(
                    crate::command::AgentErrorKind::Local,
                    "this agent keeps no site link",
                )
            })
        };
        match command {
            Command::SiteLinkKey { rotate } => Some(dir().and_then(|d| {
                crate::site_link::key(&d, *rotate)
                    .map(|public_key| Answer::PublicKey { public_key })
            })),
            Command::SiteLinkWrite { files } => {
                Some(dir().and_then(|d| crate::site_link::write(&d, files).map(|_| Answer::Done)))
            }
            _ => None,
        }
    }

    fn slot(&self, id: CommandId) -> Arc<OnceCell<Outcome>> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = seen.by_id.get(&id) {
            return slot.clone();
        }
        let slot = Arc::new(OnceCell::new());
        seen.by_id.insert(id, slot.clone());
        seen.order.push_back(id);
        while seen.order.len() > REMEMBERED {
            if let Some(old) = seen.order.pop_front() {
                seen.by_id.remove(&old);
            }
        }
        slot
    }

    fn forget(&self, id: CommandId) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.by_id.remove(&id);
        seen.order.retain(|i| *i != id);
    }

    /// Carries a command out (no memory of it).
    async fn execute(&self, command: Command) -> Outcome {
        if let Some(out) = self.site_link(&command) {
            return out.map(|answer| Reply {
                answer,
                upids: Vec::new(),
            });
        }
        let mut upids = Vec::new();
        match self.answer(command, &mut upids).await {
            Ok(answer) => Ok(Reply { answer, upids }),
            Err(e) => Err(AgentError {
                upids,
                ..AgentError::from(e)
            }),
        }
    }

    async fn answer(
        &self,
        command: Command,
        upids: &mut Vec<String>,
    ) -> Result<Answer, pve_client::Error> {
        let api = self.api.as_ref();
        Ok(match command {
            Command::Observe { with_bridges } => Answer::Observation {
                observation: Box::new(crate::observe(api, with_bridges).await?),
            },
            Command::NextVmid => Answer::Vmid {
                vmid: api.nextid().await?.get(),
            },
            Command::EnsurePool { tenant_name } => Answer::Made {
                made: actions::ensure_pool(api, &tenant_name).await?,
            },
            Command::EnsureClone {
                spec,
                template_vmid,
                template_node,
                target,
                vmid,
            } => Answer::Clone {
                outcome: actions::ensure_clone(
                    api,
                    &spec,
                    (template_vmid, &template_node),
                    &target,
                    vmid,
                    upids,
                )
                .await?,
            },
            Command::Configure {
                spec,
                node,
                vmid,
                clone_disk_gib,
            } => {
                actions::configure(api, &spec, &node, vmid, clone_disk_gib, upids).await?;
                Answer::Done
            }
            Command::EnsureHa {
                kind,
                vmid,
                nodes,
                apart,
            } => {
                crate::ha::ensure(api, kind, vmid, &nodes, apart.as_ref()).await?;
                Answer::Done
            }
            Command::Backup { request } => Answer::Backup {
                backup: crate::backup::backup(api, &request, upids).await?,
            },
            Command::ListBackups { nodes, vmids } => Answer::Backups {
                backups: crate::backup::list(api, &nodes, &vmids).await?,
            },
            Command::ProtectBackup {
                node,
                volid,
                protected,
            } => {
                crate::backup::set_protected(api, &node, &volid, protected).await?;
                Answer::Done
            }
            Command::DeleteBackup { node, volid } => {
                crate::backup::delete(api, &node, &volid, upids).await?;
                Answer::Done
            }
            Command::Restore { request } => {
                crate::backup::restore(api, &request, upids).await?;
                Answer::Done
            }
            Command::RemoveHa { kind, vmid } => {
                crate::ha::remove(api, kind, vmid).await?;
                Answer::Done
            }
            Command::Power {
                kind,
                node,
                vmid,
                action,
            } => {
                actions::power(api, kind, &node, vmid, action.into(), upids).await?;
                Answer::Done
            }
            Command::IsRunning { kind, node, vmid } => Answer::Running {
                running: actions::is_running(api, kind, &node, vmid).await?,
            },
            Command::SetSize {
                kind,
                node,
                vmid,
                vcpus,
                memory_mib,
            } => {
                actions::set_size(api, kind, &node, vmid, vcpus, memory_mib).await?;
                Answer::Done
            }
            Command::GrowDisk {
                kind,
                node,
                vmid,
                gib,
            } => {
                let kind = actions::pve_kind(kind);
                actions::grow_disk(api, kind, &node, vmid, gib, upids).await?;
                Answer::Done
            }
            Command::Migrate { kind, vmid, target } => {
                actions::migrate(api, kind, vmid, &target, upids).await?;
                Answer::Done
            }
            Command::Snapshot {
                kind,
                node,
                vmid,
                change,
            } => {
                let op = match &change {
                    SnapshotChange::Create { name } => SnapshotOp::Create(name),
                    SnapshotChange::Rollback { name } => SnapshotOp::Rollback(name),
                    SnapshotChange::Delete { name } => SnapshotOp::Delete(name),
                };
                actions::snapshot(api, kind, &node, vmid, op, upids).await?;
                Answer::Done
            }
            Command::Snapshots { kind, node, vmid } => Answer::Snapshots {
                snapshots: actions::snapshots(api, kind, &node, vmid).await?,
            },
            Command::Addresses { kind, node, vmid } => Answer::Addresses {
                addresses: actions::addresses(api, kind, &node, vmid).await?,
            },
            Command::Destroy { guest, kind, vmid } => {
                actions::destroy(api, guest, kind, vmid, upids).await?;
                Answer::Done
            }
            Command::EnsureNetwork { network } => {
                network::ensure_network(api, &network, upids).await?;
                Answer::Done
            }
            Command::RemoveNetwork { network } => {
                network::remove_network(api, &network, upids).await?;
                Answer::Done
            }
            Command::MapAddress {
                zone,
                vnet,
                ip,
                mac,
            } => {
                network::map_address(api, &zone, &vnet, &ip, mac.as_deref()).await?;
                Answer::Done
            }
            Command::UnmapAddress { zone, vnet, ip } => {
                network::unmap_address(api, &zone, &vnet, &ip).await?;
                Answer::Done
            }
            // Carried out by `site_link` before Proxmox is asked anything.
            Command::SiteLinkKey { .. } | Command::SiteLinkWrite { .. } => {
                return Err(pve_client::Error::Config(
                    "a site link command is the agent's own".into(),
                ))
            }
            Command::EnsureFirewall {
                ipsets,
                groups,
                owned,
                repair,
            } => Answer::Differences {
                differences: firewall::ensure_firewall(api, &ipsets, &groups, &owned, repair)
                    .await?,
            },
            Command::RemoveFirewall { groups, ipsets } => {
                firewall::remove_firewall(api, &groups, &ipsets).await?;
                Answer::Done
            }
            Command::SetGuestFirewall {
                kind,
                node,
                vmid,
                groups,
            } => {
                let kind = actions::pve_kind(kind);
                firewall::set_guest_firewall(api, kind, &node, vmid, &groups).await?;
                Answer::Done
            }
            Command::SetNic {
                kind,
                node,
                vmid,
                index,
                nic,
            } => {
                actions::set_nic(api, kind, &node, vmid, index, nic.as_ref()).await?;
                Answer::Done
            }
        })
    }
}

#[async_trait::async_trait]
impl Agent for LocalAgent {
    async fn call(&self, id: CommandId, command: Command) -> Result<Reply, AgentError> {
        let slot = self.slot(id);
        let outcome = slot
            .get_or_init(|| async {
                let name = command.name();
                let outcome = self.execute(command).await;
                if let Err(e) = &outcome {
                    tracing::debug!(command = name, %id, error = %e, "command failed");
                }
                outcome
            })
            .await
            .clone();
        if outcome.as_ref().is_err_and(AgentError::is_transient) {
            self.forget(id);
        }
        outcome
    }
}
