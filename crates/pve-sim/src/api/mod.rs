//! The `/api2/json` API: the route table, parameter verification, node checks and dispatch.
//!
//! Handlers are plain functions over the model: `fn(&mut Cluster, &Request) -> Result<Value, ApiError>`.

mod access;
mod backup;
mod cluster;
mod firewall;
mod guest_info;
mod guests;
mod ha;
mod ha_rules;
mod nodes;
mod pools;
mod render;
mod replication;
mod sdn;
mod settings;
mod storage;
mod tasks;

use std::collections::BTreeMap;

use pve_types::api::guest::GuestKind;
use serde_json::Value;

use crate::auth::{AuthState, Caller};
use crate::clock::SimTime;
use crate::error::ApiError;
use crate::model::{Cluster, Release};
use crate::params;

/// One call, after authentication and parameter verification.
pub struct Request<'a> {
    /// All parameters (path, query and body), as text.
    pub params: BTreeMap<String, String>,
    /// Who calls.
    pub caller: &'a Caller,
    /// The simulated time.
    pub now: SimTime,
    /// The guest kind when the path is under `qemu` or `lxc`.
    pub kind: Option<GuestKind>,
    /// The credentials store (for login).
    pub auth: &'a AuthState,
}

impl Request<'_> {
    /// A parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// A parameter that verification made sure is present.
    pub fn req(&self, key: &str) -> &str {
        self.get(key).unwrap_or_default()
    }

    /// A boolean parameter (verified), with a default.
    pub fn flag(&self, key: &str) -> bool {
        matches!(
            self.get(key).map(str::to_ascii_lowercase).as_deref(),
            Some("1" | "true" | "yes" | "on")
        )
    }

    /// An integer parameter (verified).
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }

    /// The `vmid` path parameter.
    pub fn vmid(&self) -> u32 {
        self.int("vmid").unwrap_or_default() as u32
    }

    /// The `node` path parameter.
    pub fn node(&self) -> &str {
        self.req("node")
    }

    /// The guest kind of the path.
    pub fn kind(&self) -> GuestKind {
        self.kind.unwrap_or(GuestKind::Qemu)
    }

    /// The `USER@REALM` part of the caller.
    pub fn user(&self) -> &str {
        &self.caller.authid
    }
}

/// A handler's answer: a JSON value, or JSON already serialized (large lists are rendered straight to
/// text rather than through a tree of values).
#[derive(Debug)]
pub enum Reply {
    /// A value.
    Json(Value),
    /// Serialized JSON.
    Raw(Box<serde_json::value::RawValue>),
}

impl Reply {
    /// The answer as a value.
    pub fn into_value(self) -> Value {
        match self {
            Reply::Json(v) => v,
            Reply::Raw(r) => serde_json::from_str(r.get()).unwrap_or(Value::Null),
        }
    }

    /// The whole `{"data": ...}` body.
    pub fn into_body(self) -> Vec<u8> {
        match self {
            Reply::Json(v) => {
                serde_json::to_vec(&serde_json::json!({ "data": v })).unwrap_or_default()
            }
            Reply::Raw(r) => {
                let raw = r.get();
                let mut out = Vec::with_capacity(raw.len() + 10);
                out.extend_from_slice(b"{\"data\":");
                out.extend_from_slice(raw.as_bytes());
                out.push(b'}');
                out
            }
        }
    }
}

type Handler = fn(&mut Cluster, &Request) -> Result<Reply, ApiError>;

/// Wraps a handler that answers a value.
macro_rules! j {
    ($f:path) => {
        |c: &mut Cluster, r: &Request| $f(c, r).map(Reply::Json)
    };
}

