//! Amounts of the resources quotas count, with arithmetic that cannot overflow silently.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of each counted resource (a limit, an allocation or a use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Disk in GiB.
    pub disk_gib: u64,
    /// Guests (VMs and containers).
    pub guests: u64,
}

impl Resources {
    /// Nothing.
    pub const ZERO: Resources = Resources {
        vcpus: 0,
        memory_mib: 0,
        disk_gib: 0,
        guests: 0,
    };

    /// The pairs (name, amount), in a fixed order, for messages and checks.
    pub fn items(&self) -> [(&'static str, u64); 4] {
        [
            ("vcpus", self.vcpus),
            ("memory_mib", self.memory_mib),
            ("disk_gib", self.disk_gib),
            ("guests", self.guests),
        ]
    }

    /// Whether every amount is at most the other's.
    pub fn fits_in(&self, other: &Resources) -> bool {
        self.items()
            .iter()
            .zip(other.items())
            .all(|((_, a), (_, b))| *a <= b)
    }

    /// The first resource where `self` exceeds `other`: (name, self's amount, other's amount).
    pub fn first_excess(&self, other: &Resources) -> Option<(&'static str, u64, u64)> {
        self.items()
            .iter()
            .zip(other.items())
            .find(|((_, a), (_, b))| *a > *b)
            .map(|((n, a), (_, b))| (*n, *a, b))
    }

    /// The sum, or `None` on overflow.
    pub fn checked_add(&self, o: &Resources) -> Option<Resources> {
        Some(Resources {
            vcpus: self.vcpus.checked_add(o.vcpus)?,
            memory_mib: self.memory_mib.checked_add(o.memory_mib)?,
            disk_gib: self.disk_gib.checked_add(o.disk_gib)?,
            guests: self.guests.checked_add(o.guests)?,
        })
    }

    /// The largest amount a store can hold (signed 64-bit columns).
    pub fn within_store_range(&self) -> bool {
        self.items().iter().all(|(_, v)| *v <= i64::MAX as u64 / 2)
    }
}

impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} vCPUs, {} MiB memory, {} GiB disk, {} guests",
            self.vcpus, self.memory_mib, self.disk_gib, self.guests
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let a = Resources {
            vcpus: 10,
            memory_mib: 1024,
            disk_gib: 50,
            guests: 2,
        };
        let b = Resources {
            vcpus: 20,
            memory_mib: 2048,
            disk_gib: 40,
            guests: 5,
        };
        assert!(!a.fits_in(&b));
        assert_eq!(a.first_excess(&b), Some(("disk_gib", 50, 40)));
        assert_eq!(a.checked_add(&b).unwrap().vcpus, 30);
        let max = Resources {
            vcpus: u64::MAX,
            ..Resources::ZERO
        };
        assert!(max.checked_add(&a).is_none());
        assert!(!max.within_store_range());
    }
}
