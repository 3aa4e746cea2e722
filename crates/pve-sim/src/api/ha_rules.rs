//! `/cluster/ha/rules` (PVE 9): node and resource affinity rules, refused as PVE refuses them
//! (unmanaged resources, unknown nodes, infeasible combinations: `Rule '<id>' is invalid.` with
//! the option at fault).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::ha_rules::check_feasibility;
use crate::model::{Cluster, HaRuleKind, HaRuleRec};

/// A digest over the whole rules file, as PVE gives one per read.
fn digest(c: &Cluster) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(&c.ha_rules).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))[..40].to_string()
}

fn render(c: &Cluster, r: &HaRuleRec, errors: Option<&BTreeMap<String, Vec<String>>>) -> Value {
    let mut m = Map::new();
    m.insert("rule".into(), json!(r.rule));
    m.insert("type".into(), json!(r.type_name()));
    m.insert(
        "resources".into(),
        json!(r.resources.iter().cloned().collect::<Vec<_>>().join(",")),
    );
    m.insert("digest".into(), json!(digest(c)));
    m.insert("order".into(), json!(r.order));
    m.insert("disable".into(), json!(u8::from(r.disable)));
    match &r.kind {
        HaRuleKind::NodeAffinity { strict, .. } => {
            m.insert("nodes".into(), json!(r.nodes_text()));
            m.insert("strict".into(), json!(u8::from(*strict)));
        }
        HaRuleKind::ResourceAffinity { positive } => {
            let a = if *positive { "positive" } else { "negative" };
            m.insert("affinity".into(), json!(a));
        }
    }
    if let Some(cm) = &r.comment {
        m.insert("comment".into(), json!(cm));
    }
    if let Some(e) = errors {
        let e: Map<String, Value> = e.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        m.insert("errors".into(), Value::Object(e));
    }
    Value::Object(m)
}

/// Reads `vm:100,ct:101`: each one a configured HA resource.
fn parse_resources(c: &Cluster, text: &str) -> Result<BTreeSet<String>, ApiError> {
    let mut out = BTreeSet::new();
    for sid in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let valid = sid
            .split_once(':')
            .is_some_and(|(t, id)| matches!(t, "vm" | "ct") && id.parse::<u32>().is_ok());
        if !valid {
            return Err(ApiError::param(
                "resources",
                format!("value does not look like a valid ha resource id: {sid}"),
            ));
        }
        out.insert(sid.to_string());
    }
    if out.is_empty() {
        return Err(ApiError::fail("no resources were specified"));
    }
    let unmanaged: Vec<&str> = out
        .iter()
        .filter(|s| !c.ha.contains_key(*s))
        .map(String::as_str)
        .collect();
    if !unmanaged.is_empty() {
        return Err(ApiError::fail(format!(
            "cannot use unmanaged resource(s) {}.",
            unmanaged.join(", ")
        )));
    }
    Ok(out)
}

/// Reads `node[:pri],...`: each one a node of the cluster.
fn parse_nodes(c: &Cluster, text: &str) -> Result<BTreeMap<String, u32>, ApiError> {
    let mut out = BTreeMap::new();
    for entry in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (node, prio) = entry.split_once(':').unwrap_or((entry, "0"));
        let Ok(prio) = prio.parse::<u32>() else {
            return Err(ApiError::param(
                "nodes",
                format!("value does not look like a valid node list: {entry}"),
            ));
        };
        out.insert(node.to_string(), prio);
    }
    if out.is_empty() {
        return Err(ApiError::fail("no nodes were specified"));
    }
    let unknown: Vec<&str> = out
        .keys()
        .filter(|n| c.node(n).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::fail(format!(
            "cannot use non-existent node(s) {}.",
            unknown.join(", ")
        )));
    }
    Ok(out)
}

/// Refuses the change when it leaves `id` infeasible, with PVE's message and the options at fault.
fn assert_feasible(
    c: &Cluster,
    rules: &BTreeMap<String, HaRuleRec>,
    id: &str,
) -> Result<(), ApiError> {
    let errors = check_feasibility(rules, c.nodes.len());
    let Some(mine) = errors.get(id) else {
        return Ok(());
    };
    let fields = mine
        .iter()
        .map(|(k, v)| (k.clone(), v.join(", ")))
        .collect();
    let mut e = ApiError::new(400, format!("Rule '{id}' is invalid."));
    e.errors = Some(fields);
    Err(e)
}

/// `GET /cluster/ha/rules`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let errors = check_feasibility(&c.ha_rules, c.nodes.len());
    let mut rules: Vec<&HaRuleRec> = c
        .ha_rules
        .values()
        .filter(|x| r.get("type").is_none_or(|t| t == x.type_name()))
        .filter(|x| r.get("resource").is_none_or(|s| x.resources.contains(s)))
        .collect();
    rules.sort_by_key(|x| x.order);
    Ok(Value::Array(
        rules
            .into_iter()
            .map(|x| render(c, x, errors.get(&x.rule)))
            .collect(),
    ))
}

fn missing(id: &str) -> ApiError {
    ApiError::fail(format!("no such ha rule '{id}'"))
}