/// The served endpoints. Each has its parameters in [`params::ENDPOINT_PARAMS`].
fn routes() -> &'static [(&'static str, &'static str, Handler)] {
    &[
        ("GET", "/version", j!(access::version)),
        ("GET", "/access/ticket", j!(access::ticket_placeholder)),
        ("POST", "/access/ticket", j!(access::ticket)),
        ("GET", "/access/permissions", j!(access::permissions)),
        ("GET", "/cluster/status", j!(cluster::status)),
        ("GET", "/cluster/resources", cluster::resources),
        ("GET", "/cluster/nextid", j!(cluster::nextid)),
        ("GET", "/cluster/tasks", j!(tasks::cluster_tasks)),
        ("GET", "/cluster/options", j!(settings::options)),
        ("PUT", "/cluster/options", j!(settings::options_set)),
        ("GET", "/cluster/replication", j!(replication::list)),
        ("POST", "/cluster/replication", j!(replication::create)),
        (
            "GET",
            "/cluster/backup-info/not-backed-up",
            j!(cluster::not_backed_up),
        ),
        ("GET", "/cluster/config/qdevice", j!(cluster::qdevice)),
        ("GET", "/cluster/ha/groups", j!(ha::group_list)),
        ("POST", "/cluster/ha/groups", j!(ha::group_create)),
        ("GET", "/cluster/ha/groups/{group}", j!(ha::group_get)),
        ("PUT", "/cluster/ha/groups/{group}", j!(ha::group_update)),
        ("DELETE", "/cluster/ha/groups/{group}", j!(ha::group_delete)),
        ("GET", "/cluster/ha/resources", j!(ha::list)),
        ("POST", "/cluster/ha/resources", j!(ha::create)),
        ("GET", "/cluster/ha/resources/{sid}", j!(ha::get)),
        ("PUT", "/cluster/ha/resources/{sid}", j!(ha::update)),
        ("DELETE", "/cluster/ha/resources/{sid}", j!(ha::delete)),
        ("GET", "/cluster/ha/status/current", j!(ha::status_current)),
        ("GET", "/cluster/ha/rules", j!(ha_rules::list)),
        ("POST", "/cluster/ha/rules", j!(ha_rules::create)),
        ("GET", "/cluster/ha/rules/{rule}", j!(ha_rules::get)),
        ("PUT", "/cluster/ha/rules/{rule}", j!(ha_rules::update)),
        ("DELETE", "/cluster/ha/rules/{rule}", j!(ha_rules::delete)),
        ("GET", "/cluster/firewall/groups", j!(firewall::group_list)),
        (
            "POST",
            "/cluster/firewall/groups",
            j!(firewall::group_create),
        ),
        (
            "GET",
            "/cluster/firewall/groups/{group}",
            j!(firewall::group_rules),
        ),
        (
            "POST",
            "/cluster/firewall/groups/{group}",
            j!(firewall::group_rule_create),
        ),
        (
            "DELETE",
            "/cluster/firewall/groups/{group}",
            j!(firewall::group_delete),
        ),
        (
            "GET",
            "/cluster/firewall/groups/{group}/{pos}",
            j!(firewall::group_rule_get),
        ),
        (
            "PUT",
            "/cluster/firewall/groups/{group}/{pos}",
            j!(firewall::group_rule_update),
        ),
        (
            "DELETE",
            "/cluster/firewall/groups/{group}/{pos}",
            j!(firewall::group_rule_delete),
        ),
        ("GET", "/cluster/firewall/ipset", j!(firewall::ipset_list)),
        (
            "POST",
            "/cluster/firewall/ipset",
            j!(firewall::ipset_create),
        ),
        (
            "GET",
            "/cluster/firewall/ipset/{name}",
            j!(firewall::ipset_entries),
        ),
        (
            "POST",
            "/cluster/firewall/ipset/{name}",
            j!(firewall::ipset_add),
        ),
        (
            "DELETE",
            "/cluster/firewall/ipset/{name}",
            j!(firewall::ipset_delete),
        ),
        (
            "GET",
            "/cluster/firewall/ipset/{name}/{cidr}",
            j!(firewall::ipset_entry),
        ),
        (
            "PUT",
            "/cluster/firewall/ipset/{name}/{cidr}",
            j!(firewall::ipset_entry_update),
        ),
        (
            "DELETE",
            "/cluster/firewall/ipset/{name}/{cidr}",
            j!(firewall::ipset_entry_delete),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/firewall/options",
            j!(firewall::guest_options),
        ),
        (
            "PUT",
            "/nodes/{node}/{kind}/{vmid}/firewall/options",
            j!(firewall::guest_options_set),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/firewall/rules",
            j!(firewall::guest_rules),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/firewall/rules",
            j!(firewall::guest_rule_create),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/firewall/rules/{pos}",
            j!(firewall::guest_rule_get),
        ),
        (
            "PUT",
            "/nodes/{node}/{kind}/{vmid}/firewall/rules/{pos}",
            j!(firewall::guest_rule_update),
        ),
        (
            "DELETE",
            "/nodes/{node}/{kind}/{vmid}/firewall/rules/{pos}",
            j!(firewall::guest_rule_delete),
        ),
        ("GET", "/cluster/sdn", j!(sdn::index)),
        ("PUT", "/cluster/sdn", j!(sdn::apply)),
        ("GET", "/cluster/sdn/zones", j!(sdn::zone_list)),
        ("POST", "/cluster/sdn/zones", j!(sdn::zone_create)),
        ("GET", "/cluster/sdn/zones/{zone}", j!(sdn::zone_get)),
        ("PUT", "/cluster/sdn/zones/{zone}", j!(sdn::zone_update)),
        ("DELETE", "/cluster/sdn/zones/{zone}", j!(sdn::zone_delete)),
        ("GET", "/cluster/sdn/vnets", j!(sdn::vnet_list)),
        ("POST", "/cluster/sdn/vnets", j!(sdn::vnet_create)),
        ("GET", "/cluster/sdn/vnets/{vnet}", j!(sdn::vnet_get)),
        ("PUT", "/cluster/sdn/vnets/{vnet}", j!(sdn::vnet_update)),
        ("DELETE", "/cluster/sdn/vnets/{vnet}", j!(sdn::vnet_delete)),
        (
            "GET",
            "/cluster/sdn/vnets/{vnet}/subnets",
            j!(sdn::subnet_list),
        ),
        (
            "POST",
            "/cluster/sdn/vnets/{vnet}/subnets",
            j!(sdn::subnet_create),
        ),
        (
            "GET",
            "/cluster/sdn/vnets/{vnet}/subnets/{subnet}",
            j!(sdn::subnet_get),
        ),
        (
            "PUT",
            "/cluster/sdn/vnets/{vnet}/subnets/{subnet}",
            j!(sdn::subnet_update),
        ),
        (
            "DELETE",
            "/cluster/sdn/vnets/{vnet}/subnets/{subnet}",
            j!(sdn::subnet_delete),
        ),
        ("POST", "/cluster/sdn/vnets/{vnet}/ips", j!(sdn::ip_create)),
        ("PUT", "/cluster/sdn/vnets/{vnet}/ips", j!(sdn::ip_update)),
        (
            "DELETE",
            "/cluster/sdn/vnets/{vnet}/ips",
            j!(sdn::ip_delete),
        ),
        ("GET", "/nodes", j!(nodes::list)),
        ("GET", "/nodes/{node}/status", j!(nodes::status)),
        ("POST", "/nodes/{node}/status", j!(settings::node_command)),
        ("GET", "/nodes/{node}/rrddata", j!(nodes::rrddata)),
        ("GET", "/nodes/{node}/version", j!(access::version)),
        ("GET", "/nodes/{node}/network", j!(settings::network)),
        (
            "POST",
            "/nodes/{node}/network",
            j!(settings::network_create),
        ),
        ("PUT", "/nodes/{node}/network", j!(settings::network_apply)),
        (
            "DELETE",
            "/nodes/{node}/network",
            j!(settings::network_revert),
        ),
        ("GET", "/nodes/{node}/dns", j!(settings::dns)),
        ("PUT", "/nodes/{node}/dns", j!(settings::dns_set)),
        ("GET", "/nodes/{node}/time", j!(settings::time)),
        ("PUT", "/nodes/{node}/time", j!(settings::time_set)),
        (
            "GET",
            "/nodes/{node}/subscription",
            j!(settings::subscription),
        ),
        (
            "PUT",
            "/nodes/{node}/subscription",
            j!(settings::subscription_set),
        ),
        (
            "POST",
            "/nodes/{node}/subscription",
            j!(settings::subscription_update),
        ),
        (
            "DELETE",
            "/nodes/{node}/subscription",
            j!(settings::subscription_delete),
        ),
        (
            "GET",
            "/nodes/{node}/replication",
            j!(replication::node_list),
        ),
        (
            "GET",
            "/nodes/{node}/replication/{id}/status",
            j!(replication::status),
        ),
        ("GET", "/nodes/{node}/storage", j!(storage::node_list)),
        (
            "GET",
            "/nodes/{node}/storage/{storage}/status",
            j!(storage::status),
        ),
        (
            "GET",
            "/nodes/{node}/storage/{storage}/content",
            j!(storage::content),
        ),
        (
            "POST",
            "/nodes/{node}/storage/{storage}/content",
            j!(storage::allocate),
        ),
        ("GET", "/nodes/{node}/tasks", j!(tasks::list)),
        (
            "GET",
            "/nodes/{node}/tasks/{upid}/status",
            j!(tasks::status),
        ),
        ("GET", "/nodes/{node}/tasks/{upid}/log", j!(tasks::log)),
        (
            "GET",
            "/nodes/{node}/storage/{storage}/content/{volume}",
            j!(backup::get),
        ),
        (
            "PUT",
            "/nodes/{node}/storage/{storage}/content/{volume}",
            j!(backup::update),
        ),
        (
            "POST",
            "/nodes/{node}/storage/{storage}/content/{volume}",
            j!(backup::copy),
        ),
        (
            "DELETE",
            "/nodes/{node}/storage/{storage}/content/{volume}",
            j!(backup::delete),
        ),
        ("POST", "/nodes/{node}/vzdump", j!(backup::vzdump)),
        ("GET", "/storage", j!(storage::list)),
        ("POST", "/storage", j!(storage::create)),
        ("GET", "/pools", j!(pools::list)),
        ("POST", "/pools", j!(pools::create)),
        // PVE 8's way: the pool in a parameter (deprecated in favour of `/pools/{poolid}`).
        ("PUT", "/pools", j!(pools::update)),
        ("DELETE", "/pools", j!(pools::delete)),
        ("GET", "/pools/{poolid}", j!(pools::get)),
        ("PUT", "/pools/{poolid}", j!(pools::update)),
        ("DELETE", "/pools/{poolid}", j!(pools::delete)),
        ("GET", "/nodes/{node}/{kind}", j!(guests::list)),
        ("POST", "/nodes/{node}/{kind}", j!(guests::create)),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/clone",
            j!(guests::clone),
        ),
        ("GET", "/nodes/{node}/{kind}/{vmid}", j!(guest_info::index)),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/migrate",
            j!(guest_info::migrate_preconditions),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/snapshot/{snapname}",
            j!(guest_info::snapshot_index),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/config",
            j!(guests::config_get),
        ),
        (
            "PUT",
            "/nodes/{node}/{kind}/{vmid}/config",
            j!(guests::config_set),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/config",
            j!(guests::config_set_async),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/status/current",
            j!(guests::status_current),
        ),
        (
            "GET",
            "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces",
            j!(guests::agent_interfaces),
        ),
        (
            "GET",
            "/nodes/{node}/lxc/{vmid}/interfaces",
            j!(guests::lxc_interfaces),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/status/start",
            j!(guests::start),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/status/stop",
            j!(guests::stop),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/status/shutdown",
            j!(guests::shutdown),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/status/reboot",
            j!(guests::reboot),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/status/suspend",
            j!(guests::suspend),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/status/resume",
            j!(guests::resume),
        ),
        ("DELETE", "/nodes/{node}/{kind}/{vmid}", j!(guests::destroy)),
        (
            "PUT",
            "/nodes/{node}/{kind}/{vmid}/resize",
            j!(guests::resize),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/migrate",
            j!(guests::migrate),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/snapshot",
            j!(guests::snapshot_list),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/snapshot",
            j!(guests::snapshot_create),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/snapshot/{snapname}/rollback",
            j!(guests::rollback),
        ),
        (
            "DELETE",
            "/nodes/{node}/{kind}/{vmid}/snapshot/{snapname}",
            j!(guests::snapshot_delete),
        ),
        (
            "POST",
            "/nodes/{node}/{kind}/{vmid}/template",
            j!(guests::template),
        ),
        (
            "GET",
            "/nodes/{node}/{kind}/{vmid}/rrddata",
            j!(guests::rrddata),
        ),
    ]
}

