//! Typed property strings of guest configs: NICs, disks, cloud-init IP configs and sizes.
//!
//! Each type keeps the keys it does not model in `extra`, so decode + encode gives back the same string.

use std::fmt;
use std::str::FromStr;

use crate::property_string::{PropertyString, PropertyStringError};

/// A size as PVE writes it in configs (`32G`, `512M`, `1T`, plain bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DiskSize(pub u64);

impl DiskSize {
    /// From GiB.
    pub fn from_gib(gib: u64) -> Self {
        Self(gib << 30)
    }
    /// In bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
    /// In whole GiB, rounded up.
    pub fn gib_ceil(self) -> u64 {
        self.0.div_ceil(1 << 30)
    }
}

impl fmt::Display for DiskSize {
    /// The largest unit that divides the size exactly, like PVE's `format_size`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        for (shift, unit) in [(40, 'T'), (30, 'G'), (20, 'M'), (10, 'K')] {
            if b != 0 && b.is_multiple_of(1u64 << shift) {
                return write!(f, "{}{unit}", b >> shift);
            }
        }
        write!(f, "{b}")
    }
}

impl FromStr for DiskSize {
    type Err = PropertyStringError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PropertyStringError::Invalid {
            key: "size".into(),
            message: format!("unable to parse size '{s}'"),
        };
        let (num, shift) = match s.as_bytes().last() {
            Some(b'T') => (&s[..s.len() - 1], 40),
            Some(b'G') => (&s[..s.len() - 1], 30),
            Some(b'M') => (&s[..s.len() - 1], 20),
            Some(b'K') => (&s[..s.len() - 1], 10),
            Some(b'0'..=b'9') => (s, 0),
            _ => return Err(bad()),
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        n.checked_mul(1u64 << shift).map(DiskSize).ok_or_else(bad)
    }
}

/// NIC models of a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NicModel {
    /// Paravirtualized.
    Virtio,
    /// Intel e1000.
    E1000,
    /// Realtek.
    Rtl8139,
    /// VMware.
    Vmxnet3,
}

impl NicModel {
    const ALL: [NicModel; 4] = [
        NicModel::Virtio,
        NicModel::E1000,
        NicModel::Rtl8139,
        NicModel::Vmxnet3,
    ];
    /// The key as written.
    pub fn as_str(self) -> &'static str {
        match self {
            NicModel::Virtio => "virtio",
            NicModel::E1000 => "e1000",
            NicModel::Rtl8139 => "rtl8139",
            NicModel::Vmxnet3 => "vmxnet3",
        }
    }
}

/// A VM NIC: `virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=10,firewall=1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuNet {
    /// Model.
    pub model: NicModel,
    /// MAC address (PVE generates one when absent).
    pub macaddr: Option<String>,
    /// Bridge.
    pub bridge: Option<String>,
    /// VLAN tag.
    pub tag: Option<u16>,
    /// PVE firewall on this NIC.
    pub firewall: Option<bool>,
    /// Link down.
    pub link_down: Option<bool>,
    /// Keys not modelled here, in order.
    pub extra: Vec<(String, String)>,
}

impl QemuNet {
    /// A virtio NIC on a bridge.
    pub fn virtio(bridge: &str) -> Self {
        Self {
            model: NicModel::Virtio,
            macaddr: None,
            bridge: Some(bridge.to_string()),
            tag: None,
            firewall: None,
            link_down: None,
            extra: Vec::new(),
        }
    }
}

impl FromStr for QemuNet {
    type Err = PropertyStringError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut p: PropertyString = s.parse()?;
        // The model is either a key carrying the MAC (`virtio=MAC`) or `model=virtio` (+ `macaddr=`).
        let (model, mut macaddr) = match NicModel::ALL
            .into_iter()
            .find(|m| p.get(m.as_str()).is_some())
        {
            Some(m) => {
                let mac = p.take(m.as_str()).filter(|v| !v.is_empty());
                (m, mac)
            }
            None => {
                // `model` is the format's default key: `virtio,bridge=vmbr0` is a virtio NIC.
                let m = p
                    .take("model")
                    .or_else(|| p.default_value.take())
                    .ok_or_else(|| PropertyStringError::Missing("model".into()))?;
                let m = NicModel::ALL.into_iter().find(|x| x.as_str() == m).ok_or(
                    PropertyStringError::Invalid {
                        key: "model".into(),
                        message: format!("value '{m}' does not have a value in the enumeration"),
                    },
                )?;
                (m, None)
            }
        };
        if macaddr.is_none() {
            macaddr = p.take("macaddr");
        }
        if let Some(d) = p.default_value.take() {
            return Err(PropertyStringError::Invalid {
                key: "model".into(),
                message: format!("unexpected value '{d}'"),
            });
        }
        Ok(QemuNet {
            model,
            macaddr,
            bridge: p.take("bridge"),
            tag: p.take_parsed("tag")?,
            firewall: p.take_bool("firewall")?,
            link_down: p.take_bool("link_down")?,
            extra: p.entries,
        })
    }
}

