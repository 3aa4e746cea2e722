//! Typed identifiers of the Proxmox VE API, validated the way PVE's schema formats validate them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An identifier that did not pass its format check; the message is PVE's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IdError {
    /// What PVE says about such a value (e.g. `value does not look like a valid VM ID`).
    pub message: String,
}

impl IdError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A guest id (`pve-vmid`): 100 to 999,999,999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vmid(u32);

impl Vmid {
    /// The smallest id PVE accepts.
    pub const MIN: u32 = 100;
    /// The largest id PVE accepts.
    pub const MAX: u32 = 999_999_999;

    /// Checks the range and wraps the id.
    pub fn new(id: u32) -> Result<Self, IdError> {
        if (Self::MIN..=Self::MAX).contains(&id) {
            Ok(Self(id))
        } else {
            Err(IdError::new("value does not look like a valid VM ID"))
        }
    }

    /// The numeric id.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Vmid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Vmid {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::new("value does not look like a valid VM ID"));
        }
        let n: u32 = s
            .parse()
            .map_err(|_| IdError::new("value does not look like a valid VM ID"))?;
        Self::new(n)
    }
}

impl Serialize for Vmid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for Vmid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // PVE sends vmids as numbers in most places and as strings in some (`/cluster/nextid`, task ids).
        let n = crate::perl::deserialize_u64(d)?;
        let n = u32::try_from(n).map_err(serde::de::Error::custom)?;
        Vmid::new(n).map_err(serde::de::Error::custom)
    }
}

/// Defines a string id newtype with a validating constructor and serde support.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps the value.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                $check(&value)?;
                Ok(Self(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A cluster node name (`pve-node`): a DNS label.
    NodeName,
    check_node
);
string_id!(
    /// A storage id (`pve-storage-id`).
    StorageId,
    check_storage
);
string_id!(
    /// A resource pool id (`pve-poolid`).
    PoolId,
    check_pool
);
string_id!(
    /// An authentication id: `USER@REALM` or an API token `USER@REALM!TOKENID`.
    Authid,
    check_authid
);

impl Authid {
    /// The user part (`USER@REALM`).
    pub fn user(&self) -> &str {
        self.0.split('!').next().unwrap_or(&self.0)
    }

    /// The token name when this is an API token id.
    pub fn token_name(&self) -> Option<&str> {
        self.0.split_once('!').map(|(_, t)| t)
    }
}

/// Whether `s` is a DNS label: letters, digits and inner hyphens, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn check_node(s: &str) -> Result<(), IdError> {
    if is_dns_label(s) {
        Ok(())
    } else {
        Err(IdError::new("value does not look like a valid node name"))
    }
}

fn check_storage(s: &str) -> Result<(), IdError> {
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(IdError::new(format!(
            "storage ID '{s}' contains illegal characters"
        )))
    }
}

fn check_pool(s: &str) -> Result<(), IdError> {
    let ok = !s.is_empty()
        && s.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
        });
    if ok {
        Ok(())
    } else {
        Err(IdError::new(format!(
            "pool name '{s}' contains illegal characters"
        )))
    }
}

fn check_authid(s: &str) -> Result<(), IdError> {
    let (user, token) = match s.split_once('!') {
        Some((u, t)) => (u, Some(t)),
        None => (s, None),
    };
    let user_ok = match user.rsplit_once('@') {
        Some((name, realm)) => {
            !name.is_empty()
                && name.len() <= 60
                && !name.contains(|c: char| c.is_whitespace() || c == ':' || c == '/')
                && !realm.is_empty()
                && realm
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        None => false,
    };
    let token_ok = token.is_none_or(|t| {
        let b = t.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphabetic()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    });
    if user_ok && token_ok {
        Ok(())
    } else {
        Err(IdError::new(
            "value does not look like a valid user or token id",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmid_range() {
        assert!(Vmid::new(99).is_err());
        assert_eq!(Vmid::new(100).map(Vmid::get), Ok(100));
        assert!(Vmid::new(1_000_000_000).is_err());
        assert_eq!("  123".parse::<Vmid>().map(Vmid::get), Ok(123));
        assert!("12a".parse::<Vmid>().is_err());
    }

    #[test]
    fn vmid_decodes_from_number_and_string() {
        let a: Vmid = serde_json::from_str("\"100\"").unwrap();
        let b: Vmid = serde_json::from_str("100").unwrap();
        assert_eq!(a, b);
        assert!(serde_json::from_str::<Vmid>("\"x\"").is_err());
    }

    #[test]
    fn names() {
        assert!(NodeName::new("pve1").is_ok());
        assert!(NodeName::new("-pve").is_err());
        assert!(NodeName::new("a/b").is_err());
        assert!(StorageId::new("local-lvm").is_ok());
        assert!(StorageId::new("1x").is_err());
        assert!(PoolId::new("tenant-a/sub").is_ok());
        assert!(PoolId::new("a b").is_err());
        let t = Authid::new("root@pam!scmp").unwrap();
        assert_eq!(t.user(), "root@pam");
        assert_eq!(t.token_name(), Some("scmp"));
        assert!(Authid::new("root").is_err());
        assert!(Authid::new("root@pam!").is_err());
    }
}
