//! `/cluster/firewall/groups`, `/cluster/firewall/ipset` and a guest's `firewall/options` and
//! `firewall/rules`: security groups, IP sets and guest rules with PVE's verification, digests,
//! positions (new rules go to the top, disabled unless `enable` is given) and refusals.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::firewall::{
    clean_cidr, digest, FwGroup, IpSet, IpSetEntry, Rule, RuleEnv, RuleError, RULE_PROPERTIES,
};
use crate::model::Cluster;

/// Options answered as 0/1.
const OPTION_BOOLEANS: &[&str] = &["enable", "dhcp", "ipfilter", "macfilter", "ndp", "radv"];
/// The options a guest's firewall has.
const OPTIONS: &[&str] = &[
    "enable",
    "dhcp",
    "ipfilter",
    "macfilter",
    "ndp",
    "radv",
    "policy_in",
    "policy_out",
    "log_level_in",
    "log_level_out",
];

fn modified() -> ApiError {
    ApiError::fail("detected modified configuration - file changed by other user? Try again.")
}

fn check_digest(current: &str, r: &Request) -> Result<(), ApiError> {
    match r.get("digest") {
        Some(d) if d != current => Err(modified()),
        _ => Ok(()),
    }
}

/// Whose rules a call is about.
#[derive(Clone, Copy)]
enum Place {
    Group,
    Guest,
}

impl Place {
    fn env(self) -> RuleEnv {
        match self {
            Place::Group => RuleEnv::Group,
            Place::Guest => RuleEnv::Guest,
        }
    }
}

fn rule_error(e: RuleError) -> ApiError {
    match e {
        RuleError::Param(k, m) => ApiError::param(&k, m),
        RuleError::Fail(m) => ApiError::fail(m),
    }
}

fn no_group(name: &str) -> ApiError {
    ApiError::fail(format!("no such security group '{name}'"))
}

/// The guest of the path (it must exist on the path's node, of the path's kind).
fn check_guest(c: &Cluster, r: &Request) -> Result<(), ApiError> {
    match c.guests.get(&r.vmid()) {
        Some(g) if g.kind == r.kind() && g.node == r.node() => Ok(()),
        _ => Err(ApiError::no_config(r.kind(), r.node(), r.vmid())),
    }
}

fn rules<'a>(c: &'a Cluster, r: &Request, place: Place) -> Result<&'a Vec<Rule>, ApiError> {
    match place {
        Place::Group => c
            .firewall
            .groups
            .get(r.req("group"))
            .map(|g| &g.rules)
            .ok_or_else(|| no_group(r.req("group"))),
        Place::Guest => {
            check_guest(c, r)?;
            c.guests
                .get(&r.vmid())
                .map(|g| &g.firewall.rules)
                .ok_or_else(|| ApiError::no_config(r.kind(), r.node(), r.vmid()))
        }
    }
}

fn rules_mut<'a>(c: &'a mut Cluster, r: &Request, place: Place) -> Option<&'a mut Vec<Rule>> {
    match place {
        Place::Group => c
            .firewall
            .groups
            .get_mut(r.req("group"))
            .map(|g| &mut g.rules),
        Place::Guest => c.guests.get_mut(&r.vmid()).map(|g| &mut g.firewall.rules),
    }
}

fn render_rule(pos: usize, rule: &Rule, digest: &str) -> Value {
    let mut m = Map::new();
    m.insert("pos".into(), json!(pos));
    for (k, v) in rule {
        let value = match k.as_str() {
            "enable" | "ipversion" => v.parse::<i64>().map(Value::from).unwrap_or(json!(v)),
            _ => json!(v),
        };
        m.insert(k.clone(), value);
    }
    m.insert("digest".into(), json!(digest));
    Value::Object(m)
}

/// Copies the rule properties of the call into `rule` (`''` or `-` removes one), as PVE's
/// `copy_rule_data`.
fn copy_rule_data(rule: &mut Rule, r: &Request) {
    for k in RULE_PROPERTIES {
        if let Some(v) = r.get(k) {
            if v.is_empty() || v == "-" {
                rule.remove(*k);
            } else {
                rule.insert(k.to_string(), v.to_string());
            }
        }
    }
}

fn pos(r: &Request) -> usize {
    r.int("pos").unwrap_or(0).max(0) as usize
}

fn no_rule(pos: usize) -> ApiError {
    ApiError::fail(format!("no rule at position {pos}"))
}

fn list_rules(c: &Cluster, r: &Request, place: Place) -> Result<Value, ApiError> {
    let list = rules(c, r, place)?;
    let d = digest(list);
    Ok(Value::Array(
        list.iter()
            .enumerate()
            .map(|(i, rule)| render_rule(i, rule, &d))
            .collect(),
    ))
}