/// Every `METHOD /path` the simulator serves as `release`, with `{kind}` expanded to `qemu` and `lxc`.
pub fn served_endpoints_of(release: Release) -> Vec<String> {
    let mut out = Vec::new();
    for (m, p, _) in routes() {
        let keys: Vec<String> = if p.contains("{kind}") {
            ["qemu", "lxc"]
                .iter()
                .map(|k| format!("{m} {}", p.replace("{kind}", k)))
                .collect()
        } else {
            vec![format!("{m} {p}")]
        };
        out.extend(
            keys.into_iter()
                .filter(|k| params::spec_for(release, k).is_some()),
        );
    }
    out
}

/// Every `METHOD /path` the simulator serves as PVE 8.4.
pub fn served_endpoints() -> Vec<String> {
    served_endpoints_of(Release::Pve8)
}

/// Every route's `METHOD /path` whatever the release (a route without parameters in any release is
/// a mistake).
pub fn routed_endpoints() -> Vec<String> {
    let mut out = Vec::new();
    for (m, p, _) in routes() {
        if p.contains("{kind}") {
            for k in ["qemu", "lxc"] {
                let key = format!("{m} {}", p.replace("{kind}", k));
                if params::any_release_serves(&key) {
                    out.push(key);
                }
            }
        } else {
            out.push(format!("{m} {p}"));
        }
    }
    out
}

