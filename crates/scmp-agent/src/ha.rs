//! A guest under Proxmox HA with the placement scmp chose for it. On PVE 9: the HA resource, a node
//! affinity rule `scmp-<kind><vmid>` over the hosts it may run on (one priority, not strict, so
//! that it can still be kept apart from others), and for an anti-affinity group a negative resource
//! affinity rule shared by the group's HA guests on the cluster. On PVE 8, which has no rules: an
//! HA group per set of hosts (`scmp-<hash>`, not restricted, no failback), the group's separation
//! being scmp's placement alone.
//!
//! Each change is idempotent, and edits of a shared rule are retried when another changed the
//! rules in between (PVE's digest), or created it first.

use pve_client::PveApi;
use pve_types::api::ha::HaResourceCreate;
use pve_types::api::ha_placement::{
    HaAffinity, HaGroupCreate, HaRule, HaRuleCreate, HaRuleType, HaRuleUpdate,
};
use scmp_common::GuestKind;
use sha2::{Digest, Sha256};

use pve_client::Error;

/// Where an HA guest must be kept apart from others: the rule of its anti-affinity group, and
/// the HA guests of the group already on the cluster.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HaApart {
    /// The group's rule id (`scmp-aa-<hash>`).
    pub rule: String,
    /// The other HA guests of the group on the cluster.
    pub peers: Vec<(GuestKind, u32)>,
}

/// Prefix of the anti-affinity rules scmp makes.
const APART_PREFIX: &str = "scmp-aa-";
/// How often a shared rule's edit is tried before giving up.
const ATTEMPTS: usize = 4;

/// The HA resource id of a guest.
pub fn sid(kind: GuestKind, id: u32) -> String {
    match kind {
        GuestKind::Vm => format!("vm:{id}"),
        GuestKind::Ct => format!("ct:{id}"),
    }
}

/// The rule id of an anti-affinity group (of a project): short, stable and a PVE config id.
pub fn apart_rule(scope: &str, group: &str) -> String {
    let h = Sha256::digest(format!("{scope}/{group}").as_bytes());
    format!("{APART_PREFIX}{}", &hex::encode(h)[..12])
}

/// Whether the cluster places HA resources with rules (PVE 9 and later).
async fn has_rules(api: &dyn PveApi) -> Result<bool, Error> {
    let v = api.version().await?;
    let major: u32 = v
        .version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    Ok(major >= 9)
}

/// PVE 8's group for a set of hosts, made when missing.
async fn ensure_group(api: &dyn PveApi, nodes: &[String]) -> Result<String, Error> {
    let mut sorted = nodes.to_vec();
    sorted.sort();
    let list = sorted.join(",");
    let id = format!(
        "scmp-{}",
        &hex::encode(Sha256::digest(list.as_bytes()))[..10]
    );
    if !api.ha_groups().await?.iter().any(|g| g.group == id) {
        let made = api
            .ha_group_create(&HaGroupCreate {
                group: id.clone(),
                nodes: list,
                restricted: false,
                nofailback: true,
                comment: Some("scmp: the hosts its guests may run on".into()),
            })
            .await;
        // Made meanwhile by another guest's creation: the same group.
        if let Err(e) = made {
            if !api.ha_groups().await?.iter().any(|g| g.group == id) {
                return Err(e);
            }
        }
    }
    Ok(id)
}

