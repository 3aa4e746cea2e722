//! The firewall as PVE keeps it: the cluster's security groups and IP sets (`cluster.fw`) and each
//! guest's options and rules (`<vmid>.fw`), with PVE's rule verification (`verify_rule`): rule
//! types per place, actions, protocols, ports, address lists and the IP sets they name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sdn::Cidr;

/// One rule: its properties as text (`type`, `action`, `enable`, `source`, `dport`, ...).
pub type Rule = BTreeMap<String, String>;

/// The properties a rule may have (PVE's `$rule_properties`).
pub const RULE_PROPERTIES: &[&str] = &[
    "type",
    "action",
    "enable",
    "iface",
    "source",
    "dest",
    "proto",
    "dport",
    "sport",
    "macro",
    "log",
    "icmp-type",
    "comment",
];

/// A security group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FwGroup {
    /// Its comment.
    pub comment: Option<String>,
    /// Its rules, first to last.
    pub rules: Vec<Rule>,
}

/// One entry of an IP set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpSetEntry {
    /// The address or network (normalised as PVE's parser does).
    pub cidr: String,
    /// Its comment.
    pub comment: Option<String>,
    /// An exception from the set.
    pub nomatch: bool,
}

/// An IP set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IpSet {
    /// Its comment.
    pub comment: Option<String>,
    /// Its entries, newest first (PVE puts new ones at the top).
    pub entries: Vec<IpSetEntry>,
}

/// A guest's firewall (`/etc/pve/firewall/<vmid>.fw`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuestFirewall {
    /// Its options (`enable`, `policy_in`, ...), as text.
    pub options: BTreeMap<String, String>,
    /// Its rules, first to last.
    pub rules: Vec<Rule>,
}

/// The cluster's firewall configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Firewall {
    /// Security groups by name.
    pub groups: BTreeMap<String, FwGroup>,
    /// IP sets by name.
    pub ipsets: BTreeMap<String, IpSet>,
}

/// Why PVE refused a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// A parameter's error (PVE raises the first one it finds).
    Param(String, String),
    /// A plain failure (`die`).
    Fail(String),
}

/// Where a rule is (PVE's `rule_env`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleEnv {
    /// Inside a security group: no `group` rules.
    Group,
    /// A VM's or container's rules.
    Guest,
}

/// A digest over a list (40 hex characters, as long as PVE's SHA-1 digests).
pub fn digest<T: Serialize>(value: &T) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(value).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))[..40].to_string()
}

/// PVE's security group and IP set name pattern `[A-Za-z][A-Za-z0-9\-\_]+`.
pub fn is_fw_name(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
}

/// Protocols by name and number, as `/etc/protocols` has them on a PVE node (the common ones).
const PROTOCOLS: &[(&str, u8)] = &[
    ("ip", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("tcp", 6),
    ("udp", 17),
    ("ipv6", 41),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", 58),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("ospf", 89),
    ("vrrp", 112),
    ("l2tp", 115),
    ("sctp", 132),
    ("udplite", 136),
    ("dccp", 33),
];

/// Protocols whose rules may name ports.
const WITH_PORTS: &[&str] = &[
    "tcp", "6", "udp", "17", "udplite", "136", "dccp", "33", "sctp", "132",
];

/// Service names `/etc/services` knows (the common ones).
const SERVICES: &[&str] = &[
    "ssh",
    "telnet",
    "smtp",
    "domain",
    "http",
    "https",
    "ntp",
    "snmp",
    "ldap",
    "ldaps",
    "imap",
    "imaps",
    "pop3",
    "pop3s",
    "submission",
    "ftp",
    "tftp",
    "mysql",
    "postgresql",
    "rsync",
    "bgp",
    "syslog",
];

/// ICMP type names (`icmp` and `icmpv6`).
const ICMP_TYPES: &[&str] = &[
    "any",
    "echo-reply",
    "destination-unreachable",
    "network-unreachable",
    "host-unreachable",
    "port-unreachable",
    "fragmentation-needed",
    "source-quench",
    "redirect",
    "echo-request",
    "router-advertisement",
    "router-solicitation",
    "time-exceeded",
    "parameter-problem",
    "timestamp-request",
    "timestamp-reply",
    "packet-too-big",
    "neighbour-solicitation",
    "neighbour-advertisement",
];

fn known_protocol(p: &str) -> bool {
    PROTOCOLS
        .iter()
        .any(|(name, num)| *name == p || num.to_string() == p)
        || p.parse::<u8>().is_ok()
        || p == "icmpv6"
}

fn is_icmp(p: &str) -> bool {
    matches!(p, "icmp" | "1" | "icmpv6" | "ipv6-icmp" | "58")
}

/// `pve-fw-protocol-spec`.
pub fn check_protocol(p: &str) -> Result<(), String> {
    if known_protocol(p) {
        Ok(())
    } else {
        Err(format!("unknown protocol '{p}'"))
    }
}

/// `pve-fw-icmp-type-spec`.
pub fn check_icmp_type(t: &str) -> Result<(), String> {
    if t.is_empty() || ICMP_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(format!("invalid icmp-type value '{t}'"))
    }
}

