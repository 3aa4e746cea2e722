//! Tasks: every change PVE runs as a worker gets a UPID, a log, a duration and an exit status; its
//! effect on the model is applied when it ends (or undone when it fails).

use std::collections::BTreeMap;

use pve_types::{NodeName, Upid};
use serde::{Deserialize, Serialize};

use super::guest::RunState;
use super::Cluster;
use crate::clock::SimTime;

/// What a task does to the model when it ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Effect {
    /// Nothing beyond the log.
    None,
    /// A guest was created (inserted locked); unlock it, or remove it on failure.
    Create {
        /// The new guest.
        vmid: u32,
        /// Start it when done.
        start: bool,
    },
    /// A clone (inserted locked); unlock it, or remove it on failure.
    Clone {
        /// The source guest.
        source: u32,
        /// The new guest.
        newid: u32,
    },
    /// Start.
    Start {
        /// Guest.
        vmid: u32,
    },
    /// Stop (hard or clean).
    Stop {
        /// Guest.
        vmid: u32,
    },
    /// Reboot: stays running with a new start time.
    Reboot {
        /// Guest.
        vmid: u32,
    },
    /// Pause.
    Suspend {
        /// Guest.
        vmid: u32,
    },
    /// Unpause.
    Resume {
        /// Guest.
        vmid: u32,
    },
    /// Destroy.
    Destroy {
        /// Guest.
        vmid: u32,
        /// Also remove it from HA and pools.
        purge: bool,
    },
    /// Move to another node.
    Migrate {
        /// Guest.
        vmid: u32,
        /// Target node.
        target: String,
    },
    /// Take a snapshot (recorded at start; removed on failure).
    Snapshot {
        /// Guest.
        vmid: u32,
        /// Name.
        name: String,
    },
    /// Roll back to a snapshot.
    Rollback {
        /// Guest.
        vmid: u32,
        /// Name.
        name: String,
        /// Start afterwards.
        start: bool,
    },
    /// Delete a snapshot.
    SnapshotDelete {
        /// Guest.
        vmid: u32,
        /// Name.
        name: String,
    },
    /// Convert to a template.
    Template {
        /// Guest.
        vmid: u32,
    },
    /// Grow a disk.
    Resize {
        /// Guest.
        vmid: u32,
        /// Disk key.
        disk: String,
        /// New size in bytes.
        bytes: u64,
    },
    /// Every node reloads the committed SDN configuration.
    SdnReload,
    /// Make a node's pending network configuration its running one (`ifreload`).
    NetworkApply {
        /// The node.
        node: String,
    },
    /// A backup job (or a copy of a backup): writes the volumes and unlocks the guests, also when
    /// some guests' backups failed (those are not among the volumes).
    Backup {
        /// The volumes written.
        volumes: Vec<super::backup::BackupVolume>,
        /// The guests locked while it runs.
        locked: Vec<u32>,
    },
    /// A backup volume removed.
    BackupDelete {
        /// Its volume id.
        volid: String,
    },
    /// Apply config changes.
    Config {
        /// Guest.
        vmid: u32,
        /// Keys to set.
        set: BTreeMap<String, String>,
        /// Keys to delete.
        delete: Vec<String>,
    },
}

/// What [`Cluster::start_task`] needs to know.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    /// Node the worker runs on.
    pub node: String,
    /// Worker type (`qmstart`, ...).
    pub wtype: &'static str,
    /// Worker id (usually the vmid).
    pub id: String,
    /// Who started it.
    pub user: String,
    /// Log lines before the final status line.
    pub log: Vec<String>,
    /// Effect on the model when it ends.
    pub effect: Effect,
    /// An error decided up front (a refusal PVE raises inside the worker).
    pub fail_with: Option<String>,
    /// Duration at time scale 1, when not the type's usual one.
    pub duration: Option<f64>,
}

impl TaskSpec {
    /// A task of `wtype` on `node` for `id`.
    pub fn new(
        node: &str,
        wtype: &'static str,
        id: impl ToString,
        user: &str,
        effect: Effect,
    ) -> Self {
        Self {
            node: node.to_string(),
            wtype,
            id: id.to_string(),
            user: user.to_string(),
            log: Vec::new(),
            effect,
            fail_with: None,
            duration: None,
        }
    }

    /// With these log lines.
    pub fn log(mut self, lines: Vec<String>) -> Self {
        self.log = lines;
        self
    }

