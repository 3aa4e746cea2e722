//! A cluster added to a site is given what the site's other clusters hold for its tenants: the
//! site's tenant networks and the projects' security groups there.

use scmp_agent::{Command, Reply};
use scmp_common::Error;
use scmp_store::Cluster;

use crate::context::AppState;

/// Makes the site's networks and security groups so on `cluster`.
pub async fn bring_up(state: &AppState, cluster: &Cluster) -> Result<(), Error> {
    let agent = state.connections.get(cluster, &state.sealer)?;
    let unavailable = |e: scmp_agent::AgentError| Error::Unavailable(e.to_string());
    for n in state.store.networks_at_site(cluster.site_id).await? {
        let network = crate::workflows::sdn_network_of(&state.store, &n).await?;
        agent
            .ask(Command::EnsureNetwork { network })
            .await
            .and_then(Reply::done)
            .map_err(unavailable)?;
    }
    for project in state
        .store
        .security_group_projects_at(cluster.site_id)
        .await?
    {
        let d = crate::firewall_spec::desired(&state.store, project, cluster.site_id).await?;
        agent
            .ask(Command::EnsureFirewall {
                ipsets: d.ipsets,
                groups: d.groups,
                owned: d.owned,
                repair: true,
            })
            .await
            .and_then(Reply::differences)
            .map_err(unavailable)?;
    }
    Ok(())
}
