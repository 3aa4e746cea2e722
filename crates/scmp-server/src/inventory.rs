//! Inventory sync: every few seconds the site agent looks at each cluster; the server records health,
//! hosts and templates, adopts scmp guests found where the record does not expect them (after a
//! restore or an HA recovery), and turns every difference between an scmp guest on Proxmox and its
//! record into drift, reported or (per cluster) repaired. Guests without scmp's marks are counted as
//! unmanaged and never touched.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use scmp_agent::command::Power;
use scmp_agent::protocol::{ObservedGuest, SiteObservation};
use scmp_agent::{Agent, Command, Reply};
use scmp_common::{DriftAction, Error, GuestEventKind, GuestId, GuestKind, GuestState};
use scmp_store::{Cluster, ClusterObservation, Guest, HostObservation, TemplateObservation};

use tracing::Instrument;

use crate::context::AppState;

/// Syncs every cluster, forever, every `every`, while this replica holds the inventory lease (one
/// replica syncs; another takes over when it stops).
pub async fn run(state: Arc<AppState>, every: Duration) {
    let ttl = (every.as_millis() as i64).saturating_mul(3).max(3_000);
    loop {
        match state
            .store
            .lease_try("inventory", &state.replica, ttl)
            .await
        {
            Ok(true) => sync_all(&state).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "inventory: cannot take the lease"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Passes so far: bridges change rarely, so they are asked for every `BRIDGES_EVERY` passes.
static PASSES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const BRIDGES_EVERY: u64 = 12;
/// Security groups are compared with Proxmox every `FIREWALL_EVERY` passes.
const FIREWALL_EVERY: u64 = 5;

/// One pass over every cluster, concurrently.
pub async fn sync_all(state: &AppState) {
    PASSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let clusters = match state.store.cluster_list_all().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "inventory: cannot list clusters");
            return;
        }
    };
    let passes = clusters.iter().map(|c| {
        async move {
            if let Err(e) = sync_cluster(state, c).await {
                tracing::debug!(error = %e, "inventory sync failed");
            }
        }
        .instrument(tracing::info_span!("inventory", cluster = %c.name))
    });
    futures::future::join_all(passes).await;
    if PASSES
        .load(std::sync::atomic::Ordering::Relaxed)
        .is_multiple_of(FIREWALL_EVERY)
    {
        let checks = clusters.iter().map(|c| async move {
            if let Err(e) = crate::firewall_drift::check_cluster(state, c).await {
                tracing::debug!(cluster = %c.name, error = %e, "security group drift check failed");
            }
        });
        futures::future::join_all(checks).await;
    }
}

