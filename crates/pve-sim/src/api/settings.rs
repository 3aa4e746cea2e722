//! A node's and the datacenter's settings: DNS, time zone, subscription, network interfaces (pending
//! until applied by a `srvreload` task, or reverted), node power (`reboot`, `shutdown`), and the
//! datacenter options. Messages are PVE's (`PVE/API2/{Network,Subscription,Nodes}.pm`).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::render::date;
use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, Effect, TaskSpec};

fn node_name(c: &Cluster, r: &Request) -> Result<String, ApiError> {
    c.node(r.node())
        .map(|n| n.name.clone())
        .ok_or_else(|| ApiError::fail(format!("no such node '{}'", r.node())))
}

/// `GET /nodes/{node}/dns`.
pub fn dns(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let s = c.node_settings(&node);
    let mut out = Map::new();
    out.insert("search".into(), json!(s.search));
    for (i, d) in s.dns.iter().enumerate() {
        if let Some(d) = d {
            out.insert(format!("dns{}", i + 1), json!(d));
        }
    }
    Ok(Value::Object(out))
}

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// `PUT /nodes/{node}/dns`: the search domain and up to three name servers (given ones replace,
/// left-out ones are removed, as PVE writes `resolv.conf` anew).
pub fn dns_set(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let mut servers: [Option<String>; 3] = [None, None, None];
    for (i, slot) in servers.iter_mut().enumerate() {
        let key = format!("dns{}", i + 1);
        if let Some(v) = r.get(&key) {
            if !is_ip(v) {
                return Err(ApiError::param(
                    &key,
                    "value does not look like a valid IP address\n",
                ));
            }
            *slot = Some(v.to_string());
        }
    }
    let s = c.node_settings(&node);
    s.search = r.req("search").to_string();
    s.dns = servers;
    Ok(Value::Null)
}

/// `GET /nodes/{node}/time`.
pub fn time(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let tz = c.node_settings(&node).timezone.clone();
    let t = r.now as u64;
    Ok(json!({"timezone": tz, "time": t, "localtime": t}))
}

/// `PUT /nodes/{node}/time`: the time zone (an Area/Location name, or UTC).
pub fn time_set(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let tz = r.req("timezone");
    let known = tz == "UTC"
        || tz.split_once('/').is_some_and(|(area, place)| {
            !area.is_empty()
                && !place.is_empty()
                && tz
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "/_-+".contains(ch))
        });
    if !known {
        return Err(ApiError::param(
            "timezone",
            format!("Timezone '{tz}' does not exist\n"),
        ));
    }
    c.node_settings(&node).timezone = tz.to_string();
    Ok(Value::Null)
}

const SHOP: &str = "https://www.proxmox.com/en/proxmox-virtual-environment/pricing";

/// A key of PVE's form `pve<sockets><level>-[arm-]<10 hex>`: its sockets and level.
fn parse_key(key: &str) -> Option<(u64, char)> {
    let rest = key.strip_prefix("pve")?;
    let mut chars = rest.chars();
    let sockets = chars.next()?.to_digit(10)? as u64;
    let level = chars.next()?;
    let serial = chars.as_str().strip_prefix('-')?;
    let serial = serial.strip_prefix("arm-").unwrap_or(serial);
    let ok = [1, 2, 4, 8].contains(&sockets)
        && "cbsp".contains(level)
        && serial.len() == 10
        && serial
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    ok.then_some((sockets, level))
}

fn level_name(level: char) -> &'static str {
    match level {
        'c' => "Community",
        'b' => "Basic",
        's' => "Standard",
        _ => "Premium",
    }
}

/// `GET /nodes/{node}/subscription`: none (`notfound`) until a key is set. Without the shop's
/// server, a key of the right form for the node's sockets counts as active.
pub fn subscription(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let sockets = c.node(&node).map(|n| n.spec.sockets).unwrap_or(1);
    let s = c.node_settings(&node);
    let Some(key) = s.subscription_key.clone() else {
        return Ok(
            json!({"status": "notfound", "message": "There is no subscription key", "url": SHOP}),
        );
    };
    let (key_sockets, level) = parse_key(&key).unwrap_or((0, 'c'));
    let year = 365.0 * 86_400.0;
    let due = date(s.subscription_checked + year);
    Ok(json!({
        "status": "active",
        "key": key,
        "level": level.to_string(),
        "productname": format!("Proxmox VE {} Subscription {key_sockets} CPUs/year", level_name(level)),
        "regdate": date(s.subscription_checked),
        "nextduedate": due,
        "checktime": s.subscription_checked as u64,
        "sockets": sockets,
        "url": SHOP,
    }))
}