impl fmt::Display for QemuNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = PropertyString::default();
        match &self.macaddr {
            Some(mac) => p.push(self.model.as_str(), mac),
            None => p.push("model", self.model.as_str()),
        }
        p.push_opt("bridge", self.bridge.as_deref());
        p.push_opt("tag", self.tag);
        p.push_bool("firewall", self.firewall);
        p.push_bool("link_down", self.link_down);
        p.entries.extend(self.extra.iter().cloned());
        p.fmt(f)
    }
}

/// A container NIC: `name=eth0,bridge=vmbr0,hwaddr=..,ip=dhcp,tag=10`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LxcNet {
    /// Interface name inside the container.
    pub name: String,
    /// Bridge.
    pub bridge: Option<String>,
    /// MAC address.
    pub hwaddr: Option<String>,
    /// IPv4 (`dhcp`, `manual` or CIDR).
    pub ip: Option<String>,
    /// IPv4 gateway.
    pub gw: Option<String>,
    /// VLAN tag.
    pub tag: Option<u16>,
    /// PVE firewall on this NIC.
    pub firewall: Option<bool>,
    /// Keys not modelled here, in order.
    pub extra: Vec<(String, String)>,
}

impl FromStr for LxcNet {
    type Err = PropertyStringError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut p: PropertyString = s.parse()?;
        let name = match p.default_value.take() {
            Some(n) => n,
            None => p
                .take("name")
                .ok_or_else(|| PropertyStringError::Missing("name".into()))?,
        };
        Ok(LxcNet {
            name,
            bridge: p.take("bridge"),
            hwaddr: p.take("hwaddr"),
            ip: p.take("ip"),
            gw: p.take("gw"),
            tag: p.take_parsed("tag")?,
            firewall: p.take_bool("firewall")?,
            extra: p.entries,
        })
    }
}

impl fmt::Display for LxcNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = PropertyString::default();
        p.push("name", &self.name);
        p.push_opt("bridge", self.bridge.as_deref());
        p.push_opt("hwaddr", self.hwaddr.as_deref());
        p.push_opt("ip", self.ip.as_deref());
        p.push_opt("gw", self.gw.as_deref());
        p.push_opt("tag", self.tag);
        p.push_bool("firewall", self.firewall);
        p.entries.extend(self.extra.iter().cloned());
        p.fmt(f)
    }
}

/// A disk, root filesystem or mount point: `local-lvm:vm-100-disk-0,size=32G` (or `local-lvm:32` to
/// allocate 32 GiB on create). Options keep their order, so printing gives back the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskSpec {
    /// The volume (`storage:volname`) or, on create, `storage:SIZE_GIB`.
    pub volume: String,
    /// `key=value` options in order (`size`, `mp`, `cache`, `discard`, ...).
    pub options: Vec<(String, String)>,
}

impl DiskSpec {
    /// The storage part of the volume.
    pub fn storage(&self) -> &str {
        self.volume.split(':').next().unwrap_or_default()
    }

    /// A new disk of `gib` GiB on `storage`, as create and config-set accept it.
    pub fn allocate(storage: &str, gib: u64) -> Self {
        Self {
            volume: format!("{storage}:{gib}"),
            options: Vec::new(),
        }
    }

    /// An option's value.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets an option, keeping its place when present.
    pub fn set_option(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.options.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.options.push((key.to_string(), value)),
        }
    }

    /// The size, when given and well-formed.
    pub fn size(&self) -> Option<DiskSize> {
        self.option("size").and_then(|s| s.parse().ok())
    }

    /// Sets the size.
    pub fn set_size(&mut self, size: DiskSize) {
        self.set_option("size", size.to_string());
    }

    /// The mount path (container mount points).
    pub fn mp(&self) -> Option<&str> {
        self.option("mp")
    }

    /// Whether it is a CD-ROM drive rather than a disk.
    pub fn is_cdrom(&self) -> bool {
        self.option("media") == Some("cdrom")
    }
}

impl FromStr for DiskSpec {
    type Err = PropertyStringError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut p: PropertyString = s.parse()?;
        let volume = match p.default_value.take() {
            Some(v) => v,
            None => p
                .take("file")
                .or_else(|| p.take("volume"))
                .ok_or_else(|| PropertyStringError::Missing("file".into()))?,
        };
        if let Some(size) = p.get("size") {
            size.parse::<DiskSize>()?;
        }
        Ok(DiskSpec {
            volume,
            options: p.entries,
        })
    }
}

impl fmt::Display for DiskSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        PropertyString {
            default_value: Some(self.volume.clone()),
            entries: self.options.clone(),
        }
        .fmt(f)
    }
}

