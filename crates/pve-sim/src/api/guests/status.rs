//! A guest's status and power: current status, start, stop, shutdown, reboot, suspend, resume
//! (through the HA manager for HA guests), and its statistics.

use super::super::nodes::rrd_points;
use super::super::render::{guest_common, guest_ha, guest_state_fields};
use super::super::{task_upid, Request};
use super::{by_kind, guest, ha_sid, locked};
use crate::error::ApiError;
use crate::model::{Cluster, Effect, Guest, RunState, TaskSpec};
use pve_types::api::guest::GuestKind;
use serde_json::{json, Map, Value};

/// `GET .../{vmid}/status/current`.
pub fn status_current(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?;
    let mut m = guest_common(c, g, r.now, true);
    m.insert("ha".into(), guest_ha(c, g));
    guest_state_fields(g, &mut m);
    if g.kind == GuestKind::Qemu {
        if g.config
            .get("agent")
            .is_some_and(|a| a.starts_with('1') || a.contains("enabled=1"))
        {
            m.insert("agent".into(), json!(1));
        }
        if g.state != RunState::Stopped {
            m.insert("running-machine".into(), json!("pc-i440fx-9.2+pve1"));
            m.insert("running-qemu".into(), json!("9.2.0"));
        }
    }
    Ok(Value::Object(m))
}

/// Starts a power task, through the HA manager when the guest is HA-managed.
fn power_task(
    c: &mut Cluster,
    r: &Request,
    g: &Guest,
    wtype: &'static str,
    effect: Effect,
    fail: Option<String>,
) -> Value {
    let sid = ha_sid(g);
    let ha_request = match (&effect, c.ha.contains_key(&sid)) {
        (Effect::Start { .. }, true) => Some("started"),
        (Effect::Stop { .. }, true) => Some("stopped"),
        _ => None,
    };
    let (wtype, log) = match ha_request {
        Some(state) => {
            if fail.is_none() {
                if let Some(h) = c.ha.get_mut(&sid) {
                    h.state = state.to_string();
                }
            }
            let verb = if state == "started" { "start" } else { "stop" };
            (
                if state == "started" {
                    "hastart"
                } else {
                    "hastop"
                },
                vec![format!(
                    "Requesting HA {verb} for {} {}",
                    g.type_word(),
                    g.vmid
                )],
            )
        }
        None => (wtype, Vec::new()),
    };
    task_upid(
        c,
        r,
        TaskSpec::new(r.node(), wtype, g.vmid, r.user(), effect)
            .log(log)
            .fail(fail),
    )
}

/// `POST .../status/start`.
pub fn start(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let running = g.state != RunState::Stopped;
    if running && g.kind == GuestKind::Lxc {
        return Err(ApiError::fail(format!("CT {} already running", g.vmid)));
    }
    // VMs refuse inside the worker.
    let fail = if g.is_template() {
        Some(match g.kind {
            GuestKind::Qemu => "you can't start a vm if it's a template".to_string(),
            GuestKind::Lxc => "you can't start a CT if it's a template".to_string(),
        })
    } else if running {
        Some(format!("VM {} already running", g.vmid))
    } else if !r.flag("skiplock") {
        locked(&g)
    } else {
        None
    };
    let wtype = by_kind(g.kind, "qmstart", "vzstart");
    Ok(power_task(
        c,
        r,
        &g,
        wtype,
        Effect::Start { vmid: g.vmid },
        fail,
    ))
}

fn require_running(g: &Guest) -> Result<(), ApiError> {
    if g.state == RunState::Stopped {
        return Err(ApiError::fail(format!(
            "{} {} not running",
            g.type_word(),
            g.vmid
        )));
    }
    Ok(())
}

/// `POST .../status/stop`.
pub fn stop(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if g.kind == GuestKind::Lxc {
        require_running(&g)?;
    }
    let fail = if r.flag("skiplock") { None } else { locked(&g) };
    let wtype = by_kind(g.kind, "qmstop", "vzstop");
    Ok(power_task(
        c,
        r,
        &g,
        wtype,
        Effect::Stop { vmid: g.vmid },
        fail,
    ))
}

/// `POST .../status/shutdown`.
pub fn shutdown(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    if g.kind == GuestKind::Lxc {
        require_running(&g)?;
    }
    if g.state == RunState::Paused {
        return Err(ApiError::fail("VM is paused - cannot shutdown"));
    }
    let fail = locked(&g);
    let wtype = by_kind(g.kind, "qmshutdown", "vzshutdown");
    Ok(power_task(
        c,
        r,
        &g,
        wtype,
        Effect::Stop { vmid: g.vmid },
        fail,
    ))
}

/// Reboot, suspend and resume: for running guests only, as a task.
fn running_guest_task(
    c: &mut Cluster,
    r: &Request,
    workers: (&'static str, &'static str),
    effect: fn(u32) -> Effect,
    honour_lock: bool,
) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    require_running(&g)?;
    let fail = if honour_lock { locked(&g) } else { None };
    let wtype = by_kind(g.kind, workers.0, workers.1);
    Ok(power_task(c, r, &g, wtype, effect(g.vmid), fail))
}

/// `POST .../status/reboot`.
pub fn reboot(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    running_guest_task(
        c,
        r,
        ("qmreboot", "vzreboot"),
        |vmid| Effect::Reboot { vmid },
        true,
    )
}

/// `POST .../status/suspend`.
pub fn suspend(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    running_guest_task(
        c,
        r,
        ("qmsuspend", "vzsuspend"),
        |vmid| Effect::Suspend { vmid },
        true,
    )
}

/// `POST .../status/resume`.
pub fn resume(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    running_guest_task(
        c,
        r,
        ("qmresume", "vzresume"),
        |vmid| Effect::Resume { vmid },
        false,
    )
}

/// `GET .../{vmid}/rrddata`.
pub fn rrddata(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = guest(c, r)?.clone();
    let seed = c.seed;
    Ok(rrd_points(r, |t| {
        let mut m = Map::new();
        m.insert("maxcpu".into(), json!(g.cpus()));
        m.insert("maxmem".into(), json!(g.maxmem()));
        m.insert("maxdisk".into(), json!(g.maxdisk()));
        if g.state != RunState::Stopped && g.started_at.is_some_and(|s| s <= t) {
            m.insert("cpu".into(), json!(g.cpu_usage(seed, t)));
            m.insert("mem".into(), json!(g.mem_usage(seed, t)));
            m.insert("disk".into(), json!(g.disk_usage(seed)));
            let [netin, netout, dr, dw] = g.io_counters(seed, t);
            let per = |x: u64| x as f64 / g.uptime(t).max(1) as f64;
            m.insert("netin".into(), json!(per(netin)));
            m.insert("netout".into(), json!(per(netout)));
            m.insert("diskread".into(), json!(per(dr)));
            m.insert("diskwrite".into(), json!(per(dw)));
        }
        m
    }))
}
