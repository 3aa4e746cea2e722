//! The agent protocol's commands: every change and every question the centre puts to a site, as
//! values. The agent inside the server and an agent at the site are asked the same way
//! ([`Agent::call`]), so nothing above the transport knows which one answers.

use serde::{Deserialize, Serialize};

use pve_types::api::guest::{PowerAction, Snapshot};
use scmp_common::{GuestId, GuestKind};

use crate::actions::{CloneOutcome, GuestSpec};
use crate::network::SdnNetwork;
use crate::protocol::SiteObservation;

/// A command's idempotency key: a command sent again with the same id (a retry after a lost
/// answer, a replay after a reconnect) is answered as the first time and not carried out twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(uuid::Uuid);

impl CommandId {
    /// A fresh id.
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl Default for CommandId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for CommandId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A power action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Power {
    /// Start.
    Start,
    /// Hard stop.
    Stop,
    /// Clean shutdown.
    Shutdown,
    /// Reboot.
    Reboot,
}

impl From<Power> for PowerAction {
    fn from(p: Power) -> Self {
        match p {
            Power::Start => PowerAction::Start,
            Power::Stop => PowerAction::Stop,
            Power::Shutdown => PowerAction::Shutdown,
            Power::Reboot => PowerAction::Reboot,
        }
    }
}

/// A change to a guest's snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SnapshotChange {
    /// Take one.
    Create {
        /// Its name.
        name: String,
    },
    /// Roll the guest back to one.
    Rollback {
        /// Its name.
        name: String,
    },
    /// Remove one.
    Delete {
        /// Its name.
        name: String,
    },
}

/// What the centre asks of a site. Each change is idempotent (see [`crate::actions`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// One look at the cluster (bridges too when asked).
    Observe {
        /// Whether to ask every node for its bridges.
        with_bridges: bool,
    },
    /// The next VMID Proxmox would hand out.
    NextVmid,
    /// The tenant's pool exists.
    EnsurePool {
        /// The tenant's name.
        tenant_name: String,
    },
    /// The guest is cloned from its template onto its reserved VMID.
    EnsureClone {
        /// The guest.
        spec: GuestSpec,
        /// The template's VMID.
        template_vmid: u32,
        /// The template's node.
        template_node: String,
        /// The node the clone goes to.
        target: String,
        /// The reserved VMID.
        vmid: u32,
    },
    /// Sizes, identity, cloud-init and the root disk as the guest asks.
    Configure {
        /// The guest.
        spec: GuestSpec,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// The disk its clone started with, when known.
        clone_disk_gib: Option<u64>,
    },
    /// The guest is a Proxmox HA resource, placed as scmp chose (see [`crate::ha`]).
    EnsureHa {
        /// VM or container.
        kind: GuestKind,
        /// Its VMID.
        vmid: u32,
        /// The hosts it may run on; any when empty.
        #[serde(default)]
        nodes: Vec<String>,
        /// Its anti-affinity group on the cluster, when it has one.
        #[serde(default)]
        apart: Option<crate::ha::HaApart>,
    },
    /// Back the guest up now.
    Backup {
        /// What to back up, where.
        request: crate::backup::BackupRequest,
    },
    /// The backups of these guests on the cluster's backup storages.
    ListBackups {
        /// The cluster's nodes to look from.
        nodes: Vec<String>,
        /// The guests' VMIDs.
        vmids: Vec<u32>,
    },
    /// Protect a backup, or lift its protection.
    ProtectBackup {
        /// A node that sees it.
        node: String,
        /// The backup.
        volid: String,
        /// Protected or not.
        protected: bool,
    },
    /// Delete a backup.
    DeleteBackup {
        /// A node that sees it.
        node: String,
        /// The backup.
        volid: String,
    },
    /// Restore a backup.
    Restore {
        /// What to restore, where.
        request: crate::backup::RestoreRequest,
    },
    /// The guest is no HA resource.
    RemoveHa {
        /// VM or container.
        kind: GuestKind,
        /// Its VMID.
        vmid: u32,
    },
    /// A power action, waited for.
    Power {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// What to do.
        action: Power,
    },
    /// Whether the guest runs.
    IsRunning {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
    },
    /// New vCPUs and memory.
    SetSize {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// vCPUs.
        vcpus: u64,
        /// Memory.
        memory_mib: u64,
    },
    /// The root disk at least this large.
    GrowDisk {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// The size.
        gib: u64,
    },
    /// The guest on another node of the cluster.
    Migrate {
        /// VM or container.
        kind: GuestKind,
        /// Its VMID.
        vmid: u32,
        /// The node.
        target: String,
    },
    /// A snapshot taken, rolled back to or removed.
    Snapshot {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// What to do.
        change: SnapshotChange,
    },
    /// The guest's snapshots.
    Snapshots {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
    },
    /// The addresses the guest reports.
    Addresses {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
    },
    /// The guest stopped, out of HA and destroyed, if it is this scmp guest.
    Destroy {
        /// The scmp guest (a VMID holding another guest is left alone).
        guest: GuestId,
        /// VM or container.
        kind: GuestKind,
        /// Its VMID.
        vmid: u32,
    },
    /// The tenant network exists and runs as described (staged, applied, rolled back when the
    /// apply fails).
    EnsureNetwork {
        /// The network.
        network: SdnNetwork,
    },
    /// The tenant network is gone from the cluster.
    RemoveNetwork {
        /// The network.
        network: SdnNetwork,
    },
    /// An address is mapped to a NIC in the zone's IPAM.
    MapAddress {
        /// The zone.
        zone: String,
        /// The VNet.
        vnet: String,
        /// The address.
        ip: String,
        /// The NIC's MAC address.
        mac: Option<String>,
    },
    /// An address's IPAM mapping is gone.
    UnmapAddress {
        /// The zone.
        zone: String,
        /// The VNet.
        vnet: String,
        /// The address.
        ip: String,
    },
    /// A project's security groups and the IP sets their rules name match what is given (IP sets
    /// first); answers the differences found, repaired only when `repair` is set.
    EnsureFirewall {
        /// The IP sets.
        ipsets: Vec<crate::firewall::FwIpSet>,
        /// The security groups.
        groups: Vec<crate::firewall::FwGroup>,
        /// Name prefixes of IP sets that are scmp's: one of them not among `ipsets` is removed.
        #[serde(default)]
        owned: Vec<String>,
        /// Make them match (else only report).
        repair: bool,
    },
    /// Security groups and IP sets are gone from the cluster.
    RemoveFirewall {
        /// The groups' names.
        groups: Vec<String>,
        /// The IP sets' names.
        ipsets: Vec<String>,
    },
    /// A guest's firewall applies exactly these security groups (none: disabled).
    SetGuestFirewall {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// The Proxmox security groups, in order.
        groups: Vec<String>,
    },
    /// The site's WireGuard public key for its link to the datacentre (its key pair made at the
    /// site when there is none, or anew with `rotate`).
    SiteLinkKey {
        /// Make a new key pair.
        rotate: bool,
    },
    /// The site link's rendered configurations are written at the site (file name, text).
    SiteLinkWrite {
        /// The files.
        files: Vec<(String, String)>,
    },
    /// A guest's NIC `netN` is as given, or gone (`None`).
    SetNic {
        /// VM or container.
        kind: GuestKind,
        /// Its node.
        node: String,
        /// Its VMID.
        vmid: u32,
        /// The NIC's index.
        index: u32,
        /// The NIC, or none.
        nic: Option<crate::actions::NicConfig>,
    },
}