/// A cloud-init IP configuration: `ip=10.0.0.5/24,gw=10.0.0.1` or `ip=dhcp`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpConfig {
    /// IPv4 CIDR or `dhcp`.
    pub ip: Option<String>,
    /// IPv4 gateway.
    pub gw: Option<String>,
    /// IPv6 CIDR, `dhcp` or `auto`.
    pub ip6: Option<String>,
    /// IPv6 gateway.
    pub gw6: Option<String>,
}

impl FromStr for IpConfig {
    type Err = PropertyStringError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut p: PropertyString = s.parse()?;
        if p.default_value.is_some() {
            return Err(PropertyStringError::NoDefaultKey);
        }
        let c = IpConfig {
            ip: p.take("ip"),
            gw: p.take("gw"),
            ip6: p.take("ip6"),
            gw6: p.take("gw6"),
        };
        if let Some((k, _)) = p.entries.first() {
            return Err(PropertyStringError::Invalid {
                key: k.clone(),
                message: "property is not defined in schema and the schema does not allow additional properties".into(),
            });
        }
        Ok(c)
    }
}

impl fmt::Display for IpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = PropertyString::default();
        p.push_opt("ip", self.ip.as_deref());
        p.push_opt("gw", self.gw.as_deref());
        p.push_opt("ip6", self.ip6.as_deref());
        p.push_opt("gw6", self.gw6.as_deref());
        p.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip<T: FromStr + fmt::Display>(s: &str)
    where
        T::Err: fmt::Debug,
    {
        let v: T = s.parse().unwrap();
        assert_eq!(v.to_string(), s);
    }

    #[test]
    fn real_config_values_round_trip() {
        round_trip::<QemuNet>("virtio=BC:24:11:2E:3F:01,bridge=vmbr0,tag=10");
        round_trip::<QemuNet>("virtio=BC:24:11:2E:3F:01,bridge=vmbr0,firewall=1,queues=4");
        round_trip::<LxcNet>("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:02,ip=dhcp,tag=20");
        round_trip::<DiskSpec>("local-lvm:vm-100-disk-0,size=32G");
        round_trip::<DiskSpec>("local-lvm:vm-100-disk-0,size=32G,cache=writeback,discard=on");
        round_trip::<DiskSpec>("ceph-vm:base-9000-disk-0,discard=on,iothread=1,size=3G");
        round_trip::<DiskSpec>("ceph-vm:vm-101-cloudinit,media=cdrom");
        round_trip::<DiskSpec>("local-lvm:subvol-101-disk-0,size=8G");
        round_trip::<DiskSpec>("local-lvm:vm-101-disk-1,mp=/srv,size=100G");
        round_trip::<IpConfig>("ip=10.0.0.5/24,gw=10.0.0.1");
        round_trip::<IpConfig>("ip=dhcp,ip6=auto");
    }

    #[test]
    fn typed_fields() {
        let n: QemuNet = "virtio=BC:24:11:2E:3F:01,bridge=vmbr0,tag=10"
            .parse()
            .unwrap();
        assert_eq!(n.model, NicModel::Virtio);
        assert_eq!(n.macaddr.as_deref(), Some("BC:24:11:2E:3F:01"));
        assert_eq!(n.tag, Some(10));
        let d: DiskSpec = "local-lvm:vm-100-disk-0,size=32G".parse().unwrap();
        assert_eq!(d.storage(), "local-lvm");
        assert_eq!(d.size(), Some(DiskSize::from_gib(32)));
        assert!("local:vm-1-disk-0,size=lots".parse::<DiskSpec>().is_err());
        assert!("virtio=x,tag=abc".parse::<QemuNet>().is_err());
        assert!("ip=1.2.3.4/24,foo=1".parse::<IpConfig>().is_err());
        let m: QemuNet = "model=virtio,bridge=vmbr0".parse().unwrap();
        assert_eq!(m.to_string(), "model=virtio,bridge=vmbr0");
        // The model is the format's default key.
        let d: QemuNet = "virtio,bridge=vmbr0,tag=5".parse().unwrap();
        assert_eq!(
            (d.model, d.macaddr, d.tag),
            (NicModel::Virtio, None, Some(5))
        );
        assert!("bogus,bridge=vmbr0".parse::<QemuNet>().is_err());
        assert!("virtio,model=e1000".parse::<QemuNet>().is_err());
    }

    proptest! {
        #[test]
        fn size_round_trips(n in 0u64..1 << 50) {
            let s = DiskSize(n);
            prop_assert_eq!(s.to_string().parse::<DiskSize>().unwrap(), s);
        }

        #[test]
        fn net_round_trips(mac in "[0-9A-F]{2}(:[0-9A-F]{2}){5}", bridge in "vmbr[0-9]{1,2}",
                           tag in proptest::option::of(1u16..4095), fw in proptest::option::of(any::<bool>())) {
            let n = QemuNet { model: NicModel::Virtio, macaddr: Some(mac), bridge: Some(bridge), tag,
                              firewall: fw, link_down: None, extra: vec![] };
            prop_assert_eq!(n.to_string().parse::<QemuNet>().unwrap(), n);
        }
    }
}
