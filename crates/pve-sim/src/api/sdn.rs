//! `/cluster/sdn`: zones, VNets and subnets staged and applied, and the IPAM's mappings, with
//! PVE's per-plugin checks (required settings, tag and VNI ranges, uniqueness, digests).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::sdn::{check_id, parse_range, Cidr, IpamEntry, SdnConfig, SdnFile, Section};
use crate::model::{Cluster, Effect, TaskSpec};

/// Parameters that are not stored as settings.
const NOT_SETTINGS: &[&str] = &[
    "zone", "vnet", "subnet", "digest", "delete", "pending", "running",
];
/// Settings answered as numbers.
const INTEGERS: &[&str] = &["tag", "mtu", "vrf-vxlan", "vxlan-port", "dp-id"];
/// Settings answered as 0/1.
const BOOLEANS: &[&str] = &[
    "snat",
    "vlanaware",
    "isolate-ports",
    "advertise-subnets",
    "bridge-disable-mac-learning",
    "disable-arp-nd-suppression",
    "exitnodes-local-routing",
];

fn modified() -> ApiError {
    ApiError::fail("detected modified configuration - file changed by other user? Try again.")
}

fn check_digest(cfg: &SdnConfig, f: SdnFile, r: &Request) -> Result<(), ApiError> {
    match r.get("digest") {
        Some(d) if d != cfg.digest(f) => Err(modified()),
        _ => Ok(()),
    }
}

fn render(id_key: &str, id: &str, s: &Section) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(id_key.into(), json!(id));
    for (k, v) in s {
        let value = if INTEGERS.contains(&k.as_str()) {
            v.parse::<i64>().map(Value::from).unwrap_or(json!(v))
        } else if BOOLEANS.contains(&k.as_str()) {
            json!(u8::from(matches!(v.as_str(), "1" | "true" | "yes" | "on")))
        } else if k == "dhcp-range" {
            json!(v.split(';').collect::<Vec<_>>())
        } else {
            json!(v)
        };
        m.insert(k.clone(), value);
    }
    m
}

/// The sections of one file as the caller asked for them: staged, running, or staged with the
/// pending state of each.
fn listing(
    c: &Cluster,
    f: SdnFile,
    id_key: &str,
    r: &Request,
) -> Vec<(String, Map<String, Value>)> {
    let staged = c.sdn.config.file(f);
    let running = c.sdn.running.file(f);
    let digest = c.sdn.config.digest(f);
    let mut out = Vec::new();
    if r.flag("running") {
        for (id, s) in running {
            out.push((id.clone(), render(id_key, id, s)));
        }
        return out;
    }
    if !r.flag("pending") {
        for (id, s) in staged {
            let mut m = render(id_key, id, s);
            m.insert("digest".into(), json!(digest));
            out.push((id.clone(), m));
        }
        return out;
    }
    let ids: std::collections::BTreeSet<&String> = staged.keys().chain(running.keys()).collect();
    for id in ids {
        let m = match (staged.get(id), running.get(id)) {
            (Some(s), None) => {
                let mut m = render(id_key, id, s);
                m.insert("state".into(), json!("new"));
                m
            }
            (None, Some(run)) => {
                let mut m = render(id_key, id, run);
                m.insert("state".into(), json!("deleted"));
                m
            }
            (Some(s), Some(run)) => {
                let mut m = render(id_key, id, run);
                if s != run {
                    m.insert("state".into(), json!("changed"));
                    let changed: Section = s
                        .iter()
                        .filter(|(k, v)| run.get(*k) != Some(*v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    m.insert(
                        "pending".into(),
                        Value::Object(render(id_key, id, &changed)),
                    );
                }
                m
            }
            (None, None) => continue,
        };
        out.push((id.clone(), m));
    }
    out
}

fn list_of(items: Vec<(String, Map<String, Value>)>) -> Value {
    Value::Array(items.into_iter().map(|(_, m)| Value::Object(m)).collect())
}

fn one_of(
    items: Vec<(String, Map<String, Value>)>,
    id: &str,
    missing: String,
) -> Result<Value, ApiError> {
    items
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, m)| Value::Object(m))
        .ok_or_else(|| ApiError::fail(missing))
}