/// `GET /cluster/ha/rules/{rule}`.
pub fn get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("rule");
    let errors = check_feasibility(&c.ha_rules, c.nodes.len());
    let rule = c.ha_rules.get(id).ok_or_else(|| missing(id))?;
    Ok(render(c, rule, errors.get(id)))
}

/// Refuses options of the other rule type, as PVE's section config does.
fn check_options(r: &Request, node_affinity: bool) -> Result<(), ApiError> {
    let foreign: &[&str] = if node_affinity {
        &["affinity"]
    } else {
        &["nodes", "strict"]
    };
    for key in foreign {
        if r.get(key).is_some() {
            return Err(ApiError::param(
                key,
                "property is not defined in schema and the schema does not allow additional properties",
            ));
        }
    }
    Ok(())
}

/// `POST /cluster/ha/rules`.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("rule").to_string();
    let node_affinity = r.req("type") == "node-affinity";
    check_options(r, node_affinity)?;
    let kind = if node_affinity {
        let Some(nodes) = r.get("nodes") else {
            return Err(ApiError::param(
                "nodes",
                "property is missing and it is not optional",
            ));
        };
        HaRuleKind::NodeAffinity {
            nodes: parse_nodes(c, nodes)?,
            strict: r.flag("strict"),
        }
    } else {
        let Some(affinity) = r.get("affinity") else {
            return Err(ApiError::param(
                "affinity",
                "property is missing and it is not optional",
            ));
        };
        HaRuleKind::ResourceAffinity {
            positive: affinity == "positive",
        }
    };
    if c.ha_rules.contains_key(&id) {
        return Err(ApiError::fail(format!("HA rule '{id}' already defined")));
    }
    let resources = parse_resources(c, r.req("resources"))?;
    let order = c.ha_rules.values().map(|x| x.order).max().unwrap_or(0) + 1;
    let mut rules = c.ha_rules.clone();
    rules.insert(
        id.clone(),
        HaRuleRec {
            rule: id.clone(),
            kind,
            resources,
            comment: r.get("comment").map(str::to_string),
            disable: r.flag("disable"),
            order,
        },
    );
    assert_feasible(c, &rules, &id)?;
    c.ha_rules = rules;
    c.config_version += 1;
    Ok(Value::Null)
}

/// `PUT /cluster/ha/rules/{rule}`: changes what is given, removes what `delete` names, refused
/// when `digest` is stale or the type is not the rule's.
pub fn update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("rule").to_string();
    let Some(current) = c.ha_rules.get(&id).cloned() else {
        return Err(ApiError::fail(format!("HA rule '{id}' does not exist")));
    };
    if r.req("type") != current.type_name() {
        return Err(ApiError::fail("types does not match"));
    }
    if let Some(d) = r.get("digest") {
        if d != digest(c) {
            return Err(ApiError::fail(
                "detected modified configuration - file changed by other user? Try again.",
            ));
        }
    }
    let node_affinity = matches!(current.kind, HaRuleKind::NodeAffinity { .. });
    check_options(r, node_affinity)?;
    let mut rule = current;
    for key in r.get("delete").unwrap_or_default().split([',', ';', ' ']) {
        match key {
            "" => {}
            "comment" => rule.comment = None,
            "disable" => rule.disable = false,
            "strict" if node_affinity => {
                if let HaRuleKind::NodeAffinity { strict, .. } = &mut rule.kind {
                    *strict = false;
                }
            }
            "resources" | "nodes" | "affinity" => {
                return Err(ApiError::fail(format!(
                    "unable to delete required option '{key}'"
                )))
            }
            other => return Err(ApiError::fail(format!("no such option '{other}'"))),
        }
    }
    if let Some(text) = r.get("resources") {
        rule.resources = parse_resources(c, text)?;
    }
    if let Some(cm) = r.get("comment") {
        rule.comment = Some(cm.to_string());
    }
    if r.get("disable").is_some() {
        rule.disable = r.flag("disable");
    }
    match &mut rule.kind {
        HaRuleKind::NodeAffinity { nodes, strict } => {
            if let Some(text) = r.get("nodes") {
                *nodes = parse_nodes(c, text)?;
            }
            if r.get("strict").is_some() {
                *strict = r.flag("strict");
            }
        }
        HaRuleKind::ResourceAffinity { positive } => {
            if let Some(a) = r.get("affinity") {
                *positive = a == "positive";
            }
        }
    }
    let mut rules = c.ha_rules.clone();
    rules.insert(id.clone(), rule);
    assert_feasible(c, &rules, &id)?;
    c.ha_rules = rules;
    c.config_version += 1;
    Ok(Value::Null)
}

/// `DELETE /cluster/ha/rules/{rule}`: removing an absent rule is no error, as in PVE.
pub fn delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    if c.ha_rules.remove(r.req("rule")).is_some() {
        c.config_version += 1;
    }
    Ok(Value::Null)
}

/// What deleting an HA resource does to the rules on PVE 9 with `purge` (the default): the
/// resource leaves every rule, and rules left without resources go.
pub fn purge_resource(c: &mut Cluster, sid: &str) {
    for rule in c.ha_rules.values_mut() {
        rule.resources.remove(sid);
    }
    c.ha_rules.retain(|_, x| !x.resources.is_empty());
}
