//! JSON views of the model, with PVE's Perl typing (booleans as 0/1, optional keys left out).

use serde_json::{json, Map, Value};

use crate::clock::SimTime;
use crate::model::{noise, Cluster, Guest, Node, RunState, GIB};

/// A node's usage at `now`: (cpu fraction, used memory, used root disk, load averages).
pub fn node_usage(c: &Cluster, node: &Node, now: SimTime) -> (f64, u64, u64, [f64; 3]) {
    let mut busy = 0.0;
    let mut guest_mem = 0;
    for g in c
        .guests
        .values()
        .filter(|g| g.node == node.name && g.state != RunState::Stopped)
    {
        busy += g.cpu_usage(c.seed, now) * g.cpus() as f64;
        guest_mem += g.mem_usage(c.seed, now);
    }
    node_usage_with(c, node, (busy, guest_mem), now)
}

/// A node's usage from its guests' load (cores busy, bytes used), as [`Cluster::node_loads`] gives it.
pub fn node_usage_with(
    c: &Cluster,
    node: &Node,
    load: (f64, u64),
    now: SimTime,
) -> (f64, u64, u64, [f64; 3]) {
    let (busy, guest_mem) = load;
    let mem = 3 * GIB
        + (noise(c.seed, node.nodeid, (now / 300.0) as u64) * GIB as f64) as u64
        + guest_mem;
    let cpus = node.spec.cpus() as f64;
    let cpu = (busy / cpus + 0.005).min(1.0);
    let disk = 6 * GIB + (noise(c.seed ^ 9, node.nodeid, 0) * 4.0 * GIB as f64) as u64;
    let load = [busy * 1.1, busy * 1.05, busy];
    (cpu, mem.min(node.spec.memory), disk, load)
}

/// Root filesystem size of every node.
pub const ROOTFS_TOTAL: u64 = 100 * GIB;

/// One `/nodes` entry; `load` as [`Cluster::node_loads`] gives it, `None` when offline.
pub fn node_item(c: &Cluster, node: &Node, load: Option<(f64, u64)>, now: SimTime) -> Value {
    let mut m = Map::new();
    m.insert("node".into(), json!(node.name));
    m.insert("id".into(), json!(format!("node/{}", node.name)));
    m.insert("type".into(), json!("node"));
    m.insert("ssl_fingerprint".into(), json!(node.ssl_fingerprint));
    if let Some(load) = load {
        let (cpu, mem, disk, _) = node_usage_with(c, node, load, now);
        m.insert("status".into(), json!("online"));
        m.insert("cpu".into(), json!(cpu));
        m.insert("maxcpu".into(), json!(node.spec.cpus()));
        m.insert("mem".into(), json!(mem));
        m.insert("maxmem".into(), json!(node.spec.memory));
        m.insert("disk".into(), json!(disk));
        m.insert("maxdisk".into(), json!(ROOTFS_TOTAL));
        m.insert(
            "uptime".into(),
            json!((now - node.boot_time).max(0.0) as u64),
        );
        m.insert("level".into(), json!(""));
    } else {
        m.insert("status".into(), json!("offline"));
    }
    Value::Object(m)
}

/// The fields guests share in lists, `/cluster/resources` and status.
pub fn guest_common(c: &Cluster, g: &Guest, now: SimTime, reachable: bool) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("vmid".into(), json!(g.vmid));
    m.insert("name".into(), json!(g.name()));
    let status = if !reachable {
        "unknown"
    } else {
        match g.state {
            RunState::Stopped => "stopped",
            RunState::Running | RunState::Paused => "running",
        }
    };
    m.insert("status".into(), json!(status));
    m.insert("cpus".into(), json!(g.cpus()));
    m.insert("cpu".into(), json!(g.cpu_usage(c.seed, now)));
    m.insert("maxmem".into(), json!(g.maxmem()));
    m.insert("mem".into(), json!(g.mem_usage(c.seed, now)));
    m.insert("maxdisk".into(), json!(g.maxdisk()));
    m.insert("disk".into(), json!(g.disk_usage(c.seed)));
    m.insert("uptime".into(), json!(g.uptime(now)));
    let [netin, netout, dr, dw] = g.io_counters(c.seed, now);
    m.insert("netin".into(), json!(netin));
    m.insert("netout".into(), json!(netout));
    m.insert("diskread".into(), json!(dr));
    m.insert("diskwrite".into(), json!(dw));
    if g.is_template() {
        m.insert("template".into(), json!(1));
    }
    if let Some(t) = g.tags() {
        m.insert("tags".into(), json!(t));
    }
    if let Some(l) = &g.lock {
        m.insert("lock".into(), json!(l));
    }
    m
}

/// What a guest's list entry and its current status both show by kind (QEMU's run state, a
/// container's type and swap), and its process id while it runs.
pub fn guest_state_fields(g: &Guest, m: &mut Map<String, Value>) {
    match g.kind {
        pve_types::api::guest::GuestKind::Qemu => {
            let qmp = match g.state {
                RunState::Running => "running",
                RunState::Paused => "paused",
                RunState::Stopped => "stopped",
            };
            m.insert("qmpstatus".into(), json!(qmp));
        }
        pve_types::api::guest::GuestKind::Lxc => {
            m.insert("type".into(), json!("lxc"));
            let swap = g
                .config
                .get("swap")
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(512);
            m.insert("maxswap".into(), json!(swap << 20));
            m.insert("swap".into(), json!(0));
        }
    }
    if let Some(pid) = guest_pid(g).filter(|_| g.state != RunState::Stopped) {
        m.insert("pid".into(), json!(pid));
    }
}

/// A running guest's process id (stable per guest and start).
pub fn guest_pid(g: &Guest) -> Option<u64> {
    g.started_at
        .map(|t| 10_000 + (g.vmid as u64 * 7 + t as u64) % 3_000_000)
}

/// A rendered HA state for a guest status (`{"managed": 0}` when not HA).
pub fn guest_ha(c: &Cluster, g: &Guest) -> Value {
    let sid = format!("{}:{}", g.kind.ha_prefix(), g.vmid);
    match c.ha.get(&sid) {
        Some(r) => json!({"managed": 1, "state": r.crm_state.as_str(), "group": r.group}),
        None => json!({"managed": 0}),
    }
}

/// `Sat Nov 28 01:02:03 2026`, as PVE's HA status shows times.
pub fn ctime(t: SimTime) -> String {
    chrono::DateTime::from_timestamp(t.max(0.0) as i64, 0)
        .unwrap_or_default()
        .format("%a %b %e %H:%M:%S %Y")
        .to_string()
}

/// `YYYY-MM-DD` of a simulated time (in UTC).
pub fn date(t: SimTime) -> String {
    chrono::DateTime::from_timestamp(t.max(0.0) as i64, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ctime_matches_perl() {
        assert_eq!(super::ctime(1_749_549_600.0), "Tue Jun 10 10:00:00 2025");
        assert_eq!(super::ctime(0.0), "Thu Jan  1 00:00:00 1970");
    }
}
