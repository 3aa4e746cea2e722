//! The capacity snapshot placement works on: clusters with their hosts, allocations and the sums
//! the HA reserve needs, kept current as decisions are applied.

use crate::{Decision, Request};

/// CPU is counted in thousandths of a vCPU so overcommit ratios stay exact enough in integers.
pub(crate) const MILLI: u64 = 1000;

/// One host.
#[derive(Debug, Clone)]
pub struct HostCap {
    /// Node name.
    pub name: String,
    /// Whether the host is up.
    pub online: bool,
    /// Whether the host is in maintenance.
    pub maintenance: bool,
    /// Anti-affinity groups with a guest on this host.
    pub groups: Vec<String>,
    /// Its bridges: name, and whether it is VLAN aware (empty when not discovered).
    pub bridges: Vec<(String, bool)>,
    pub(crate) cap_cpu: u64,
    pub(crate) cap_mem: u64,
    pub(crate) alloc_cpu: u64,
    pub(crate) alloc_mem: u64,
}

impl HostCap {
    /// A host with `cores` physical cores and `memory_mib` memory, of which guests hold
    /// `vcpus`/`memory_used_mib`, in a cluster with the given overcommit ratios.
    pub fn new(
        name: impl Into<String>,
        cores: u64,
        memory_mib: u64,
        vcpus: u64,
        memory_used_mib: u64,
        overcommit: (f64, f64),
    ) -> Self {
        Self {
            name: name.into(),
            online: true,
            maintenance: false,
            groups: Vec::new(),
            bridges: Vec::new(),
            cap_cpu: (cores as f64 * overcommit.0 * MILLI as f64) as u64,
            cap_mem: (memory_mib as f64 * overcommit.1) as u64,
            alloc_cpu: vcpus * MILLI,
            alloc_mem: memory_used_mib,
        }
    }

    /// Free capacity after adding the need, as the mean of the free CPU and memory fractions.
    pub(crate) fn score_after(&self, cpu: u64, mem: u64) -> f64 {
        let frac = |cap: u64, used: u64| {
            if cap == 0 {
                0.0
            } else {
                cap.saturating_sub(used) as f64 / cap as f64
            }
        };
        (frac(self.cap_cpu, self.alloc_cpu + cpu) + frac(self.cap_mem, self.alloc_mem + mem)) / 2.0
    }
}

/// One cluster.
#[derive(Debug, Clone)]
pub struct ClusterCap {
    /// The cluster's id.
    pub id: String,
    /// Its site's name.
    pub site: String,
    /// Its site's country code.
    pub country: String,
    /// Reachable and quorate.
    pub healthy: bool,
    /// Image ids this cluster has.
    pub images: Vec<String>,
    /// Its hosts.
    pub hosts: Vec<HostCap>,
    reserve_cpu: u64,
    reserve_mem: u64,
    total_cap_cpu: u64,
    total_cap_mem: u64,
    total_alloc_cpu: u64,
    total_alloc_mem: u64,
}

impl ClusterCap {
    /// A cluster; its sums are computed from the hosts.
    pub fn new(
        id: impl Into<String>,
        site: impl Into<String>,
        country: impl Into<String>,
        healthy: bool,
        images: Vec<String>,
        hosts: Vec<HostCap>,
    ) -> Self {
        let mut c = Self {
            id: id.into(),
            site: site.into(),
            country: country.into(),
            healthy,
            images,
            hosts,
            reserve_cpu: 0,
            reserve_mem: 0,
            total_cap_cpu: 0,
            total_cap_mem: 0,
            total_alloc_cpu: 0,
            total_alloc_mem: 0,
        };
        c.recompute();
        c
    }

    /// Recomputes the sums after hosts changed.
    pub fn recompute(&mut self) {
        // A single host cannot fail over anywhere: only clusters of two or more keep a reserve.
        let several = self.hosts.len() > 1;
        self.reserve_cpu = if several {
            self.hosts.iter().map(|h| h.cap_cpu).max().unwrap_or(0)
        } else {
            0
        };
        self.reserve_mem = if several {
            self.hosts.iter().map(|h| h.cap_mem).max().unwrap_or(0)
        } else {
            0
        };
        self.total_cap_cpu = self.hosts.iter().map(|h| h.cap_cpu).sum();
        self.total_cap_mem = self.hosts.iter().map(|h| h.cap_mem).sum();
        self.total_alloc_cpu = self.hosts.iter().map(|h| h.alloc_cpu).sum();
        self.total_alloc_mem = self.hosts.iter().map(|h| h.alloc_mem).sum();
    }

    pub(crate) fn admits_residency(&self, req: &Request) -> bool {
        req.site.as_ref().is_none_or(|s| *s == self.site)
            && (req.countries.is_empty() || req.countries.contains(&self.country))
    }

    /// Whether the cluster still has its largest host's worth free after adding the need.
    pub(crate) fn reserve_allows(&self, cpu: u64, mem: u64) -> bool {
        self.total_alloc_cpu + cpu + self.reserve_cpu <= self.total_cap_cpu
            && self.total_alloc_mem + mem + self.reserve_mem <= self.total_cap_mem
    }
}

/// Every cluster placement may choose from.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The clusters, in a stable order (ties go to the earlier one).
    pub clusters: Vec<ClusterCap>,
}

impl Snapshot {
    /// Records a decision's allocation, so the next decision sees it.
    pub fn apply(&mut self, d: &Decision, req: &Request) {
        let Some(c) = self.clusters.get_mut(d.cluster) else {
            return;
        };
        let cpu = req.vcpus * MILLI;
        if let Some(h) = c.hosts.get_mut(d.host) {
            h.alloc_cpu += cpu;
            h.alloc_mem += req.memory_mib;
            if let Some(g) = &req.anti_affinity {
                if !h.groups.contains(g) {
                    h.groups.push(g.clone());
                }
            }
            c.total_alloc_cpu += cpu;
            c.total_alloc_mem += req.memory_mib;
        }
    }
}