    /// Failing with this error.
    pub fn fail(mut self, error: Option<String>) -> Self {
        self.fail_with = error;
        self
    }

    /// Taking this long at time scale 1.
    pub fn duration(mut self, secs: f64) -> Self {
        self.duration = Some(secs);
        self
    }
}

/// One task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    /// Its id.
    pub upid: Upid,
    /// Node.
    pub node: String,
    /// When it started.
    pub start: SimTime,
    /// When it ends (or ended).
    pub end: SimTime,
    /// Exit status once stopped.
    pub exit: Option<String>,
    /// The error it will end with, decided when it started (injected failures, in-task refusals).
    pub fail_with: Option<String>,
    /// Log lines so far (the final line is added at the end).
    pub log: Vec<String>,
    /// Its effect.
    pub effect: Effect,
}

impl Task {
    /// Whether it still runs.
    pub fn running(&self) -> bool {
        self.exit.is_none()
    }

    /// Its log as visible at `now`: lines appear over the task's duration.
    pub fn visible_log(&self, now: SimTime) -> Vec<String> {
        if !self.running() {
            return self.log.clone();
        }
        let span = (self.end - self.start).max(1e-9);
        let share = ((now - self.start) / span).clamp(0.0, 1.0);
        let n = ((self.log.len() as f64) * share).ceil() as usize;
        self.log.iter().take(n.max(1)).cloned().collect()
    }
}

/// Real PVE durations of each task type, in seconds (before the time scale).
fn base_duration(wtype: &str) -> f64 {
    match wtype {
        "qmcreate" | "vzcreate" => 4.0,
        "qmclone" | "vzclone" => 12.0,
        "qmstart" => 2.0,
        "vzstart" => 1.5,
        "qmstop" | "vzstop" => 1.0,
        "qmshutdown" | "vzshutdown" => 6.0,
        "qmreboot" | "vzreboot" => 8.0,
        "qmsuspend" | "qmresume" | "vzsuspend" | "vzresume" => 0.5,
        "qmdestroy" | "vzdestroy" => 2.0,
        "qmigrate" | "vzmigrate" => 15.0,
        "qmsnapshot" | "vzsnapshot" => 2.0,
        "qmrollback" | "vzrollback" => 3.0,
        "qmdelsnapshot" | "vzdelsnapshot" => 1.5,
        "qmtemplate" => 2.0,
        "resize" => 1.0,
        "qmconfig" => 0.5,
        _ => 1.0,
    }
}

/// What a failing task of this type says.
fn injected_failure(wtype: &str) -> String {
    match wtype {
        "qmstart" => "start failed: QEMU exited with code 1".into(),
        "vzstart" => "startup for container failed".into(),
        "qmclone" | "vzclone" => {
            "clone failed: rbd error: rbd: error opening image: (5) Input/output error".into()
        }
        "qmcreate" | "vzcreate" => {
            "unable to create image: rbd error: (5) Input/output error".into()
        }
        "qmigrate" | "vzmigrate" => "migration aborted".into(),
        "qmshutdown" | "vzshutdown" | "qmstop" | "vzstop" => {
            "VM quit/powerdown failed - got timeout".into()
        }
        "qmdestroy" | "vzdestroy" => {
            "error with cfs lock 'storage-ceph-vm': got lock request timeout".into()
        }
        _ => "command failed: exit code 1".into(),
    }
}

impl Cluster {
    /// Starts a task; it ends after its duration times the time scale.
    pub fn start_task(&mut self, now: SimTime, spec: TaskSpec) -> Upid {
        let TaskSpec {
            node,
            wtype,
            id,
            user,
            log,
            effect,
            fail_with,
            duration,
        } = spec;
        let pid = self.pid();
        let boot = self
            .node(&node)
            .map(|n| n.boot_time)
            .unwrap_or(now - 1000.0);
        let pstart = ((now - boot).max(1.0) * 100.0) as u64;
        let upid = NodeName::new(node.as_str())
            .ok()
            .and_then(|n| Upid::new(n, pid, pstart, now as i64, wtype, &id, &user).ok())
            .or_else(|| {
                let n = NodeName::new("pve").ok()?;
                Upid::new(n, pid, pstart, now as i64, wtype, "", "root@pam").ok()
            })
            .expect("a UPID of plain fields is valid");
        let fail_with = fail_with.or_else(|| {
            let rate = self.faults.task_failure_rate;
            (rate > 0.0 && self.draw() < rate).then(|| injected_failure(wtype))
        });
        let duration = duration.unwrap_or_else(|| base_duration(wtype)) * self.time_scale;
        self.tasks.push_back(Task {
            upid: upid.clone(),
            node,
            start: now,
            end: now + duration,
            exit: None,
            fail_with,
            log,
            effect,
        });
        // At time scale 0 the task is already due.
        self.run_due_tasks(now);
        upid
    }

