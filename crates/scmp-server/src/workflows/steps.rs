//! The steps of the sagas and their undo actions. Every step reads the guest afresh, checks whether
//! its work is done already, and only then acts, so a step repeated after a crash is harmless.

use std::sync::Arc;

use scmp_agent::actions::{self, CloneOutcome, GuestSpec};
use scmp_agent::command::{Power, SnapshotChange};
use scmp_agent::{Agent, Command};
use scmp_common::{Error, GuestState, OperationKind};
use scmp_store::{Cluster, Guest};

use super::guest_power::power;
use super::{ask, prior_state, Run, StepError};

pub use super::step_kinds::Step;

impl Step {
    /// Runs the step.
    pub async fn run(self, run: &mut Run<'_>) -> Result<(), StepError> {
        self.forward(run).await?;
        // Fault injection for the saga tests: the step's work is done, then it reports failure,
        // so the undo must clean up after a step that half-succeeded.
        if run.state.fault_step.as_deref() == Some(self.name()) {
            return Err(StepError::permanent(format!(
                "injected failure after step {}",
                self.name()
            )));
        }
        Ok(())
    }

    async fn forward(self, run: &mut Run<'_>) -> Result<(), StepError> {
        match self {
            Step::NetworkApply => return super::network_steps::apply(run).await,
            Step::NetworkReady => return super::network_steps::ready(run).await,
            Step::NetworkTeardown => return super::network_steps::teardown(run).await,
            Step::NetworkForget => return super::network_steps::forget(run).await,
            Step::AddressBind => return super::address_steps::bind(run).await,
            Step::AddressUp => return super::address_steps::nic_up(run).await,
            Step::AddressDown => return super::address_steps::nic_down(run).await,
            Step::AddressUnbind => return super::address_steps::unbind(run).await,
            Step::GroupApply => return super::firewall_steps::apply(run).await,
            Step::GroupReady => return super::firewall_steps::ready(run).await,
            Step::GroupTeardown => return super::firewall_steps::teardown(run).await,
            Step::GroupForget => return super::firewall_steps::forget(run).await,
            Step::Backup
            | Step::BackupDelete
            | Step::PreRestore
            | Step::RestoreStop
            | Step::Restore
            | Step::RestoreStart => {
                let g = run.state.store.guest_get(guest_id(run)?).await?;
                return super::backup_steps::forward(self, run, &g).await;
            }
            _ => {}
        }
        if self == Step::Remove {
            forget_guest(run);
            return match run.state.store.guest_remove(guest_id(run)?).await {
                // Removed by an earlier run of this step: its work is done.
                Ok(()) | Err(Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            };
        }
        let g = guest(run).await?;
        // Steps that change the guest's record make the next step read it afresh (place and
        // reserve_vmid update the kept copy themselves).
        if matches!(self, Step::Created | Step::Settle | Step::Migrate) {
            forget_guest(run);
        }
        match self {
            Step::Place => place(run, &g).await,
            Step::ReserveVmid => reserve_vmid(run, &g).await,
            Step::Pool => {
                let (c, agent) = cluster(run, &g).await?;
                let tenant = spec(run, &g).await?.tenant_name;
                let pool = actions::tenant_pool(&tenant);
                if !run.state.known_pools.exists(c.id, &pool) {
                    let command = Command::EnsurePool {
                        tenant_name: tenant,
                    };
                    ask(run, agent.as_ref(), command).await?.made()?;
                    run.state.known_pools.saw(c.id, &pool);
                }
                Ok(())
            }
            Step::Clone => clone(run, &g).await,
            Step::Configure => {
                let (_, agent) = cluster(run, &g).await?;
                let spec = spec(run, &g).await?;
                let (node, vmid) = location(&g)?;
                let command = Command::Configure {
                    spec,
                    node,
                    vmid,
                    clone_disk_gib: cache(run).clone_disk_gib,
                };
                ask(run, agent.as_ref(), command).await?.done()?;
                // Each NIC's address goes to the zone's IPAM, for DHCP.
                for nic in run.state.store.guest_nics(g.id).await? {
                    let command = Command::MapAddress {
                        zone: nic.zone,
                        vnet: nic.vnet,
                        ip: nic.address.to_string(),
                        mac: Some(nic.mac),
                    };
                    ask(run, agent.as_ref(), command).await?.done()?;
                }
                Ok(())
            }
            Step::Ha if g.ha => super::ha_steps::ensure(run, &g).await,
            Step::Ha => Ok(()),
            Step::Start | Step::PowerStart => power(run, &g, Power::Start).await,
            Step::PowerStop => power(run, &g, Power::Stop).await,
            Step::PowerShutdown => power(run, &g, Power::Shutdown).await,
            Step::PowerReboot => power(run, &g, Power::Reboot).await,
            // The guest is marked running by the transaction that ends the operation.
            Step::Created => Ok(()),
            Step::Destroy => {
                if let (Some(_), Some(vmid)) = (&g.cluster_id, g.vmid) {
                    let (_, agent) = cluster(run, &g).await?;
                    let command = Command::Destroy {
                        guest: g.id,
                        kind: g.kind,
                        vmid,
                    };
                    ask(run, agent.as_ref(), command).await?.done()?;
                    unmap_addresses(run, &g).await?;
                }
                Ok(())
            }
            Step::Remove => Ok(()),
            Step::Firewall => super::firewall_steps::guest(run, &g).await,
            Step::FirewallLeave => super::firewall_steps::leave(run, &g).await,
            Step::Resize => {
                let (_, agent) = cluster(run, &g).await?;
                let (node, vmid) = location(&g)?;
                let (vcpus, memory_mib, gib) = sizes(run);
                let command = Command::SetSize {
                    kind: g.kind,
                    node: node.clone(),
                    vmid,
                    vcpus,
                    memory_mib,
                };
                ask(run, agent.as_ref(), command).await?.done()?;
                let command = Command::GrowDisk {
                    kind: g.kind,
                    node,
                    vmid,
                    gib,
                };
                ask(run, agent.as_ref(), command).await?.done()?;
                Ok(())
            }
            Step::Migrate => {
                let (_, agent) = cluster(run, &g).await?;
                let (_, vmid) = location(&g)?;
                let target = run
                    .op
                    .params
                    .get("host")
                    .and_then(|h| h.as_str())
                    .unwrap_or_default()
                    .to_string();
                let command = Command::Migrate {
                    kind: g.kind,
                    vmid,
                    target: target.clone(),
                };
                ask(run, agent.as_ref(), command).await?.done()?;
                run.state.store.guest_relocate(g.id, &target, vmid).await?;
                forget_guest(run);
                Ok(())
            }
            Step::SnapshotCreate | Step::SnapshotRollback | Step::SnapshotDelete => {
                let (_, agent) = cluster(run, &g).await?;
                let (node, vmid) = location(&g)?;
                let name = run
                    .op
                    .params
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
                    .to_string();
                let change = match self {
                    Step::SnapshotCreate => SnapshotChange::Create { name },
                    Step::SnapshotRollback => SnapshotChange::Rollback { name },
                    _ => SnapshotChange::Delete { name },
                };
                let command = Command::Snapshot {
                    kind: g.kind,
                    node,
                    vmid,
                    change,
                };
                ask(run, agent.as_ref(), command).await?.done()?;
                Ok(())
            }
            Step::Settle => settle(run, &g).await,
            Step::NetworkApply
            | Step::NetworkReady
            | Step::NetworkTeardown
            | Step::NetworkForget
            | Step::AddressBind
            | Step::AddressUp
            | Step::AddressDown
            | Step::AddressUnbind
            | Step::GroupApply
            | Step::GroupReady
            | Step::GroupTeardown
            | Step::GroupForget
            | Step::Backup
            | Step::BackupDelete
            | Step::PreRestore
            | Step::RestoreStop
            | Step::Restore
            | Step::RestoreStart => Ok(()),
        }
    }

    /// Undoes the step (a no-op for steps whose effects a later undo or the final bookkeeping
    /// removes).
    pub async fn undo(self, run: &mut Run<'_>) -> Result<(), StepError> {
        match self {
            // A new network comes off again; a changed one was rolled back by the agent.
            Step::NetworkApply if run.op.kind == OperationKind::NetworkCreate => {
                return super::network_steps::teardown(run).await
            }
            Step::AddressBind => return super::address_steps::unbind(run).await,
            Step::AddressUp => return super::address_steps::nic_down(run).await,
            Step::AddressDown => return super::address_steps::reattach(run).await,
            _ => {}
        }
        if run.op.network_id().is_some() || run.op.security_group_id().is_some() {
            return Ok(());
        }
        let g = match run.state.store.guest_get(guest_id(run)?).await {
            Ok(g) => g,
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        match self {
            Step::Restore => super::backup_steps::undo_restore(run, &g).await,
            Step::Clone => {
                if let (Some(_), Some(vmid)) = (&g.cluster_id, g.vmid) {
                    let (_, agent) = cluster(run, &g).await?;
                    let command = Command::Destroy {
                        guest: g.id,
                        kind: g.kind,
                        vmid,
                    };
                    ask(run, agent.as_ref(), command).await?.done()?;
                }
                Ok(())
            }
            Step::Configure if g.cluster_id.is_some() => unmap_addresses(run, &g).await,
            // A creation undone takes the guest out of its groups' member sets.
            Step::Firewall if run.op.kind == OperationKind::GuestCreate => {
                super::firewall_steps::leave(run, &g).await
            }
            Step::Ha if g.ha => super::ha_steps::remove(run, &g).await,
            Step::Resize => {
                // Back to the old sizes (a grown disk stays grown: Proxmox cannot shrink it).
                let (_, agent) = cluster(run, &g).await?;
                let (node, vmid) = location(&g)?;
                let command = Command::SetSize {
                    kind: g.kind,
                    node,
                    vmid,
                    vcpus: g.vcpus,
                    memory_mib: g.memory_mib,
                };
                ask(run, agent.as_ref(), command).await?.done()?;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The final bookkeeping of a failed operation: a failed creation releases its quota and VMID;
/// other operations return the guest to its prior state (a resize releases what it reserved).
pub async fn failed(run: &mut Run<'_>, error: &str) -> Result<(), Error> {
    let id = match run.op.subject {
        scmp_store::Subject::Guest(g) => g,
        scmp_store::Subject::Network(n) => {
            return super::network_steps::failed(run, n, error).await
        }
        scmp_store::Subject::SecurityGroup(s) => {
            return super::firewall_steps::failed(run, s, error).await
        }
    };
    let store = &run.state.store;
    match store.guest_get(id).await {
        Err(Error::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    if matches!(
        run.op.kind,
        OperationKind::AddressAttach | OperationKind::AddressDetach
    ) {
        let detaching = run.op.kind == OperationKind::AddressDetach;
        super::address_steps::failed(run, detaching).await?;
    }
    match run.op.kind {
        OperationKind::GuestCreate => store.guest_fail(id, error).await,
        OperationKind::GuestDelete => store
            .guest_end(
                id,
                GuestState::Deleting,
                prior_state(&run.op),
                error,
                None,
                None,
            )
            .await
            .map(|_| ()),
        OperationKind::GuestResize => {
            let g = store.guest_get(id).await?;
            let (v, m, d) = sizes(run);
            // Undo: what the resize took is given back.
            let grow = -g.growth_to((v, m, d))?;
            store
                .guest_end(
                    id,
                    GuestState::Updating,
                    prior_state(&run.op),
                    error,
                    None,
                    Some(grow),
                )
                .await
                .map(|_| ())
        }
        _ => store
            .guest_end(
                id,
                GuestState::Updating,
                prior_state(&run.op),
                error,
                None,
                None,
            )
            .await
            .map(|_| ()),
    }
}

/// What a run has read, so each step does not read it again: the guest (forgotten by steps that
/// change it), its cluster and agent, its tenant's name, where placement put it, and the disk
/// size its clone started with (its template's, when this run cloned it and inventory knows it).
#[derive(Default)]
pub struct Cache {
    guest: Option<Guest>,
    cluster: Option<(Cluster, Arc<dyn Agent>)>,
    tenant: Option<scmp_store::Tenant>,
    /// Where place put the guest (host, why), recorded with its VMID's reservation.
    placed: Option<(String, String)>,
    clone_disk_gib: Option<u64>,
}

fn cache<'a>(run: &'a Run<'_>) -> std::sync::MutexGuard<'a, Cache> {
    run.cache.lock().unwrap_or_else(|e| e.into_inner())
}

async fn tenant(run: &Run<'_>, g: &Guest) -> Result<scmp_store::Tenant, StepError> {
    if let Some(t) = cache(run).tenant.clone() {
        return Ok(t);
    }
    let t = run.state.store.tenant_get(g.tenant_id).await?;
    cache(run).tenant = Some(t.clone());
    Ok(t)
}

/// Removes the guest's addresses from its zones' IPAM (unmapped already is done).
async fn unmap_addresses(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    let nics = run.state.store.guest_nics(g.id).await?;
    if nics.is_empty() {
        return Ok(());
    }
    let (_, agent) = cluster(run, g).await?;
    for nic in nics {
        let command = Command::UnmapAddress {
            zone: nic.zone,
            vnet: nic.vnet,
            ip: nic.address.to_string(),
        };
        ask(run, agent.as_ref(), command).await?.done()?;
    }
    Ok(())
}

/// The guest the operation acts on.
fn guest_id(run: &Run<'_>) -> Result<scmp_common::GuestId, StepError> {
    run.op
        .guest_id()
        .ok_or_else(|| StepError::permanent("a guest step in an operation on a network"))
}

fn forget_guest(run: &Run<'_>) {
    cache(run).guest = None;
}

async fn guest(run: &Run<'_>) -> Result<Guest, StepError> {
    if let Some(g) = cache(run).guest.clone() {
        return Ok(g);
    }
    let g = run.state.store.guest_get(guest_id(run)?).await?;
    cache(run).guest = Some(g.clone());
    Ok(g)
}

async fn cluster(run: &Run<'_>, g: &Guest) -> Result<(Cluster, Arc<dyn Agent>), StepError> {
    let id = g
        .cluster_id
        .ok_or_else(|| StepError::permanent("the guest is not placed"))?;
    if let Some((c, agent)) = cache(run).cluster.clone() {
        if c.id == id {
            return Ok((c, agent));
        }
    }
    let c = run.state.store.cluster_get(id).await?;
    let agent = run.state.connections.get(&c, &run.state.sealer)?;
    cache(run).cluster = Some((c.clone(), agent.clone()));
    Ok((c, agent))
}

fn location(g: &Guest) -> Result<(String, u32), StepError> {
    match (&g.node, g.vmid) {
        (Some(n), Some(v)) => Ok((n.clone(), v)),
        _ => Err(StepError::permanent("the guest has no VMID yet")),
    }
}

fn sizes(run: &Run<'_>) -> (u64, u64, u64) {
    let get = |k: &str| run.op.params.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    (get("vcpus"), get("memory_mib"), get("disk_gib"))
}

async fn spec(run: &Run<'_>, g: &Guest) -> Result<GuestSpec, StepError> {
    let tenant_name = match run.op.creation() {
        Some(c) => c.tenant_name,
        None => tenant(run, g).await?.name.to_string(),
    };
    let nics = run
        .state
        .store
        .guest_nics(g.id)
        .await?
        .into_iter()
        .map(|n| actions::NicConfig {
            bridge: n.vnet,
            tag: None,
            mac: n.mac,
            address: format!("{}/{}", n.address, n.prefix_len),
            gateway: (!n.gateway.is_empty()).then_some(n.gateway),
            // Filtered by the Proxmox firewall: the guest's security groups apply to it.
            firewall: true,
        })
        .collect();
    Ok(GuestSpec {
        nics,
        guest: g.id,
        tenant: g.tenant_id,
        tenant_name,
        project: g.project_id,
        kind: g.kind,
        name: g.name.to_string(),
        vcpus: g.vcpus,
        memory_mib: g.memory_mib,
        disk_gib: g.disk_gib,
        tags: g.tags.clone(),
        ci_user: g.cloud_init.user.clone(),
        ssh_keys: g.cloud_init.ssh_keys.clone(),
        ip_config: g.cloud_init.ip_config.clone(),
        bridge: g.network.bridge.clone(),
        vlan: g.network.vlan,
    })
}

async fn place(run: &Run<'_>, g: &Guest) -> Result<(), StepError> {
    if g.cluster_id.is_some() {
        return Ok(());
    }
    let countries = match run.op.creation() {
        Some(c) => c.countries,
        None => tenant(run, g).await?.countries,
    };
    let req = crate::placement::request(g, &countries);
    match run.state.placer.place(&run.state.store, &req, true).await? {
        Ok(p) => {
            // Recorded by reserve_vmid, with the VMID, in one transaction: a run that stops in
            // between places the guest again.
            let mut kept = cache(run);
            kept.placed = Some((p.host.clone(), p.reason.clone()));
            if let Some(kept) = kept.guest.as_mut() {
                kept.cluster_id = Some(p.cluster_id);
                kept.cluster_name = Some(p.cluster);
                kept.site_id = Some(p.site_id);
                kept.site_name = Some(p.site);
                kept.site_country = Some(p.country);
                kept.node = Some(p.host);
                kept.placement = p.reason;
            }
            Ok(())
        }
        Err(refusal) => Err(StepError::permanent(refusal.to_string())),
    }
}

async fn reserve_vmid(run: &Run<'_>, g: &Guest) -> Result<(), StepError> {
    if g.vmid.is_some() {
        return Ok(());
    }
    let (c, agent) = cluster(run, g).await?;
    // Proxmox's next id, asked at most every few seconds per cluster: a VMID taken meanwhile
    // outside scmp is caught when the clone checks it (and another one is reserved).
    let nextid = match run.state.vmid_hints.recent_nextid(c.id) {
        Some(n) => n,
        None => {
            let n = agent.ask(Command::NextVmid).await?.vmid()?;
            run.state.vmid_hints.saw_nextid(c.id, n);
            n
        }
    };
    // Ids below Proxmox's next id, or below what this replica handed out last, are never
    // candidates, so only the reservations above them count.
    let from = run.state.vmid_hints.floor(c.id, nextid);
    let reserved = run.state.store.vmids_reserved(c.id, from).await?;
    // Creations running side by side would all start from the same `nextid`: this replica hands
    // each a different candidate, so they do not collide in the store.
    let start = run.state.vmid_hints.next(c.id, from, &reserved);
    for id in start..start.saturating_add(10_000) {
        if reserved.binary_search(&id).is_ok() {
            continue;
        }
        let placed = cache(run).placed.clone();
        let placed = placed
            .as_ref()
            .map(|(host, why)| (host.as_str(), why.as_str()));
        if run
            .state
            .store
            .guest_place_and_reserve(g.id, c.id, id, placed)
            .await?
        {
            if let Some(kept) = cache(run).guest.as_mut() {
                kept.vmid = Some(id);
            }
            return Ok(());
        }
    }
    Err(StepError::permanent("no free VMID near Proxmox's next id"))
}

async fn clone(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    let (c, agent) = cluster(run, g).await?;
    // The image as admitted (or, for a creation recorded before that was kept, as it is now).
    let (image, template, kind) = match run.op.creation() {
        Some(c) => (c.image_name, c.template, c.template_kind),
        None => {
            let i = run.state.store.image_get(g.image_id).await?;
            (i.name.to_string(), i.template, i.kind)
        }
    };
    let templates = run.state.store.cluster_templates(Some(c.id)).await?;
    let Some((_, t)) = templates
        .iter()
        .find(|(_, t)| t.name == template && t.kind == kind)
    else {
        return Err(StepError::permanent(format!(
            "image '{image}' (template {template}) is not on cluster '{}'",
            c.name
        )));
    };
    let spec = spec(run, g).await?;
    let pool = actions::tenant_pool(&spec.tenant_name);
    let mut pool_made = false;
    let mut g = g.clone();
    for _ in 0..5 {
        let (node, vmid) = location(&g)?;
        let command = Command::EnsureClone {
            spec: spec.clone(),
            template_vmid: t.vmid,
            template_node: t.node.clone(),
            target: node,
            vmid,
        };
        let outcome = match ask(run, agent.as_ref(), command).await {
            Ok(reply) => reply.clone_outcome().map_err(StepError::from),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(CloneOutcome::Done) => {
                cache(run).clone_disk_gib = (t.disk_gib > 0).then_some(t.disk_gib);
                return Ok(());
            }
            Err(e) => {
                // The pool step trusts a pool seen lately; if it was removed since, the clone is
                // refused: make the pool again and clone once more.
                run.state.known_pools.forget(c.id, &pool);
                let command = Command::EnsurePool {
                    tenant_name: spec.tenant_name.clone(),
                };
                if pool_made || !ask(run, agent.as_ref(), command).await?.made()? {
                    return Err(e);
                }
                run.state.known_pools.saw(c.id, &pool);
                pool_made = true;
            }
            Ok(CloneOutcome::VmidTaken) => {
                // A guest made outside scmp took the VMID: take another one.
                run.state.store.guest_drop_vmid(g.id).await?;
                forget_guest(run);
                g = guest(run).await?;
                reserve_vmid(run, &g).await?;
                forget_guest(run);
                g = guest(run).await?;
            }
        }
    }
    Err(StepError::transient("VMIDs keep being taken outside scmp"))
}

async fn settle(run: &Run<'_>, g: &Guest) -> Result<(), StepError> {
    let store = &run.state.store;
    let to = match run.op.kind {
        OperationKind::GuestStart | OperationKind::GuestReboot => GuestState::Running,
        OperationKind::GuestStop | OperationKind::GuestShutdown => GuestState::Stopped,
        _ => {
            let (_, agent) = cluster(run, g).await?;
            let (node, vmid) = location(g)?;
            let command = Command::IsRunning {
                kind: g.kind,
                node,
                vmid,
            };
            if agent.ask(command).await?.running()? {
                GuestState::Running
            } else {
                GuestState::Stopped
            }
        }
    };
    if run.op.kind == OperationKind::GuestResize {
        let (v, m, d) = sizes(run);
        // A shrink gives back what the guest no longer uses.
        // Done: what it shrank by is given back (growth was taken when it began).
        let release = g.shrinkage_to((v, m))?;
        store
            .guest_end(
                g.id,
                GuestState::Updating,
                to,
                "",
                Some((v, m, d.max(g.disk_gib))),
                Some(release),
            )
            .await?;
    } else {
        store
            .guest_end(g.id, GuestState::Updating, to, "", None, None)
            .await?;
    }
    Ok(())
}
