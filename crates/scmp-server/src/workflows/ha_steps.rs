//! The HA step of a guest's creation: the guest becomes a Proxmox HA resource on the hosts of its
//! cluster, kept apart from the HA guests of its anti-affinity group there (see `scmp_agent::ha`
//! for how each Proxmox release expresses that); undone, it leaves HA again.

use scmp_agent::ha::{apart_rule, HaApart};
use scmp_agent::Command;
use scmp_common::GuestState;
use scmp_store::Guest;

use super::{Run, StepError};

/// The agent of the guest's cluster, and the guest's VMID there.
async fn placed(
    run: &Run<'_>,
    g: &Guest,
) -> Result<
    (
        scmp_store::Cluster,
        std::sync::Arc<dyn scmp_agent::Agent>,
        u32,
    ),
    StepError,
> {
    let (Some(cluster), Some(vmid)) = (g.cluster_id, g.vmid) else {
        return Err(StepError::permanent("the guest is not placed"));
    };
    let c = run.state.store.cluster_get(cluster).await?;
    let agent = run.state.connections.get(&c, &run.state.sealer)?;
    Ok((c, agent, vmid))
}

/// Puts the guest under HA.
pub(super) async fn ensure(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    let (c, agent, vmid) = placed(run, g).await?;
    let nodes: Vec<String> = run
        .state
        .store
        .host_list_all(c.id)
        .await?
        .into_iter()
        .map(|h| h.observed.name)
        .collect();
    let apart = if g.anti_affinity.is_empty() {
        None
    } else {
        let peers = run
            .state
            .store
            .guest_list_on_cluster(c.id)
            .await?
            .into_iter()
            .filter(|o| o.id != g.id && o.ha && o.project_id == g.project_id)
            .filter(|o| o.anti_affinity == g.anti_affinity)
            .filter(|o| !matches!(o.state, GuestState::Failed | GuestState::Deleting))
            .filter_map(|o| o.vmid.map(|v| (o.kind, v)))
            .collect();
        Some(HaApart {
            rule: apart_rule(&g.project_id.to_string(), &g.anti_affinity),
            peers,
        })
    };
    let command = Command::EnsureHa {
        kind: g.kind,
        vmid,
        nodes,
        apart,
    };
    super::ask(run, agent.as_ref(), command).await?.done()?;
    Ok(())
}

/// Takes the guest out of HA (a creation undone).
pub(super) async fn remove(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    if g.cluster_id.is_none() || g.vmid.is_none() {
        return Ok(());
    }
    let (_, agent, vmid) = placed(run, g).await?;
    let command = Command::RemoveHa { kind: g.kind, vmid };
    super::ask(run, agent.as_ref(), command).await?.done()?;
    Ok(())
}