fn create_rule(c: &mut Cluster, r: &Request, place: Place) -> Result<Value, ApiError> {
    rules(c, r, place)?;
    let mut rule = Rule::new();
    copy_rule_data(&mut rule, r);
    c.firewall
        .verify_rule(&mut rule, place.env())
        .map_err(rule_error)?;
    if r.get("enable").is_none() {
        rule.insert("enable".into(), "0".into());
    }
    if let Some(list) = rules_mut(c, r, place) {
        list.insert(0, rule);
    }
    c.config_version += 1;
    Ok(Value::Null)
}

fn get_rule(c: &Cluster, r: &Request, place: Place) -> Result<Value, ApiError> {
    let list = rules(c, r, place)?;
    let p = pos(r);
    let rule = list.get(p).ok_or_else(|| no_rule(p))?;
    let mut v = render_rule(p, rule, "");
    if let Some(m) = v.as_object_mut() {
        m.remove("digest");
    }
    Ok(v)
}

fn update_rule(c: &mut Cluster, r: &Request, place: Place) -> Result<Value, ApiError> {
    let list = rules(c, r, place)?;
    check_digest(&digest(list), r)?;
    let p = pos(r);
    let mut rule = list.get(p).cloned().ok_or_else(|| no_rule(p))?;
    let len = list.len();
    if let Some(to) = r.int("moveto").map(|m| m.max(0) as usize) {
        if to != p {
            if let Some(list) = rules_mut(c, r, place) {
                let moved = list.remove(p);
                let at = if to > p { to - 1 } else { to };
                list.insert(at.min(len - 1), moved);
            }
            c.config_version += 1;
            return Ok(Value::Null);
        }
    }
    copy_rule_data(&mut rule, r);
    if let Some(del) = r.get("delete") {
        for k in del.split([',', ';', ' ']).filter(|k| !k.is_empty()) {
            rule.remove(k);
        }
    }
    c.firewall
        .verify_rule(&mut rule, place.env())
        .map_err(rule_error)?;
    if let Some(slot) = rules_mut(c, r, place).and_then(|l| l.get_mut(p)) {
        *slot = rule;
    }
    c.config_version += 1;
    Ok(Value::Null)
}