impl Command {
    /// The command's name (in logs and errors).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Observe { .. } => "observe",
            Command::NextVmid => "next_vmid",
            Command::EnsurePool { .. } => "ensure_pool",
            Command::EnsureClone { .. } => "ensure_clone",
            Command::Configure { .. } => "configure",
            Command::EnsureHa { .. } => "ensure_ha",
            Command::Backup { .. } => "backup",
            Command::ListBackups { .. } => "list_backups",
            Command::ProtectBackup { .. } => "protect_backup",
            Command::DeleteBackup { .. } => "delete_backup",
            Command::Restore { .. } => "restore",
            Command::RemoveHa { .. } => "remove_ha",
            Command::Power { .. } => "power",
            Command::IsRunning { .. } => "is_running",
            Command::SetSize { .. } => "set_size",
            Command::GrowDisk { .. } => "grow_disk",
            Command::Migrate { .. } => "migrate",
            Command::Snapshot { .. } => "snapshot",
            Command::Snapshots { .. } => "snapshots",
            Command::Addresses { .. } => "addresses",
            Command::Destroy { .. } => "destroy",
            Command::EnsureNetwork { .. } => "ensure_network",
            Command::RemoveNetwork { .. } => "remove_network",
            Command::MapAddress { .. } => "map_address",
            Command::UnmapAddress { .. } => "unmap_address",
            Command::SetNic { .. } => "set_nic",
            Command::EnsureFirewall { .. } => "ensure_firewall",
            Command::RemoveFirewall { .. } => "remove_firewall",
            Command::SetGuestFirewall { .. } => "set_guest_firewall",
            Command::SiteLinkKey { .. } => "site_link_key",
            Command::SiteLinkWrite { .. } => "site_link_write",
        }
    }
}

