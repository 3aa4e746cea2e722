//! Parameter verification with PVE's rules and messages: unknown parameters refused, required ones
//! present, types, ranges, lengths, enumerations and formats checked, errors collected per parameter.

mod spec;
mod spec9;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

pub use spec::ENDPOINT_PARAMS;
pub use spec9::PVE9_ENDPOINT_PARAMS;

use crate::model::firewall as fw;
use crate::model::Release;

/// The type of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    /// Text, optionally length-limited.
    Str {
        /// Longest accepted length.
        max_len: Option<usize>,
    },
    /// Integer with optional bounds.
    Int {
        /// Smallest accepted value.
        min: Option<i64>,
        /// Largest accepted value.
        max: Option<i64>,
    },
    /// Number with optional bounds.
    Num {
        /// Smallest accepted value.
        min: Option<f64>,
        /// Largest accepted value.
        max: Option<f64>,
    },
    /// `0`/`1` (and PVE's other spellings).
    Bool,
    /// One of the listed values.
    Enum(Vec<String>),
    /// `pve-node`.
    Node,
    /// `pve-vmid` (an integer 100..999999999).
    Vmid,
    /// `pve-storage-id`.
    Storage,
    /// `pve-poolid`.
    Pool,
    /// `pve-configid`.
    ConfigId,
    /// `dns-name`.
    DnsName,
    /// A VM disk key (`scsi0`, `virtio1`, `efidisk0`, ...).
    QemuDisk,
    /// A container disk key (`rootfs`, `mp0`, ...).
    CtDisk,
    /// `pve-sdn-zone-id`.
    SdnZoneId,
    /// `pve-sdn-vnet-id`.
    SdnVnetId,
    /// `pve-sdn-subnet-id` (a prefix, or `zone-prefix` with `-` for `/`).
    SdnSubnetId,
    /// `ip`: an IPv4 or IPv6 address.
    Ip,
    /// `mac-addr`.
    Mac,
    /// An array (sent as one value per item).
    List,
    /// A security group or IP set name (`[A-Za-z][A-Za-z0-9\-\_]+`), length-limited.
    FwName {
        /// Longest accepted length.
        max_len: usize,
    },
    /// `pve-fw-addr-spec` (at most 512 characters).
    FwAddr,
    /// `pve-fw-dport-spec`.
    FwDport,
    /// `pve-fw-sport-spec`.
    FwSport,
    /// `pve-fw-protocol-spec`.
    FwProto,
    /// `pve-fw-icmp-type-spec`.
    FwIcmpType,
    /// `pve-iface` (at most 20 characters).
    Iface,
    /// `IPorCIDRorAlias`.
    IpOrCidrOrAlias,
    /// `pve-configid-list`.
    ConfigIdList,
}

/// One declared parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Name, or the family prefix for indexed parameters.
    pub name: String,
    /// Whether it is a family `name[n]`.
    pub indexed: bool,
    /// Its type.
    pub ty: ParamType,
    /// Whether it may be left out.
    pub optional: bool,
}

/// The parameters of one endpoint.
#[derive(Debug, Clone)]
pub struct EndpointSpec {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path template.
    pub path: String,
    /// Declared parameters.
    pub params: Vec<ParamSpec>,
}

/// The largest index of each indexed family.
pub fn family_max(prefix: &str) -> u16 {
    match prefix {
        "net" | "ipconfig" => 31,
        "scsi" => 30,
        "virtio" | "hostpci" => 15,
        "sata" => 5,
        "ide" | "serial" => 3,
        "usb" => 13,
        "numa" => 7,
        "parallel" => 2,
        "virtiofs" => 9,
        _ => 255,
    }
}

