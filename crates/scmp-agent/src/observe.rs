//! One inventory pass: three calls (`/version`, `/cluster/status`, `/cluster/resources`) whatever the
//! cluster's size, plus `/cluster/tasks` and `/cluster/ha/status/current`, and, when asked, one
//! call per online node for its bridges (they change rarely).
//!
//! Only a failed network or TLS connection fails the whole look (the cluster is unreachable). A
//! section that cannot be read (an answer that does not decode, an error of the cluster's) is left
//! out and named in the observation's problems, and the rest is still taken.

use pve_client::{ErrorKind, PveApi};
use pve_types::api::cluster::{ClusterStatusKind, ResourceType};

use crate::protocol::{
    HostState, ObservedBridge, ObservedGuest, ObservedHa, ObservedStorage, ObservedTask,
    ObservedTemplate, SiteObservation,
};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;
/// How many recent tasks a look keeps.
const RECENT_TASKS: usize = 50;

/// Whether an error means the cluster cannot be reached at all.
fn unreachable(e: &pve_client::Error) -> bool {
    matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout)
}

/// A section's answer: the value, or (when the cluster was reached) none and a problem noted.
fn section<T>(
    what: &str,
    result: Result<T, pve_client::Error>,
    problems: &mut Vec<String>,
) -> Result<Option<T>, pve_client::Error> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if unreachable(&e) => Err(e),
        Err(e) => {
            problems.push(format!("{what}: {e}"));
            Ok(None)
        }
    }
}

/// Looks at the cluster; `with_bridges` also asks every online node for its bridges.
pub async fn observe(
    api: &dyn PveApi,
    with_bridges: bool,
) -> Result<SiteObservation, pve_client::Error> {
    let mut problems = Vec::new();
    let version = section("version", api.version().await, &mut problems)?;
    let status = section("cluster status", api.cluster_status().await, &mut problems)?;
    // A standalone node has no cluster entry and is its own quorum; an unread status says nothing.
    let quorate = status.as_ref().is_some_and(|status| {
        status
            .iter()
            .find(|s| s.kind == ClusterStatusKind::Cluster)
            .is_none_or(|c| c.quorate.unwrap_or(false))
    });
    let resources = section(
        "cluster resources",
        api.cluster_resources(None).await,
        &mut problems,
    )?;
    let mut obs = SiteObservation {
        version: version.map(|v| v.version).unwrap_or_default(),
        quorate,
        resources_read: resources.is_some(),
        ..SiteObservation::default()
    };
    for r in resources.unwrap_or_default() {
        match r.kind {
            Some(ResourceType::Node) => obs.hosts.push(HostState {
                name: r.node.clone().unwrap_or_default(),
                online: r.status.as_deref() == Some("online"),
                cores: r.maxcpu.unwrap_or(0.0) as u64,
                memory_mib: r.maxmem.unwrap_or(0) / MIB,
                cpu_usage: r.cpu.unwrap_or(0.0),
                memory_used_mib: r.mem.unwrap_or(0) / MIB,
            }),
            Some(kind @ (ResourceType::Qemu | ResourceType::Lxc)) => {
                let (Some(vmid), Some(node)) = (r.vmid, r.node.clone()) else {
                    continue;
                };
                let kind = if kind == ResourceType::Qemu {
                    "qemu"
                } else {
                    "lxc"
                };
                if r.template == Some(true) {
                    obs.templates.push(ObservedTemplate {
                        vmid: vmid.get(),
                        kind: kind.into(),
                        name: r.name.unwrap_or_default(),
                        node,
                        // Rounded down, so a clone is never thought larger than it is.
                        disk_gib: r.maxdisk.unwrap_or(0) / GIB,
                    });
                } else {
                    obs.guests.push(ObservedGuest {
                        vmid: vmid.get(),
                        node,
                        kind: kind.into(),
                        name: r.name.unwrap_or_default(),
                        status: r.status.unwrap_or_default(),
                        vcpus: r.maxcpu.unwrap_or(0.0) as u64,
                        memory_mib: r.maxmem.unwrap_or(0) / MIB,
                        tags: r.tags.unwrap_or_default(),
                        lock: r.lock,
                        hastate: r.hastate,
                    });
                }
            }
            Some(ResourceType::Storage) => obs.storage.push(ObservedStorage {
                name: r.storage.clone().unwrap_or_default(),
                node: r.node.clone().unwrap_or_default(),
                kind: r.plugintype.clone().unwrap_or_default(),
                shared: r.shared.unwrap_or(false),
                content: r.content.clone().unwrap_or_default(),
                total_gib: r.maxdisk.unwrap_or(0) / GIB,
                used_gib: r.disk.unwrap_or(0) / GIB,
            }),
            _ => {}
        }
    }
    obs.hosts.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(mut tasks) = section("recent tasks", api.cluster_tasks().await, &mut problems)? {
        tasks.sort_by_key(|t| std::cmp::Reverse(t.starttime));
        obs.tasks = Some(
            tasks
                .into_iter()
                .take(RECENT_TASKS)
                .map(|t| ObservedTask {
                    upid: t.upid.to_string(),
                    node: t.node,
                    kind: t.kind,
                    id: t.id,
                    user: t.user,
                    starttime: t.starttime,
                    status: t.status,
                })
                .collect(),
        );
    }
    if let Some(entries) = section("HA status", api.ha_status().await, &mut problems)? {
        obs.ha = Some(ha_of(&entries));
    }
    if with_bridges && obs.resources_read {
        obs.bridges = bridges(api, &obs.hosts, &mut problems).await?;
    }
    obs.problems = problems;
    Ok(obs)
}

/// The HA manager's status from its entries.
fn ha_of(entries: &[pve_types::api::ha::HaStatusEntry]) -> ObservedHa {
    use pve_types::api::ha::HaStatusKind;
    let mut ha = ObservedHa::default();
    for e in entries {
        match e.kind {
            HaStatusKind::Quorum => ha.quorate = e.quorate.unwrap_or(false),
            HaStatusKind::Master => ha.master = Some(e.status.clone()),
            HaStatusKind::Lrm => ha.nodes.push((e.node.clone(), e.status.clone())),
            HaStatusKind::Service => ha.services += 1,
        }
    }
    ha
}

/// The bridges of every online node, merged by name; none when a node's could not be read (the
/// centre keeps what it knew).
async fn bridges(
    api: &dyn PveApi,
    hosts: &[HostState],
    problems: &mut Vec<String>,
) -> Result<Option<Vec<ObservedBridge>>, pve_client::Error> {
    let mut bridges: Vec<ObservedBridge> = Vec::new();
    for h in hosts.iter().filter(|h| h.online) {
        let Ok(node) = pve_types::NodeName::new(h.name.as_str()) else {
            continue;
        };
        let what = format!("bridges of {}", h.name);
        let Some(found) = section(&what, api.node_bridges(&node).await, problems)? else {
            return Ok(None);
        };
        for i in found {
            let vlan = i.bridge_vlan_aware.unwrap_or(false);
            match bridges.iter_mut().find(|b| b.name == i.iface) {
                Some(b) => {
                    b.nodes.push(h.name.clone());
                    b.vlan_aware &= vlan;
                }
                None => bridges.push(ObservedBridge {
                    name: i.iface,
                    vlan_aware: vlan,
                    nodes: vec![h.name.clone()],
                }),
            }
        }
    }
    bridges.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(bridges))
}
