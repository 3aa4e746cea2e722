//! Security group drift: now and then each cluster's firewall is compared with what scmp holds
//! for the projects with groups at its site; what differs (a rule changed on Proxmox, a member
//! address gone) is recorded on the group and, where the cluster asks for it, repaired. A project
//! whose groups are being changed is left to its operation.

use scmp_agent::{Command, Reply};
use scmp_common::{DriftAction, Error};
use scmp_store::{Cluster, SecurityGroupState};

use crate::context::AppState;
use crate::firewall_spec::{desired, differences_of};

/// Compares (and, per the cluster's drift action, repairs) the security groups at one cluster.
pub async fn check_cluster(state: &AppState, cluster: &Cluster) -> Result<(), Error> {
    let projects = state
        .store
        .security_group_projects_at(cluster.site_id)
        .await?;
    if projects.is_empty() {
        return Ok(());
    }
    let agent = state.connections.get(cluster, &state.sealer)?;
    let repair = cluster.health.drift_action == DriftAction::Repair;
    for project in projects {
        let d = desired(&state.store, project, cluster.site_id).await?;
        let settled = d.records.iter().all(|g| {
            matches!(
                g.state,
                SecurityGroupState::Ready | SecurityGroupState::Failed
            )
        });
        if !settled || d.records.is_empty() {
            continue;
        }
        let found = agent
            .ask(Command::EnsureFirewall {
                ipsets: d.ipsets.clone(),
                groups: d.groups.clone(),
                owned: d.owned.clone(),
                repair,
            })
            .await
            .and_then(Reply::differences)
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        for g in &d.records {
            let diffs = differences_of(g, &found);
            let text = match (diffs.is_empty(), repair) {
                (true, _) => String::new(),
                (false, false) => format!("on cluster {}: {}", cluster.name, diffs.join("; ")),
                (false, true) => {
                    tracing::info!(group = %g.name, cluster = %cluster.name, drift = %diffs.join("; "), "security group repaired");
                    format!("repaired on cluster {}: {}", cluster.name, diffs.join("; "))
                }
            };
            state.store.security_group_set_drift(g.id, &text).await?;
        }
    }
    Ok(())
}