/// The request's settings, text as PVE stores them.
fn settings(r: &Request) -> Section {
    r.params
        .iter()
        .filter(|(k, _)| !NOT_SETTINGS.contains(&k.as_str()))
        .map(|(k, v)| {
            let v = if BOOLEANS.contains(&k.as_str()) {
                (if matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on") {
                    "1"
                } else {
                    "0"
                })
                .to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

/// Applies `delete=a,b` and the new settings to a section.
fn update_section(s: &mut Section, r: &Request) {
    for k in r
        .get("delete")
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|k| !k.is_empty())
    {
        s.remove(k);
    }
    for (k, v) in settings(r) {
        s.insert(k, v);
    }
}

/// The settings each zone plugin takes beyond the common ones, and those it requires.
fn zone_options(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        "simple" => (&["dhcp"], &[]),
        "vlan" => (&["bridge", "bridge-disable-mac-learning"], &["bridge"]),
        "qinq" => (&["bridge", "tag", "vlan-protocol"], &["bridge", "tag"]),
        "vxlan" => (&["peers", "vxlan-port"], &["peers"]),
        "evpn" => (
            &[
                "controller",
                "vrf-vxlan",
                "mac",
                "exitnodes",
                "exitnodes-primary",
                "exitnodes-local-routing",
                "advertise-subnets",
                "disable-arp-nd-suppression",
                "rt-import",
                "vxlan-port",
            ],
            &["controller", "vrf-vxlan"],
        ),
        _ => (&["dp-id"], &[]),
    }
}

const ZONE_COMMON: &[&str] = &[
    "type",
    "nodes",
    "ipam",
    "mtu",
    "dns",
    "dnszone",
    "reversedns",
];

fn check_zone(c: &Cluster, s: &Section) -> Result<(), ApiError> {
    let kind = s.get("type").map(String::as_str).unwrap_or_default();
    let (allowed, required) = zone_options(kind);
    let mut errors = BTreeMap::new();
    for k in s.keys() {
        if !ZONE_COMMON.contains(&k.as_str()) && !allowed.contains(&k.as_str()) {
            errors.insert(k.clone(), format!("unexpected property for a {kind} zone"));
        }
    }
    for k in required {
        if !s.contains_key(*k) {
            errors.insert(
                k.to_string(),
                "property is missing and it is not optional".into(),
            );
        }
    }
    if let Some(ipam) = s.get("ipam") {
        if ipam != "pve" {
            errors.insert("ipam".into(), format!("ipam '{ipam}' does not exist"));
        }
    }
    if let Some(nodes) = s.get("nodes") {
        for n in nodes.split(',').filter(|n| !n.is_empty()) {
            if c.node(n).is_none() {
                errors.insert("nodes".into(), format!("node '{n}' does not exist"));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::params(errors))
    }
}

/// `GET /cluster/sdn`.
pub fn index(_c: &mut Cluster, _r: &Request) -> Result<Value, ApiError> {
    Ok(json!([
        {"id": "vnets"}, {"id": "zones"}, {"id": "controllers"}, {"id": "ipams"}, {"id": "dns"}
    ]))
}

/// `PUT /cluster/sdn`: commits the staged configuration and has every node reload it.
pub fn apply(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    c.sdn.running = c.sdn.config.clone();
    c.config_version += 1;
    let node = c.entry_node.clone();
    let mut log = Vec::new();
    for n in &c.nodes {
        log.push(format!("{}: reloading network config", n.name));
    }
    let spec = TaskSpec::new(&node, "reloadnetworkall", "", r.user(), Effect::SdnReload)
        .log(log)
        .duration(2.0);
    Ok(super::task_upid(c, r, spec))
}

/// `GET /cluster/sdn/zones`.
pub fn zone_list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let mut items = listing(c, SdnFile::Zones, "zone", r);
    if let Some(t) = r.get("type") {
        items.retain(|(_, m)| m.get("type").and_then(Value::as_str) == Some(t));
    }
    Ok(list_of(items))
}

/// `GET /cluster/sdn/zones/{zone}`.
pub fn zone_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("zone");
    one_of(
        listing(c, SdnFile::Zones, "zone", r),
        id,
        format!("sdn '{id}' does not exist"),
    )
}

/// `POST /cluster/sdn/zones`.
pub fn zone_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("zone");
    check_id("zone", id).map_err(|e| ApiError::param("zone", e))?;
    if c.sdn.config.zones.contains_key(id) {
        return Err(ApiError::fail(format!(
            "sdn zone object ID '{id}' already defined"
        )));
    }
    let s = settings(r);
    check_zone(c, &s)?;
    c.sdn.config.zones.insert(id.to_string(), s);
    Ok(Value::Null)
}

/// `PUT /cluster/sdn/zones/{zone}`.
pub fn zone_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("zone");
    check_digest(&c.sdn.config, SdnFile::Zones, r)?;
    let mut s = c
        .sdn
        .config
        .zones
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::fail(format!("sdn '{id}' does not exist")))?;
    update_section(&mut s, r);
    check_zone(c, &s)?;
    c.sdn.config.zones.insert(id.to_string(), s);
    Ok(Value::Null)
}

