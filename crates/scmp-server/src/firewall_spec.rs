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
    /// The name prefixes of the groups' IP sets (one not asked for is left over).
    pub owned: Vec<String>,
}

/// The IP set of a group's rule `i` whose other side is a list of networks.
pub fn rule_ipset(g: &SecurityGroup, i: usize) -> String {
    format!("{}-r{i}", g.pve_name)
}

/// Whether an address list takes in every address (`0.0.0.0/0`, `::/0`): Proxmox takes no zero
/// prefix in an IP set, and such a rule names no source or destination at all.
fn is_everything(cidrs: &[String]) -> bool {
    cidrs.iter().any(|c| c.ends_with("/0"))
}

/// The IP sets of a group's rules' address lists.
fn rule_ipsets(g: &SecurityGroup) -> Vec<FwIpSet> {
    g.rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.remote {
            Remote::Cidrs(c) if !is_everything(c) => Some(FwIpSet {
                name: rule_ipset(g, i),
                comment: format!("scmp: {} rule {}", g.name, i + 1),
                cidrs: c.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Every IP set of a group: its members' and its rules' address lists.
pub fn group_ipsets(g: &SecurityGroup) -> Vec<String> {
    let mut out = vec![g.members_ipset()];
    out.extend(rule_ipsets(g).into_iter().map(|s| s.name));
    out
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
            Remote::Cidrs(c) if is_everything(c) => None,
            // A tenant's address list is an IP set on Proxmox.
            Remote::Cidrs(_) => Some(format!("+{}", rule_ipset(g, i))),
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
        ipsets.extend(rule_ipsets(g));
        groups.push(FwGroup {
            name: g.pve_name.clone(),
            comment: format!("scmp: {}", g.name),
            rules: rules(g, &records),
        });
    }
    let owned = records.iter().map(|g| format!("{}-", g.pve_name)).collect();
    Ok(Desired {
        ipsets,
        groups,
        records,
        owned,
    })
}

/// What the agent found different that concerns `g` (its group or its IP set), in words.
pub fn differences_of(g: &SecurityGroup, found: &[FwDifference]) -> Vec<String> {
    let prefix = format!("{}-", g.pve_name);
    found
        .iter()
        .filter(|d| d.name == g.pve_name || d.name.starts_with(&prefix))
        .map(|d| d.what.clone())
        .collect()
}
