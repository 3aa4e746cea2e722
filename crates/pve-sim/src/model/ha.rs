//! The HA manager: resources, their service state, and recovery of a failed node's guests after PVE's
//! delays (watchdog 60 s, then fencing, the node's lock expiring after 120 s).

use serde::{Deserialize, Serialize};

use super::guest::RunState;
use super::{Cluster, NodeState};
use crate::clock::SimTime;

/// Seconds from a node failure until its services are marked for fencing (at time scale 1).
pub const FENCE_DELAY: f64 = 60.0;
/// Seconds from a node failure until its services are recovered elsewhere (at time scale 1).
pub const RECOVERY_DELAY: f64 = 120.0;

/// The CRM's view of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HaServiceState {
    /// Running as requested.
    Started,
    /// Stopped as requested.
    Stopped,
    /// Its node is lost; waiting for the fence.
    Fence,
    /// Being recovered on another node.
    Recovery,
    /// Not managed (`ignored`/`disabled`).
    Ignored,
    /// Its node reboots; the service waits for it.
    Freeze,
}

impl HaServiceState {
    /// As PVE writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            HaServiceState::Started => "started",
            HaServiceState::Stopped => "stopped",
            HaServiceState::Fence => "fence",
            HaServiceState::Recovery => "recovery",
            HaServiceState::Ignored => "ignored",
            HaServiceState::Freeze => "freeze",
        }
    }
}

/// One HA resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HaResourceRec {
    /// `vm:100` or `ct:101`.
    pub sid: String,
    /// Guest id.
    pub vmid: u32,
    /// Requested state (`started`, `stopped`, `disabled`, `ignored`).
    pub state: String,
    /// Restart attempts.
    pub max_restart: u64,
    /// Relocation attempts.
    pub max_relocate: u64,
    /// Comment.
    pub comment: Option<String>,
    /// HA group.
    pub group: Option<String>,
    /// The CRM state.
    pub crm_state: HaServiceState,
}

impl HaResourceRec {
    /// The kind prefix (`vm` or `ct`).
    pub fn kind(&self) -> &str {
        self.sid.split(':').next().unwrap_or("vm")
    }

    /// A digest over the resource's settings (for optimistic updates).
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "{}|{}|{}|{}|{:?}|{:?}",
            self.sid, self.state, self.max_restart, self.max_relocate, self.comment, self.group
        );
        hex::encode(Sha256::digest(text.as_bytes()))[..40].to_string()
    }

    /// Whether the manager should keep it running.
    pub fn wants_started(&self) -> bool {
        matches!(self.state.as_str(), "started" | "enabled")
    }
}

impl Cluster {
    /// Since when `node` is lost to the quorate part of the cluster, if it is.
    fn lost_since(
        &self,
        node: &str,
        quorate: &std::collections::BTreeSet<String>,
    ) -> Option<SimTime> {
        let n = self.node(node)?;
        match n.state {
            NodeState::Down { since } => Some(since),
            NodeState::Up if !quorate.contains(node) => Some(self.partition_since),
            NodeState::Up => None,
        }
    }

