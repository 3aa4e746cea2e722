//! The firewall: the cluster's security groups and their rules, IP sets and their entries
//! (`/cluster/firewall/...`), and a guest's firewall options and rules
//! (`/nodes/{node}/{qemu,lxc}/{vmid}/firewall/...`).

use serde::{Deserialize, Serialize};

use super::guest::GuestKind;
use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::perl;
use crate::{NodeName, Vmid};

/// `GET /cluster/firewall/groups`.
pub const GROUPS: Endpoint = Endpoint::new(Get, "/cluster/firewall/groups");
/// `POST /cluster/firewall/groups`.
pub const GROUP_CREATE: Endpoint = Endpoint::new(Post, "/cluster/firewall/groups");
/// `GET /cluster/firewall/groups/{group}`: its rules.
pub const GROUP_RULES: Endpoint = Endpoint::new(Get, "/cluster/firewall/groups/{group}");
/// `POST /cluster/firewall/groups/{group}`: a rule at the top.
pub const GROUP_RULE_CREATE: Endpoint = Endpoint::new(Post, "/cluster/firewall/groups/{group}");
/// `DELETE /cluster/firewall/groups/{group}` (an empty group only).
pub const GROUP_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/firewall/groups/{group}");
/// `DELETE /cluster/firewall/groups/{group}/{pos}`.
pub const GROUP_RULE_DELETE: Endpoint =
    Endpoint::new(Delete, "/cluster/firewall/groups/{group}/{pos}");
/// `GET /cluster/firewall/ipset`.
pub const IPSETS: Endpoint = Endpoint::new(Get, "/cluster/firewall/ipset");
/// `POST /cluster/firewall/ipset`.
pub const IPSET_CREATE: Endpoint = Endpoint::new(Post, "/cluster/firewall/ipset");
/// `GET /cluster/firewall/ipset/{name}`: its entries.
pub const IPSET_ENTRIES: Endpoint = Endpoint::new(Get, "/cluster/firewall/ipset/{name}");
/// `POST /cluster/firewall/ipset/{name}`: an entry.
pub const IPSET_ADD: Endpoint = Endpoint::new(Post, "/cluster/firewall/ipset/{name}");
/// `DELETE /cluster/firewall/ipset/{name}`.
pub const IPSET_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/firewall/ipset/{name}");
/// `DELETE /cluster/firewall/ipset/{name}/{cidr}`.
pub const IPSET_REMOVE: Endpoint = Endpoint::new(Delete, "/cluster/firewall/ipset/{name}/{cidr}");
/// `GET /nodes/{node}/qemu/{vmid}/firewall/options`.
pub const QEMU_OPTIONS: Endpoint = Endpoint::new(Get, "/nodes/{node}/qemu/{vmid}/firewall/options");
/// `GET /nodes/{node}/lxc/{vmid}/firewall/options`.
pub const LXC_OPTIONS: Endpoint = Endpoint::new(Get, "/nodes/{node}/lxc/{vmid}/firewall/options");
/// `PUT /nodes/{node}/qemu/{vmid}/firewall/options`.
pub const QEMU_OPTIONS_SET: Endpoint =
    Endpoint::new(Put, "/nodes/{node}/qemu/{vmid}/firewall/options");
/// `PUT /nodes/{node}/lxc/{vmid}/firewall/options`.
pub const LXC_OPTIONS_SET: Endpoint =
    Endpoint::new(Put, "/nodes/{node}/lxc/{vmid}/firewall/options");
/// `GET /nodes/{node}/qemu/{vmid}/firewall/rules`.
pub const QEMU_RULES: Endpoint = Endpoint::new(Get, "/nodes/{node}/qemu/{vmid}/firewall/rules");
/// `GET /nodes/{node}/lxc/{vmid}/firewall/rules`.
pub const LXC_RULES: Endpoint = Endpoint::new(Get, "/nodes/{node}/lxc/{vmid}/firewall/rules");
/// `POST /nodes/{node}/qemu/{vmid}/firewall/rules`.
pub const QEMU_RULE_CREATE: Endpoint =
    Endpoint::new(Post, "/nodes/{node}/qemu/{vmid}/firewall/rules");
/// `POST /nodes/{node}/lxc/{vmid}/firewall/rules`.
pub const LXC_RULE_CREATE: Endpoint =
    Endpoint::new(Post, "/nodes/{node}/lxc/{vmid}/firewall/rules");