/// A path matched to a route: its handler, the parameter table key, the path parameters, the kind.
type RouteMatch = (Handler, String, BTreeMap<String, String>, Option<GuestKind>);

/// Matches a concrete path against the templates.
fn match_route(release: Release, method: &str, path: &str) -> Option<RouteMatch> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    for (m, template, handler) in routes() {
        if *m != method {
            continue;
        }
        let tsegs: Vec<&str> = template.trim_matches('/').split('/').collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut vars = BTreeMap::new();
        let mut kind = None;
        let mut concrete = Vec::with_capacity(tsegs.len());
        let mut ok = true;
        for (t, s) in tsegs.iter().zip(&segs) {
            if *t == "{kind}" {
                match *s {
                    "qemu" => kind = Some(GuestKind::Qemu),
                    "lxc" => kind = Some(GuestKind::Lxc),
                    _ => {
                        ok = false;
                        break;
                    }
                }
                concrete.push(s.to_string());
            } else if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                vars.insert(name.to_string(), crate::params::percent_decode(s));
                concrete.push(t.to_string());
            } else if t == s {
                concrete.push(t.to_string());
            } else {
                ok = false;
                break;
            }
        }
        if ok {
            let key = format!("{method} /{}", concrete.join("/"));
            if params::spec_for(release, &key).is_some() {
                return Some((*handler, key, vars, kind));
            }
        }
    }
    None
}

