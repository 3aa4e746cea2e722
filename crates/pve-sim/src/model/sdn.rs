//! Software-defined networking as PVE keeps it: zones, VNets and subnets as sections of
//! `/etc/pve/sdn/*.cfg` (the staged configuration), the running configuration that `PUT
//! /cluster/sdn` commits, what the nodes have actually reloaded, and the PVE IPAM's mappings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One section: its properties as text, as the configuration file holds them (`type` included).
pub type Section = BTreeMap<String, String>;

/// One version of the SDN configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SdnConfig {
    /// Zones by id.
    pub zones: BTreeMap<String, Section>,
    /// VNets by id.
    pub vnets: BTreeMap<String, Section>,
    /// Subnets by id (`zone-10.0.0.0-24`).
    pub subnets: BTreeMap<String, Section>,
}

/// Which file of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdnFile {
    /// `zones.cfg`.
    Zones,
    /// `vnets.cfg`.
    Vnets,
    /// `subnets.cfg`.
    Subnets,
}

impl SdnConfig {
    /// The sections of one file.
    pub fn file(&self, f: SdnFile) -> &BTreeMap<String, Section> {
        match f {
            SdnFile::Zones => &self.zones,
            SdnFile::Vnets => &self.vnets,
            SdnFile::Subnets => &self.subnets,
        }
    }

    /// The sections of one file, to change.
    pub fn file_mut(&mut self, f: SdnFile) -> &mut BTreeMap<String, Section> {
        match f {
            SdnFile::Zones => &mut self.zones,
            SdnFile::Vnets => &mut self.vnets,
            SdnFile::Subnets => &mut self.subnets,
        }
    }

    /// The digest of one file (PVE answers it with every read and checks it on every update).
    pub fn digest(&self, f: SdnFile) -> String {
        use sha2::{Digest, Sha256};
        let text = serde_json::to_string(self.file(f)).unwrap_or_default();
        hex::encode(Sha256::digest(text.as_bytes()))[..40].to_string()
    }
}

/// A mapping in the PVE IPAM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpamEntry {
    /// The NIC's MAC address.
    pub mac: Option<String>,
    /// The guest, when known.
    pub vmid: Option<u32>,
}

/// The cluster's SDN.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sdn {
    /// The staged configuration (`/etc/pve/sdn/*.cfg`).
    pub config: SdnConfig,
    /// The configuration the last apply committed (`.running-config`).
    pub running: SdnConfig,
    /// What the nodes last reloaded successfully (a failed reload leaves the one before).
    pub active: SdnConfig,
    /// Mappings by subnet id, then address.
    pub ipam: BTreeMap<String, BTreeMap<String, IpamEntry>>,
    /// How many of the next reloads fail (fault injection).
    pub failing_reloads: u32,
    /// Reloads so far.
    pub reloads: u64,
}

impl Sdn {
    /// Whether a VNet is running on the nodes (guests can be attached to it).
    pub fn vnet_active(&self, vnet: &str) -> bool {
        self.active.vnets.contains_key(vnet)
    }
}

/// PVE's check of a zone or VNet id: `^[a-z][a-z0-9]*[a-z0-9]$` (any case), at most 8 characters.
pub fn check_id(what: &str, id: &str) -> Result<(), String> {
    let b = id.as_bytes();
    let ok = b.len() >= 2 && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric);
    if !ok {
        return Err(format!("{what} ID '{id}' contains illegal characters"));
    }
    if b.len() > 8 {
        return Err(format!(
            "{what} ID '{id}' can't be more length than 8 characters"
        ));
    }
    Ok(())
}

/// An IPv4 or IPv6 prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address.
    pub addr: std::net::IpAddr,
    /// The prefix length.
    pub len: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/24`; the address must be the network's own.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (a, l) = s.split_once('/')?;
        let addr: std::net::IpAddr = a.parse().ok()?;
        let len: u8 = l.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if len > max {
            return None;
        }
        let c = Cidr { addr, len };
        (c.network() == addr).then_some(c)
    }

    fn bits(a: std::net::IpAddr) -> (u128, u32) {
        match a {
            std::net::IpAddr::V4(v) => (u32::from(v) as u128, 32),
            std::net::IpAddr::V6(v) => (u128::from(v), 128),
        }
    }

    fn mask(&self) -> u128 {
        let (_, width) = Self::bits(self.addr);
        let host = width - u32::from(self.len);
        let all = if width == 32 {
            u32::MAX as u128
        } else {
            u128::MAX
        };
        if host >= 128 {
            0
        } else {
            all & !((1u128 << host).wrapping_sub(1))
        }
    }

    /// The network address of the prefix.
    pub fn network(&self) -> std::net::IpAddr {
        let (v, width) = Self::bits(self.addr);
        let n = v & self.mask();
        if width == 32 {
            std::net::IpAddr::V4(std::net::Ipv4Addr::from(n as u32))
        } else {
            std::net::IpAddr::V6(std::net::Ipv6Addr::from(n))
        }
    }

    /// Whether an address is inside.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        if ip.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        let (v, _) = Self::bits(ip);
        let (n, _) = Self::bits(self.addr);
        v & self.mask() == n & self.mask()
    }
}

/// The start and end of a `start-address=...,end-address=...` DHCP range.
pub fn parse_range(s: &str) -> Option<(std::net::IpAddr, std::net::IpAddr)> {
    let mut start = None;
    let mut end = None;
    for part in s.split(',') {
        match part.split_once('=') {
            Some(("start-address", v)) => start = v.trim().parse().ok(),
            Some(("end-address", v)) => end = v.trim().parse().ok(),
            _ => return None,
        }
    }
    Some((start?, end?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_as_pve_checks_them() {
        assert!(check_id("zone", "t1").is_ok());
        assert!(check_id("zone", "abcdefgh").is_ok());
        assert!(check_id("zone", "abcdefghi")
            .unwrap_err()
            .contains("more length than 8"));
        for bad in ["1a", "a-b", "a", "a_b", ""] {
            assert!(
                check_id("vnet", bad).unwrap_err().contains("illegal"),
                "{bad}"
            );
        }
    }

    #[test]
    fn prefixes_contain_their_addresses() {
        let c = Cidr::parse("10.1.2.0/24").unwrap();
        assert!(c.contains("10.1.2.77".parse().unwrap()));
        assert!(!c.contains("10.1.3.1".parse().unwrap()));
        assert!(
            Cidr::parse("10.1.2.1/24").is_none(),
            "not a network address"
        );
        let v6 = Cidr::parse("fd00:1::/64").unwrap();
        assert!(v6.contains("fd00:1::5".parse().unwrap()));
        assert!(!v6.contains("10.1.2.1".parse().unwrap()));
        assert_eq!(
            parse_range("start-address=10.1.2.10,end-address=10.1.2.20"),
            Some(("10.1.2.10".parse().unwrap(), "10.1.2.20".parse().unwrap()))
        );
    }
}