/// `DELETE /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}`.
pub const QEMU_RULE_DELETE: Endpoint =
    Endpoint::new(Delete, "/nodes/{node}/qemu/{vmid}/firewall/rules/{pos}");
/// `DELETE /nodes/{node}/lxc/{vmid}/firewall/rules/{pos}`.
pub const LXC_RULE_DELETE: Endpoint =
    Endpoint::new(Delete, "/nodes/{node}/lxc/{vmid}/firewall/rules/{pos}");

/// A rule's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleType {
    /// Incoming traffic.
    In,
    /// Outgoing traffic.
    Out,
    /// Forwarded traffic (host and VNet rules).
    Forward,
    /// The rules of a security group (`action` names it).
    Group,
}

/// A firewall rule, as listed and as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Its position (listings only).
    #[serde(default, skip_serializing)]
    pub pos: Option<u64>,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: RuleType,
    /// `ACCEPT`, `DROP`, `REJECT`, or the security group of a `group` rule.
    pub action: String,
    /// Whether it applies (PVE makes a new rule disabled unless told).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable: Option<u64>,
    /// Source addresses, networks, or an IP set (`+name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Destination addresses, networks, or an IP set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest: Option<String>,
    /// Protocol (`tcp`, `udp`, `icmp`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    /// Destination ports (`22`, `80,443`, `8000:8100`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dport: Option<String>,
    /// Source ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport: Option<String>,
    /// The interface (`net0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iface: Option<String>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Rule {
    /// A rule of `kind` with `action`, enabled, nothing else set.
    pub fn new(kind: RuleType, action: impl Into<String>) -> Self {
        Self {
            pos: None,
            kind,
            action: action.into(),
            enable: Some(1),
            source: None,
            dest: None,
            proto: None,
            dport: None,
            sport: None,
            iface: None,
            comment: None,
        }
    }

    /// The rule without its position: what it does.
    pub fn meaning(&self) -> Rule {
        Rule {
            pos: None,
            enable: Some(self.enable.unwrap_or(0)),
            ..self.clone()
        }
    }
}

/// A security group as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GroupListItem {
    /// Its name.
    pub group: String,
    /// Its comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// The list's digest.
    #[serde(default)]
    pub digest: Option<String>,
}

/// An IP set as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IpSetListItem {
    /// Its name.
    pub name: String,
    /// Its comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// The list's digest.
    #[serde(default)]
    pub digest: Option<String>,
}

/// An entry of an IP set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IpSetEntry {
    /// The address or network.
    pub cidr: String,
    /// An exception from the set.
    #[serde(default, deserialize_with = "perl::deserialize_opt_bool")]
    pub nomatch: Option<bool>,
    /// Its comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A guest's firewall options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FirewallOptions {
    /// Whether its rules apply.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        serialize_with = "serialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable: Option<bool>,
    /// What happens to incoming traffic no rule accepts (`ACCEPT`, `DROP`, `REJECT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_in: Option<String>,
    /// What happens to outgoing traffic no rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_out: Option<String>,
    /// Only the addresses PVE knows for the guest may send (IP filter).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        serialize_with = "serialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub ipfilter: Option<bool>,
    /// Only the NIC's MAC address may send.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        serialize_with = "serialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub macfilter: Option<bool>,
    /// DHCP is let through.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        serialize_with = "serialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub dhcp: Option<bool>,
}

fn serialize_opt_bool<S: serde::Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => perl::serialize_bool(b, s),
        None => s.serialize_none(),
    }
}

/// Builds `GET /cluster/firewall/groups`.
pub fn groups() -> ApiRequest {
    ApiRequest::new(GROUPS, &[])
}

/// Builds `POST /cluster/firewall/groups`.
pub fn group_create(group: &str, comment: Option<&str>) -> ApiRequest {
    let r = ApiRequest::new(GROUP_CREATE, &[]).param("group", group);
    match comment {
        Some(c) => r.param("comment", c),
        None => r,
    }
}

/// Builds `GET /cluster/firewall/groups/{group}`.
pub fn group_rules(group: &str) -> ApiRequest {
    ApiRequest::new(GROUP_RULES, &[&group])
}

/// Builds `POST /cluster/firewall/groups/{group}`.
pub fn group_rule_create(group: &str, rule: &Rule) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(GROUP_RULE_CREATE, &[&group]).with_params(rule)
}