fn parse_type(t: &str) -> ParamType {
    let (base, arg) = match t.split_once('(') {
        Some((b, rest)) => (b, Some(rest.trim_end_matches(')'))),
        None => (t, None),
    };
    let range = |a: Option<&str>| -> (Option<String>, Option<String>) {
        match a.and_then(|a| a.split_once("..")) {
            Some((lo, hi)) => (
                Some(lo.to_string()).filter(|s| !s.is_empty()),
                Some(hi.to_string()).filter(|s| !s.is_empty()),
            ),
            None => (None, None),
        }
    };
    match base {
        "str" => ParamType::Str {
            max_len: arg.and_then(|a| a.parse().ok()),
        },
        "int" => {
            let (lo, hi) = range(arg);
            ParamType::Int {
                min: lo.and_then(|v| v.parse().ok()),
                max: hi.and_then(|v| v.parse().ok()),
            }
        }
        "num" => {
            let (lo, hi) = range(arg);
            ParamType::Num {
                min: lo.and_then(|v| v.parse().ok()),
                max: hi.and_then(|v| v.parse().ok()),
            }
        }
        "bool" => ParamType::Bool,
        "enum" => ParamType::Enum(
            arg.unwrap_or_default()
                .split('|')
                .map(str::to_string)
                .collect(),
        ),
        "node" => ParamType::Node,
        "vmid" => ParamType::Vmid,
        "storage" => ParamType::Storage,
        "pool" => ParamType::Pool,
        "cfgid" => ParamType::ConfigId,
        "dns" => ParamType::DnsName,
        "qdisk" => ParamType::QemuDisk,
        "ctdisk" => ParamType::CtDisk,
        "zoneid" => ParamType::SdnZoneId,
        "vnetid" => ParamType::SdnVnetId,
        "subnetid" => ParamType::SdnSubnetId,
        "ip" => ParamType::Ip,
        "mac" => ParamType::Mac,
        "list" => ParamType::List,
        "fwname" => ParamType::FwName {
            max_len: arg.and_then(|a| a.parse().ok()).unwrap_or(64),
        },
        "fwaddr" => ParamType::FwAddr,
        "fwdport" => ParamType::FwDport,
        "fwsport" => ParamType::FwSport,
        "fwproto" => ParamType::FwProto,
        "fwicmp" => ParamType::FwIcmpType,
        "iface" => ParamType::Iface,
        "ipcidr" => ParamType::IpOrCidrOrAlias,
        "cfglist" => ParamType::ConfigIdList,
        other => panic!("unknown parameter type in the endpoint table: {other}"),
    }
}

fn parse_params(line: &str) -> Vec<ParamSpec> {
    line.split_whitespace()
        .map(|tok| {
            let (name, ty) = tok.split_once(':').unwrap_or((tok, "str"));
            let optional = ty.ends_with('?');
            let ty = ty.trim_end_matches('?');
            let (name, indexed) = match name.strip_suffix("[n]") {
                Some(n) => (n, true),
                None => (name, false),
            };
            ParamSpec {
                name: name.to_string(),
                indexed,
                ty: parse_type(ty),
                optional,
            }
        })
        .collect()
}

fn build(lines: &[(&str, &str)]) -> HashMap<String, EndpointSpec> {
    lines
        .iter()
        .map(|(key, line)| {
            let (method, path) = key.split_once(' ').unwrap_or(("GET", key));
            (
                key.to_string(),
                EndpointSpec {
                    method: method.to_string(),
                    path: path.to_string(),
                    params: parse_params(line),
                },
            )
        })
        .collect()
}

/// Every endpoint PVE 8.4 serves here, with its parameters, by `"METHOD /path"`.
pub fn specs() -> &'static HashMap<String, EndpointSpec> {
    static SPECS: OnceLock<HashMap<String, EndpointSpec>> = OnceLock::new();
    SPECS.get_or_init(|| build(ENDPOINT_PARAMS))
}

/// What PVE 9.1 serves beyond 8.4 or declares differently, by `"METHOD /path"`.
pub fn specs_9() -> &'static HashMap<String, EndpointSpec> {
    static SPECS: OnceLock<HashMap<String, EndpointSpec>> = OnceLock::new();
    SPECS.get_or_init(|| build(PVE9_ENDPOINT_PARAMS))
}