/// Puts the guest under HA, on `nodes` (any host when empty), kept apart as `apart` says.
pub async fn ensure(
    api: &dyn PveApi,
    kind: GuestKind,
    id: u32,
    nodes: &[String],
    apart: Option<&HaApart>,
) -> Result<(), Error> {
    let sid = sid(kind, id);
    let rules = has_rules(api).await?;
    if !api.ha_resources().await?.iter().any(|r| r.sid == sid) {
        let group = match (rules, nodes.is_empty()) {
            (false, false) => Some(ensure_group(api, nodes).await?),
            _ => None,
        };
        api.ha_resource_create(&HaResourceCreate {
            sid: sid.clone(),
            state: None,
            max_restart: None,
            max_relocate: None,
            comment: Some("scmp".into()),
            group,
        })
        .await?;
    }
    if !rules {
        return Ok(());
    }
    if !nodes.is_empty() {
        let rule = format!("scmp-{}", sid.replace(':', ""));
        if !api.ha_rules().await?.iter().any(|r| r.rule == rule) {
            api.ha_rule_create(&HaRuleCreate {
                rule,
                kind: HaRuleType::NodeAffinity,
                resources: sid.clone(),
                nodes: Some(nodes.join(",")),
                strict: Some(false),
                affinity: None,
                comment: Some("scmp: the hosts it may run on".into()),
            })
            .await?;
        }
    }
    if let Some(apart) = apart {
        join_apart(api, &sid, apart).await?;
    }
    Ok(())
}

/// Adds the guest to its group's negative rule, made with the group's HA guests when missing.
async fn join_apart(api: &dyn PveApi, sid: &str, apart: &HaApart) -> Result<(), Error> {
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let configured: Vec<String> = api
            .ha_resources()
            .await?
            .into_iter()
            .map(|r| r.sid)
            .collect();
        let current = api
            .ha_rules()
            .await?
            .into_iter()
            .find(|r| r.rule == apart.rule);
        let outcome = match current {
            Some(rule) if rule.resource_list().contains(&sid) => return Ok(()),
            Some(rule) => {
                let mut members: Vec<&str> = rule.resource_list();
                members.push(sid);
                set_members(api, &rule, &members).await
            }
            None => {
                let mut members: Vec<String> = apart
                    .peers
                    .iter()
                    .map(|(k, v)| self::sid(*k, *v))
                    .filter(|s| configured.contains(s))
                    .collect();
                if members.is_empty() {
                    // Alone in its group on this cluster: nothing to keep apart from yet.
                    return Ok(());
                }
                members.push(sid.to_string());
                members.sort();
                api.ha_rule_create(&HaRuleCreate {
                    rule: apart.rule.clone(),
                    kind: HaRuleType::ResourceAffinity,
                    resources: members.join(","),
                    nodes: None,
                    strict: None,
                    affinity: Some(HaAffinity::Negative),
                    comment: Some("scmp: an anti-affinity group".into()),
                })
                .await
            }
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Makes `members` the resources of a resource affinity rule, unless the rules changed since it
/// was read.
async fn set_members(api: &dyn PveApi, rule: &HaRule, members: &[&str]) -> Result<(), Error> {
    api.ha_rule_update(
        &rule.rule,
        &HaRuleUpdate {
            kind: HaRuleType::ResourceAffinity,
            resources: Some(members.join(",")),
            nodes: None,
            digest: rule.digest.clone(),
        },
    )
    .await
}

/// Takes the guest out of HA; its group's rule goes when fewer than two guests are left in it
/// (PVE 9 takes the resource out of its rules with the resource).
pub async fn remove(api: &dyn PveApi, kind: GuestKind, id: u32) -> Result<(), Error> {
    let sid = sid(kind, id);
    if !api.ha_resources().await?.iter().any(|r| r.sid == sid) {
        // Not under HA (or taken out before): no rule names it.
        return Ok(());
    }
    api.ha_resource_delete(&sid).await?;
    if !has_rules(api).await? {
        return Ok(());
    }
    let left: Vec<HaRule> = api
        .ha_rules()
        .await?
        .into_iter()
        .filter(|r| r.rule.starts_with(APART_PREFIX))
        .filter(|r| {
            let members = r.resource_list();
            members.len() < 2 || members.contains(&sid.as_str())
        })
        .collect();
    for rule in left {
        let members: Vec<&str> = rule
            .resource_list()
            .into_iter()
            .filter(|s| *s != sid)
            .collect();
        if members.len() < 2 {
            api.ha_rule_delete(&rule.rule).await?;
        } else {
            set_members(api, &rule, &members).await?;
        }
    }
    Ok(())
}
