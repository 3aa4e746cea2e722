//! Run-time fault injection under `/sim/` (outside `/api2`), for demos and tests of other processes:
//!
//! | call | effect |
//! |---|---|
//! | `GET /sim/state` | nodes and their state, partition, faults, clock, counts |
//! | `POST /sim/nodes/{node}/down`, `.../up` | fail a node, bring it back |
//! | `POST /sim/partition` `{"groups": [["pve1"], ["pve2","pve3"]]}`; `DELETE /sim/partition` | split or heal |
//! | `PUT /sim/faults` `{"task_failure_rate": 0.2, "latency_ms": 50, "drop_rate": 0.05}` | set faults |
//! | `PUT /sim/faults` `{"sdn_reload_failures": 1}` | the next SDN reloads fail |
//! | `POST /sim/clock/advance` `{"seconds": 120}` | move an explicit clock |
//! | `POST /sim/save` | save to the state file |

use std::collections::BTreeMap;
use std::time::Duration;

use http::Method;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::model::{Faults, NodeState};
use crate::simulator::Simulator;

fn num(params: &BTreeMap<String, String>, key: &str) -> Result<Option<f64>, ApiError> {
    match params.get(key) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::param(key, format!("type check ('number') failed - got '{v}'"))
            }),
    }
}

/// Answers a `/sim/` call: its data, or the error (the server writes either as PVE would).
pub(crate) fn handle(
    sim: &Simulator,
    _caller: &Caller,
    method: &Method,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Result<Value, ApiError> {
    route(sim, method, path, params)
}

fn route(
    sim: &Simulator,
    method: &Method,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Result<Value, ApiError> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["sim", "state"]) => {
            let c = sim.cluster();
            let nodes: Vec<Value> = c
                .nodes
                .iter()
                .map(|n| {
                    json!({
                        "node": n.name,
                        "state": match n.state { NodeState::Up => "up", NodeState::Down { .. } => "down" },
                        "online": c.node_online(&n.name),
                    })
                })
                .collect();
            Ok(json!({
                "nodes": nodes,
                "quorate": c.is_quorate(),
                "partition": c.partition,
                "faults": c.faults,
                "time_scale": c.time_scale,
                "now": sim.now(),
                "guests": c.guests.len(),
                "tasks_running": c.tasks.iter().filter(|t| t.running()).count(),
            }))
        }
        ("POST", ["sim", "nodes", node, "down"]) => {
            if sim.node_down(node) {
                Ok(Value::Null)
            } else {
                Err(ApiError::new(404, format!("no such node '{node}'")))
            }
        }
        ("POST", ["sim", "nodes", node, "up"]) => {
            if sim.node_up(node) {
                Ok(Value::Null)
            } else {
                Err(ApiError::new(404, format!("no such node '{node}'")))
            }
        }
        ("POST", ["sim", "partition"]) => {
            let groups: Vec<Vec<String>> = params
                .get("groups")
                .map(|g| {
                    serde_json::from_str(g).map_err(|e| ApiError::param("groups", e.to_string()))
                })
                .transpose()?
                .ok_or_else(|| {
                    ApiError::param("groups", "property is missing and it is not optional")
                })?;
            {
                let c = sim.cluster();
                for n in groups.iter().flatten() {
                    if c.node(n).is_none() {
                        return Err(ApiError::param("groups", format!("no such node '{n}'")));
                    }
                }
            }
            sim.partition(groups);
            Ok(Value::Null)
        }
        ("DELETE", ["sim", "partition"]) => {
            sim.heal();
            Ok(Value::Null)
        }
        ("PUT", ["sim", "faults"]) => {
            let mut f: Faults = sim.cluster().faults.clone();
            if let Some(r) = num(params, "task_failure_rate")? {
                f.task_failure_rate = r.min(1.0);
            }
            if let Some(r) = num(params, "drop_rate")? {
                f.drop_rate = r.min(1.0);
            }
            if let Some(l) = num(params, "latency_ms")? {
                f.latency_ms = l.min(60_000.0) as u64;
            }
            sim.set_faults(f);
            if let Some(n) = num(params, "sdn_reload_failures")? {
                sim.cluster().sdn.failing_reloads = n.min(1000.0) as u32;
            }
            Ok(Value::Null)
        }
        ("POST", ["sim", "clock", "advance"]) => {
            if sim.inner.clock.is_automatic() {
                return Err(ApiError::new(
                    400,
                    "the clock is automatic; start with an explicit clock to advance it",
                ));
            }
            let secs = num(params, "seconds")?.ok_or_else(|| {
                ApiError::param("seconds", "property is missing and it is not optional")
            })?;
            sim.advance(Duration::from_secs_f64(secs.min(86_400.0 * 365.0)));
            Ok(json!({"now": sim.now()}))
        }
        ("POST", ["sim", "save"]) => match sim.save() {
            Ok(true) => Ok(Value::Null),
            Ok(false) => Err(ApiError::new(409, "no state file configured")),
            Err(e) => Err(ApiError::fail(e.to_string())),
        },
        _ => Err(ApiError::new(
            501,
            format!("Method '{method} {path}' not implemented"),
        )),
    }
}