/// The parameters of `key` as `release` declares them; none when that release has no such endpoint.
pub fn spec_for(release: Release, key: &str) -> Option<&'static EndpointSpec> {
    match release {
        Release::Pve8 => specs().get(key),
        Release::Pve9 => specs_9().get(key).or_else(|| specs().get(key)),
    }
}

/// Whether any release serves `key`.
pub fn any_release_serves(key: &str) -> bool {
    specs().contains_key(key) || specs_9().contains_key(key)
}

impl EndpointSpec {
    fn find(&self, key: &str) -> Option<&ParamSpec> {
        if let Some(p) = self.params.iter().find(|p| !p.indexed && p.name == key) {
            return Some(p);
        }
        let digits = key.find(|c: char| c.is_ascii_digit())?;
        let (prefix, n) = key.split_at(digits);
        if n.len() > 1 && n.starts_with('0') {
            return None;
        }
        let n: u16 = n.parse().ok()?;
        self.params
            .iter()
            .find(|p| p.indexed && p.name == prefix && n <= family_max(prefix))
    }

    /// Checks the parameters as PVE does; the error maps each bad parameter to PVE's message.
    pub fn validate(
        &self,
        params: &BTreeMap<String, String>,
    ) -> Result<(), BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        for (k, v) in params {
            match self.find(k) {
                None => {
                    errors.insert(
                        k.clone(),
                        "property is not defined in schema and the schema does not allow additional properties".into(),
                    );
                }
                Some(spec) => {
                    if let Err(e) = check_value(&spec.ty, v) {
                        errors.insert(k.clone(), e);
                    }
                }
            }
        }
        for p in self.params.iter().filter(|p| !p.optional && !p.indexed) {
            if !params.contains_key(&p.name) {
                errors.insert(
                    p.name.clone(),
                    "property is missing and it is not optional".into(),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_int(v: &str) -> Result<i64, String> {
    let t = v.trim();
    let ok = !t.is_empty()
        && t.strip_prefix(['+', '-'])
            .unwrap_or(t)
            .bytes()
            .all(|b| b.is_ascii_digit())
        && t.strip_prefix(['+', '-']).is_none_or(|r| !r.is_empty());
    if !ok {
        return Err(format!("type check ('integer') failed - got '{v}'"));
    }
    t.parse()
        .map_err(|_| format!("type check ('integer') failed - got '{v}'"))
}

/// One value against one type, with PVE's wording.
pub fn check_value(ty: &ParamType, v: &str) -> Result<(), String> {
    match ty {
        ParamType::Str { max_len } => match max_len {
            Some(m) if v.chars().count() > *m => {
                Err(format!("value may only be {m} characters long"))
            }
            _ => Ok(()),
        },
        ParamType::Int { min, max } => {
            let n = check_int(v)?;
            if let Some(m) = min {
                if n < *m {
                    return Err(format!("value must have a minimum value of {m}"));
                }
            }
            if let Some(m) = max {
                if n > *m {
                    return Err(format!("value must have a maximum value of {m}"));
                }
            }
            Ok(())
        }
        ParamType::Num { min, max } => {
            let n: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| format!("type check ('number') failed - got '{v}'"))?;
            if let Some(m) = min {
                if n < *m {
                    return Err(format!("value must have a minimum value of {m}"));
                }
            }
            if let Some(m) = max {
                if n > *m {
                    return Err(format!("value must have a maximum value of {m}"));
                }
            }
            Ok(())
        }
        ParamType::Bool => match v.to_ascii_lowercase().as_str() {
            "0" | "1" | "true" | "false" | "yes" | "no" | "on" | "off" => Ok(()),
            _ => Err(format!("type check ('boolean') failed - got '{v}'")),
        },
        ParamType::Enum(values) => {
            if values.iter().any(|x| x == v) {
                Ok(())
            } else {
                Err(format!(
                    "value '{v}' does not have a value in the enumeration '{}'",
                    values.join(", ")
                ))
            }
        }
        ParamType::Node => {
            if pve_types::ids::is_dns_label(v) {
                Ok(())
            } else {
                Err("invalid format - value does not look like a valid node name\n".into())
            }
        }
        ParamType::Vmid => {
            let n = check_int(v)?;
            if !(100..=999_999_999).contains(&n) {
                return Err("invalid format - value does not look like a valid VM ID\n".into());
            }
            Ok(())
        }
        ParamType::Storage => {
            let b = v.as_bytes();
            if !b.is_empty()
                && b[0].is_ascii_alphabetic()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            {
                Ok(())
            } else {
                Err(format!(
                    "invalid format - storage ID '{v}' contains illegal characters\n"
                ))
            }
        }
        ParamType::Pool => {
            if pve_types::PoolId::new(v).is_ok() {
                Ok(())
            } else {
                Err(format!(
                    "invalid format - pool name '{v}' contains illegal characters\n"
                ))
            }
        }
        ParamType::ConfigId => {
            let b = v.as_bytes();
            if !b.is_empty()
                && b[0].is_ascii_alphabetic()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
            {
                Ok(())
            } else {
                Err(format!("invalid format - invalid configuration ID '{v}'\n"))
            }
        }
        ParamType::DnsName => {
            if !v.is_empty() && v.len() <= 253 && v.split('.').all(pve_types::ids::is_dns_label) {
                Ok(())
            } else {
                Err(format!(
                    "invalid format - value '{v}' does not look like a valid DNS name\n"
                ))
            }
        }
        ParamType::QemuDisk => {
            let ok = matches!(v, "efidisk0" | "tpmstate0")
                || v.parse::<pve_types::IndexedKey>()
                    .is_ok_and(|k| k.prefix.is_disk());
            if ok {
                Ok(())
            } else {
                Err(format!("value '{v}' does not have a value in the enumeration 'ide0, ide1, ide2, ide3, scsi0, ..., sata5, efidisk0, tpmstate0'"))
            }
        }
        ParamType::CtDisk => {
            let ok = v == "rootfs"
                || v.parse::<pve_types::IndexedKey>()
                    .is_ok_and(|k| k.prefix == pve_types::indexed::KeyPrefix::Mp);
            if ok {
                Ok(())
            } else {
                Err(format!("value '{v}' does not have a value in the enumeration 'rootfs, mp0, ..., mp255'"))
            }
        }
        ParamType::SdnZoneId => {
            crate::model::sdn::check_id("zone", v).map_err(|e| format!("invalid format - {e}\n"))
        }
        ParamType::SdnVnetId => {
            crate::model::sdn::check_id("vnet", v).map_err(|e| format!("invalid format - {e}\n"))
        }
        ParamType::SdnSubnetId => {
            let prefix = v.rsplit_once('-').map(|(a, l)| {
                // `zone-10.0.0.0-24`: the address after the zone.
                let addr = a.split_once('-').map_or(a, |(_, addr)| addr);
                format!("{addr}/{l}")
            });
            let ok = crate::model::sdn::Cidr::parse(v).is_some()
                || prefix.is_some_and(|p| crate::model::sdn::Cidr::parse(&p).is_some());
            if ok {
                Ok(())
            } else {
                Err(format!("invalid format - invalid subnet '{v}'\n"))
            }
        }
        ParamType::Ip => v.parse::<std::net::IpAddr>().map(|_| ()).map_err(|_| {
            format!("invalid format - value '{v}' does not look like a valid IP address\n")
        }),
        ParamType::Mac => {
            let parts: Vec<&str> = v.split(':').collect();
            if parts.len() == 6
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                Ok(())
            } else {
                Err(format!(
                    "invalid format - value '{v}' does not look like a valid MAC address\n"
                ))
            }
        }
        ParamType::List => Ok(()),
        ParamType::FwName { max_len } => {
            if v.chars().count() > *max_len {
                Err(format!("value may only be {max_len} characters long"))
            } else if !fw::is_fw_name(v) {
                Err("value does not match the regex pattern".into())
            } else {
                Ok(())
            }
        }
        ParamType::FwAddr => {
            if v.chars().count() > 512 {
                return Err("value may only be 512 characters long".into());
            }
            fw::parse_address_list(v)
                .map(|_| ())
                .map_err(|e| format!("invalid format - {e}\n"))
        }
        ParamType::FwDport => {
            fw::check_ports(v, true).map_err(|e| format!("invalid format - {e}\n"))
        }
        ParamType::FwSport => {
            fw::check_ports(v, false).map_err(|e| format!("invalid format - {e}\n"))
        }
        ParamType::FwProto => fw::check_protocol(v).map_err(|e| format!("invalid format - {e}\n")),
        ParamType::FwIcmpType => {
            fw::check_icmp_type(v).map_err(|e| format!("invalid format - {e}\n"))
        }
        ParamType::Iface => {
            let ok = v.len() >= 2
                && v.len() <= 20
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "invalid format - invalid network interface name '{v}'\n"
                ))
            }
        }
        ParamType::IpOrCidrOrAlias => {
            if fw::is_fw_name(v) || fw::clean_cidr(v).is_ok() {
                Ok(())
            } else {
                Err("invalid format - value does not look like a valid IP address or CIDR network\n".into())
            }
        }
        ParamType::ConfigIdList => {
            let ok = v
                .split([',', ';', ' '])
                .filter(|s| !s.is_empty())
                .all(|id| {
                    let b = id.as_bytes();
                    b[0].is_ascii_alphabetic()
                        && b.iter()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
                });
            if ok {
                Ok(())
            } else {
                Err(format!("invalid format - invalid configuration ID '{v}'\n"))
            }
        }
    }
}

