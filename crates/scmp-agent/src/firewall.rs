//! Security groups on the Proxmox VE firewall: a project's groups and the IP sets their rules name
//! are made to match what scmp holds (the differences are answered, and repaired when asked), a
//! guest's firewall is enabled with one `group` rule per security group it is in, and a group is
//! taken down. Like the other actions, each is idempotent.

use std::collections::BTreeSet;

use pve_client::PveApi;
use pve_types::api::firewall::{FirewallOptions, Rule, RuleType};
use pve_types::api::guest::GuestKind as PveKind;
use serde::{Deserialize, Serialize};

use crate::actions::Error;

/// An IP set as scmp wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FwIpSet {
    /// Its name (at most 64 characters).
    pub name: String,
    /// Its comment.
    pub comment: String,
    /// Its addresses and networks.
    pub cidrs: Vec<String>,
}

/// A security group as scmp wants it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FwGroup {
    /// Its name (at most 18 characters).
    pub name: String,
    /// Its comment.
    pub comment: String,
    /// Its rules, first to last.
    pub rules: Vec<Rule>,
}

/// One difference between what is asked for and what Proxmox holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FwDifference {
    /// The group or IP set it concerns.
    pub name: String,
    /// What differs, in words.
    pub what: String,
}

fn differs(name: &str, what: String) -> FwDifference {
    FwDifference {
        name: name.to_string(),
        what,
    }
}

/// Makes the IP sets and then the groups (whose rules may name the sets) match, then removes
/// the IP sets named with an `owned` prefix that are not asked for (no rule names them any
/// more), and answers what differed; with `repair` false nothing is changed.
pub async fn ensure_firewall(
    api: &dyn PveApi,
    ipsets: &[FwIpSet],
    groups: &[FwGroup],
    owned: &[String],
    repair: bool,
) -> Result<Vec<FwDifference>, Error> {
    let mut differences = Vec::new();
    let existing: BTreeSet<String> = api.fw_ipsets().await?.into_iter().map(|s| s.name).collect();
    for set in ipsets {
        let current: BTreeSet<String> = if existing.contains(&set.name) {
            api.fw_ipset_entries(&set.name)
                .await?
                .into_iter()
                .map(|e| e.cidr)
                .collect()
        } else {
            differences.push(differs(
                &set.name,
                format!("IP set {} is missing", set.name),
            ));
            if repair {
                api.fw_ipset_create(&set.name, Some(&set.comment)).await?;
            }
            BTreeSet::new()
        };
        let wanted: BTreeSet<String> = set.cidrs.iter().cloned().collect();
        for cidr in wanted.difference(&current) {
            differences.push(differs(
                &set.name,
                format!("IP set {} lacks {cidr}", set.name),
            ));
            if repair {
                api.fw_ipset_add(&set.name, cidr, None).await?;
            }
        }
        for cidr in current.difference(&wanted) {
            differences.push(differs(
                &set.name,
                format!("IP set {} has {cidr} besides", set.name),
            ));
            if repair {
                api.fw_ipset_remove(&set.name, cidr).await?;
            }
        }
    }
    let existing: BTreeSet<String> = api
        .fw_groups()
        .await?
        .into_iter()
        .map(|g| g.group)
        .collect();
    for group in groups {
        let current = if existing.contains(&group.name) {
            api.fw_group_rules(&group.name).await?
        } else {
            differences.push(differs(
                &group.name,
                format!("security group {} is missing", group.name),
            ));
            if repair {
                api.fw_group_create(&group.name, Some(&group.comment))
                    .await?;
            }
            Vec::new()
        };
        if !same_rules(&current, &group.rules) {
            if existing.contains(&group.name) {
                differences.push(differs(
                    &group.name,
                    format!(
                        "security group {}: {} rules on Proxmox differ from the {} expected",
                        group.name,
                        current.len(),
                        group.rules.len()
                    ),
                ));
            }
            if repair {
                replace_group_rules(api, &group.name, current.len(), &group.rules).await?;
            }
        }
    }
    let wanted: BTreeSet<&str> = ipsets.iter().map(|s| s.name.as_str()).collect();
    for name in api.fw_ipsets().await?.into_iter().map(|s| s.name) {
        if wanted.contains(name.as_str()) || !owned.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        differences.push(differs(&name, format!("IP set {name} is left over")));
        if repair {
            api.fw_ipset_delete(&name).await?;
        }
    }
    Ok(differences)
}