/// `DELETE /cluster/sdn/zones/{zone}`: only a zone no VNet uses.
pub fn zone_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("zone");
    if !c.sdn.config.zones.contains_key(id) {
        return Err(ApiError::fail(format!("sdn '{id}' does not exist")));
    }
    if let Some((vnet, _)) = c
        .sdn
        .config
        .vnets
        .iter()
        .find(|(_, v)| v.get("zone").map(String::as_str) == Some(id))
    {
        return Err(ApiError::fail(format!(
            "Can't remove zone {id}, used by vnet {vnet}"
        )));
    }
    c.sdn.config.zones.remove(id);
    Ok(Value::Null)
}

/// PVE's per-plugin check of a VNet's tag.
fn check_vnet(cfg: &SdnConfig, id: &str, v: &Section) -> Result<(), ApiError> {
    let zone_id = v.get("zone").map(String::as_str).unwrap_or_default();
    let Some(zone) = cfg.zones.get(zone_id) else {
        return Err(ApiError::param(
            "zone",
            format!("zone '{zone_id}' don't exist"),
        ));
    };
    let kind = zone.get("type").map(String::as_str).unwrap_or_default();
    let tag = v.get("tag").and_then(|t| t.parse::<u64>().ok());
    let tag_err = |m: String| Err(ApiError::param("tag", m));
    let tunnel = |k: &str| matches!(k, "vxlan" | "evpn");
    match kind {
        "simple" if tag.is_some() => {
            return tag_err("vlan tag is not allowed on simple zone".into());
        }
        "vlan" | "qinq" => {
            let Some(t) = tag else {
                return tag_err("missing vlan tag".into());
            };
            if t == 0 || t > 4094 {
                return tag_err("vlan tag max value is 4094".into());
            }
        }
        k if tunnel(k) => {
            let Some(t) = tag else {
                return tag_err("missing vxlan tag".into());
            };
            if t == 0 || t > 16_777_215 {
                return tag_err("vxlan tag max value is 16777215".into());
            }
            if let Some((z, _)) = cfg.zones.iter().find(|(_, z)| {
                z.get("type").map(String::as_str) == Some("evpn")
                    && z.get("vrf-vxlan").and_then(|x| x.parse::<u64>().ok()) == Some(t)
            }) {
                return tag_err(format!("tag {t} is already used as vrf-vxlan of zone {z}"));
            }
        }
        _ => {}
    }
    let Some(t) = tag else { return Ok(()) };
    // A tag is unique in its zone (VLANs), or among every tunnelled zone (VNIs).
    for (other_id, other) in &cfg.vnets {
        if other_id == id || other.get("tag").and_then(|x| x.parse::<u64>().ok()) != Some(t) {
            continue;
        }
        let other_zone = other.get("zone").map(String::as_str).unwrap_or_default();
        let other_kind = cfg
            .zones
            .get(other_zone)
            .and_then(|z| z.get("type"))
            .map(String::as_str)
            .unwrap_or_default();
        let clash = if tunnel(kind) {
            tunnel(other_kind)
        } else {
            other_zone == zone_id
        };
        if clash {
            return tag_err(format!("tag {t} already exist in vnet {other_id}"));
        }
    }
    Ok(())
}

/// `GET /cluster/sdn/vnets`.
pub fn vnet_list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    Ok(list_of(listing(c, SdnFile::Vnets, "vnet", r)))
}

/// `GET /cluster/sdn/vnets/{vnet}`.
pub fn vnet_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("vnet");
    one_of(
        listing(c, SdnFile::Vnets, "vnet", r),
        id,
        format!("sdn '{id}' does not exist"),
    )
}

/// `POST /cluster/sdn/vnets`.
pub fn vnet_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("vnet");
    check_id("vnet", id).map_err(|e| ApiError::param("vnet", e))?;
    if c.sdn.config.vnets.contains_key(id) {
        return Err(ApiError::fail(format!(
            "sdn vnet object ID '{id}' already defined"
        )));
    }
    let mut s = settings(r);
    s.insert("zone".into(), r.req("zone").to_string());
    s.insert("type".into(), "vnet".into());
    check_vnet(&c.sdn.config, id, &s)?;
    c.sdn.config.vnets.insert(id.to_string(), s);
    Ok(Value::Null)
}