/// Decodes `%XX` escapes (path segments, cookies); invalid escapes stay as they are.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(key: &str) -> &'static EndpointSpec {
        specs().get(key).unwrap()
    }

    #[test]
    fn every_line_parses() {
        assert_eq!(specs().len(), ENDPOINT_PARAMS.len());
    }

    #[test]
    fn messages_match_pve() {
        let s = spec("POST /nodes/{node}/qemu/{vmid}/clone");
        let mut p = BTreeMap::new();
        p.insert("node".to_string(), "pve1".to_string());
        p.insert("vmid".to_string(), "9000".to_string());
        p.insert("bogus".to_string(), "1".to_string());
        p.insert("full".to_string(), "maybe".to_string());
        let e = s.validate(&p).unwrap_err();
        assert_eq!(e["newid"], "property is missing and it is not optional");
        assert_eq!(
            e["bogus"],
            "property is not defined in schema and the schema does not allow additional properties"
        );
        assert_eq!(e["full"], "type check ('boolean') failed - got 'maybe'");
        p.remove("bogus");
        p.insert("full".into(), "1".into());
        p.insert("newid".into(), "99".into());
        let e = s.validate(&p).unwrap_err();
        assert_eq!(
            e["newid"],
            "invalid format - value does not look like a valid VM ID\n"
        );
        p.insert("newid".into(), "101".into());
        assert!(s.validate(&p).is_ok());
    }

    #[test]
    fn indexed_families() {
        let s = spec("POST /nodes/{node}/qemu");
        let mut p = BTreeMap::new();
        p.insert("node".to_string(), "pve1".to_string());
        p.insert("vmid".to_string(), "100".to_string());
        p.insert("net31".to_string(), "virtio,bridge=vmbr0".to_string());
        assert!(s.validate(&p).is_ok());
        p.insert("net32".to_string(), "virtio,bridge=vmbr0".to_string());
        assert!(s.validate(&p).unwrap_err().contains_key("net32"));
    }
}