    /// Ends every task whose time has come, in order.
    pub(crate) fn run_due_tasks(&mut self, now: SimTime) {
        let due: Vec<usize> = self
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.running() && t.end <= now)
            .map(|(i, _)| i)
            .collect();
        for i in due {
            let (effect, fail, end) = {
                let t = &self.tasks[i];
                (t.effect.clone(), t.fail_with.clone(), t.end)
            };
            // A task on a node that died meanwhile never finishes there.
            let node_up = self
                .node(&self.tasks[i].node)
                .is_some_and(|n| n.state == super::NodeState::Up);
            let result = match (fail, node_up) {
                (_, false) => Err("interrupted by node failure".to_string()),
                (Some(e), true) => Err(e),
                (None, true) => self.apply(&effect, end),
            };
            let t = &mut self.tasks[i];
            match result {
                Ok(()) => {
                    t.exit = Some("OK".into());
                    t.log.push("TASK OK".into());
                }
                Err(e) => {
                    t.log.push(format!("TASK ERROR: {e}"));
                    t.exit = Some(e);
                    let effect = t.effect.clone();
                    self.undo(&effect);
                }
            }
        }
    }

    /// Applies a finished task's effect.
    fn apply(&mut self, effect: &Effect, now: SimTime) -> Result<(), String> {
        match effect {
            Effect::None => {}
            Effect::SdnReload => {
                self.sdn.reloads += 1;
                if self.sdn.failing_reloads > 0 {
                    self.sdn.failing_reloads -= 1;
                    let node = self.entry_node.clone();
                    return Err(format!(
                        "{node}: reloading the network failed: ifreload: error: vrf or bridge missing for a vnet"
                    ));
                }
                // A VLAN zone's bridge has to exist on every node of the zone.
                let zones: Vec<(String, String, Option<String>)> = self
                    .sdn
                    .running
                    .zones
                    .iter()
                    .filter_map(|(id, z)| {
                        Some((
                            id.clone(),
                            z.get("bridge")?.clone(),
                            z.get("nodes").cloned(),
                        ))
                    })
                    .collect();
                let nodes: Vec<String> = self.nodes.iter().map(|n| n.name.clone()).collect();
                for (zone, bridge, on) in zones {
                    for n in &nodes {
                        if on.as_ref().is_some_and(|l| !l.split(',').any(|x| x == n)) {
                            continue;
                        }
                        if !self.node_settings(n).network.contains_key(&bridge) {
                            return Err(format!(
                                "{n}: zone {zone}: bridge {bridge} does not exist"
                            ));
                        }
                    }
                }
                self.sdn.active = self.sdn.running.clone();
            }
            Effect::NetworkApply { node } => {
                let settings = self.node_settings(node);
                if let Some(mut pending) = settings.network_pending.take() {
                    for iface in pending.values_mut() {
                        iface.insert("active".into(), serde_json::json!(1));
                        iface.insert("exists".into(), serde_json::json!(1));
                    }
                    settings.network = pending;
                }
            }
            Effect::Create { vmid, start } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.lock = None;
                    if *start {
                        g.set_running(now);
                    }
                }
            }
            Effect::Clone { newid, .. } => {
                if let Some(g) = self.guests.get_mut(newid) {
                    g.lock = None;
                }
            }
            Effect::Start { vmid } | Effect::Resume { vmid } | Effect::Reboot { vmid } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    let keep_uptime =
                        matches!(effect, Effect::Resume { .. }) && g.state == RunState::Paused;
                    if keep_uptime {
                        g.state = RunState::Running;
                    } else {
                        g.set_running(now);
                    }
                }
            }
            Effect::Stop { vmid } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.set_stopped();
                }
            }
            Effect::Suspend { vmid } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.state = RunState::Paused;
                }
            }
            Effect::Destroy { vmid, purge } => {
                self.guests.remove(vmid);
                if *purge {
                    for prefix in ["vm", "ct"] {
                        self.ha.remove(&format!("{prefix}:{vmid}"));
                    }
                }
            }
            Effect::Migrate { vmid, target } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.node = target.clone();
                    g.lock = None;
                }
            }
            Effect::Snapshot { vmid, .. } | Effect::SnapshotDelete { vmid, .. } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.lock = None;
                    if let Effect::Snapshot { name, .. } = effect {
                        g.config.insert("parent".into(), name.clone());
                    }
                    if let Effect::SnapshotDelete { name, .. } = effect {
                        let parent = g
                            .snapshots
                            .iter()
                            .find(|s| &s.name == name)
                            .and_then(|s| s.parent.clone());
                        g.snapshots.retain(|s| &s.name != name);
                        for s in g
                            .snapshots
                            .iter_mut()
                            .filter(|s| s.parent.as_ref() == Some(name))
                        {
                            s.parent = parent.clone();
                        }
                        if g.config.get("parent") == Some(name) {
                            match &parent {
                                Some(p) => g.config.insert("parent".into(), p.clone()),
                                None => g.config.remove("parent"),
                            };
                        }
                    }
                }
            }
            Effect::Rollback { vmid, name, start } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.lock = None;
                    if let Some(s) = g.snapshots.iter().find(|s| &s.name == name).cloned() {
                        g.config = s.config.clone();
                        g.config.insert("parent".into(), s.name.clone());
                        if s.vmstate || *start {
                            g.set_running(now);
                        } else {
                            g.set_stopped();
                        }
                    }
                }
            }
            Effect::Template { vmid } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    let disks: Vec<String> = g.disks().into_iter().map(|(k, _)| k).collect();
                    for k in disks {
                        if let Some(v) = g.config.get_mut(&k) {
                            *v =
                                v.replace(&format!("vm-{vmid}-disk"), &format!("base-{vmid}-disk"));
                        }
                    }
                    g.config.insert("template".into(), "1".into());
                    g.lock = None;
                }
            }
            Effect::Resize { vmid, disk, bytes } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    if let Some(v) = g.config.get(disk).cloned() {
                        if let Ok(mut d) = v.parse::<pve_types::api::guest_props::DiskSpec>() {
                            d.set_size(pve_types::api::guest_props::DiskSize(*bytes));
                            g.config.insert(disk.clone(), d.to_string());
                        }
                    }
                }
            }
            Effect::Backup { .. } => self.backup_written(effect),
            Effect::BackupDelete { volid } => self.backups.retain(|b| &b.volid != volid),
            Effect::Config { vmid, set, delete } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    for (k, v) in set {
                        g.config.insert(k.clone(), v.clone());
                    }
                    for k in delete {
                        g.config.remove(k);
                    }
                }
            }
        }
        self.config_version += 1;
        Ok(())
    }

    /// A backup job's volumes written and its guests unlocked.
    fn backup_written(&mut self, effect: &Effect) {
        if let Effect::Backup { volumes, locked } = effect {
            self.backups.extend(volumes.iter().cloned());
            for vmid in locked {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.lock = None;
                }
            }
        }
    }

    /// Undoes what a failed task had already done (PVE cleans up a failed create or clone).
    fn undo(&mut self, effect: &Effect) {
        match effect {
            Effect::Create { vmid, .. } | Effect::Clone { newid: vmid, .. } => {
                self.guests.remove(vmid);
            }
            Effect::Snapshot { vmid, name } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.snapshots.retain(|s| &s.name != name);
                    g.lock = None;
                }
            }
            // A job with errors keeps what it wrote; one cut by a node failure wrote nothing.
            Effect::Backup { locked, .. } => {
                let node_up = locked
                    .first()
                    .and_then(|v| self.guests.get(v))
                    .is_none_or(|g| self.node_online(&g.node));
                if node_up {
                    self.backup_written(effect);
                } else {
                    for vmid in locked {
                        if let Some(g) = self.guests.get_mut(vmid) {
                            g.lock = None;
                        }
                    }
                }
            }
            Effect::Migrate { vmid, .. }
            | Effect::Rollback { vmid, .. }
            | Effect::SnapshotDelete { vmid, .. }
            | Effect::Template { vmid }
            | Effect::Destroy { vmid, .. } => {
                if let Some(g) = self.guests.get_mut(vmid) {
                    g.lock = None;
                }
            }
            _ => {}
        }
    }
}