/// `PUT /nodes/{node}/subscription`: sets a key, checked for its form and the node's sockets.
pub fn subscription_set(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let key = r.req("key").trim().to_string();
    let Some((key_sockets, _)) = parse_key(&key) else {
        return Err(ApiError::fail("Wrong subscription key format"));
    };
    let sockets = c.node(&node).map(|n| n.spec.sockets).unwrap_or(1);
    if key_sockets < sockets {
        return Err(ApiError::fail(format!(
            "wrong number of sockets ({key_sockets} < {sockets})"
        )));
    }
    let s = c.node_settings(&node);
    s.subscription_key = Some(key);
    s.subscription_checked = r.now;
    Ok(Value::Null)
}

/// `POST /nodes/{node}/subscription`: checks the key again.
pub fn subscription_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let s = c.node_settings(&node);
    if s.subscription_key.is_some() {
        s.subscription_checked = r.now;
    }
    Ok(Value::Null)
}

/// `DELETE /nodes/{node}/subscription`.
pub fn subscription_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    c.node_settings(&node).subscription_key = None;
    Ok(Value::Null)
}

/// `GET /nodes/{node}/network`: the configuration as it will be once applied (PVE reads
/// `interfaces.new` when there are pending changes); interfaces not yet applied are not `active`.
pub fn network(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let s = c.node_settings(&node);
    let ifaces = s.network_pending.as_ref().unwrap_or(&s.network);
    let all: Vec<Value> = ifaces.values().cloned().map(Value::Object).collect();
    let filtered = match r.get("type") {
        None => all,
        Some("any_bridge" | "any_local_bridge") => all
            .into_iter()
            .filter(|i| i["type"] == "bridge" || i["type"] == "OVSBridge")
            .collect(),
        Some(t) => all.into_iter().filter(|i| i["type"] == t).collect(),
    };
    Ok(Value::Array(filtered))
}

/// The parameters of `POST /nodes/{node}/network` that become the interface's fields.
const IFACE_FIELDS: &[&str] = &[
    "address",
    "address6",
    "autostart",
    "bond-primary",
    "bond_mode",
    "bond_xmit_hash_policy",
    "bridge_ports",
    "bridge_vids",
    "bridge_vlan_aware",
    "cidr",
    "cidr6",
    "comments",
    "comments6",
    "gateway",
    "gateway6",
    "mtu",
    "netmask",
    "netmask6",
    "ovs_bonds",
    "ovs_bridge",
    "ovs_options",
    "ovs_ports",
    "ovs_tag",
    "slaves",
    "type",
    "vlan-id",
    "vlan-raw-device",
];