/// Whether two rule lists do the same, in the same order.
fn same_rules(current: &[Rule], wanted: &[Rule]) -> bool {
    current.len() == wanted.len()
        && current
            .iter()
            .zip(wanted)
            .all(|(a, b)| a.meaning() == b.meaning())
}

/// Replaces a group's `count` rules by `rules` (a new rule goes to the top, so they are added
/// last first).
async fn replace_group_rules(
    api: &dyn PveApi,
    group: &str,
    count: usize,
    rules: &[Rule],
) -> Result<(), Error> {
    for _ in 0..count {
        api.fw_group_rule_delete(group, 0).await?;
    }
    for rule in rules.iter().rev() {
        api.fw_group_rule_create(group, rule).await?;
    }
    Ok(())
}

/// Takes security groups down (their rules, then the groups) and then the IP sets; gone already
/// is done.
pub async fn remove_firewall(
    api: &dyn PveApi,
    groups: &[String],
    ipsets: &[String],
) -> Result<(), Error> {
    let existing: BTreeSet<String> = api
        .fw_groups()
        .await?
        .into_iter()
        .map(|g| g.group)
        .collect();
    for g in groups.iter().filter(|g| existing.contains(*g)) {
        // PVE deletes an empty group only.
        let count = api.fw_group_rules(g).await?.len();
        replace_group_rules(api, g, count, &[]).await?;
        api.fw_group_delete(g).await?;
    }
    let existing: BTreeSet<String> = api.fw_ipsets().await?.into_iter().map(|s| s.name).collect();
    for s in ipsets.iter().filter(|s| existing.contains(*s)) {
        api.fw_ipset_delete(s).await?;
    }
    Ok(())
}

/// The guest's firewall: with groups, enabled, dropping what no rule accepts inbound and letting
/// everything out, its rules one `group` rule per security group; without, disabled and empty.
pub async fn set_guest_firewall(
    api: &dyn PveApi,
    kind: PveKind,
    node: &str,
    vmid: u32,
    groups: &[String],
) -> Result<(), Error> {
    let node = crate::actions::node(node)?;
    let vmid = crate::actions::vmid(vmid)?;
    let wanted: Vec<Rule> = groups
        .iter()
        .map(|g| {
            let mut r = Rule::new(RuleType::Group, g.clone());
            r.comment = Some("scmp security group".into());
            r
        })
        .collect();
    let current = api.fw_rules(kind, &node, vmid).await?;
    if !same_rules(&current, &wanted) {
        for _ in 0..current.len() {
            api.fw_rule_delete(kind, &node, vmid, 0).await?;
        }
        for rule in wanted.iter().rev() {
            api.fw_rule_create(kind, &node, vmid, rule).await?;
        }
    }
    let options = if groups.is_empty() {
        FirewallOptions {
            enable: Some(false),
            ..FirewallOptions::default()
        }
    } else {
        FirewallOptions {
            enable: Some(true),
            policy_in: Some("DROP".into()),
            policy_out: Some("ACCEPT".into()),
            ..FirewallOptions::default()
        }
    };
    let now = api.fw_options(kind, &node, vmid).await?;
    let differs = now.enable.unwrap_or(false) != options.enable.unwrap_or(false)
        || (options.policy_in.is_some() && now.policy_in != options.policy_in)
        || (options.policy_out.is_some() && now.policy_out != options.policy_out);
    if differs {
        api.fw_options_set(kind, &node, vmid, &options).await?;
    }
    Ok(())
}
