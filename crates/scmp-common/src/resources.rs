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
    /// Tenant networks (absent in older requests: none).
    #[serde(default)]
    pub networks: u64,
    /// Public addresses (absent in older requests: none).
    #[serde(default)]
    pub public_addresses: u64,
}

impl Resources {
    /// Nothing.
    pub const ZERO: Resources = Resources {
        vcpus: 0,
        memory_mib: 0,
        disk_gib: 0,
        guests: 0,
        networks: 0,
        public_addresses: 0,
    };

    /// The pairs (name, amount), in a fixed order, for messages and checks.
    pub fn items(&self) -> [(&'static str, u64); 6] {
        [
            ("vcpus", self.vcpus),
            ("memory_mib", self.memory_mib),
            ("disk_gib", self.disk_gib),
            ("guests", self.guests),
            ("networks", self.networks),
            ("public_addresses", self.public_addresses),
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
            networks: self.networks.checked_add(o.networks)?,
            public_addresses: self.public_addresses.checked_add(o.public_addresses)?,
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
            "{} vCPUs, {} MiB memory, {} GiB disk, {} guests, {} networks, {} public addresses",
            self.vcpus,
            self.memory_mib,
            self.disk_gib,
            self.guests,
            self.networks,
            self.public_addresses
        )
    }
}

/// A signed change of each counted resource: what a creation, a resize or a deletion does to a
/// project's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceDelta {
    /// Virtual CPUs.
    pub vcpus: i64,
    /// Memory in MiB.
    pub memory_mib: i64,
    /// Disk in GiB.
    pub disk_gib: i64,
    /// Guests.
    pub guests: i64,
    /// Tenant networks.
    pub networks: i64,
    /// Public addresses.
    pub public_addresses: i64,
}

impl ResourceDelta {
    /// Taking `r` (`None` when an amount does not fit a signed 64-bit number).
    pub fn take(r: &Resources) -> Option<Self> {
        Some(Self {
            vcpus: i64::try_from(r.vcpus).ok()?,
            memory_mib: i64::try_from(r.memory_mib).ok()?,
            disk_gib: i64::try_from(r.disk_gib).ok()?,
            guests: i64::try_from(r.guests).ok()?,
            networks: i64::try_from(r.networks).ok()?,
            public_addresses: i64::try_from(r.public_addresses).ok()?,
        })
    }

    /// Giving `r` back.
    pub fn release(r: &Resources) -> Option<Self> {
        Self::take(r).map(|t| -t)
    }

    /// What growing from `from` to `to` takes: only what grows counts (shrinking gives nothing back
    /// until the change is done).
    pub fn growth(from: &Resources, to: &Resources) -> Option<Self> {
        Self::take(&Resources {
            vcpus: to.vcpus.saturating_sub(from.vcpus),
            memory_mib: to.memory_mib.saturating_sub(from.memory_mib),
            disk_gib: to.disk_gib.saturating_sub(from.disk_gib),
            guests: to.guests.saturating_sub(from.guests),
            networks: to.networks.saturating_sub(from.networks),
            public_addresses: to.public_addresses.saturating_sub(from.public_addresses),
        })
    }

    /// Whether nothing changes.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    /// What is taken, per resource (nothing where the delta gives back).
    pub fn taken(&self) -> Resources {
        Resources {
            vcpus: self.vcpus.max(0).unsigned_abs(),
            memory_mib: self.memory_mib.max(0).unsigned_abs(),
            disk_gib: self.disk_gib.max(0).unsigned_abs(),
            guests: self.guests.max(0).unsigned_abs(),
            networks: self.networks.max(0).unsigned_abs(),
            public_addresses: self.public_addresses.max(0).unsigned_abs(),
        }
    }
}

impl std::ops::Neg for ResourceDelta {
    type Output = ResourceDelta;
    fn neg(self) -> Self {
        Self {
            vcpus: -self.vcpus,
            memory_mib: -self.memory_mib,
            disk_gib: -self.disk_gib,
            guests: -self.guests,
            networks: -self.networks,
            public_addresses: -self.public_addresses,
        }
    }
}

impl std::ops::Sub for ResourceDelta {
    type Output = ResourceDelta;
    fn sub(self, o: Self) -> Self {
        Self {
            vcpus: self.vcpus - o.vcpus,
            memory_mib: self.memory_mib - o.memory_mib,
            disk_gib: self.disk_gib - o.disk_gib,
            guests: self.guests - o.guests,
            networks: self.networks - o.networks,
            public_addresses: self.public_addresses - o.public_addresses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let a = Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: 10,
            memory_mib: 1024,
            disk_gib: 50,
            guests: 2,
        };
        let b = Resources {
            public_addresses: 0,
            networks: 0,
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

    #[test]
    fn deltas() {
        let a = Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: 2,
            memory_mib: 1024,
            disk_gib: 10,
            guests: 1,
        };
        let b = Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: 1,
            memory_mib: 2048,
            disk_gib: 20,
            guests: 1,
        };
        let g = ResourceDelta::growth(&a, &b).unwrap();
        assert_eq!(
            (g.vcpus, g.memory_mib, g.disk_gib, g.guests),
            (0, 1024, 10, 0)
        );
        assert_eq!(ResourceDelta::release(&a).unwrap().memory_mib, -1024);
        assert!(ResourceDelta::take(&Resources {
            vcpus: u64::MAX,
            ..Resources::ZERO
        })
        .is_none());
        assert!(ResourceDelta::default().is_zero());
    }
}