/// `PUT /cluster/sdn/vnets/{vnet}`.
pub fn vnet_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("vnet");
    check_digest(&c.sdn.config, SdnFile::Vnets, r)?;
    let mut s = c
        .sdn
        .config
        .vnets
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::fail(format!("sdn '{id}' does not exist")))?;
    update_section(&mut s, r);
    if let Some(z) = r.get("zone") {
        s.insert("zone".into(), z.to_string());
    }
    check_vnet(&c.sdn.config, id, &s)?;
    c.sdn.config.vnets.insert(id.to_string(), s);
    Ok(Value::Null)
}

/// `DELETE /cluster/sdn/vnets/{vnet}`: only a VNet without subnets.
pub fn vnet_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("vnet");
    if !c.sdn.config.vnets.contains_key(id) {
        return Err(ApiError::fail(format!("sdn '{id}' does not exist")));
    }
    if c.sdn
        .config
        .subnets
        .values()
        .any(|s| s.get("vnet").map(String::as_str) == Some(id))
    {
        return Err(ApiError::fail(format!(
            "Can't delete vnet {id}, it still has subnets"
        )));
    }
    c.sdn.config.vnets.remove(id);
    Ok(Value::Null)
}

fn zone_of_vnet<'a>(cfg: &'a SdnConfig, vnet: &str) -> Result<&'a str, ApiError> {
    cfg.vnets
        .get(vnet)
        .and_then(|v| v.get("zone"))
        .map(String::as_str)
        .ok_or_else(|| ApiError::fail(format!("vnet '{vnet}' doesn't exist")))
}

/// The prefix of a subnet id or of a CIDR.
fn cidr_of(zone: &str, subnet: &str) -> Option<Cidr> {
    Cidr::parse(subnet).or_else(|| {
        let rest = subnet.strip_prefix(zone)?.strip_prefix('-')?;
        let (addr, len) = rest.rsplit_once('-')?;
        Cidr::parse(&format!("{addr}/{len}"))
    })
}

fn check_subnet(cidr: &Cidr, s: &Section) -> Result<(), ApiError> {
    let text = format!("{}/{}", cidr.addr, cidr.len);
    if let Some(gw) = s.get("gateway") {
        let ip: std::net::IpAddr = gw
            .parse()
            .map_err(|_| ApiError::param("gateway", format!("invalid address '{gw}'")))?;
        if !cidr.contains(ip) {
            return Err(ApiError::param(
                "gateway",
                format!("gateway ip {gw} is not in subnet {text}"),
            ));
        }
    }
    if let Some(ranges) = s.get("dhcp-range") {
        for range in ranges.split(';') {
            let Some((start, end)) = parse_range(range) else {
                return Err(ApiError::param(
                    "dhcp-range",
                    format!("invalid dhcp range '{range}'"),
                ));
            };
            if !cidr.contains(start) || !cidr.contains(end) {
                return Err(ApiError::param(
                    "dhcp-range",
                    format!("range {start}-{end} is not in subnet {text}"),
                ));
            }
            if start > end {
                return Err(ApiError::param(
                    "dhcp-range",
                    format!("start address {start} is after end address {end}"),
                ));
            }
        }
    }
    Ok(())
}

/// `GET /cluster/sdn/vnets/{vnet}/subnets`.
pub fn subnet_list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let vnet = r.req("vnet");
    let mut items = listing(c, SdnFile::Subnets, "subnet", r);
    items.retain(|(_, m)| m.get("vnet").and_then(Value::as_str) == Some(vnet));
    Ok(list_of(items))
}

/// `GET /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
pub fn subnet_get(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("subnet");
    one_of(
        listing(c, SdnFile::Subnets, "subnet", r),
        id,
        format!("sdn '{id}' does not exist"),
    )
}

/// `POST /cluster/sdn/vnets/{vnet}/subnets`.
pub fn subnet_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let vnet = r.req("vnet");
    let zone = zone_of_vnet(&c.sdn.config, vnet)?.to_string();
    let cidr = cidr_of(&zone, r.req("subnet")).ok_or_else(|| {
        ApiError::param("subnet", format!("invalid subnet '{}'", r.req("subnet")))
    })?;
    let text = format!("{}/{}", cidr.addr, cidr.len);
    let id = pve_types::api::sdn::subnet_id(&zone, &text);
    if c.sdn.config.subnets.contains_key(&id) {
        return Err(ApiError::fail(format!(
            "sdn subnet object ID '{id}' already defined"
        )));
    }
    let mut s = settings(r);
    s.remove("type");
    s.insert("type".into(), "subnet".into());
    s.insert("vnet".into(), vnet.to_string());
    s.insert("cidr".into(), text);
    check_subnet(&cidr, &s)?;
    c.sdn.config.subnets.insert(id, s);
    Ok(Value::Null)
}