/// Looks at one cluster and records what it saw.
pub async fn sync_cluster(state: &AppState, cluster: &Cluster) -> Result<SiteObservation, Error> {
    let agent = state.connections.get(cluster, &state.sealer)?;
    let with_bridges = cluster
        .inventory
        .bridges
        .as_array()
        .is_none_or(|b| b.is_empty())
        || PASSES
            .load(std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(BRIDGES_EVERY);
    // scmp's guests are read before Proxmox is looked at: a guest whose creation ends while the
    // cluster is observed is still `creating` here and left alone, instead of running here and
    // absent from an observation taken before its clone.
    let guests = state.store.guest_list_on_cluster(cluster.id).await?;
    let observed = agent
        .ask(Command::Observe { with_bridges })
        .await
        .and_then(Reply::observation);
    let obs = match observed {
        Ok(o) => o,
        Err(e) => {
            let message = e.to_string();
            state
                .store
                .cluster_unreachable(cluster.id, &message)
                .await?;
            return Err(Error::Unavailable(format!(
                "cluster '{}' is unreachable: {message}",
                cluster.name
            )));
        }
    };
    if !obs.resources_read {
        // Reached, but what runs there is unknown: nothing is taken for gone.
        let why = obs.problems.join("; ");
        tracing::warn!(cluster = %cluster.name, problems = %why, "inventory could not be read");
        state.store.cluster_degraded(cluster.id, &why).await?;
        return Ok(obs);
    }
    if !obs.problems.is_empty() {
        tracing::info!(cluster = %cluster.name, problems = %obs.problems.join("; "), "inventory partly read");
    }
    let ours: HashMap<GuestId, &Guest> = guests.iter().map(|g| (g.id, g)).collect();
    let mut unmanaged: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut unmanaged_count = 0u64;
    let mut seen: HashMap<GuestId, &ObservedGuest> = HashMap::new();
    for o in &obs.guests {
        match scmp_agent::identity::guest_of_tags(&o.tags) {
            Some(id) if ours.contains_key(&id) => {
                seen.insert(id, o);
            }
            Some(_) => {}
            None => {
                unmanaged_count += 1;
                let e = unmanaged.entry(o.node.as_str()).or_default();
                e.0 += o.vcpus;
                e.1 += o.memory_mib;
            }
        }
    }
    let hosts: Vec<HostObservation> = obs
        .hosts
        .iter()
        .map(|h| {
            let (v, m) = unmanaged.get(h.name.as_str()).copied().unwrap_or_default();
            HostObservation {
                name: h.name.clone(),
                online: h.online,
                cores: h.cores,
                memory_mib: h.memory_mib,
                cpu_usage: h.cpu_usage,
                memory_used_mib: h.memory_used_mib,
                unmanaged_vcpus: v,
                unmanaged_memory_mib: m,
            }
        })
        .collect();
    let templates: Vec<TemplateObservation> = obs
        .templates
        .iter()
        .map(|t| TemplateObservation {
            vmid: t.vmid,
            kind: if t.kind == "lxc" {
                GuestKind::Ct
            } else {
                GuestKind::Vm
            },
            name: t.name.clone(),
            node: t.node.clone(),
            disk_gib: t.disk_gib,
        })
        .collect();
    let record = ClusterObservation {
        health: obs.health(),
        pve_version: obs.version.clone(),
        unmanaged_guests: unmanaged_count,
        hosts,
        templates,
        storage: serde_json::to_value(&obs.storage).map_err(Error::internal)?,
        tasks: obs
            .tasks
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(Error::internal)?,
        problems: obs.problems.join("; "),
        bridges: obs
            .bridges
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(Error::internal)?,
        ha: obs
            .ha
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(Error::internal)?,
    };
    state.store.cluster_observed(cluster.id, &record).await?;
    let online: HashSet<&str> = obs
        .hosts
        .iter()
        .filter(|h| h.online)
        .map(|h| h.name.as_str())
        .collect();
    for g in &guests {
        let seen = seen.get(&g.id).copied();
        if let Some(o) = seen {
            crate::host_failure::note_ha_state(state, g, o).await?;
            if crate::host_failure::handle(state, g, o, &online).await? {
                continue;
            }
        }
        reconcile(state, cluster, agent.as_ref(), g, seen).await?;
    }
    Ok(obs)
}

/// Compares one scmp guest with what Proxmox shows.
async fn reconcile(
    state: &AppState,
    cluster: &Cluster,
    agent: &dyn Agent,
    g: &Guest,
    seen: Option<&ObservedGuest>,
) -> Result<(), Error> {
    // Guests in the middle of an operation are the operation's business.
    let expect_running = match g.state {
        GuestState::Running => true,
        GuestState::Stopped => false,
        GuestState::Missing => {
            if let Some(o) = seen {
                // Back (a restore): adopt it where it is.
                state.store.guest_relocate(g.id, &o.node, o.vmid).await?;
                let now = if o.status == "running" {
                    GuestState::Running
                } else {
                    GuestState::Stopped
                };
                state.store.guest_set_state(g.id, now, "").await?;
                state.store.guest_set_drift(g.id, "").await?;
                state
                    .store
                    .guest_event_add(
                        g.id,
                        GuestEventKind::Adopted,
                        &format!("found again as VMID {} on {}", o.vmid, o.node),
                    )
                    .await?;
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let Some(o) = seen else {
        // Only from the state read before the observation: a guest that an operation took
        // meanwhile (a deletion) is the operation's business.
        let moved = state
            .store
            .guest_end(
                g.id,
                g.state,
                GuestState::Missing,
                "deleted outside scmp",
                None,
                None,
            )
            .await?;
        if !moved {
            return Ok(());
        }
        state
            .store
            .guest_set_drift(g.id, "deleted outside scmp: not found on the cluster")
            .await?;
        return Ok(());
    };
    crate::host_failure::follow(state, g, o, "moved outside scmp or by HA").await?;
    let mut diffs = Vec::new();
    let running = o.status == "running";
    if running != expect_running {
        diffs.push(format!(
            "power: scmp expects {}, Proxmox shows {}",
            if expect_running { "running" } else { "stopped" },
            o.status
        ));
    }
    if o.vcpus != g.vcpus {
        diffs.push(format!("vcpus: scmp {}, Proxmox {}", g.vcpus, o.vcpus));
    }
    if o.memory_mib != g.memory_mib {
        diffs.push(format!(
            "memory_mib: scmp {}, Proxmox {}",
            g.memory_mib, o.memory_mib
        ));
    }
    if diffs.is_empty() {
        state.store.guest_set_drift(g.id, "").await?;
        return Ok(());
    }
    let drift = diffs.join("; ");
    state.store.guest_set_drift(g.id, &drift).await?;
    if cluster.health.drift_action == DriftAction::Repair {
        let fixed = async {
            if o.vcpus != g.vcpus || o.memory_mib != g.memory_mib {
                let command = Command::SetSize {
                    kind: g.kind,
                    node: o.node.clone(),
                    vmid: o.vmid,
                    vcpus: g.vcpus,
                    memory_mib: g.memory_mib,
                };
                agent.ask(command).await?.done()?;
            }
            if running != expect_running {
                let action = if expect_running {
                    Power::Start
                } else {
                    Power::Stop
                };
                let command = Command::Power {
                    kind: g.kind,
                    node: o.node.clone(),
                    vmid: o.vmid,
                    action,
                };
                agent.ask(command).await?.done()?;
            }
            Ok::<_, scmp_agent::AgentError>(())
        }
        .await;
        match fixed {
            Ok(()) => {
                state
                    .store
                    .guest_event_add(
                        g.id,
                        GuestEventKind::Repaired,
                        &format!("repaired: {drift}"),
                    )
                    .await?;
                state.store.guest_set_drift(g.id, "").await?;
            }
            Err(e) => tracing::warn!(guest = %g.id, error = %e, "drift repair failed"),
        }
    }
    Ok(())
}