/// `POST /nodes/{node}/network`: a new interface, pending until applied.
pub fn network_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let iface = r.req("iface").to_string();
    let s = c.node_settings(&node);
    let mut config = s
        .network_pending
        .clone()
        .unwrap_or_else(|| s.network.clone());
    if config.contains_key(&iface) {
        return Err(ApiError::param("iface", "interface already exists"));
    }
    if r.get("gateway").is_some() {
        if let Some(other) = config.values().find(|i| i.get("gateway").is_some()) {
            let name = other["iface"].as_str().unwrap_or_default();
            return Err(ApiError::param(
                "gateway",
                format!("Default ipv4 gateway already exists on interface '{name}'."),
            ));
        }
    }
    let mut fields = Map::new();
    fields.insert("iface".into(), json!(iface));
    for key in IFACE_FIELDS {
        if let Some(v) = r.get(key) {
            fields.insert((*key).to_string(), json!(v));
        }
    }
    if let Some(cidr) = r.get("cidr") {
        let Some((address, mask)) = cidr.split_once('/') else {
            return Err(ApiError::param("cidr", "invalid format"));
        };
        if r.get("address").is_some_and(|a| a != address) {
            return Err(ApiError::param("address", "address conflicts with cidr"));
        }
        fields.insert("address".into(), json!(address));
        fields.insert("netmask".into(), json!(mask));
    }
    if let Some(ports) = r.get("bridge_ports") {
        for port in ports.split_whitespace() {
            let used = config.values().find(|i| {
                ["bridge_ports", "slaves"].iter().any(|k| {
                    i.get(*k)
                        .and_then(Value::as_str)
                        .is_some_and(|list| list.split_whitespace().any(|p| p == port))
                })
            });
            if let Some(other) = used {
                let name = other["iface"].as_str().unwrap_or_default();
                return Err(ApiError::param(
                    "bridge_ports",
                    format!("{port} is already used on interface '{name}'."),
                ));
            }
        }
    }
    if r.get("bridge_vlan_aware").is_some() {
        fields.insert(
            "bridge_vlan_aware".into(),
            json!(u8::from(r.flag("bridge_vlan_aware"))),
        );
    }
    let static4 = fields.contains_key("address");
    let static6 = r.get("address6").is_some();
    fields.insert(
        "method".into(),
        json!(if static4 { "static" } else { "manual" }),
    );
    fields.insert(
        "method6".into(),
        json!(if static6 { "static" } else { "manual" }),
    );
    let mut families = Vec::new();
    if static4 || !static6 {
        families.push("inet");
    }
    if static6 {
        families.push("inet6");
    }
    fields.insert("families".into(), json!(families));
    fields.insert("priority".into(), json!(config.len() + 3));
    config.insert(iface, fields);
    c.node_settings(&node).network_pending = Some(config);
    Ok(Value::Null)
}

/// `PUT /nodes/{node}/network`: applies the pending configuration in a `srvreload` task.
pub fn network_apply(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    super::answer_task(
        c,
        r,
        TaskSpec::new(
            &node,
            "srvreload",
            "networking",
            r.user(),
            Effect::NetworkApply { node: node.clone() },
        ),
    )
}

/// `DELETE /nodes/{node}/network`: drops the pending changes.
pub fn network_revert(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    c.node_settings(&node).network_pending = None;
    Ok(Value::Null)
}

/// `POST /nodes/{node}/status`: `reboot` (back after a minute and a half, scaled) or `shutdown`
/// (down until brought up again). Its guests stop with it.
pub fn node_command(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = node_name(c, r)?;
    let reboot = match r.req("command") {
        "reboot" => Some(90.0),
        _ => None,
    };
    c.node_power_off(&node, r.now, reboot);
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /cluster/options`.
pub fn options(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(Value::Object(
        c.options
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    ))
}

/// `PUT /cluster/options`: sets what is given, removes what `delete` names. Property strings
/// (`migration`, `ha`, `crs`, ...) are kept as PVE answers them: parsed into objects.
pub fn options_set(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let mut set: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in &r.params {
        if k == "delete" {
            continue;
        }
        let parsed = if v.contains('=') {
            let mut m = Map::new();
            for part in v.split(',') {
                match part.split_once('=') {
                    Some((pk, pv)) => {
                        m.insert(pk.to_string(), json!(pv));
                    }
                    None => {
                        m.insert("type".into(), json!(part));
                    }
                }
            }
            Value::Object(m)
        } else {
            json!(v)
        };
        set.insert(k.clone(), parsed);
    }
    if let Some(list) = r.get("delete") {
        for key in list.split([',', ';', ' ']).filter(|k| !k.is_empty()) {
            if set.contains_key(key) {
                return Err(ApiError::param(
                    "delete",
                    format!("cannot set and delete property '{key}' at the same time!\n"),
                ));
            }
            c.options.remove(key);
        }
    }
    c.options.extend(set);
    c.config_version += 1;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_dates() {
        assert_eq!(parse_key("pve2c-0123456789"), Some((2, 'c')));
        assert_eq!(parse_key("pve4s-arm-abcdef0123"), Some((4, 's')));
        assert_eq!(parse_key("pve3c-0123456789"), None);
        assert_eq!(parse_key("pve2c-012345678"), None);
        assert_eq!(parse_key("pve2x-0123456789"), None);
        assert_eq!(date(0.0), "1970-01-01");
        assert_eq!(date(1_796_109_177.0), "2026-12-01");
        assert_eq!(super::super::render::ctime(0.0), "Thu Jan  1 00:00:00 1970");
    }
}