/// Builds `DELETE /cluster/firewall/groups/{group}/{pos}`, against the rules' digest.
pub fn group_rule_delete(group: &str, pos: u64, digest: Option<&str>) -> ApiRequest {
    with_digest(ApiRequest::new(GROUP_RULE_DELETE, &[&group, &pos]), digest)
}

/// Builds `DELETE /cluster/firewall/groups/{group}`.
pub fn group_delete(group: &str) -> ApiRequest {
    ApiRequest::new(GROUP_DELETE, &[&group])
}

/// Builds `GET /cluster/firewall/ipset`.
pub fn ipsets() -> ApiRequest {
    ApiRequest::new(IPSETS, &[])
}

/// Builds `POST /cluster/firewall/ipset`.
pub fn ipset_create(name: &str, comment: Option<&str>) -> ApiRequest {
    let r = ApiRequest::new(IPSET_CREATE, &[]).param("name", name);
    match comment {
        Some(c) => r.param("comment", c),
        None => r,
    }
}

/// Builds `GET /cluster/firewall/ipset/{name}`.
pub fn ipset_entries(name: &str) -> ApiRequest {
    ApiRequest::new(IPSET_ENTRIES, &[&name])
}

/// Builds `POST /cluster/firewall/ipset/{name}`.
pub fn ipset_add(name: &str, cidr: &str, comment: Option<&str>) -> ApiRequest {
    let r = ApiRequest::new(IPSET_ADD, &[&name]).param("cidr", cidr);
    match comment {
        Some(c) => r.param("comment", c),
        None => r,
    }
}

/// Builds `DELETE /cluster/firewall/ipset/{name}/{cidr}`.
pub fn ipset_remove(name: &str, cidr: &str) -> ApiRequest {
    ApiRequest::new(IPSET_REMOVE, &[&name, &cidr])
}

/// Builds `DELETE /cluster/firewall/ipset/{name}` (`force`: with its entries).
pub fn ipset_delete(name: &str, force: bool) -> ApiRequest {
    let r = ApiRequest::new(IPSET_DELETE, &[&name]);
    if force {
        r.param("force", 1)
    } else {
        r
    }
}

/// Builds `GET .../firewall/options` of a guest.
pub fn options(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_OPTIONS, LXC_OPTIONS), &[node, &vmid])
}

/// Builds `PUT .../firewall/options` of a guest.
pub fn options_set(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    o: &FirewallOptions,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(kind.pick(QEMU_OPTIONS_SET, LXC_OPTIONS_SET), &[node, &vmid]).with_params(o)
}

/// Builds `GET .../firewall/rules` of a guest.
pub fn rules(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_RULES, LXC_RULES), &[node, &vmid])
}

/// Builds `POST .../firewall/rules` of a guest.
pub fn rule_create(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    rule: &Rule,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(kind.pick(QEMU_RULE_CREATE, LXC_RULE_CREATE), &[node, &vmid]).with_params(rule)
}

/// Builds `DELETE .../firewall/rules/{pos}` of a guest, against the rules' digest.
pub fn rule_delete(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    pos: u64,
    digest: Option<&str>,
) -> ApiRequest {
    let r = ApiRequest::new(
        kind.pick(QEMU_RULE_DELETE, LXC_RULE_DELETE),
        &[node, &vmid, &pos],
    );
    with_digest(r, digest)
}

fn with_digest(r: ApiRequest, digest: Option<&str>) -> ApiRequest {
    match digest {
        Some(d) => r.param("digest", d),
        None => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipset_entry_is_one_path_segment() {
        let r = ipset_remove("t1-m", "10.0.0.0/24");
        assert_eq!(r.path, "/cluster/firewall/ipset/t1-m/10.0.0.0%2F24");
    }

    #[test]
    fn a_rule_is_sent_without_its_position() {
        let mut rule = Rule::new(RuleType::In, "ACCEPT");
        rule.pos = Some(3);
        rule.proto = Some("tcp".into());
        rule.dport = Some("443".into());
        let r = group_rule_create("g", &rule).unwrap();
        let keys: Vec<&str> = r.params.iter().map(|(k, _)| k.as_str()).collect();
        assert!(!keys.contains(&"pos"));
        assert!(keys.contains(&"dport") && keys.contains(&"enable"));
    }
}
