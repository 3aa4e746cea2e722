//! Guest placement: which cluster and host a new guest goes to.
//!
//! Filter then score over a [`Snapshot`] of capacity held in memory. The filters are applied in a
//! fixed order and each host is removed by the first filter it fails, so a refusal can say how many
//! hosts each filter removed. Among the hosts left, the one with the most free capacity after the
//! placement wins (spreading load); ties go to the earlier cluster and host, so the same inputs always
//! give the same answer.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod snapshot;

pub use snapshot::{ClusterCap, HostCap, Snapshot};

use serde::Serialize;

/// What a guest needs.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// The image the guest is made from: only clusters that have it qualify.
    pub image: Option<String>,
    /// A site the guest must run at.
    pub site: Option<String>,
    /// Countries the guest may run in (the tenant's residency); empty means anywhere.
    pub countries: Vec<String>,
    /// An anti-affinity group: no two of its guests on one host.
    pub anti_affinity: Option<String>,
    /// Only this cluster (by id), e.g. to move a guest within its cluster.
    pub cluster: Option<String>,
    /// Not this host (the one a moving guest is on).
    pub avoid_host: Option<String>,
    /// The network the guest joins: only hosts that have the bridge (VLAN aware, for a VLAN).
    pub network: Option<NetworkNeed>,
}

/// A guest's network as placement sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkNeed {
    /// The bridge (`vmbr0`).
    pub bridge: String,
    /// The guest is on a VLAN of it, so the bridge must be VLAN aware.
    pub vlan: bool,
}

/// One filter, in the order they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    /// Not the cluster asked for, or the host to move away from.
    Requested,
    /// Not at the requested site or in an allowed country.
    Residency,
    /// The cluster does not have the image.
    Image,
    /// The cluster is unreachable or degraded.
    ClusterHealth,
    /// The host is offline.
    HostOffline,
    /// The host is in maintenance.
    Maintenance,
    /// The host lacks the guest's bridge, or it is not VLAN aware for a VLAN.
    Network,
    /// Another guest of the anti-affinity group runs on the host.
    AntiAffinity,
    /// Not enough CPU or memory on the host (after overcommit).
    Capacity,
    /// Placing here would eat the cluster's HA reserve (its largest host's worth of capacity).
    HaReserve,
}

impl Filter {
    /// Every filter in order.
    pub const ALL: [Filter; 10] = [
        Filter::Requested,
        Filter::Residency,
        Filter::Image,
        Filter::ClusterHealth,
        Filter::HostOffline,
        Filter::Maintenance,
        Filter::Network,
        Filter::AntiAffinity,
        Filter::Capacity,
        Filter::HaReserve,
    ];

    /// The filter's name as the API shows it.
    pub fn name(self) -> &'static str {
        match self {
            Filter::Requested => "requested",
            Filter::Residency => "residency",
            Filter::Image => "image",
            Filter::ClusterHealth => "cluster_health",
            Filter::HostOffline => "host_offline",
            Filter::Maintenance => "maintenance",
            Filter::Network => "network",
            Filter::AntiAffinity => "anti_affinity",
            Filter::Capacity => "capacity",
            Filter::HaReserve => "ha_reserve",
        }
    }
}

/// Where the guest goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Index of the cluster in the snapshot.
    pub cluster: usize,
    /// Index of the host in its cluster.
    pub host: usize,
    /// The winning score (higher is emptier).
    pub score: f64,
    /// How many hosts were considered and how many qualified.
    pub considered: usize,
    /// How many hosts passed every filter.
    pub eligible: usize,
}

/// Why nothing fits: each filter and how many hosts it removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Hosts considered.
    pub considered: usize,
    /// Hosts removed by each filter (filters that removed none are left out).
    pub removed: Vec<(Filter, usize)>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no host fits among {}", self.considered)?;
        let parts: Vec<String> = self
            .removed
            .iter()
            .map(|(filter, n)| format!("{}: {n}", filter.name()))
            .collect();
        if !parts.is_empty() {
            write!(f, " (removed by {})", parts.join(", "))?;
        }
        Ok(())
    }
}

/// Chooses a host for `req`, or says why none fits.
pub fn place(snapshot: &Snapshot, req: &Request) -> Result<Decision, Refusal> {
    let mut removed = [0usize; Filter::ALL.len()];
    let mut considered = 0usize;
    let mut eligible = 0usize;
    let mut best: Option<Decision> = None;
    let need_cpu = req.vcpus * snapshot::MILLI;
    let need_mem = req.memory_mib;
    for (ci, c) in snapshot.clusters.iter().enumerate() {
        let hosts = c.hosts.len();
        considered += hosts;
        let cluster_filter = if req.cluster.as_ref().is_some_and(|id| *id != c.id) {
            Some(Filter::Requested)
        } else if !c.admits_residency(req) {
            Some(Filter::Residency)
        } else if req.image.as_ref().is_some_and(|i| !c.images.contains(i)) {
            Some(Filter::Image)
        } else if !c.healthy {
            Some(Filter::ClusterHealth)
        } else {
            None
        };
        if let Some(f) = cluster_filter {
            removed[f as usize] += hosts;
            continue;
        }
        let reserve_ok = c.reserve_allows(need_cpu, need_mem);
        for (hi, h) in c.hosts.iter().enumerate() {
            let f = if req.avoid_host.as_ref().is_some_and(|n| *n == h.name) {
                Some(Filter::Requested)
            } else if !h.online {
                Some(Filter::HostOffline)
            } else if h.maintenance {
                Some(Filter::Maintenance)
            } else if req.network.as_ref().is_some_and(|n| {
                !h.bridges
                    .iter()
                    .any(|(name, aware)| *name == n.bridge && (*aware || !n.vlan))
            }) {
                Some(Filter::Network)
            } else if req
                .anti_affinity
                .as_ref()
                .is_some_and(|g| h.groups.iter().any(|x| x == g))
            {
                Some(Filter::AntiAffinity)
            } else if h.alloc_cpu + need_cpu > h.cap_cpu || h.alloc_mem + need_mem > h.cap_mem {
                Some(Filter::Capacity)
            } else if !reserve_ok {
                Some(Filter::HaReserve)
            } else {
                None
            };
            if let Some(f) = f {
                removed[f as usize] += 1;
                continue;
            }
            eligible += 1;
            let score = h.score_after(need_cpu, need_mem);
            if best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(Decision {
                    cluster: ci,
                    host: hi,
                    score,
                    considered: 0,
                    eligible: 0,
                });
            }
        }
    }
    match best {
        Some(d) => Ok(Decision {
            considered,
            eligible,
            ..d
        }),
        None => Err(Refusal {
            considered,
            removed: Filter::ALL
                .iter()
                .zip(removed)
                .filter(|(_, n)| *n > 0)
                .map(|(f, n)| (*f, n))
                .collect(),
        }),
    }
}
