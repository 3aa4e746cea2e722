//! HA resources, HA groups and the HA manager's status.

use serde_json::{json, Map, Value};

use super::render::ctime;
use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, HaGroupRec, HaResourceRec, HaServiceState, NodeState};

/// Reads `vm:100`, `ct:101` or a bare vmid (resolved through the guest's kind).
fn parse_sid(c: &Cluster, sid: &str) -> Result<(String, u32), ApiError> {
    let (prefix, id) = match sid.split_once(':') {
        Some((p, id)) => (Some(p), id),
        None => (None, sid),
    };
    let vmid: u32 = id
        .parse()
        .ok()
        .filter(|v| *v >= 100)
        .ok_or_else(|| ApiError::fail(format!("unable to parse service id '{sid}'")))?;
    let prefix = match prefix {
        Some(p @ ("vm" | "ct")) => p.to_string(),
        Some(p) => return Err(ApiError::fail(format!("unknown PVE resource type '{p}'"))),
        None => match c.guests.get(&vmid) {
            Some(g) => g.kind.ha_prefix().to_string(),
            None => {
                return Err(ApiError::fail(format!(
                    "unable to detect SID from VMID - VM/CT {vmid} does not exist"
                )))
            }
        },
    };
    Ok((format!("{prefix}:{vmid}"), vmid))
}

fn render(r: &HaResourceRec) -> Value {
    let mut m = Map::new();
    m.insert("sid".into(), json!(r.sid));
    m.insert("type".into(), json!(r.kind()));
    m.insert("state".into(), json!(r.state));
    m.insert("max_restart".into(), json!(r.max_restart));
    m.insert("max_relocate".into(), json!(r.max_relocate));
    m.insert("digest".into(), json!(r.digest()));
    if let Some(cm) = &r.comment {
        m.insert("comment".into(), json!(cm));
    }
    if let Some(g) = &r.group {
        m.insert("group".into(), json!(g));
    }
    Value::Object(m)
}

/// `GET /cluster/ha/resources`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    Ok(Value::Array(
        c.ha.values()
            .filter(|h| r.get("type").is_none_or(|t| t == h.kind()))
            .map(render)
            .collect(),
    ))
}

/// `POST /cluster/ha/resources`.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (sid, vmid) = parse_sid(c, r.req("sid"))?;
    let Some(g) = c.guests.get(&vmid) else {
        return Err(ApiError::fail(format!(
            "unable to detect SID from VMID - VM/CT {vmid} does not exist"
        )));
    };
    if g.kind.ha_prefix() != sid.split(':').next().unwrap_or_default() {
        return Err(ApiError::fail("types does not match"));
    }
    if let Some(t) = r.get("type") {
        if t != g.kind.ha_prefix() {
            return Err(ApiError::fail("types does not match"));
        }
    }
    if r.get("group").is_some() && c.release.has_ha_rules() {
        return Err(ApiError::fail(
            "invalid parameter 'group': ha groups have been migrated to rules",
        ));
    }
    if c.ha.contains_key(&sid) {
        return Err(ApiError::fail(format!(
            "resource ID '{sid}' already defined"
        )));
    }
    let state = r.get("state").unwrap_or("started").to_string();
    c.ha.insert(
        sid.clone(),
        HaResourceRec {
            sid,
            vmid,
            crm_state: if g.state == crate::model::RunState::Stopped {
                HaServiceState::Stopped
            } else {
                HaServiceState::Started
            },
            state,
            max_restart: r.int("max_restart").unwrap_or(1) as u64,
            max_relocate: r.int("max_relocate").unwrap_or(1) as u64,
            comment: r.get("comment").map(str::to_string),
            group: r.get("group").map(str::to_string),
        },
    );
    // The manager starts a resource requested "started".
    if matches!(r.get("state").unwrap_or("started"), "started" | "enabled") {
        if let Some(g) = c.guests.get_mut(&vmid) {
            if g.state == crate::model::RunState::Stopped && g.lock.is_none() && !g.is_template() {
                g.set_running(r.now);
            }
        }
    }
    c.config_version += 1;
    Ok(Value::Null)
}

fn existing<'a>(c: &'a Cluster, r: &Request) -> Result<(String, &'a HaResourceRec), ApiError> {
    let (sid, _) = parse_sid(c, r.req("sid"))?;
    match c.ha.get(&sid) {
        Some(h) => Ok((sid, h)),
        None => Err(ApiError::fail(format!("no such resource '{sid}'"))),
    }
}

/// `GET /cluster/ha/resources/{sid}`.
pub fn get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (_, h) = existing(c, r)?;
    Ok(render(h))
}