/// What a command answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// Done; nothing to tell.
    Done,
    /// Done; whether it had to be made (false: it was there).
    Made {
        /// Made now.
        made: bool,
    },
    /// What the clone found.
    Clone {
        /// The outcome.
        outcome: CloneOutcome,
    },
    /// Whether the guest runs.
    Running {
        /// It runs.
        running: bool,
    },
    /// A VMID.
    Vmid {
        /// The VMID.
        vmid: u32,
    },
    /// A look at the cluster.
    Observation {
        /// What was seen.
        observation: Box<SiteObservation>,
    },
    /// A guest's snapshots.
    Snapshots {
        /// As Proxmox has them.
        snapshots: Vec<Snapshot>,
    },
    /// A guest's addresses.
    Addresses {
        /// As the guest reports them.
        addresses: Vec<String>,
    },
    /// A public key.
    PublicKey {
        /// In WireGuard's base64.
        public_key: String,
    },
    /// A backup written.
    Backup {
        /// As Proxmox lists it.
        backup: crate::protocol::ObservedBackup,
    },
    /// Backups found.
    Backups {
        /// Newest first.
        backups: Vec<crate::protocol::ObservedBackup>,
    },
    /// What differed from what was asked for.
    Differences {
        /// One per difference.
        differences: Vec<crate::firewall::FwDifference>,
    },
}

/// A command's answer and the Proxmox tasks it waited for (for the audit trail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The answer.
    pub answer: Answer,
    /// UPIDs of the tasks the command waited for, in order.
    #[serde(default)]
    pub upids: Vec<String>,
}

impl Reply {
    fn unexpected<T>(self, wanted: &str) -> Result<T, AgentError> {
        Err(AgentError::new(
            AgentErrorKind::Protocol,
            format!(
                "the agent answered {:?} where {wanted} was expected",
                self.answer
            ),
        ))
    }

    /// The answer of a change that tells nothing.
    pub fn done(self) -> Result<(), AgentError> {
        match self.answer {
            Answer::Done => Ok(()),
            _ => self.unexpected("done"),
        }
    }

    /// A public key.
    pub fn public_key(self) -> Result<String, AgentError> {
        match self.answer {
            Answer::PublicKey { public_key } => Ok(public_key),
            _ => self.unexpected("public key"),
        }
    }

    /// What differed.
    pub fn differences(self) -> Result<Vec<crate::firewall::FwDifference>, AgentError> {
        match self.answer {
            Answer::Differences { differences } => Ok(differences),
            _ => self.unexpected("differences"),
        }
    }

    /// Whether something had to be made.
    pub fn made(self) -> Result<bool, AgentError> {
        match self.answer {
            Answer::Made { made } => Ok(made),
            _ => self.unexpected("made"),
        }
    }

    /// What a clone found.
    pub fn clone_outcome(self) -> Result<CloneOutcome, AgentError> {
        match self.answer {
            Answer::Clone { outcome } => Ok(outcome),
            _ => self.unexpected("clone"),
        }
    }

    /// Whether the guest runs.
    pub fn running(self) -> Result<bool, AgentError> {
        match self.answer {
            Answer::Running { running } => Ok(running),
            _ => self.unexpected("running"),
        }
    }

    /// The backup written.
    pub fn backup(self) -> Result<crate::protocol::ObservedBackup, AgentError> {
        match self.answer {
            Answer::Backup { backup } => Ok(backup),
            _ => self.unexpected("backup"),
        }
    }

    /// The backups found.
    pub fn backups(self) -> Result<Vec<crate::protocol::ObservedBackup>, AgentError> {
        match self.answer {
            Answer::Backups { backups } => Ok(backups),
            _ => self.unexpected("backups"),
        }
    }

    /// A VMID.
    pub fn vmid(self) -> Result<u32, AgentError> {
        match self.answer {
            Answer::Vmid { vmid } => Ok(vmid),
            _ => self.unexpected("vmid"),
        }
    }

    /// A look at the cluster.
    pub fn observation(self) -> Result<SiteObservation, AgentError> {
        match self.answer {
            Answer::Observation { observation } => Ok(*observation),
            _ => self.unexpected("observation"),
        }
    }

    /// A guest's snapshots.
    pub fn snapshots(self) -> Result<Vec<Snapshot>, AgentError> {
        match self.answer {
            Answer::Snapshots { snapshots } => Ok(snapshots),
            _ => self.unexpected("snapshots"),
        }
    }

    /// A guest's addresses.
    pub fn addresses(self) -> Result<Vec<String>, AgentError> {
        match self.answer {
            Answer::Addresses { addresses } => Ok(addresses),
            _ => self.unexpected("addresses"),
        }
    }
}