/// PVE's `parse_port_name_number_or_range`: ports, `a:b` ranges and service names, comma-separated,
/// at most 15 numbers (a range counts two).
pub fn check_ports(s: &str, dport: bool) -> Result<(), String> {
    let elements: Vec<&str> = s.split(',').collect();
    if elements.iter().any(|e| e.is_empty()) {
        return Err("extraneous commas in list".into());
    }
    let mut count = 0;
    let mut icmp_port = false;
    for item in elements {
        if let Some((a, b)) = item.split_once(':') {
            let (Ok(p1), Ok(p2)) = (a.parse::<u32>(), b.parse::<u32>()) else {
                return Err(format!("invalid port '{item}'"));
            };
            count += 2;
            for p in [p1, p2] {
                if p > 65535 {
                    return Err(format!("invalid port '{p}'"));
                }
            }
            if p1 > p2 {
                return Err(format!(
                    "backwards range '{p1}:{p2}' not allowed, did you mean '{p2}:{p1}'?"
                ));
            }
        } else if let Ok(p) = item.parse::<u32>() {
            count += 1;
            if p > 65535 {
                return Err(format!("invalid port '{p}'"));
            }
        } else if dport && ICMP_TYPES.contains(&item) {
            icmp_port = true;
        } else if !SERVICES.contains(&item) {
            return Err(format!("invalid port '{item}'"));
        }
    }
    if icmp_port && count > 0 {
        return Err("ICMP ports not allowed in port range".into());
    }
    if count > 15 {
        return Err("too many entries in port list (> 15 numbers)".into());
    }
    Ok(())
}

fn ip_version(s: &str) -> Option<u8> {
    let addr = s.split('/').next().unwrap_or(s);
    match addr.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(_) => Some(4),
        std::net::IpAddr::V6(_) => Some(6),
    }
}

fn valid_ip_or_cidr(s: &str) -> bool {
    if s.contains('/') {
        Cidr::parse(s).is_some()
    } else {
        s.parse::<std::net::IpAddr>().is_ok()
    }
}

/// PVE's `parse_address_list`: an IP set reference (`+name`), an alias, or a list of addresses and
/// networks (or one range), all of one IP version. Answers the version.
pub fn parse_address_list(s: &str) -> Result<Option<u8>, String> {
    if let Some(name) = s.strip_prefix('+') {
        if name.len() > 64 {
            return Err("ipset name too long".into());
        }
        return Ok(None);
    }
    let alias = s
        .strip_prefix("dc/")
        .or_else(|| s.strip_prefix("guest/"))
        .unwrap_or(s);
    if is_fw_name(alias) {
        if s.len() > 64 {
            return Err("alias name too long".into());
        }
        return Ok(None);
    }
    let elements: Vec<&str> = s.split(',').collect();
    if elements.iter().any(|e| e.is_empty()) {
        return Err("extraneous commas in list".into());
    }
    let mut version = None;
    let mut range = false;
    for e in &elements {
        let v = if let Some((a, b)) = e.split_once('-') {
            range = true;
            match (ip_version(a), ip_version(b)) {
                (Some(x), Some(y)) if x == y && !a.contains('/') && !b.contains('/') => x,
                _ => return Err(format!("invalid IP address: Invalid IP range {e}")),
            }
        } else if valid_ip_or_cidr(e) {
            ip_version(e).unwrap_or(4)
        } else {
            return Err(format!("invalid IP address: Invalid IP {e}"));
        };
        if version.is_some_and(|old| old != v) {
            return Err(format!(
                "detected mixed ipv4/ipv6 addresses in address list '{s}'"
            ));
        }
        version = Some(v);
    }
    if range && elements.len() > 1 {
        return Err("you can't use a range in a list".into());
    }
    Ok(version)
}

