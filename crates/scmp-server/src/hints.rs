//! What a replica remembers between runs to spare Proxmox calls: VMID candidates and the tenant
//! pools known to exist. Both are hints: a step that finds one wrong (a VMID taken, a pool gone)
//! corrects it and tries again, so nothing durable depends on them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use scmp_common::ClusterId;

/// The next VMID candidate per cluster in this replica: above Proxmox's `nextid`, above every
/// reservation, and above what this replica handed out last.
#[derive(Default)]
pub struct VmidHints {
    last: Mutex<HashMap<ClusterId, u32>>,
    nextid: Mutex<HashMap<ClusterId, (u32, Instant)>>,
}

/// How long an answer of Proxmox's `nextid` is used again.
const NEXTID_FRESH: Duration = Duration::from_secs(5);

impl VmidHints {
    /// The lowest candidate: Proxmox's next id, or above what this replica handed out last.
    pub(crate) fn floor(&self, cluster: ClusterId, nextid: u32) -> u32 {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.get(&cluster).map_or(nextid, |l| nextid.max(l + 1))
    }

    pub(crate) fn recent_nextid(&self, cluster: ClusterId) -> Option<u32> {
        let m = self.nextid.lock().unwrap_or_else(|e| e.into_inner());
        m.get(&cluster)
            .filter(|(_, at)| at.elapsed() < NEXTID_FRESH)
            .map(|(n, _)| *n)
    }

    pub(crate) fn saw_nextid(&self, cluster: ClusterId, nextid: u32) {
        let mut m = self.nextid.lock().unwrap_or_else(|e| e.into_inner());
        m.insert(cluster, (nextid, Instant::now()));
    }

    pub(crate) fn next(&self, cluster: ClusterId, nextid: u32, reserved: &[u32]) -> u32 {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let floor = reserved.last().map_or(nextid, |r| nextid.max(r + 1));
        let candidate = match last.get(&cluster) {
            Some(l) if *l >= floor => l + 1,
            _ => floor,
        };
        last.insert(cluster, candidate);
        candidate
    }
}

/// The tenant pools seen to exist, per cluster, and when. Pools are made by scmp and removed by
/// hand if at all, so one look serves the creations of the next few minutes; a clone into a pool
/// removed meanwhile fails, and the clone step then forgets the pool and makes it again.
#[derive(Default)]
pub struct KnownPools {
    seen: Mutex<HashMap<(ClusterId, String), Instant>>,
}

/// How long a pool seen to exist is taken to exist.
const POOL_FRESH: Duration = Duration::from_secs(300);

impl KnownPools {
    /// Whether `pool` was seen on `cluster` lately.
    pub fn exists(&self, cluster: ClusterId, pool: &str) -> bool {
        let m = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        m.get(&(cluster, pool.to_string()))
            .is_some_and(|at| at.elapsed() < POOL_FRESH)
    }

    /// `pool` exists on `cluster` now.
    pub fn saw(&self, cluster: ClusterId, pool: &str) {
        let mut m = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        m.insert((cluster, pool.to_string()), Instant::now());
    }

    /// `pool` may be gone from `cluster`: look again next time.
    pub fn forget(&self, cluster: ClusterId, pool: &str) {
        let mut m = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(&(cluster, pool.to_string()));
    }
}