fn delete_rule(c: &mut Cluster, r: &Request, place: Place) -> Result<Value, ApiError> {
    let list = rules(c, r, place)?;
    check_digest(&digest(list), r)?;
    let p = pos(r);
    if p >= list.len() {
        return Err(no_rule(p));
    }
    if let Some(list) = rules_mut(c, r, place) {
        list.remove(p);
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /cluster/firewall/groups`.
pub fn group_list(c: &mut Cluster, _r: &Request) -> Result<Value, ApiError> {
    let d = c.firewall.groups_digest();
    Ok(Value::Array(
        c.firewall
            .groups
            .iter()
            .map(|(name, g)| {
                let mut m = json!({"group": name, "digest": d});
                if let Some(comment) = &g.comment {
                    m["comment"] = json!(comment);
                }
                m
            })
            .collect(),
    ))
}

/// Renames `from` to `to` in every guest's `group` rules.
fn rename_group_rules(c: &mut Cluster, from: &str, to: &str) {
    for g in c.guests.values_mut() {
        for rule in &mut g.firewall.rules {
            if rule.get("type").map(String::as_str) == Some("group")
                && rule.get("action").map(String::as_str) == Some(from)
            {
                rule.insert("action".into(), to.to_string());
            }
        }
    }
}

/// `POST /cluster/firewall/groups`: creates a group, or renames or comments one (`rename`).
pub fn group_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let group = r.req("group").to_string();
    let comment = r.get("comment").map(str::to_string);
    if let Some(rename) = r.get("rename") {
        check_digest(&c.firewall.groups_digest(), r)?;
        if !c.firewall.groups.contains_key(rename) {
            return Err(ApiError::param(
                "group",
                format!("Security group '{rename}' does not exist"),
            ));
        }
        if rename != group && c.firewall.groups.contains_key(&group) {
            return Err(ApiError::param(
                "group",
                format!("Security group '{group}' does already exist"),
            ));
        }
        let mut g = c.firewall.groups.remove(rename).unwrap_or_default();
        if comment.is_some() {
            g.comment = comment;
        }
        c.firewall.groups.insert(group.clone(), g);
        if rename != group {
            rename_group_rules(c, rename, &group);
        }
    } else {
        if c.firewall.groups.contains_key(&group) {
            return Err(ApiError::param(
                "group",
                format!("Security group '{group}' already exists"),
            ));
        }
        c.firewall.groups.insert(
            group,
            FwGroup {
                comment,
                rules: Vec::new(),
            },
        );
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /cluster/firewall/groups/{group}`: its rules.
pub fn group_rules(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    list_rules(c, r, Place::Group)
}

/// `POST /cluster/firewall/groups/{group}`: a new rule at the top.
pub fn group_rule_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    create_rule(c, r, Place::Group)
}

/// `DELETE /cluster/firewall/groups/{group}`: only an empty group.
pub fn group_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let name = r.req("group");
    let g = c.firewall.groups.get(name).ok_or_else(|| no_group(name))?;
    if !g.rules.is_empty() {
        return Err(ApiError::fail(format!(
            "Security group '{name}' is not empty"
        )));
    }
    c.firewall.groups.remove(name);
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /cluster/firewall/groups/{group}/{pos}`.
pub fn group_rule_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    get_rule(c, r, Place::Group)
}

/// `PUT /cluster/firewall/groups/{group}/{pos}`.
pub fn group_rule_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    update_rule(c, r, Place::Group)
}

/// `DELETE /cluster/firewall/groups/{group}/{pos}`.
pub fn group_rule_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    delete_rule(c, r, Place::Group)
}

/// `GET /nodes/{node}/{kind}/{vmid}/firewall/rules`.
pub fn guest_rules(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    list_rules(c, r, Place::Guest)
}

/// `POST /nodes/{node}/{kind}/{vmid}/firewall/rules`.
pub fn guest_rule_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    create_rule(c, r, Place::Guest)
}

/// `GET /nodes/{node}/{kind}/{vmid}/firewall/rules/{pos}`.
pub fn guest_rule_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    get_rule(c, r, Place::Guest)
}

/// `PUT /nodes/{node}/{kind}/{vmid}/firewall/rules/{pos}`.
pub fn guest_rule_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    update_rule(c, r, Place::Guest)
}

/// `DELETE /nodes/{node}/{kind}/{vmid}/firewall/rules/{pos}`.
pub fn guest_rule_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    delete_rule(c, r, Place::Guest)
}

fn options_digest(options: &BTreeMap<String, String>) -> String {
    digest(options)
}

/// `GET /nodes/{node}/{kind}/{vmid}/firewall/options`.
pub fn guest_options(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    check_guest(c, r)?;
    let mut m = Map::new();
    if let Some(g) = c.guests.get(&r.vmid()) {
        for (k, v) in &g.firewall.options {
            let value = if OPTION_BOOLEANS.contains(&k.as_str()) {
                json!(u8::from(matches!(v.as_str(), "1" | "true" | "yes" | "on")))
            } else {
                json!(v)
            };
            m.insert(k.clone(), value);
        }
    }
    Ok(Value::Object(m))
}

/// `PUT /nodes/{node}/{kind}/{vmid}/firewall/options`.
pub fn guest_options_set(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    check_guest(c, r)?;
    let Some(g) = c.guests.get_mut(&r.vmid()) else {
        return Err(ApiError::no_config(r.kind(), r.node(), r.vmid()));
    };
    check_digest(&options_digest(&g.firewall.options), r)?;
    if let Some(del) = r.get("delete") {
        for k in del.split([',', ';', ' ']).filter(|k| !k.is_empty()) {
            g.firewall.options.remove(k);
        }
    }
    for k in OPTIONS {
        if let Some(v) = r.get(k) {
            let v = if OPTION_BOOLEANS.contains(k) {
                u8::from(r.flag(k)).to_string()
            } else {
                v.to_string()
            };
            g.firewall.options.insert(k.to_string(), v);
        }
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /cluster/firewall/ipset`.
pub fn ipset_list(c: &mut Cluster, _r: &Request) -> Result<Value, ApiError> {
    let d = c.firewall.ipsets_digest();
    Ok(Value::Array(
        c.firewall
            .ipsets
            .iter()
            .map(|(name, s)| {
                let mut m = json!({"name": name, "digest": d});
                if let Some(comment) = &s.comment {
                    m["comment"] = json!(comment);
                }
                m
            })
            .collect(),
    ))
}

/// `POST /cluster/firewall/ipset`: creates an IP set, or renames or comments one (`rename`).
pub fn ipset_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let name = r.req("name").to_string();
    let comment = r.get("comment").map(str::to_string);
    if let Some(rename) = r.get("rename") {
        check_digest(&c.firewall.ipsets_digest(), r)?;
        if !c.firewall.ipsets.contains_key(rename) {
            return Err(ApiError::param(
                "name",
                format!("IPSet '{rename}' does not exist"),
            ));
        }
        if rename != name && c.firewall.ipsets.contains_key(&name) {
            return Err(ApiError::param(
                "name",
                format!("IPSet '{name}' does already exist"),
            ));
        }
        let mut s = c.firewall.ipsets.remove(rename).unwrap_or_default();
        if comment.is_some() {
            s.comment = comment;
        }
        c.firewall.ipsets.insert(name, s);
    } else {
        if c.firewall.ipsets.contains_key(&name) {
            return Err(ApiError::param(
                "name",
                format!("IPSet '{name}' already exists"),
            ));
        }
        c.firewall.ipsets.insert(
            name,
            IpSet {
                comment,
                entries: Vec::new(),
            },
        );
    }
    c.config_version += 1;
    Ok(Value::Null)
}

