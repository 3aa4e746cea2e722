//! Task ids (UPIDs): `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`.
//!
//! Parsed with the same rules as PVE's own `PVE::Tools::upid_decode` and printed back byte for byte.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::NodeName;

/// A UPID that does not have PVE's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse worker upid '{0}'")]
pub struct UpidError(pub String);

/// A Proxmox VE task id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upid {
    raw: String,
    node: NodeName,
    pid: u32,
    pstart: u64,
    starttime: i64,
    worker_type: String,
    worker_id: String,
    user: String,
}

impl Upid {
    /// Builds a UPID as PVE formats it (`%08X` fields, trailing colon).
    pub fn new(
        node: NodeName,
        pid: u32,
        pstart: u64,
        starttime: i64,
        worker_type: &str,
        worker_id: &str,
        user: &str,
    ) -> Result<Self, UpidError> {
        let raw = format!(
            "UPID:{node}:{pid:08X}:{pstart:08X}:{starttime:08X}:{worker_type}:{worker_id}:{user}:"
        );
        raw.parse()
    }

    /// The node the task runs on.
    pub fn node(&self) -> &NodeName {
        &self.node
    }
    /// The worker's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }
    /// The worker's process start time (in clock ticks since boot).
    pub fn pstart(&self) -> u64 {
        self.pstart
    }
    /// When the task started (Unix seconds).
    pub fn starttime(&self) -> i64 {
        self.starttime
    }
    /// The task type (`qmcreate`, `qmstart`, `vzdump`, ...).
    pub fn worker_type(&self) -> &str {
        &self.worker_type
    }
    /// The object the task works on (often a vmid), possibly empty.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }
    /// Who started the task (`root@pam`, `root@pam!scmp`).
    pub fn user(&self) -> &str {
        &self.user
    }
    /// The UPID exactly as PVE wrote it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

fn hex_field(s: &str, min: usize, max: usize) -> Option<u64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

fn plain_field(s: &str, allow_empty: bool) -> bool {
    (allow_empty || !s.is_empty()) && !s.contains(char::is_whitespace)
}

impl FromStr for Upid {
    type Err = UpidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || UpidError(s.to_string());
        let body = s
            .strip_prefix("UPID:")
            .and_then(|b| b.strip_suffix(':'))
            .ok_or_else(err)?;
        let parts: Vec<&str> = body.split(':').collect();
        let [node, pid, pstart, starttime, wtype, wid, user] = parts.as_slice() else {
            return Err(err());
        };
        let node = NodeName::new(*node).map_err(|_| err())?;
        let pid = hex_field(pid, 8, 8).ok_or_else(err)? as u32;
        let pstart = hex_field(pstart, 8, 9).ok_or_else(err)?;
        let starttime = hex_field(starttime, 8, 8).ok_or_else(err)? as i64;
        if !plain_field(wtype, false) || !plain_field(wid, true) || !plain_field(user, false) {
            return Err(err());
        }
        Ok(Upid {
            raw: s.to_string(),
            node,
            pid,
            pstart,
            starttime,
            worker_type: wtype.to_string(),
            worker_id: wid.to_string(),
            user: user.to_string(),
        })
    }
}

impl fmt::Display for Upid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Upid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Upid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_real_upid() {
        let s = "UPID:pve1:000A1B2C:0123ABCD:684802A0:qmcreate:100:root@pam:";
        let u: Upid = s.parse().unwrap();
        assert_eq!(u.node().as_str(), "pve1");
        assert_eq!(u.pid(), 0x000A1B2C);
        assert_eq!(u.pstart(), 0x0123ABCD);
        assert_eq!(u.starttime(), 0x684802A0);
        assert_eq!(u.worker_type(), "qmcreate");
        assert_eq!(u.worker_id(), "100");
        assert_eq!(u.user(), "root@pam");
        assert_eq!(u.to_string(), s);
    }

    #[test]
    fn token_user_and_empty_id() {
        let s = "UPID:pve:0003B0E4:00C0E9A6:6634E6F7:aptupdate::root@pam!tf:";
        let u: Upid = s.parse().unwrap();
        assert_eq!(u.worker_id(), "");
        assert_eq!(u.user(), "root@pam!tf");
        assert_eq!(u.to_string(), s);
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "UPID:",
            "UPID:pve1:0:0:0:x:1:root@pam:",
            "UPID:pve1:000A1B2C:0123ABCD:684802A0:qmcreate:100:root@pam",
            "XPID:pve1:000A1B2C:0123ABCD:684802A0:qmcreate:100:root@pam:",
            "UPID:pve1:000A1B2C:0123ABCD:684802A0::100:root@pam:",
            "UPID:pve1:000A1B2C:0123ABCD:684802A0:qm create:100:root@pam:",
        ] {
            assert!(bad.parse::<Upid>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn new_round_trips(pid in any::<u32>(), pstart in 0u64..0xF_FFFF_FFFF, start in 0i64..0xFFFF_FFFF,
                           wtype in "[a-z]{1,10}", wid in "[0-9]{0,6}", node in "[a-z][a-z0-9]{0,10}") {
            let u = Upid::new(NodeName::new(node).unwrap(), pid, pstart, start, &wtype, &wid, "root@pam").unwrap();
            let again: Upid = u.to_string().parse().unwrap();
            prop_assert_eq!(&again, &u);
            prop_assert_eq!(again.pid(), pid);
            prop_assert_eq!(again.pstart(), pstart);
            prop_assert_eq!(again.starttime(), start);
        }

        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = s.parse::<Upid>();
        }
    }
}
