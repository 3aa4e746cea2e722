//! PVE 9's HA rules: node affinity (which nodes a resource prefers or is bound to) and resource
//! affinity (resources kept together or apart), with the feasibility checks PVE runs on every
//! change (`PVE::HA::Rules` and its plugins), and the nodes the HA manager may recover a resource
//! to under them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// What a rule says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HaRuleKind {
    /// Resources prefer (or, when strict, are bound to) nodes; higher priority first.
    NodeAffinity {
        /// Node to priority (0 when not given).
        nodes: BTreeMap<String, u32>,
        /// Bound to the nodes, stopped when none of them is available.
        strict: bool,
    },
    /// Resources kept on the same node (positive) or on separate nodes (negative).
    ResourceAffinity {
        /// Together rather than apart.
        positive: bool,
    },
}

/// One HA rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HaRuleRec {
    /// Its id.
    pub rule: String,
    /// Its type and settings.
    pub kind: HaRuleKind,
    /// The HA resource ids it covers (`vm:100`).
    pub resources: BTreeSet<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Disabled rules are kept but not applied.
    pub disable: bool,
    /// Its position in the rules file (rules are listed in this order).
    pub order: u64,
}

impl HaRuleRec {
    /// `node-affinity` or `resource-affinity`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            HaRuleKind::NodeAffinity { .. } => "node-affinity",
            HaRuleKind::ResourceAffinity { .. } => "resource-affinity",
        }
    }

    /// `node[:pri],...` as PVE writes it.
    pub fn nodes_text(&self) -> Option<String> {
        match &self.kind {
            HaRuleKind::NodeAffinity { nodes, .. } => Some(
                nodes
                    .iter()
                    .map(|(n, p)| {
                        if *p == 0 {
                            n.clone()
                        } else {
                            format!("{n}:{p}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            HaRuleKind::ResourceAffinity { .. } => None,
        }
    }

    fn is_negative(&self) -> bool {
        self.kind == HaRuleKind::ResourceAffinity { positive: false }
    }

    fn is_positive(&self) -> bool {
        self.kind == HaRuleKind::ResourceAffinity { positive: true }
    }
}

/// Per rule, per option, what is wrong with it.
pub type RuleErrors = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn blame(errors: &mut RuleErrors, rule: &str, message: &str) {
    errors
        .entry(rule.to_string())
        .or_default()
        .entry("resources".to_string())
        .or_default()
        .push(message.to_string());
}

/// PVE's feasibility checks over the enabled rules of a cluster of `node_count` nodes.
pub fn check_feasibility(rules: &BTreeMap<String, HaRuleRec>, node_count: usize) -> RuleErrors {
    let mut errors = RuleErrors::new();
    let enabled: Vec<&HaRuleRec> = rules.values().filter(|r| !r.disable).collect();
    let node_rules: Vec<&HaRuleRec> = enabled
        .iter()
        .copied()
        .filter(|r| matches!(r.kind, HaRuleKind::NodeAffinity { .. }))
        .collect();
    // A resource is in one node affinity rule at most.
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &node_rules {
        for sid in &r.resources {
            users.entry(sid).or_default().push(&r.rule);
        }
    }
    for (sid, ids) in &users {
        if ids.len() > 1 {
            for id in ids {
                blame(
                    &mut errors,
                    id,
                    &format!("resource '{sid}' is already used in another node affinity rule"),
                );
            }
        }
    }
    for r in enabled
        .iter()
        .filter(|r| matches!(r.kind, HaRuleKind::ResourceAffinity { .. }))
    {
        if r.resources.len() < 2 {
            blame(
                &mut errors,
                &r.rule,
                "rule is ineffective as there are less than two resources",
            );
        }
        if r.is_negative() && r.resources.len() > node_count {
            blame(
                &mut errors,
                &r.rule,
                "rule defines more resources than available nodes",
            );
        }
        // Resources kept together or apart cannot have node preferences in several classes.
        let paired: Vec<&HaRuleRec> = node_rules
            .iter()
            .copied()
            .filter(|n| !n.resources.is_disjoint(&r.resources))
            .collect();
        let multi = paired.iter().any(|n| match &n.kind {
            HaRuleKind::NodeAffinity { nodes, .. } => {
                nodes.values().collect::<BTreeSet<_>>().len() > 1
            }
            HaRuleKind::ResourceAffinity { .. } => false,
        });
        if multi {
            blame(
                &mut errors,
                &r.rule,
                "resources are in node affinity rules with multiple priorities",
            );
            for n in &paired {
                blame(
                    &mut errors,
                    &n.rule,
                    "resources are in a resource affinity rule and cannot be in a node affinity rule with multiple priorities",
                );
            }
        }
        if r.is_negative() {
            // The nodes the located resources may use must be enough to keep them apart.
            let mut located = BTreeSet::new();
            let mut allowed = BTreeSet::new();
            for n in &paired {
                located.extend(n.resources.intersection(&r.resources).cloned());
                if let HaRuleKind::NodeAffinity { nodes, .. } = &n.kind {
                    allowed.extend(nodes.keys().cloned());
                }
            }
            if allowed.len() < located.len() {
                blame(
                    &mut errors,
                    &r.rule,
                    "two or more resources are restricted to less nodes than available to the resources",
                );
                for n in &paired {
                    blame(
                        &mut errors,
                        &n.rule,
                        "at least one resource is in a negative resource affinity rule and this rule would restrict these to less nodes than available to the resources",
                    );
                }
            }
        }
    }
    // Resources cannot be kept both together and apart.
    for pos in enabled.iter().filter(|r| r.is_positive()) {
        for neg in enabled.iter().filter(|r| r.is_negative()) {
            if pos.resources.intersection(&neg.resources).count() >= 2 {
                blame(
                    &mut errors,
                    &pos.rule,
                    "rule shares two or more resources with a negative resource affinity rule",
                );
                blame(
                    &mut errors,
                    &neg.rule,
                    "rule shares two or more resources with a positive resource affinity rule",
                );
            }
        }
    }
    errors
}

/// Where the rules let `sid` run, among `candidates` (online, quorate nodes other than the failed
/// one), given where the other resources are (`placed`: resource to node): the highest-priority
/// nodes of its node affinity (any candidate when a non-strict rule's nodes are all gone), without
/// nodes of resources it must keep apart from, and only the node of resources it must stay with.
pub fn allowed_nodes(
    rules: &BTreeMap<String, HaRuleRec>,
    sid: &str,
    candidates: &BTreeSet<String>,
    placed: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut allowed = candidates.clone();
    let applying = rules
        .values()
        .filter(|r| !r.disable && r.resources.contains(sid));
    for r in applying {
        match &r.kind {
            HaRuleKind::NodeAffinity { nodes, strict } => {
                let available: Vec<(&String, &u32)> =
                    nodes.iter().filter(|(n, _)| allowed.contains(*n)).collect();
                match available.iter().map(|(_, p)| **p).max() {
                    Some(top) => {
                        allowed = available
                            .into_iter()
                            .filter(|(_, p)| **p == top)
                            .map(|(n, _)| n.clone())
                            .collect();
                    }
                    None if *strict => allowed.clear(),
                    None => {}
                }
            }
            HaRuleKind::ResourceAffinity { positive } => {
                let others: BTreeSet<&String> = r
                    .resources
                    .iter()
                    .filter(|s| s.as_str() != sid)
                    .filter_map(|s| placed.get(s))
                    .collect();
                if *positive {
                    if let Some(node) = others.iter().next() {
                        allowed.retain(|n| n == *node);
                    }
                } else {
                    allowed.retain(|n| !others.contains(n));
                }
            }
        }
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, kind: HaRuleKind, resources: &[&str]) -> HaRuleRec {
        HaRuleRec {
            rule: id.into(),
            kind,
            resources: resources.iter().map(|s| s.to_string()).collect(),
            comment: None,
            disable: false,
            order: 0,
        }
    }

    fn set(rules: Vec<HaRuleRec>) -> BTreeMap<String, HaRuleRec> {
        rules.into_iter().map(|r| (r.rule.clone(), r)).collect()
    }

    #[test]
    fn the_checks_blame_the_rules_pve_blames() {
        let apart = HaRuleKind::ResourceAffinity { positive: false };
        let together = HaRuleKind::ResourceAffinity { positive: true };
        let errors = check_feasibility(&set(vec![rule("one", apart.clone(), &["vm:100"])]), 3);
        assert_eq!(
            errors["one"]["resources"],
            ["rule is ineffective as there are less than two resources"]
        );
        let four = rule("four", apart.clone(), &["vm:1", "vm:2", "vm:3", "vm:4"]);
        let errors = check_feasibility(&set(vec![four]), 3);
        assert_eq!(
            errors["four"]["resources"],
            ["rule defines more resources than available nodes"]
        );
        let errors = check_feasibility(
            &set(vec![
                rule("a", apart, &["vm:1", "vm:2"]),
                rule("t", together, &["vm:1", "vm:2"]),
            ]),
            3,
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        let prio = HaRuleKind::NodeAffinity {
            nodes: [("pve1".to_string(), 2), ("pve2".to_string(), 1)].into(),
            strict: false,
        };
        let errors = check_feasibility(
            &set(vec![
                rule("n1", prio.clone(), &["vm:1"]),
                rule("n2", prio, &["vm:1"]),
            ]),
            3,
        );
        assert!(errors["n1"]["resources"][0].contains("already used"));
    }

    #[test]
    fn recovery_follows_priority_strictness_and_separation() {
        let all: BTreeSet<String> = ["pve2", "pve3"].iter().map(|s| s.to_string()).collect();
        let rules = set(vec![
            rule(
                "pin",
                HaRuleKind::NodeAffinity {
                    nodes: [("pve1".to_string(), 0)].into(),
                    strict: true,
                },
                &["vm:100"],
            ),
            rule(
                "apart",
                HaRuleKind::ResourceAffinity { positive: false },
                &["vm:101", "vm:102"],
            ),
        ]);
        assert!(allowed_nodes(&rules, "vm:100", &all, &BTreeMap::new()).is_empty());
        let placed = [("vm:102".to_string(), "pve2".to_string())].into();
        assert_eq!(
            allowed_nodes(&rules, "vm:101", &all, &placed),
            ["pve3".to_string()].into()
        );
        assert_eq!(allowed_nodes(&rules, "vm:103", &all, &placed), all);
    }
}
