//! The steps that realise security groups: the project's groups at a site made so on every
//! cluster of the site (member IP sets first, then the groups), a guest's firewall made to apply
//! its groups, a guest leaving its groups when it goes, and a group taken down and forgotten.

use scmp_agent::Command;
use scmp_common::{Error, OperationKind, ProjectId, SecurityGroupId, SiteId};
use scmp_store::{Guest, SecurityGroupState};

use super::{Run, StepError};

fn group_id(run: &Run<'_>) -> Result<SecurityGroupId, StepError> {
    run.op
        .security_group_id()
        .ok_or_else(|| StepError::permanent("a security group step in another operation"))
}

/// Makes the project's groups at the site so on each of the site's clusters, and clears their
/// drift.
async fn sync(run: &mut Run<'_>, project: ProjectId, site: SiteId) -> Result<(), StepError> {
    let d = crate::firewall_spec::desired(&run.state.store, project, site).await?;
    for c in run.state.store.cluster_list(site, None, 1000).await? {
        let agent = run.state.connections.get(&c, &run.state.sealer)?;
        let command = Command::EnsureFirewall {
            ipsets: d.ipsets.clone(),
            groups: d.groups.clone(),
            owned: d.owned.clone(),
            repair: true,
        };
        super::ask(run, agent.as_ref(), command)
            .await
            .map_err(|e| super::network_steps::in_cluster(e, &c))?
            .differences()?;
    }
    for g in &d.records {
        run.state.store.security_group_set_drift(g.id, "").await?;
    }
    Ok(())
}

/// A group's rules (made or changed) on its site's clusters.
pub(super) async fn apply(run: &mut Run<'_>) -> Result<(), StepError> {
    let g = run.state.store.security_group_get(group_id(run)?).await?;
    sync(run, g.project_id, g.site_id).await
}

/// The group is ready.
pub(super) async fn ready(run: &mut Run<'_>) -> Result<(), StepError> {
    run.state
        .store
        .security_group_set_state(group_id(run)?, SecurityGroupState::Ready, "")
        .await?;
    Ok(())
}

/// Takes the group (being deleted, so no longer among the project's) off its site's clusters.
pub(super) async fn teardown(run: &mut Run<'_>) -> Result<(), StepError> {
    let g = match run.state.store.security_group_get(group_id(run)?).await {
        Ok(g) => g,
        Err(Error::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for c in run.state.store.cluster_list(g.site_id, None, 1000).await? {
        let agent = run.state.connections.get(&c, &run.state.sealer)?;
        let command = Command::RemoveFirewall {
            groups: vec![g.pve_name.clone()],
            ipsets: crate::firewall_spec::group_ipsets(&g),
        };
        super::ask(run, agent.as_ref(), command)
            .await
            .map_err(|e| super::network_steps::in_cluster(e, &c))?
            .done()?;
    }
    Ok(())
}

/// Forgets the group.
pub(super) async fn forget(run: &mut Run<'_>) -> Result<(), StepError> {
    run.state
        .store
        .security_group_remove(group_id(run)?)
        .await?;
    Ok(())
}

/// The site of a placed guest.
async fn site_of(run: &Run<'_>, g: &Guest) -> Result<Option<SiteId>, StepError> {
    match g.cluster_id {
        Some(c) => Ok(Some(run.state.store.cluster_get(c).await?.site_id)),
        None => Ok(None),
    }
}

/// The groups a firewall change asks for (in its input).
fn asked_groups(run: &Run<'_>) -> Result<Vec<SecurityGroupId>, StepError> {
    let ids = run
        .op
        .params
        .get("security_groups")
        .and_then(|v| v.as_array())
        .ok_or_else(|| StepError::permanent("the operation names no security groups"))?;
    ids.iter()
        .map(|v| {
            v.as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StepError::permanent("a security group id in the operation"))
        })
        .collect()
}

/// The guest's firewall applies its groups (a firewall change first makes the guest a member of
/// the groups it asks for), and the groups' member sets hold its addresses. A new guest in no
/// group is left as it is.
pub(super) async fn guest(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    if run.op.kind == OperationKind::GuestFirewall {
        let asked = asked_groups(run)?;
        run.state
            .store
            .guest_set_security_groups(g.id, &asked)
            .await?;
    }
    let groups = run.state.store.guest_security_groups(g.id).await?;
    if groups.is_empty() && run.op.kind == OperationKind::GuestCreate {
        return Ok(());
    }
    let (Some(site), Some(cluster), Some(vmid), Some(node)) =
        (site_of(run, g).await?, g.cluster_id, g.vmid, g.node.clone())
    else {
        return Err(StepError::permanent("the guest is not placed"));
    };
    sync(run, g.project_id, site).await?;
    let c = run.state.store.cluster_get(cluster).await?;
    let agent = run.state.connections.get(&c, &run.state.sealer)?;
    let command = Command::SetGuestFirewall {
        kind: g.kind,
        node: node.to_string(),
        vmid,
        groups: groups.iter().map(|s| s.pve_name.clone()).collect(),
    };
    super::ask(run, agent.as_ref(), command).await?.done()?;
    Ok(())
}

/// The guest (destroyed) leaves its groups, and their member sets drop its addresses.
pub(super) async fn leave(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    let groups = run.state.store.guest_security_groups(g.id).await?;
    let Some(first) = groups.first() else {
        return Ok(());
    };
    let (project, site) = (first.project_id, first.site_id);
    run.state.store.guest_leave_security_groups(g.id).await?;
    sync(run, project, site).await
}

/// The bookkeeping of a failed security group operation: the group is marked failed with the
/// error (the clusters may hold its rules before the change); a failed removal leaves it so too.
pub(super) async fn failed(run: &Run<'_>, id: SecurityGroupId, error: &str) -> Result<(), Error> {
    match run
        .state
        .store
        .security_group_set_state(id, SecurityGroupState::Failed, error)
        .await
    {
        Err(Error::NotFound { .. }) => Ok(()),
        other => other,
    }
}
