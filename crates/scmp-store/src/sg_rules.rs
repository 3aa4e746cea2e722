//! The rules of a security group: what each lets through (a direction, a protocol, ports and the
//! other side as networks, any address, or another security group of the project), validated as
//! Proxmox VE's firewall would take them, so a rule scmp accepts never fails on a cluster.

use ipnet::IpNet;
pub use scmp_common::{Direction, Protocol};
use scmp_common::{Error, SecurityGroupId};
use serde::{Deserialize, Serialize};

/// The most rules a group holds.
pub const MAX_RULES: usize = 100;

/// The other side of a rule: where traffic comes from (inbound) or goes to (outbound).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remote {
    /// Any address.
    Any,
    /// These networks and addresses (all IPv4 or all IPv6).
    Cidrs(Vec<String>),
    /// The guests of another security group of the project.
    Group(SecurityGroupId),
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SgRule {
    /// Inbound or outbound.
    pub direction: Direction,
    /// The protocol.
    pub protocol: Protocol,
    /// Destination ports: `22`, `80,443`, `8000-8100` (TCP and UDP only; none: all).
    #[serde(default)]
    pub ports: Option<String>,
    /// The other side.
    pub remote: Remote,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

impl SgRule {
    /// The ports as Proxmox writes them (`8000:8100`).
    pub fn pve_ports(&self) -> Option<String> {
        self.ports.as_ref().map(|p| p.replace('-', ":"))
    }
}

fn invalid(field: String, message: impl Into<String>) -> Error {
    Error::invalid(&field, message)
}

/// PVE's port list: numbers and `a-b` ranges, comma-separated, at most 15 numbers (a range
/// counts two).
fn check_ports(field: String, ports: &str) -> Result<(), Error> {
    let mut count = 0;
    for item in ports.split(',') {
        let (a, b) = item.split_once('-').unwrap_or((item, item));
        let parse = |s: &str| s.trim().parse::<u16>().ok().filter(|p| *p >= 1);
        let (Some(lo), Some(hi)) = (parse(a), parse(b)) else {
            return Err(invalid(
                field,
                format!("'{item}' is not a port (1-65535) or a range of ports (1000-2000)"),
            ));
        };
        if lo > hi {
            return Err(invalid(field, format!("the range '{item}' runs backwards")));
        }
        count += if item.contains('-') { 2 } else { 1 };
    }
    if count > 15 {
        return Err(invalid(
            field,
            "at most 15 ports (a range counts two) in one rule",
        ));
    }
    Ok(())
}

/// The IP version of the rule's protocol (ICMP is IPv4's, ICMPv6 IPv6's).
fn protocol_family(p: Protocol) -> Option<bool> {
    match p {
        Protocol::Icmp => Some(false),
        Protocol::Icmpv6 => Some(true),
        _ => None,
    }
}

/// Checks a group's rules (`field` names them in errors: `rules`).
pub fn check_rules(rules: &[SgRule]) -> Result<(), Error> {
    if rules.len() > MAX_RULES {
        return Err(Error::invalid(
            "rules",
            format!("at most {MAX_RULES} rules in a group"),
        ));
    }
    for (i, r) in rules.iter().enumerate() {
        let at = |f: &str| format!("rules[{i}].{f}");
        if r.description.chars().count() > 200 || r.description.chars().any(char::is_control) {
            return Err(invalid(
                at("description"),
                "at most 200 characters, without control characters",
            ));
        }
        if let Some(p) = &r.ports {
            if !r.protocol.has_ports() {
                return Err(invalid(at("ports"), "ports need the protocol tcp or udp"));
            }
            check_ports(at("ports"), p)?;
        }
        if let Remote::Cidrs(cidrs) = &r.remote {
            if cidrs.is_empty() || cidrs.len() > 20 {
                return Err(invalid(at("cidrs"), "between 1 and 20 networks"));
            }
            let mut v6 = None;
            for c in cidrs {
                let net: IpNet = c
                    .parse()
                    .or_else(|_| c.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        invalid(at("cidrs"), format!("'{c}' is not an address or a network"))
                    })?;
                let is_v6 = matches!(net, IpNet::V6(_));
                if v6.is_some_and(|old| old != is_v6) {
                    return Err(invalid(
                        at("cidrs"),
                        "IPv4 and IPv6 networks cannot be mixed in one rule",
                    ));
                }
                v6 = Some(is_v6);
            }
            if let (Some(fam), Some(v6)) = (protocol_family(r.protocol), v6) {
                if fam != v6 {
                    return Err(invalid(
                        at("protocol"),
                        "icmp goes with IPv4 networks, icmpv6 with IPv6 ones",
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: Protocol, ports: Option<&str>, remote: Remote) -> SgRule {
        SgRule {
            direction: Direction::In,
            protocol,
            ports: ports.map(str::to_string),
            remote,
            description: String::new(),
        }
    }

    fn field(e: Error) -> String {
        match e {
            Error::InvalidValue { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rules_are_checked_as_proxmox_would() {
        let any = || Remote::Any;
        assert!(check_rules(&[rule(Protocol::Tcp, Some("22,80-90"), any())]).is_ok());
        let e = check_rules(&[rule(Protocol::Icmp, Some("22"), any())]).unwrap_err();
        assert_eq!(field(e), "rules[0].ports");
        let e = check_rules(&[rule(Protocol::Tcp, Some("90-80"), any())]).unwrap_err();
        assert_eq!(field(e), "rules[0].ports");
        let e = check_rules(&[rule(Protocol::Tcp, Some("70000"), any())]).unwrap_err();
        assert_eq!(field(e), "rules[0].ports");
        let mixed = Remote::Cidrs(vec!["10.0.0.0/8".into(), "fd00::/8".into()]);
        let e = check_rules(&[rule(Protocol::Any, None, mixed)]).unwrap_err();
        assert_eq!(field(e), "rules[0].cidrs");
        let v6 = Remote::Cidrs(vec!["fd00::/8".into()]);
        let e = check_rules(&[rule(Protocol::Icmp, None, v6)]).unwrap_err();
        assert_eq!(field(e), "rules[0].protocol");
        assert_eq!(
            rule(Protocol::Udp, Some("5000-5010"), any()).pve_ports(),
            Some("5000:5010".into())
        );
    }
}
