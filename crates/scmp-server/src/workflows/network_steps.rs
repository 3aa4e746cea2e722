//! The steps of the network sagas: a network is made (or removed) on every cluster of its site
//! through each cluster's agent, which stages the SDN change, applies it and rolls a failed apply
//! back. A creation that fails is removed from the clusters it reached and forgotten, its quota
//! and tag given back; a removal that fails leaves the network as it was, with the error.

use scmp_agent::network::{SdnNetwork, SdnSubnet};
use scmp_agent::Command;
use scmp_common::{Error, NetworkId};
use scmp_store::{Cluster, Network, NetworkState, ZoneType};

use super::{Run, StepError};

/// The network as its clusters' SDN holds it, with its site's current settings.
async fn sdn_network(run: &Run<'_>, n: &Network) -> Result<SdnNetwork, StepError> {
    Ok(sdn_network_of(&run.state.store, n).await?)
}

/// A network as its clusters' SDN holds it, with its site's current settings.
pub(crate) async fn sdn_network_of(
    store: &scmp_store::DataStore,
    n: &Network,
) -> Result<SdnNetwork, Error> {
    let site = store.site_networking(n.site_id).await?;
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let (kind, tag) = match n.zone_type {
        ZoneType::Vlan => (pve_types::api::sdn::ZoneType::Vlan, Some(n.tag as u32)),
        ZoneType::Vxlan => (pve_types::api::sdn::ZoneType::Vxlan, Some(n.tag as u32)),
        ZoneType::Evpn => (pve_types::api::sdn::ZoneType::Evpn, Some(n.tag as u32)),
        ZoneType::Simple => (pve_types::api::sdn::ZoneType::Simple, None),
    };
    Ok(SdnNetwork {
        zone: n.zone(),
        vnet: n.vnet(),
        kind,
        bridge: (n.zone_type == ZoneType::Vlan).then(|| site.bridge.clone()),
        peers: (n.zone_type == ZoneType::Vxlan)
            .then(|| text(&site.peers))
            .flatten(),
        controller: (n.zone_type == ZoneType::Evpn)
            .then(|| text(&site.controller))
            .flatten(),
        // The layer-3 VNI of an EVPN zone: the network's VNI moved past the pool's end.
        vrf_vxlan: (n.zone_type == ZoneType::Evpn)
            .then(|| (site.tag_max + n.tag - site.tag_min + 1).min(16_777_215) as u32),
        tag,
        mtu: (site.mtu > 0).then_some(site.mtu as u32),
        alias: n.name.to_string(),
        subnets: n
            .subnets
            .iter()
            .map(|s| SdnSubnet {
                cidr: s.cidr.clone(),
                gateway: text(&s.gateway),
                snat: s.snat,
                dhcp_range: s.dhcp.clone(),
            })
            .collect(),
    })
}

async fn clusters(run: &Run<'_>, n: &Network) -> Result<Vec<Cluster>, StepError> {
    Ok(run.state.store.cluster_list(n.site_id, None, 1000).await?)
}

fn network_id(run: &Run<'_>) -> Result<NetworkId, StepError> {
    run.op
        .network_id()
        .ok_or_else(|| StepError::permanent("a network step in an operation on a guest"))
}

/// Makes the network on every cluster of its site.
pub(super) async fn apply(run: &mut Run<'_>) -> Result<(), StepError> {
    let n = run.state.store.network_get(network_id(run)?).await?;
    let spec = sdn_network(run, &n).await?;
    for c in clusters(run, &n).await? {
        let agent = run.state.connections.get(&c, &run.state.sealer)?;
        let command = Command::EnsureNetwork {
            network: spec.clone(),
        };
        super::ask(run, agent.as_ref(), command)
            .await
            .map_err(|e| in_cluster(e, &c))?
            .done()?;
    }
    Ok(())
}

/// Removes the network from every cluster of its site (gone already is done).
pub(super) async fn teardown(run: &mut Run<'_>) -> Result<(), StepError> {
    let n = match run.state.store.network_get(network_id(run)?).await {
        Ok(n) => n,
        Err(Error::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let spec = sdn_network(run, &n).await?;
    for c in clusters(run, &n).await? {
        let agent = run.state.connections.get(&c, &run.state.sealer)?;
        let command = Command::RemoveNetwork {
            network: spec.clone(),
        };
        super::ask(run, agent.as_ref(), command)
            .await
            .map_err(|e| in_cluster(e, &c))?
            .done()?;
    }
    Ok(())
}

/// Names the cluster in a step's failure.
pub(super) fn in_cluster(e: StepError, c: &Cluster) -> StepError {
    let cluster = c.name.to_string();
    match e {
        StepError::Transient { message, source } => StepError::Transient {
            message: format!("cluster {cluster}: {message}"),
            source,
        },
        StepError::Permanent { message, source } => StepError::Permanent {
            message: format!("cluster {cluster}: {message}"),
            source,
        },
    }
}

/// The network is ready for guests.
pub(super) async fn ready(run: &mut Run<'_>) -> Result<(), StepError> {
    run.state
        .store
        .network_set_state(network_id(run)?, NetworkState::Ready, "")
        .await?;
    // A network may make its tenant span sites: the site links carry it from now on.
    crate::site_link_sync::push_all(run.state).await;
    Ok(())
}

/// Forgets the network, giving back its quota and tag.
pub(super) async fn forget(run: &mut Run<'_>) -> Result<(), StepError> {
    run.state.store.network_remove(network_id(run)?).await?;
    crate::site_link_sync::push_all(run.state).await;
    Ok(())
}

/// The bookkeeping of a failed network operation: a creation (already removed from its
/// clusters by the undo) is forgotten; a change gets its subnets back (the agent rolled the
/// clusters back); a removal, or a change, leaves the network ready, with the error.
pub(super) async fn failed(run: &mut Run<'_>, id: NetworkId, error: &str) -> Result<(), Error> {
    if run.op.kind == scmp_common::OperationKind::NetworkUpdate {
        let previous = scmp_store::subnets_from_json(&run.op.params["previous"])
            .ok_or_else(|| Error::internal("a network change without what it replaced"))?;
        let description = run.op.params["previous_description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        run.state
            .store
            .network_restore(id, &description, &previous)
            .await?;
    }
    match run.op.kind {
        scmp_common::OperationKind::NetworkCreate => run.state.store.network_remove(id).await,
        _ => match run
            .state
            .store
            .network_set_state(id, NetworkState::Ready, error)
            .await
        {
            Err(Error::NotFound { .. }) => Ok(()),
            other => other,
        },
    }
}
