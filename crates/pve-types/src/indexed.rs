//! Indexed configuration keys: `net0`, `scsi1`, `ipconfig0`, `mp3`, `unused2`.

use std::fmt;
use std::str::FromStr;

/// A key made of a known prefix and an index, as PVE's guest configs use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexedKey {
    /// The family (`net`, `scsi`, ...).
    pub prefix: KeyPrefix,
    /// The index within the family.
    pub index: u16,
}

/// The families of indexed keys and how many of each PVE allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyPrefix {
    /// Network device (qemu: 0..31, lxc: 0..31).
    Net,
    /// SCSI disk (0..30).
    Scsi,
    /// VirtIO block disk (0..15).
    Virtio,
    /// SATA disk (0..5).
    Sata,
    /// IDE disk (0..3).
    Ide,
    /// Cloud-init IP configuration (0..31).
    Ipconfig,
    /// Container mount point (0..255).
    Mp,
    /// Unused volume (0..255).
    Unused,
    /// Serial port (0..3).
    Serial,
    /// USB device (0..13).
    Usb,
    /// PCI passthrough (0..15).
    Hostpci,
}

impl KeyPrefix {
    /// Every family, for lookups.
    pub const ALL: [KeyPrefix; 11] = [
        KeyPrefix::Net,
        KeyPrefix::Scsi,
        KeyPrefix::Virtio,
        KeyPrefix::Sata,
        KeyPrefix::Ide,
        KeyPrefix::Ipconfig,
        KeyPrefix::Mp,
        KeyPrefix::Unused,
        KeyPrefix::Serial,
        KeyPrefix::Usb,
        KeyPrefix::Hostpci,
    ];

    /// The key prefix as written.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPrefix::Net => "net",
            KeyPrefix::Scsi => "scsi",
            KeyPrefix::Virtio => "virtio",
            KeyPrefix::Sata => "sata",
            KeyPrefix::Ide => "ide",
            KeyPrefix::Ipconfig => "ipconfig",
            KeyPrefix::Mp => "mp",
            KeyPrefix::Unused => "unused",
            KeyPrefix::Serial => "serial",
            KeyPrefix::Usb => "usb",
            KeyPrefix::Hostpci => "hostpci",
        }
    }

    /// The largest index PVE accepts for this family.
    pub fn max_index(self) -> u16 {
        match self {
            KeyPrefix::Net | KeyPrefix::Ipconfig => 31,
            KeyPrefix::Scsi => 30,
            KeyPrefix::Virtio | KeyPrefix::Hostpci => 15,
            KeyPrefix::Sata => 5,
            KeyPrefix::Ide | KeyPrefix::Serial => 3,
            KeyPrefix::Mp | KeyPrefix::Unused => 255,
            KeyPrefix::Usb => 13,
        }
    }

    /// Whether keys of this family hold a disk (a volume with a size).
    pub fn is_disk(self) -> bool {
        matches!(
            self,
            KeyPrefix::Scsi | KeyPrefix::Virtio | KeyPrefix::Sata | KeyPrefix::Ide
        )
    }
}

impl IndexedKey {
    /// Builds a key, checking the index against the family's limit.
    pub fn new(prefix: KeyPrefix, index: u16) -> Option<Self> {
        (index <= prefix.max_index()).then_some(Self { prefix, index })
    }
}

impl fmt::Display for IndexedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix.as_str(), self.index)
    }
}

/// A key that is not an indexed key of a known family.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an indexed configuration key")]
pub struct NotIndexed(pub String);

impl FromStr for IndexedKey {
    type Err = NotIndexed;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let split = s
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| NotIndexed(s.to_string()))?;
        let (p, n) = s.split_at(split);
        // `net01` is not a PVE key: indexes have no leading zeros.
        if n.len() > 1 && n.starts_with('0') {
            return Err(NotIndexed(s.to_string()));
        }
        let prefix = KeyPrefix::ALL
            .into_iter()
            .find(|k| k.as_str() == p)
            .ok_or_else(|| NotIndexed(s.to_string()))?;
        let index: u16 = n.parse().map_err(|_| NotIndexed(s.to_string()))?;
        IndexedKey::new(prefix, index).ok_or_else(|| NotIndexed(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses() {
        let k: IndexedKey = "net0".parse().unwrap();
        assert_eq!(
            k,
            IndexedKey {
                prefix: KeyPrefix::Net,
                index: 0
            }
        );
        let k: IndexedKey = "scsi30".parse().unwrap();
        assert_eq!(k.to_string(), "scsi30");
        assert!("scsi31".parse::<IndexedKey>().is_err());
        assert!("net01".parse::<IndexedKey>().is_err());
        assert!("memory".parse::<IndexedKey>().is_err());
        assert!("foo1".parse::<IndexedKey>().is_err());
    }

    proptest! {
        #[test]
        fn round_trips(i in 0usize..11, n in 0u16..256) {
            let prefix = KeyPrefix::ALL[i];
            if let Some(k) = IndexedKey::new(prefix, n) {
                prop_assert_eq!(k.to_string().parse::<IndexedKey>().unwrap(), k);
            } else {
                let text = format!("{}{}", prefix.as_str(), n);
                prop_assert!(text.parse::<IndexedKey>().is_err());
            }
        }
    }
}
