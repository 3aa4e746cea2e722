//! `/nodes` and per-node reads: status and RRD statistics (settings are in `settings.rs`).

use serde_json::{json, Value};

use super::render::{node_item, node_usage, ROOTFS_TOTAL};
use super::Request;
use crate::error::ApiError;
use crate::model::{noise, Cluster, Node, GIB};

fn node<'a>(c: &'a Cluster, r: &Request) -> Result<&'a Node, ApiError> {
    c.node(r.node())
        .ok_or_else(|| ApiError::fail(format!("no such node '{}'", r.node())))
}

/// `GET /nodes`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let online = c.online_set();
    let loads = c.node_loads(r.now);
    Ok(Value::Array(
        c.nodes
            .iter()
            .map(|n| {
                let load = online
                    .contains(&n.name)
                    .then(|| loads.get(n.name.as_str()).copied().unwrap_or_default());
                node_item(c, n, load, r.now)
            })
            .collect(),
    ))
}

/// `GET /nodes/{node}/status`.
pub fn status(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let n = node(c, r)?;
    let (cpu, mem, disk, load) = node_usage(c, n, r.now);
    let swap_total = 8 * GIB;
    Ok(json!({
        "cpu": cpu,
        "wait": 0.0004 * (1.0 + noise(c.seed, n.nodeid, 7)),
        "idle": 0,
        "uptime": (r.now - n.boot_time).max(0.0) as u64,
        "loadavg": load.iter().map(|l| format!("{l:.2}")).collect::<Vec<_>>(),
        "kversion": "Linux 6.8.12-15-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-15 (2025-09-12T11:02Z)",
        "pveversion": format!("pve-manager/{}/{}", c.release.version(), c.release.repoid()),
        "boot-info": {"mode": "efi", "secureboot": 0},
        "current-kernel": {
            "sysname": "Linux",
            "release": "6.8.12-15-pve",
            "version": "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-15 (2025-09-12T11:02Z)",
            "machine": "x86_64",
        },
        "cpuinfo": {
            "model": "Intel(R) Xeon(R) Gold 6342 CPU @ 2.80GHz",
            "sockets": n.spec.sockets,
            "cores": n.spec.cores_per_socket,
            "cpus": n.spec.cpus(),
            "mhz": "2800.000",
            "hvm": "1",
            "user_hz": 100,
            "flags": "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl pni pclmulqdq vmx ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm abm avx2 bmi1 bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves",
        },
        "memory": {"total": n.spec.memory, "used": mem, "free": n.spec.memory - mem},
        "swap": {"total": swap_total, "used": 0, "free": swap_total},
        "rootfs": {"total": ROOTFS_TOTAL, "used": disk, "free": ROOTFS_TOTAL - disk, "avail": ROOTFS_TOTAL - disk - 5 * GIB},
        "ksm": {"shared": 0},
    }))
}

/// RRD points for one object: `series(t)` gives the values at time `t`.
pub fn rrd_points(r: &Request, series: impl Fn(f64) -> serde_json::Map<String, Value>) -> Value {
    let (step, points) = match r.req("timeframe") {
        "hour" => (60.0, 70),
        "day" => (1800.0, 70),
        "week" => (10800.0, 70),
        "month" => (43200.0, 70),
        _ => (604800.0, 70),
    };
    let last = (r.now / step).floor() * step;
    let out: Vec<Value> = (0..points)
        .map(|i| {
            let t = last - step * (points - 1 - i) as f64;
            let mut m = series(t);
            m.insert("time".into(), json!(t as u64));
            Value::Object(m)
        })
        .collect();
    Value::Array(out)
}

/// `GET /nodes/{node}/rrddata`.
pub fn rrddata(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let n = node(c, r)?.clone();
    let cc: &Cluster = c;
    Ok(rrd_points(r, |t| {
        let (cpu, mem, disk, load) = node_usage(cc, &n, t);
        let mut m = serde_json::Map::new();
        m.insert("cpu".into(), json!(cpu));
        m.insert("maxcpu".into(), json!(n.spec.cpus()));
        m.insert("iowait".into(), json!(0.0005));
        m.insert("loadavg".into(), json!(load[0]));
        m.insert("memtotal".into(), json!(n.spec.memory));
        m.insert("memused".into(), json!(mem));
        m.insert("swaptotal".into(), json!(8 * GIB));
        m.insert("swapused".into(), json!(0));
        m.insert("roottotal".into(), json!(ROOTFS_TOTAL));
        m.insert("rootused".into(), json!(disk));
        m.insert(
            "netin".into(),
            json!(20_000.0 + 80_000.0 * noise(cc.seed, n.nodeid, t as u64)),
        );
        m.insert(
            "netout".into(),
            json!(15_000.0 + 60_000.0 * noise(cc.seed ^ 1, n.nodeid, t as u64)),
        );
        m
    }))
}