/// Starts a task and answers its UPID, as every PVE endpoint that runs a worker does.
pub(crate) fn answer_task(
    c: &mut Cluster,
    r: &Request,
    spec: crate::model::TaskSpec,
) -> Result<Value, ApiError> {
    Ok(task_upid(c, r, spec))
}

/// Starts a task; its UPID is the answer's data.
pub(crate) fn task_upid(c: &mut Cluster, r: &Request, spec: crate::model::TaskSpec) -> Value {
    serde_json::json!(c.start_task(r.now, spec).as_str())
}

/// Whether the path needs no authentication (only the login).
pub fn is_public(method: &str, path: &str) -> bool {
    method == "POST" && path.trim_end_matches('/') == "/access/ticket"
}

/// Handles one authenticated call.
pub fn dispatch(
    cluster: &mut Cluster,
    auth: &AuthState,
    caller: &Caller,
    method: &str,
    path: &str,
    mut params: BTreeMap<String, String>,
    now: SimTime,
) -> Result<Reply, ApiError> {
    let Some((handler, key, vars, kind)) = match_route(cluster.release, method, path) else {
        return Err(ApiError::new(
            501,
            format!("Method '{method} {path}' not implemented"),
        ));
    };
    // Path parameters win over same-named query or body parameters, as in PVE.
    for (k, v) in vars {
        params.insert(k, v);
    }
    if let Some(spec) = params::spec_for(cluster.release, &key) {
        spec.validate(&params).map_err(ApiError::params)?;
    }
    cluster.tick(now);
    if let Some(node) = params.get("node").cloned() {
        check_node(cluster, &node)?;
    }
    if method != "GET" && !is_public(method, path) && !cluster.is_quorate() {
        return Err(ApiError::no_quorum());
    }
    let req = Request {
        params,
        caller,
        now,
        kind,
        auth,
    };
    let out = handler(cluster, &req);
    cluster.tick(now);
    out
}

/// A node-scoped call needs the node to exist and to be reachable from the answering node.
fn check_node(cluster: &Cluster, node: &str) -> Result<(), ApiError> {
    if cluster.node(node).is_none() {
        return Err(ApiError::fail(format!(
            "hostname lookup '{node}' failed - failed to get address info for: {node}: Name or service not known"
        )));
    }
    if !cluster.node_online(node) {
        return Err(ApiError::node_unreachable());
    }
    Ok(())
}