/// `PUT /cluster/ha/resources/{sid}`.
pub fn update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (sid, h) = existing(c, r)?;
    if let Some(d) = r.get("digest") {
        if d != h.digest() {
            return Err(ApiError::fail(
                "detected modified configuration - file changed by other user? Try again.",
            ));
        }
    }
    let now = r.now;
    let vmid = h.vmid;
    if let Some(group) = r.get("group") {
        if c.release.has_ha_rules() {
            return Err(ApiError::fail(
                "invalid parameter 'group': ha groups have been migrated to rules",
            ));
        }
        if !c.ha_groups.contains_key(group) {
            return Err(ApiError::fail(format!("HA group '{group}' does not exist")));
        }
    }
    let Some(h) = c.ha.get_mut(&sid) else {
        return Err(ApiError::fail(format!("no such resource '{sid}'")));
    };
    if let Some(s) = r.get("state") {
        h.state = s.to_string();
    }
    if let Some(v) = r.int("max_restart") {
        h.max_restart = v as u64;
    }
    if let Some(v) = r.int("max_relocate") {
        h.max_relocate = v as u64;
    }
    if let Some(cm) = r.get("comment") {
        h.comment = Some(cm.to_string());
    }
    if let Some(g) = r.get("group") {
        h.group = Some(g.to_string());
    }
    for key in r
        .get("delete")
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
    {
        match key {
            "comment" => h.comment = None,
            "group" => h.group = None,
            "max_restart" => h.max_restart = 1,
            "max_relocate" => h.max_relocate = 1,
            _ => {}
        }
    }
    let wants = h.wants_started();
    let stop = h.state == "stopped" || h.state == "disabled";
    if let Some(g) = c.guests.get_mut(&vmid) {
        if wants && g.state == crate::model::RunState::Stopped && g.lock.is_none() {
            g.set_running(now);
        } else if stop && g.state != crate::model::RunState::Stopped {
            g.set_stopped();
        }
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `DELETE /cluster/ha/resources/{sid}`.
pub fn delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (sid, _) = parse_sid(c, r.req("sid"))?;
    if c.ha.remove(&sid).is_none() {
        return Err(ApiError::fail(format!(
            "cannot delete service '{sid}', not HA managed!"
        )));
    }
    // PVE 9 takes the resource out of its rules unless asked not to (`purge=0`).
    if c.release.has_ha_rules() && r.get("purge").is_none_or(|_| r.flag("purge")) {
        super::ha_rules::purge_resource(c, &sid);
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /cluster/ha/status/current`.
pub fn status_current(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let now = r.now;
    let quorate = c.is_quorate();
    let mut out = vec![json!({
        "id": "quorum", "type": "quorum", "node": c.entry_node,
        "status": if quorate { "OK" } else { "No quorum on node" }, "quorate": u8::from(quorate),
    })];
    let master = c.quorate_group().and_then(|g| g.into_iter().next());
    if let Some(m) = &master {
        out.push(json!({
            "id": "master", "type": "master", "node": m,
            "status": format!("{m} (active, {})", ctime(now)), "timestamp": now as u64,
        }));
    }
    for n in &c.nodes {
        let has_services =
            c.ha.values()
                .any(|h| c.guests.get(&h.vmid).is_some_and(|g| g.node == n.name));
        let (status, ts) = match n.state {
            NodeState::Down { since } => (
                format!("{} (old timestamp - dead?, {})", n.name, ctime(since)),
                since,
            ),
            NodeState::Up => {
                let mode = if has_services { "active" } else { "idle" };
                (format!("{} ({mode}, {})", n.name, ctime(now)), now)
            }
        };
        out.push(json!({"id": format!("lrm:{}", n.name), "type": "lrm", "node": n.name, "status": status, "timestamp": ts as u64}));
    }
    for h in c.ha.values() {
        let node = c
            .guests
            .get(&h.vmid)
            .map(|g| g.node.clone())
            .unwrap_or_default();
        let state = h.crm_state.as_str();
        let mut m = Map::new();
        m.insert("id".into(), json!(format!("service:{}", h.sid)));
        m.insert("type".into(), json!("service"));
        m.insert("sid".into(), json!(h.sid));
        m.insert("node".into(), json!(node));
        m.insert("crm_state".into(), json!(state));
        m.insert("state".into(), json!(state));
        m.insert("request_state".into(), json!(h.state));
        m.insert(
            "status".into(),
            json!(format!("{} ({node}, {state})", h.sid)),
        );
        m.insert("max_restart".into(), json!(h.max_restart));
        m.insert("max_relocate".into(), json!(h.max_relocate));
        out.push(Value::Object(m));
    }
    Ok(Value::Array(out))
}

fn render_group(g: &HaGroupRec) -> Value {
    let mut m = Map::new();
    m.insert("group".into(), json!(g.group));
    m.insert("type".into(), json!("group"));
    m.insert("nodes".into(), json!(g.nodes));
    m.insert("restricted".into(), json!(u8::from(g.restricted)));
    m.insert("nofailback".into(), json!(u8::from(g.nofailback)));
    m.insert("digest".into(), json!(g.digest()));
    if let Some(cm) = &g.comment {
        m.insert("comment".into(), json!(cm));
    }
    Value::Object(m)
}

/// Checks a `node[:priority],...` list against the cluster's nodes.
fn check_group_nodes(c: &Cluster, nodes: &str) -> Result<String, ApiError> {
    let mut out = Vec::new();
    for entry in nodes.split([',', ';', ' ']).filter(|e| !e.is_empty()) {
        let (node, prio) = match entry.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (entry, None),
        };
        if prio.is_some_and(|p| p.parse::<u32>().is_err()) || c.node(node).is_none() {
            return Err(ApiError::param(
                "nodes",
                format!("value does not look like a valid node list: unknown node '{node}'\n"),
            ));
        }
        out.push(entry.to_string());
    }
    if out.is_empty() {
        return Err(ApiError::param(
            "nodes",
            "property is missing and it is not optional",
        ));
    }
    Ok(out.join(","))
}

/// On PVE 9 the groups have been migrated to rules: every group call is refused.
fn groups_migrated(c: &Cluster, what: &str) -> Result<(), ApiError> {
    if c.release.has_ha_rules() {
        return Err(ApiError::fail(format!(
            "cannot {what}: ha groups have been migrated to rules"
        )));
    }
    Ok(())
}

/// `GET /cluster/ha/groups`.
pub fn group_list(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    groups_migrated(c, "index groups")?;
    Ok(Value::Array(
        c.ha_groups.values().map(render_group).collect(),
    ))
}

/// `POST /cluster/ha/groups`.
pub fn group_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    groups_migrated(c, "create group")?;
    let id = r.req("group").to_string();
    if c.ha_groups.contains_key(&id) {
        return Err(ApiError::fail(format!(
            "ha group ID '{id}' already defined"
        )));
    }
    let nodes = check_group_nodes(c, r.req("nodes"))?;
    c.ha_groups.insert(
        id.clone(),
        HaGroupRec {
            group: id,
            nodes,
            restricted: r.flag("restricted"),
            nofailback: r.flag("nofailback"),
            comment: r.get("comment").map(str::to_string),
        },
    );
    c.config_version += 1;
    Ok(Value::Null)
}

fn group_missing(id: &str) -> ApiError {
    ApiError::fail(format!("no such ha group '{id}'"))
}

/// `GET /cluster/ha/groups/{group}`.
pub fn group_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    groups_migrated(c, "read group")?;
    let id = r.req("group");
    c.ha_groups
        .get(id)
        .map(render_group)
        .ok_or_else(|| group_missing(id))
}

/// `PUT /cluster/ha/groups/{group}`: changes what is given, removes what `delete` names, refused
/// when `digest` is stale.
pub fn group_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    groups_migrated(c, "update group")?;
    let id = r.req("group").to_string();
    let nodes = r
        .get("nodes")
        .map(|n| check_group_nodes(c, n))
        .transpose()?;
    let g = c.ha_groups.get_mut(&id).ok_or_else(|| group_missing(&id))?;
    if let Some(d) = r.get("digest") {
        if d != g.digest() {
            return Err(ApiError::fail(
                "detected modified configuration - file changed by other user? Try again.",
            ));
        }
    }
    for key in r.get("delete").unwrap_or_default().split([',', ';', ' ']) {
        match key {
            "" => {}
            "comment" => g.comment = None,
            "restricted" => g.restricted = false,
            "nofailback" => g.nofailback = false,
            "nodes" => return Err(ApiError::fail("unable to delete required option 'nodes'")),
            other => return Err(ApiError::fail(format!("no such option '{other}'"))),
        }
    }
    if let Some(n) = nodes {
        g.nodes = n;
    }
    if r.get("restricted").is_some() {
        g.restricted = r.flag("restricted");
    }
    if r.get("nofailback").is_some() {
        g.nofailback = r.flag("nofailback");
    }
    if let Some(cm) = r.get("comment") {
        g.comment = Some(cm.to_string());
    }
    c.config_version += 1;
    Ok(Value::Null)
}

/// `DELETE /cluster/ha/groups/{group}`: refused while a resource uses it.
pub fn group_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    groups_migrated(c, "delete group")?;
    let id = r.req("group");
    if !c.ha_groups.contains_key(id) {
        return Err(group_missing(id));
    }
    if let Some(res) = c.ha.values().find(|h| h.group.as_deref() == Some(id)) {
        return Err(ApiError::fail(format!(
            "ha group is used by service '{}'",
            res.sid
        )));
    }
    c.ha_groups.remove(id);
    c.config_version += 1;
    Ok(Value::Null)
}
