//! What a project's security groups at a site are on Proxmox VE: per group, an IP set of its
//! members' addresses and a firewall group whose first rule lets in the group's own guests and
//! whose other rules are the group's, a rule naming another group naming that group's IP set.
//! The sagas make the site's clusters so; the inventory compares them with it (drift).

use pve_types::api::firewall::{Rule, RuleType};
use scmp_agent::firewall::{FwDifference, FwGroup, FwIpSet};
use scmp_common::{Error, ProjectId, SiteId};
use scmp_store::{DataStore, Direction, Remote, SecurityGroup, SecurityGroupState};

/// A project's groups at a site as Proxmox should hold them, with the groups they come from.
pub struct Desired {
    /// The member IP sets (made first: the groups' rules name them).
    pub ipsets: Vec<FwIpSet>,
    /// The firewall groups.
    pub groups: Vec<FwGroup>,
    /// The scmp groups, in the same order as `groups`.
    pub records: Vec<SecurityGroup>,
}

/// The firewall rules of one group.
fn rules(g: &SecurityGroup, all: &[SecurityGroup]) -> Vec<Rule> {
    let mut own = Rule::new(RuleType::In, "ACCEPT");
    own.source = Some(format!("+{}", g.members_ipset()));
    own.comment = Some("scmp: from the group's own guests".into());
    let mut out = vec![own];
    for (i, r) in g.rules.iter().enumerate() {
        let kind = match r.direction {
            Direction::In => RuleType::In,
            Direction::Out => RuleType::Out,
        };
        let remote = match &r.remote {
            Remote::Any => None,
            Remote::Cidrs(c) => Some(c.join(",")),
            Remote::Group(other) => match all.iter().find(|o| o.id == *other) {
                Some(o) => Some(format!("+{}", o.members_ipset())),
                // A group being deleted is named by no rule (the store refuses it).
                None => continue,
            },
        };
        let mut rule = Rule::new(kind, "ACCEPT");
        rule.proto = r.protocol.pve().map(str::to_string);
        rule.dport = r.pve_ports();
        match r.direction {
            Direction::In => rule.source = remote,
            Direction::Out => rule.dest = remote,
        }
        rule.comment = Some(if r.description.is_empty() {
            format!("scmp rule {}", i + 1)
        } else {
            r.description.clone()
        });
        out.push(rule);
    }
    out
}

/// What the project's groups at the site (those not being deleted) are on Proxmox.
pub async fn desired(
    store: &DataStore,
    project: ProjectId,
    site: SiteId,
) -> Result<Desired, Error> {
    let records: Vec<SecurityGroup> = store
        .security_groups_at(project, site)
        .await?
        .into_iter()
        .filter(|g| g.state != SecurityGroupState::Deleting)
        .collect();
    let mut ipsets = Vec::with_capacity(records.len());
    let mut groups = Vec::with_capacity(records.len());
    for g in &records {
        ipsets.push(FwIpSet {
            name: g.members_ipset(),
            comment: format!("scmp: members of {}", g.name),
            cidrs: store.security_group_member_addresses(g.id).await?,
        });
        groups.push(FwGroup {
            name: g.pve_name.clone(),
            comment: format!("scmp: {}", g.name),
            rules: rules(g, &records),
        });
    }
    Ok(Desired {
        ipsets,
        groups,
        records,
    })
}

/// What the agent found different that concerns `g` (its group or its IP set), in words.
pub fn differences_of(g: &SecurityGroup, found: &[FwDifference]) -> Vec<String> {
    let set = g.members_ipset();
    found
        .iter()
        .filter(|d| d.name == g.pve_name || d.name == set)
        .map(|d| d.what.clone())
        .collect()
}