fn no_ipset(name: &str) -> ApiError {
    ApiError::fail(format!("no such IPSet '{name}'"))
}

fn ipset<'a>(c: &'a Cluster, r: &Request) -> Result<&'a IpSet, ApiError> {
    let name = r.req("name");
    c.firewall.ipsets.get(name).ok_or_else(|| no_ipset(name))
}

fn render_entry(e: &IpSetEntry) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("cidr".into(), json!(e.cidr));
    if let Some(comment) = &e.comment {
        m.insert("comment".into(), json!(comment));
    }
    if e.nomatch {
        m.insert("nomatch".into(), json!(1));
    }
    m
}

/// `GET /cluster/firewall/ipset/{name}`: its entries.
pub fn ipset_entries(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let set = ipset(c, r)?;
    let d = digest(&set.entries);
    Ok(Value::Array(
        set.entries
            .iter()
            .map(|e| {
                let mut m = render_entry(e);
                m.insert("digest".into(), json!(d));
                Value::Object(m)
            })
            .collect(),
    ))
}

fn entry_cidr(r: &Request) -> Result<String, ApiError> {
    let cidr = r.req("cidr");
    if crate::model::firewall::is_fw_name(cidr) {
        return Err(ApiError::fail(format!("no such alias '{cidr}'")));
    }
    clean_cidr(cidr).map_err(|e| ApiError::param("cidr", e))
}

/// `POST /cluster/firewall/ipset/{name}`: a new entry at the top.
pub fn ipset_add(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let set = ipset(c, r)?;
    let cidr = entry_cidr(r)?;
    if set.entries.iter().any(|e| e.cidr == cidr) {
        return Err(ApiError::param(
            "cidr",
            format!("address '{cidr}' already exists"),
        ));
    }
    if cidr
        .rsplit_once('/')
        .is_some_and(|(_, l)| l.trim_start_matches('0').is_empty())
    {
        return Err(ApiError::param(
            "cidr",
            "a zero prefix is not allowed in ipset entries",
        ));
    }
    let entry = IpSetEntry {
        cidr,
        comment: r
            .get("comment")
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        nomatch: r.flag("nomatch"),
    };
    if let Some(set) = c.firewall.ipsets.get_mut(r.req("name")) {
        set.entries.insert(0, entry);
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `DELETE /cluster/firewall/ipset/{name}`: only an empty set, unless `force`.
pub fn ipset_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let name = r.req("name");
    let set = ipset(c, r)?;
    if !set.entries.is_empty() && !r.flag("force") {
        return Err(ApiError::fail(format!("IPSet '{name}' is not empty")));
    }
    c.firewall.ipsets.remove(name);
    c.config_version += 1;
    Ok(Value::Null)
}

fn entry_index(set: &IpSet, cidr: &str) -> Result<usize, ApiError> {
    set.entries
        .iter()
        .position(|e| e.cidr == cidr)
        .ok_or_else(|| ApiError::param("cidr", "no such IP/Network"))
}

/// `GET /cluster/firewall/ipset/{name}/{cidr}`.
pub fn ipset_entry(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let set = ipset(c, r)?;
    let i = entry_index(set, &entry_cidr(r)?)?;
    Ok(Value::Object(render_entry(&set.entries[i])))
}

/// `PUT /cluster/firewall/ipset/{name}/{cidr}`: its comment and `nomatch`.
pub fn ipset_entry_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let set = ipset(c, r)?;
    check_digest(&digest(&set.entries), r)?;
    let i = entry_index(set, &entry_cidr(r)?)?;
    if let Some(e) = c
        .firewall
        .ipsets
        .get_mut(r.req("name"))
        .and_then(|s| s.entries.get_mut(i))
    {
        e.comment = r
            .get("comment")
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        e.nomatch = r.flag("nomatch");
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `DELETE /cluster/firewall/ipset/{name}/{cidr}`.
pub fn ipset_entry_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let set = ipset(c, r)?;
    check_digest(&digest(&set.entries), r)?;
    let i = entry_index(set, &entry_cidr(r)?)?;
    if let Some(set) = c.firewall.ipsets.get_mut(r.req("name")) {
        set.entries.remove(i);
    }
    c.config_version += 1;
    Ok(Value::Null)
}