    /// One round of the HA manager.
    pub(crate) fn run_ha(&mut self, now: SimTime) {
        let Some(quorate) = self.quorate_group() else {
            // Without quorum the manager does nothing (and the nodes' watchdogs would fire).
            return;
        };
        let scale = self.time_scale;
        let sids: Vec<String> = self.ha.keys().cloned().collect();
        for sid in sids {
            let Some(res) = self.ha.get(&sid).cloned() else {
                continue;
            };
            if matches!(res.state.as_str(), "ignored" | "disabled") {
                if let Some(r) = self.ha.get_mut(&sid) {
                    r.crm_state = HaServiceState::Ignored;
                }
                continue;
            }
            let Some(guest) = self.guests.get(&res.vmid) else {
                continue;
            };
            let node = guest.node.clone();
            let rebooting = self.node(&node).is_some_and(|n| n.back_at.is_some());
            let crm = match self.lost_since(&node, &quorate) {
                _ if rebooting => HaServiceState::Freeze,
                Some(since) if now - since >= RECOVERY_DELAY * scale => {
                    // Fenced: recover on the online node with the most free memory.
                    let target = self.recovery_target(&quorate, &node, &sid);
                    match target {
                        Some(t) => {
                            let wants = res.wants_started();
                            if let Some(g) = self.guests.get_mut(&res.vmid) {
                                g.node = t;
                                g.lock = None;
                                if wants {
                                    g.set_running(now);
                                } else {
                                    g.set_stopped();
                                }
                            }
                            self.config_version += 1;
                            if wants {
                                HaServiceState::Started
                            } else {
                                HaServiceState::Stopped
                            }
                        }
                        None => HaServiceState::Recovery,
                    }
                }
                Some(since) if now - since >= FENCE_DELAY * scale => HaServiceState::Fence,
                Some(_) => res.crm_state,
                None => {
                    // The manager starts a service requested "started" once nothing holds it.
                    let startable = res.wants_started()
                        && guest.state == RunState::Stopped
                        && guest.lock.is_none()
                        && !guest.is_template();
                    if startable {
                        if let Some(g) = self.guests.get_mut(&res.vmid) {
                            g.set_running(now);
                        }
                        HaServiceState::Started
                    } else {
                        match guest.state {
                            RunState::Running | RunState::Paused => HaServiceState::Started,
                            RunState::Stopped => HaServiceState::Stopped,
                        }
                    }
                }
            };
            if let Some(r) = self.ha.get_mut(&sid) {
                r.crm_state = crm;
            }
        }
    }

    /// Where a failed node's service may be recovered: a quorate node other than the failed one
    /// that its HA rules (PVE 9) or its HA group (PVE 8) allow, the one with the most free memory.
    fn recovery_target(
        &self,
        quorate: &std::collections::BTreeSet<String>,
        from: &str,
        sid: &str,
    ) -> Option<String> {
        let candidates: std::collections::BTreeSet<String> = quorate
            .iter()
            .filter(|n| n.as_str() != from && self.node_online(n))
            .cloned()
            .collect();
        let allowed = if self.release.has_ha_rules() {
            let placed = self
                .ha
                .values()
                .filter(|h| h.sid != sid)
                .filter_map(|h| {
                    self.guests
                        .get(&h.vmid)
                        .map(|g| (h.sid.clone(), g.node.clone()))
                })
                .collect();
            super::ha_rules::allowed_nodes(&self.ha_rules, sid, &candidates, &placed)
        } else {
            self.group_allowed(sid, &candidates)
        };
        self.nodes
            .iter()
            .filter(|n| allowed.contains(&n.name))
            .map(|n| {
                let used: u64 = self
                    .guests
                    .values()
                    .filter(|g| g.node == n.name && g.state != RunState::Stopped)
                    .map(|g| g.maxmem())
                    .sum();
                (
                    n.spec.memory.saturating_sub(used),
                    std::cmp::Reverse(n.nodeid),
                    n.name.clone(),
                )
            })
            .max()
            .map(|(_, _, name)| name)
    }

    /// PVE 8: the highest-priority available nodes of the service's group; any candidate when
    /// the group is unrestricted and none of its nodes is available.
    fn group_allowed(
        &self,
        sid: &str,
        candidates: &std::collections::BTreeSet<String>,
    ) -> std::collections::BTreeSet<String> {
        let Some(group) = self
            .ha
            .get(sid)
            .and_then(|h| h.group.as_ref())
            .and_then(|g| self.ha_groups.get(g))
        else {
            return candidates.clone();
        };
        let members: Vec<(&str, u32)> = group
            .nodes
            .split(',')
            .filter_map(|e| {
                let (n, p) = e.split_once(':').unwrap_or((e, "0"));
                Some((n, p.parse().ok()?))
            })
            .filter(|(n, _)| candidates.contains(*n))
            .collect();
        match members.iter().map(|(_, p)| *p).max() {
            Some(top) => members
                .into_iter()
                .filter(|(_, p)| *p == top)
                .map(|(n, _)| n.to_string())
                .collect(),
            None if group.restricted => Default::default(),
            None => candidates.clone(),
        }
    }
}
