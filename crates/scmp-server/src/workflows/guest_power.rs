//! A power action on a saga's guest, waited for (the power steps, and the stop and start around a
//! restore).

use scmp_agent::command::Power;
use scmp_agent::Command;
use scmp_store::Guest;

use super::{ask, Run, StepError};

/// Starts, stops, shuts down or reboots the guest on its cluster.
pub(super) async fn power(run: &mut Run<'_>, g: &Guest, action: Power) -> Result<(), StepError> {
    let (Some(cluster), Some(node), Some(vmid)) = (g.cluster_id, g.node.clone(), g.vmid) else {
        return Err(StepError::permanent("the guest is not placed"));
    };
    let c = run.state.store.cluster_get(cluster).await?;
    let agent = run.state.connections.get(&c, &run.state.sealer)?;
    let command = Command::Power {
        kind: g.kind,
        node,
        vmid,
        action,
    };
    ask(run, agent.as_ref(), command).await?.done()?;
    Ok(())
}
