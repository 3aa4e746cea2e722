//! One inventory pass: three calls (`/version`, `/cluster/status`, `/cluster/resources`) whatever the
//! cluster's size.

use pve_client::PveApi;
use pve_types::api::cluster::{ClusterStatusKind, ResourceType};

use crate::protocol::{HostState, ObservedGuest, ObservedTemplate, SiteObservation};

const MIB: u64 = 1024 * 1024;

/// Looks at the cluster.
pub async fn observe(api: &dyn PveApi) -> Result<SiteObservation, pve_client::Error> {
    let version = api.version().await?;
    let status = api.cluster_status().await?;
    // A standalone node has no cluster entry and is its own quorum.
    let quorate = status
        .iter()
        .find(|s| s.kind == ClusterStatusKind::Cluster)
        .is_none_or(|c| c.quorate.unwrap_or(false));
    let resources = api.cluster_resources(None).await?;
    let mut obs = SiteObservation {
        version: version.version,
        quorate,
        ..SiteObservation::default()
    };
    for r in resources {
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
                    });
                }
            }
            _ => {}
        }
    }
    obs.hosts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(obs)
}
