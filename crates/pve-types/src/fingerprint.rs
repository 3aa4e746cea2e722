//! A certificate's SHA-256 fingerprint, as PVE shows it (`pvenode cert info`, the web UI): what a
//! client pins when the cluster's certificate is self-signed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A SHA-256 certificate fingerprint, written as PVE shows it (`AB:CD:...`, 32 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

/// A fingerprint that is not 32 colon-separated hex bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 fingerprint (expected 32 hex bytes like AB:CD:...): {0}")]
pub struct FingerprintError(pub String);

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of_der(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }
}

impl FromStr for Fingerprint {
    type Err = FingerprintError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex_only: String = s.trim().chars().filter(|c| *c != ':').collect();
        let bytes = hex::decode(&hex_only).map_err(|_| FingerprintError(s.to_string()))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| FingerprintError(s.to_string()))?;
        Ok(Self(arr))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&parts.join(":"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_pve_shows_it() {
        let text = vec!["ab"; 32].join(":");
        let fp: Fingerprint = text.parse().unwrap();
        assert_eq!(fp.to_string(), text.to_ascii_uppercase());
        assert_eq!(fp, Fingerprint([0xab; 32]));
        assert!("AB:CD".parse::<Fingerprint>().is_err());
        assert!(vec!["zz"; 32].join(":").parse::<Fingerprint>().is_err());
        let json = serde_json::to_string(&fp).unwrap();
        assert_eq!(serde_json::from_str::<Fingerprint>(&json).unwrap(), fp);
    }
}
