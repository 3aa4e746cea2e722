//! The steps that put a public address on a guest and take it off. Binding is one conditional
//! update in the store (only a free address binds, so two attachments never share one); a routed
//! address then becomes a NIC of the guest on the pool's uplink bridge and VLAN, with the address
//! in its cloud-init; a NAT address needs nothing on Proxmox: it joins the site's 1:1 NAT table,
//! which the site's edge router takes from scmp.

use scmp_agent::actions::NicConfig;
use scmp_agent::Command;
use scmp_common::{Error, PublicAddressId};
use scmp_store::{Guest, PublicAddress, PublicMode, PublicState};

use super::{Run, StepError};

/// The operation's address and guest.
async fn subject(run: &Run<'_>) -> Result<(PublicAddress, Guest), StepError> {
    let id: PublicAddressId = run
        .op
        .params
        .get("address")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| StepError::permanent("the operation names no public address"))?;
    let guest = run
        .op
        .guest_id()
        .ok_or_else(|| StepError::permanent("an address step in an operation on a network"))?;
    let a = run.state.store.public_address_get(id).await?;
    let g = run.state.store.guest_get(guest).await?;
    Ok((a, g))
}

/// The NIC index the operation asked for.
fn nic_index(run: &Run<'_>) -> u32 {
    run.op
        .params
        .get("nic")
        .and_then(|v| v.as_u64())
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

/// Binds the address to the guest (done when an earlier run bound it).
pub(super) async fn bind(run: &mut Run<'_>) -> Result<(), StepError> {
    let (a, g) = subject(run).await?;
    if a.guest_id == Some(g.id) {
        return Ok(());
    }
    if !run
        .state
        .store
        .public_address_bind(a.id, g.id, nic_index(run))
        .await?
    {
        return Err(StepError::permanent(format!(
            "{} was taken meanwhile",
            a.address
        )));
    }
    Ok(())
}

/// Gives the address back (undo of a bind).
pub(super) async fn unbind(run: &mut Run<'_>) -> Result<(), StepError> {
    let (a, g) = match subject(run).await {
        Ok(s) => s,
        Err(StepError::Permanent { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    run.state.store.public_address_unbind(a.id, g.id).await?;
    Ok(())
}

/// The routed NIC on the guest; the address attached.
pub(super) async fn nic_up(run: &mut Run<'_>) -> Result<(), StepError> {
    let (a, g) = subject(run).await?;
    if a.pool.mode == PublicMode::Routed {
        set_nic(run, &a, &g, true).await?;
    }
    run.state
        .store
        .public_address_set_state(a.id, g.id, PublicState::Attached)
        .await?;
    Ok(())
}

/// The routed NIC off the guest; the address detaching.
pub(super) async fn nic_down(run: &mut Run<'_>) -> Result<(), StepError> {
    let (a, g) = match subject(run).await {
        Ok(s) => s,
        // The guest is gone (its removal detached the address): done.
        Err(StepError::Permanent { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    if a.guest_id != Some(g.id) {
        return Ok(());
    }
    run.state
        .store
        .public_address_set_state(a.id, g.id, PublicState::Detaching)
        .await?;
    if a.pool.mode == PublicMode::Routed {
        set_nic(run, &a, &g, false).await?;
    }
    Ok(())
}

/// A detach that failed leaves the address attached as it was.
pub(super) async fn reattach(run: &mut Run<'_>) -> Result<(), StepError> {
    nic_up(run).await
}

/// Sets (or removes) the routed address's NIC on the guest.
async fn set_nic(
    run: &mut Run<'_>,
    a: &PublicAddress,
    g: &Guest,
    up: bool,
) -> Result<(), StepError> {
    let (Some(cluster), Some(node), Some(vmid)) = (g.cluster_id, g.node.clone(), g.vmid) else {
        return Err(StepError::permanent("the guest is not placed"));
    };
    let c = run.state.store.cluster_get(cluster).await?;
    let agent = run.state.connections.get(&c, &run.state.sealer)?;
    let nic = up.then(|| NicConfig {
        bridge: a.pool.bridge.clone(),
        tag: (a.pool.vlan > 0).then_some(a.pool.vlan),
        mac: a.mac.clone(),
        address: format!("{}/{}", a.address, a.pool.cidr.prefix_len()),
        gateway: a.pool.gateway.map(|g| g.to_string()),
        // Filtered by the Proxmox firewall like the guest's other NICs.
        firewall: true,
    });
    let command = Command::SetNic {
        kind: g.kind,
        node,
        vmid,
        index: a.nic,
        nic,
    };
    super::ask(run, agent.as_ref(), command).await?.done()?;
    Ok(())
}

/// Ends an attach or detach that failed: the address as it was before.
pub(super) async fn failed(run: &mut Run<'_>, detaching: bool) -> Result<(), Error> {
    let Ok((a, g)) = subject(run).await else {
        return Ok(());
    };
    if detaching && a.guest_id == Some(g.id) {
        run.state
            .store
            .public_address_set_state(a.id, g.id, PublicState::Attached)
            .await?;
    }
    Ok(())
}