impl Firewall {
    /// PVE's `verify_rule`: the errors by parameter, or the rule with its `ipversion`.
    pub fn verify_rule(&self, rule: &mut Rule, env: RuleEnv) -> Result<(), RuleError> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut add = |k: &str, m: String| errors.push((k.to_string(), m));
        let get = |k: &str| rule.get(k).filter(|v| !v.is_empty()).cloned();
        let (ty, action) = (get("type"), get("action"));
        if ty.is_none() {
            add("type", "missing property".into());
        }
        if action.is_none() {
            add("action", "missing property".into());
        }
        let action = action.unwrap_or_default();
        match ty.as_deref() {
            Some("in" | "out") if !matches!(action.as_str(), "ACCEPT" | "DROP" | "REJECT" | "") => {
                add("action", format!("unknown action '{action}'"));
            }
            Some("in" | "out") => {}
            Some("group") => {
                if env == RuleEnv::Group {
                    add("type", "security groups not allowed".into());
                }
                if !action.is_empty() && !is_fw_name(&action) {
                    add("action", "invalid characters in security group name".into());
                }
            }
            Some(t) => {
                let env_name = match env {
                    RuleEnv::Group => "group",
                    RuleEnv::Guest => "vm",
                };
                add(
                    "type",
                    format!("invalid rule type '{t}' for rule_env '{env_name}'"),
                );
            }
            None => {}
        }
        if let Some(iface) = get("iface") {
            let ok = iface
                .strip_prefix("net")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                add(
                    "iface",
                    "value does not match the regex pattern 'net\\d+'".into(),
                );
            }
        }
        let mut version: Option<u8> = None;
        let mut mixed = false;
        let mut set_version = |v: Option<u8>| {
            if let Some(v) = v {
                if version.is_some_and(|old| old != v) {
                    mixed = true;
                }
                version = Some(v);
            }
        };
        let proto = get("proto");
        let mut icmp = false;
        if let Some(p) = &proto {
            if let Err(e) = check_protocol(p) {
                add("proto", e);
            }
            match p.as_str() {
                "icmp" => set_version(Some(4)),
                "icmpv6" | "ipv6-icmp" => set_version(Some(6)),
                _ => {}
            }
            icmp = is_icmp(p);
        }
        for (key, dport) in [("dport", true), ("sport", false)] {
            if let Some(ports) = get(key) {
                if let Err(e) = check_ports(&ports, dport && icmp) {
                    add(key, e);
                }
                match &proto {
                    None => add(
                        "proto",
                        format!("missing property - '{key}' requires this property"),
                    ),
                    Some(p) if !(WITH_PORTS.contains(&p.as_str()) || dport && icmp) => {
                        add(key, format!("protocol '{p}' does not support ports"));
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(t) = get("icmp-type") {
            if !icmp {
                add(
                    "proto",
                    "missing property - 'icmp-type' requires this property".into(),
                );
            }
            if get("dport").is_some() {
                add(
                    "icmp-type",
                    "'icmp-type' cannot be specified together with 'dport'".into(),
                );
            }
            if check_icmp_type(&t).is_err() {
                let p = proto.clone().unwrap_or_default();
                add(
                    "icmp-type",
                    format!("invalid icmp-type '{t}' for proto '{p}'"),
                );
            }
        }
        for key in ["source", "dest"] {
            let Some(value) = get(key) else { continue };
            match parse_address_list(&value) {
                Ok(v) => set_version(v),
                Err(e) => add(key, e),
            }
            if let Some(name) = value.strip_prefix('+') {
                let name = name
                    .strip_prefix("dc/")
                    .or_else(|| name.strip_prefix("guest/"))
                    .unwrap_or(name);
                if !is_fw_name(name) {
                    add(key, format!("invalid ipset name '{value}'"));
                } else if !self.ipsets.contains_key(name) {
                    add(key, format!("no such ipset '{name}'"));
                }
            } else if is_fw_name(value.strip_prefix("dc/").unwrap_or(&value)) {
                add(key, format!("no such alias '{value}'"));
            }
        }
        if let Some((k, m)) = errors.into_iter().next() {
            return Err(RuleError::Param(k, m));
        }
        if mixed {
            return Err(RuleError::Fail(
                "detected mixed ipv4/ipv6 addresses in rule".into(),
            ));
        }
        match version {
            Some(v) => rule.insert("ipversion".into(), v.to_string()),
            None => rule.remove("ipversion"),
        };
        Ok(())
    }

    /// The digest of the security group list (names and comments).
    pub fn groups_digest(&self) -> String {
        let list: Vec<(&String, &Option<String>)> =
            self.groups.iter().map(|(k, g)| (k, &g.comment)).collect();
        digest(&list)
    }

    /// The digest of the IP set list.
    pub fn ipsets_digest(&self) -> String {
        let list: Vec<(&String, &Option<String>)> =
            self.ipsets.iter().map(|(k, s)| (k, &s.comment)).collect();
        digest(&list)
    }
}

/// Normalises an IP set entry as PVE's parser does (`10.0.0.5/32` stays, host bits are kept).
pub fn clean_cidr(s: &str) -> Result<String, String> {
    if valid_ip_or_cidr(s) {
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: std::net::IpAddr = addr.parse().map_err(|_| {
            "value does not look like a valid IP address or CIDR network".to_string()
        })?;
        Ok(match len {
            Some(l) => format!("{addr}/{l}"),
            None => addr.to_string(),
        })
    } else {
        Err("value does not look like a valid IP address or CIDR network".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pairs: &[(&str, &str)]) -> Rule {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn param(k: &str, m: &str) -> RuleError {
        RuleError::Param(k.into(), m.into())
    }

    #[test]
    fn rules_are_verified_as_pve_verifies_them() {
        let mut fw = Firewall::default();
        let mut r = rule(&[("type", "in"), ("action", "ACCEPT"), ("dport", "22")]);
        let e = fw.verify_rule(&mut r, RuleEnv::Group).unwrap_err();
        assert_eq!(
            e,
            param("proto", "missing property - 'dport' requires this property")
        );
        let mut r = rule(&[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("proto", "gre"),
            ("dport", "22"),
        ]);
        let e = fw.verify_rule(&mut r, RuleEnv::Guest).unwrap_err();
        assert_eq!(e, param("dport", "protocol 'gre' does not support ports"));
        let mut r = rule(&[("type", "group"), ("action", "web")]);
        let e = fw.verify_rule(&mut r, RuleEnv::Group).unwrap_err();
        assert_eq!(e, param("type", "security groups not allowed"));
        let mut r = rule(&[("type", "in"), ("action", "ALLOW")]);
        assert_eq!(
            fw.verify_rule(&mut r, RuleEnv::Guest).unwrap_err(),
            param("action", "unknown action 'ALLOW'")
        );
        let mut r = rule(&[("type", "in"), ("action", "ACCEPT"), ("source", "+members")]);
        assert_eq!(
            fw.verify_rule(&mut r, RuleEnv::Group).unwrap_err(),
            param("source", "no such ipset 'members'")
        );
        fw.ipsets.insert("members".into(), IpSet::default());
        assert!(fw.verify_rule(&mut r, RuleEnv::Group).is_ok());
        let mut r = rule(&[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("source", "10.0.0.0/8,fd00::/8"),
        ]);
        assert!(matches!(
            fw.verify_rule(&mut r, RuleEnv::Group).unwrap_err(),
            RuleError::Param(k, m) if k == "source" && m.starts_with("detected mixed")
        ));
        let mut r = rule(&[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("source", "10.0.0.1"),
            ("dest", "fd00::1"),
        ]);
        assert_eq!(
            fw.verify_rule(&mut r, RuleEnv::Group).unwrap_err(),
            RuleError::Fail("detected mixed ipv4/ipv6 addresses in rule".into())
        );
        let mut r = rule(&[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("proto", "tcp"),
            ("dport", "80,443,8000:8100"),
            ("source", "192.0.2.0/24"),
        ]);
        fw.verify_rule(&mut r, RuleEnv::Guest).unwrap();
        assert_eq!(r["ipversion"], "4");
    }

    #[test]
    fn ports_follow_pves_parser() {
        assert!(check_ports("22,80:90,https", false).is_ok());
        assert_eq!(
            check_ports("90:80", false).unwrap_err(),
            "backwards range '90:80' not allowed, did you mean '80:90'?"
        );
        assert_eq!(
            check_ports("70000", false).unwrap_err(),
            "invalid port '70000'"
        );
        assert_eq!(
            check_ports("1,,2", false).unwrap_err(),
            "extraneous commas in list"
        );
        assert!(check_ports("1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16", false).is_err());
    }
}
