//! Tasks: per-node and cluster-wide lists, status and log.

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, Task};

fn item(t: &Task) -> Value {
    let mut m = Map::new();
    m.insert("upid".into(), json!(t.upid.as_str()));
    m.insert("node".into(), json!(t.node));
    m.insert("pid".into(), json!(t.upid.pid()));
    m.insert("pstart".into(), json!(t.upid.pstart()));
    m.insert("starttime".into(), json!(t.upid.starttime()));
    m.insert("type".into(), json!(t.upid.worker_type()));
    m.insert("id".into(), json!(t.upid.worker_id()));
    m.insert("user".into(), json!(t.upid.user()));
    if let Some(e) = &t.exit {
        m.insert("status".into(), json!(e));
        m.insert("endtime".into(), json!(t.end as u64));
    }
    Value::Object(m)
}

/// `GET /nodes/{node}/tasks`: newest first, with PVE's filters.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = r.node();
    let start = r.int("start").unwrap_or(0).max(0) as usize;
    let limit = r.int("limit").unwrap_or(50).max(0) as usize;
    let errors_only = r.flag("errors");
    let source = r.get("source").unwrap_or("archive");
    let vmid = r.get("vmid");
    let typefilter = r.get("typefilter");
    let userfilter = r.get("userfilter");
    let since = r.int("since");
    let until = r.int("until");
    let out: Vec<Value> = c
        .tasks
        .iter()
        .rev()
        .filter(|t| t.node == node)
        .filter(|t| match source {
            "active" => t.running(),
            "all" => true,
            _ => !t.running(),
        })
        .filter(|t| {
            !errors_only
                || t.exit
                    .as_deref()
                    .is_some_and(|e| e != "OK" && !e.starts_with("WARNINGS"))
        })
        .filter(|t| vmid.is_none_or(|v| t.upid.worker_id() == v))
        .filter(|t| typefilter.is_none_or(|f| t.upid.worker_type() == f))
        .filter(|t| userfilter.is_none_or(|f| t.upid.user().contains(f)))
        .filter(|t| since.is_none_or(|s| t.start >= s as f64))
        .filter(|t| until.is_none_or(|u| t.start <= u as f64))
        .skip(start)
        .take(limit)
        .map(item)
        .collect();
    Ok(Value::Array(out))
}

/// `GET /cluster/tasks`: the most recent tasks of all nodes.
pub fn cluster_tasks(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(Value::Array(
        c.tasks.iter().rev().take(50).map(item).collect(),
    ))
}

fn find<'a>(c: &'a Cluster, r: &Request) -> Result<&'a Task, ApiError> {
    let upid = r.req("upid");
    if upid.parse::<pve_types::Upid>().is_err() {
        return Err(ApiError::fail(format!(
            "unable to parse worker upid '{upid}'"
        )));
    }
    c.tasks
        .iter()
        .find(|t| t.upid.as_str() == upid && t.node == r.node())
        .ok_or_else(|| ApiError::fail(format!("no such task '{upid}'")))
}

/// `GET /nodes/{node}/tasks/{upid}/status`.
pub fn status(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let t = find(c, r)?;
    let mut v = item(t);
    if let Value::Object(m) = &mut v {
        m.remove("endtime");
        m.remove("status");
        match &t.exit {
            Some(e) => {
                m.insert("status".into(), json!("stopped"));
                m.insert("exitstatus".into(), json!(e));
            }
            None => {
                m.insert("status".into(), json!("running"));
            }
        }
    }
    Ok(v)
}

/// `GET /nodes/{node}/tasks/{upid}/log`.
pub fn log(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let t = find(c, r)?;
    let start = r.int("start").unwrap_or(0).max(0) as usize;
    let limit = r.int("limit").unwrap_or(50).max(0) as usize;
    let lines: Vec<Value> = t
        .visible_log(r.now)
        .into_iter()
        .enumerate()
        .skip(start)
        .take(limit)
        .map(|(i, l)| json!({"n": i + 1, "t": l}))
        .collect();
    Ok(Value::Array(lines))
}