/// What kind of failure a command met: Proxmox's kinds, and the agent's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentErrorKind {
    /// Proxmox refused a parameter.
    Parameter,
    /// Proxmox refused the agent's credentials.
    Authentication,
    /// Proxmox does not allow what was asked.
    Permission,
    /// The object does not exist.
    NotFound,
    /// A node behind the cluster's API is unreachable.
    NodeUnreachable,
    /// Proxmox failed otherwise.
    Api,
    /// Proxmox could not be reached.
    Transport,
    /// Proxmox's certificate was not the one expected.
    Certificate,
    /// Proxmox did not answer in time.
    Timeout,
    /// Proxmox's answer could not be read.
    Decode,
    /// A Proxmox task ended in failure.
    TaskFailed,
    /// A Proxmox task did not end in time.
    TaskTimeout,
    /// The command was not well formed for Proxmox.
    Usage,
    /// The agent could not be reached, or the link to it broke before it answered.
    Link,
    /// The site's agent was waited for as long as the centre waits (not connected, or no
    /// answer): trying again at once would only wait again.
    Unreachable,
    /// The agent answered something that does not fit the command.
    Protocol,
    /// The agent's own work at the site (its files, its keys) failed.
    Local,
}

/// A command's failure, as it crosses the link: its kind and the whole message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct AgentError {
    /// What kind of failure.
    pub kind: AgentErrorKind,
    /// What happened, with every cause.
    pub message: String,
    /// UPIDs of the tasks the command waited for before it failed (the failed one last).
    #[serde(default)]
    pub upids: Vec<String>,
}

impl AgentError {
    /// A failure of this kind.
    pub fn new(kind: AgentErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            upids: Vec::new(),
        }
    }

    /// Whether trying again later may succeed (Proxmox or the agent out of reach, or slow).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            AgentErrorKind::Transport
                | AgentErrorKind::Timeout
                | AgentErrorKind::NodeUnreachable
                | AgentErrorKind::Link
        )
    }
}

impl From<pve_client::Error> for AgentError {
    fn from(e: pve_client::Error) -> Self {
        use pve_client::ErrorKind as K;
        let kind = match e.kind() {
            K::Parameter => AgentErrorKind::Parameter,
            K::Authentication => AgentErrorKind::Authentication,
            K::Permission => AgentErrorKind::Permission,
            K::NotFound => AgentErrorKind::NotFound,
            K::NodeUnreachable => AgentErrorKind::NodeUnreachable,
            K::Api => AgentErrorKind::Api,
            K::Transport => AgentErrorKind::Transport,
            K::Certificate => AgentErrorKind::Certificate,
            K::Timeout => AgentErrorKind::Timeout,
            K::Decode => AgentErrorKind::Decode,
            K::TaskFailed => AgentErrorKind::TaskFailed,
            K::TaskTimeout => AgentErrorKind::TaskTimeout,
            K::Usage => AgentErrorKind::Usage,
        };
        // The message keeps every cause: the error itself does not cross the link.
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            let text = c.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = c.source();
        }
        Self {
            kind,
            message,
            upids: Vec::new(),
        }
    }
}

/// A site's agent: in the server (reaching Proxmox directly) or at the site (over its link).
#[async_trait::async_trait]
pub trait Agent: Send + Sync {
    /// Carries out a command. The same `id` again is answered as the first time.
    async fn call(&self, id: CommandId, command: Command) -> Result<Reply, AgentError>;

    /// Carries out a command under a fresh id.
    async fn ask(&self, command: Command) -> Result<Reply, AgentError> {
        self.call(CommandId::new(), command).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_answers_keep_their_wire_shape() {
        let c = Command::Power {
            kind: GuestKind::Vm,
            node: "pve1".into(),
            vmid: 100,
            action: Power::Shutdown,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"command": "power", "kind": "vm", "node": "pve1", "vmid": 100, "action": "shutdown"})
        );
        assert_eq!(serde_json::from_value::<Command>(v).unwrap(), c);
        let r = Reply {
            answer: Answer::Made { made: true },
            upids: vec![],
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"answer": {"answer": "made", "made": true}, "upids": []})
        );
        assert_eq!(serde_json::from_value::<Reply>(v).unwrap(), r);
    }

    #[test]
    fn an_answer_of_the_wrong_kind_is_a_protocol_error() {
        let r = Reply {
            answer: Answer::Done,
            upids: vec![],
        };
        let e = r.running().unwrap_err();
        assert_eq!(e.kind, AgentErrorKind::Protocol);
        assert!(!e.is_transient());
        assert!(AgentError::new(AgentErrorKind::Link, "gone").is_transient());
    }
}