/// `PUT /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
pub fn subnet_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("subnet");
    check_digest(&c.sdn.config, SdnFile::Subnets, r)?;
    let mut s = c
        .sdn
        .config
        .subnets
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::fail(format!("sdn '{id}' does not exist")))?;
    let cidr = s
        .get("cidr")
        .and_then(|t| Cidr::parse(t))
        .ok_or_else(|| ApiError::fail(format!("sdn '{id}' does not exist")))?;
    let vnet = s.get("vnet").cloned().unwrap_or_default();
    update_section(&mut s, r);
    s.insert("vnet".into(), vnet);
    check_subnet(&cidr, &s)?;
    c.sdn.config.subnets.insert(id.to_string(), s);
    Ok(Value::Null)
}

/// `DELETE /cluster/sdn/vnets/{vnet}/subnets/{subnet}`: only a subnet whose IPAM holds no
/// address beyond its gateway.
pub fn subnet_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("subnet");
    let Some(s) = c.sdn.config.subnets.get(id) else {
        return Err(ApiError::fail(format!("sdn '{id}' does not exist")));
    };
    let gateway = s.get("gateway").cloned();
    let cidr = s.get("cidr").cloned().unwrap_or_default();
    if c.sdn
        .ipam
        .get(id)
        .is_some_and(|m| m.keys().any(|ip| Some(ip) != gateway.as_ref()))
    {
        return Err(ApiError::fail(format!(
            "cannot delete subnet '{cidr}', not empty"
        )));
    }
    c.sdn.config.subnets.remove(id);
    c.sdn.ipam.remove(id);
    Ok(Value::Null)
}

/// The running subnet of `vnet` in `zone` that holds `ip`.
fn subnet_for(c: &Cluster, r: &Request) -> Result<(String, String), ApiError> {
    let vnet = r.req("vnet");
    let zone = r.req("zone");
    let ip_text = r.req("ip");
    let ip: std::net::IpAddr = ip_text.parse().map_err(|_| {
        ApiError::param(
            "ip",
            format!("value '{ip_text}' does not look like a valid IP address"),
        )
    })?;
    match c.sdn.running.vnets.get(vnet).and_then(|v| v.get("zone")) {
        Some(z) if z == zone => {}
        Some(_) => {
            return Err(ApiError::fail(format!("vnet {vnet} is not in zone {zone}")));
        }
        None => return Err(ApiError::fail(format!("vnet '{vnet}' doesn't exist"))),
    }
    c.sdn
        .running
        .subnets
        .iter()
        .find(|(_, s)| {
            s.get("vnet").map(String::as_str) == Some(vnet)
                && s.get("cidr")
                    .and_then(|t| Cidr::parse(t))
                    .is_some_and(|cidr| cidr.contains(ip))
        })
        .map(|(id, _)| (id.clone(), ip.to_string()))
        .ok_or_else(|| ApiError::fail(format!("ip {ip} is not in any subnet of vnet {vnet}")))
}

/// `POST /cluster/sdn/vnets/{vnet}/ips`.
pub fn ip_create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (subnet, ip) = subnet_for(c, r)?;
    let entries = c.sdn.ipam.entry(subnet).or_default();
    if entries.contains_key(&ip) {
        return Err(ApiError::fail(format!("IP '{ip}' already exist")));
    }
    entries.insert(
        ip,
        IpamEntry {
            mac: r.get("mac").map(str::to_string),
            vmid: None,
        },
    );
    Ok(Value::Null)
}

/// `PUT /cluster/sdn/vnets/{vnet}/ips`.
pub fn ip_update(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (subnet, ip) = subnet_for(c, r)?;
    let entry = c
        .sdn
        .ipam
        .get_mut(&subnet)
        .and_then(|m| m.get_mut(&ip))
        .ok_or_else(|| ApiError::fail(format!("IP '{ip}' does not exist")))?;
    if let Some(mac) = r.get("mac") {
        entry.mac = Some(mac.to_string());
    }
    if let Some(vmid) = r.int("vmid") {
        entry.vmid = Some(vmid as u32);
    }
    Ok(Value::Null)
}

/// `DELETE /cluster/sdn/vnets/{vnet}/ips`.
pub fn ip_delete(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let (subnet, ip) = subnet_for(c, r)?;
    match c.sdn.ipam.get_mut(&subnet).and_then(|m| m.remove(&ip)) {
        Some(_) => Ok(Value::Null),
        None => Err(ApiError::fail(format!("IP '{ip}' does not exist"))),
    }
}
