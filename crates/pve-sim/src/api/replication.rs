//! Storage replication jobs (`/cluster/replication`, `/nodes/{node}/replication`), with PVE's
//! checks (`PVE/API2/ReplicationConfig.pm`): the guest and the target exist, they differ, and every
//! disk is on storage that can replicate (ZFS); an empty list where there are none.

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, ReplicationJob};

/// A job as PVE lists it; with `now`, also its state as `job_status` adds it (a job that has not
/// run yet: no sync so far, the next one within its schedule's first interval).
fn render(c: &Cluster, j: &ReplicationJob, now: Option<f64>) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(j.id));
    m.insert("type".into(), json!("local"));
    m.insert("guest".into(), json!(j.guest));
    m.insert(
        "jobnum".into(),
        json!(j
            .id
            .split_once('-')
            .and_then(|(_, n)| n.parse::<u64>().ok())
            .unwrap_or(0)),
    );
    m.insert("target".into(), json!(j.target));
    m.insert("schedule".into(), json!(j.schedule));
    if let Some(g) = c.guests.get(&j.guest) {
        m.insert("source".into(), json!(g.node));
        m.insert(
            "vmtype".into(),
            json!(match g.kind {
                pve_types::api::guest::GuestKind::Qemu => "qemu",
                pve_types::api::guest::GuestKind::Lxc => "lxc",
            }),
        );
    }
    if let Some(rate) = j.rate {
        m.insert("rate".into(), json!(rate));
    }
    if let Some(cm) = &j.comment {
        m.insert("comment".into(), json!(cm));
    }
    if j.disable {
        m.insert("disable".into(), json!(1));
    }
    if let Some(now) = now {
        let every_min: f64 = j
            .schedule
            .strip_prefix("*/")
            .and_then(|m| m.parse().ok())
            .unwrap_or(15.0);
        let next = ((now / 60.0 / every_min).floor() + 1.0) * every_min * 60.0;
        m.insert("fail_count".into(), json!(0));
        m.insert("duration".into(), json!(0));
        m.insert("last_sync".into(), json!(0));
        m.insert("last_try".into(), json!(0));
        m.insert("next_sync".into(), json!(next as u64));
    }
    Value::Object(m)
}

/// `GET /cluster/replication`.
pub fn list(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(Value::Array(
        c.replication.values().map(|j| render(c, j, None)).collect(),
    ))
}

/// `POST /cluster/replication`.
pub fn create(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("id").to_string();
    // `<GUEST>-<JOBNUM>`: both numbers.
    let Some(guest) = id
        .split_once('-')
        .and_then(|(g, n)| n.parse::<u32>().ok().and(g.parse::<u32>().ok()))
    else {
        return Err(ApiError::param(
            "id",
            "invalid format - replication job id should be '<GUEST>-<JOBNUM>'\n",
        ));
    };
    let target = r.req("target").to_string();
    let g = c
        .guests
        .get(&guest)
        .ok_or_else(|| ApiError::fail(format!("Guest '{guest}' does not exist.")))?;
    if c.node(&target).is_none() {
        return Err(ApiError::fail(format!("Target '{target}' does not exist.")));
    }
    if let Some(source) = r.get("source") {
        if source != g.node {
            return Err(ApiError::fail(format!(
                "Source '{source}' does not match current node of guest '{guest}' ({})",
                g.node
            )));
        }
    }
    if target == g.node {
        return Err(ApiError::fail("Source and target must not be identical"));
    }
    let disks = g.disks();
    if disks.is_empty() {
        return Err(ApiError::fail("No replicatable volumes found"));
    }
    for (_, d) in &disks {
        let replicates = c.storage(d.storage()).is_some_and(|s| s.kind == "zfspool");
        if !replicates {
            return Err(ApiError::fail(format!(
                "missing replicate feature on volume '{}'",
                d.volume
            )));
        }
    }
    if c.replication.contains_key(&id) {
        return Err(ApiError::fail(format!(
            "replication job '{id}' already exists"
        )));
    }
    c.replication.insert(
        id.clone(),
        ReplicationJob {
            id,
            guest,
            target,
            schedule: r.get("schedule").unwrap_or("*/15").to_string(),
            rate: r.get("rate").and_then(|v| v.parse().ok()),
            comment: r.get("comment").map(str::to_string),
            disable: r.flag("disable"),
        },
    );
    c.config_version += 1;
    Ok(Value::Null)
}

/// `GET /nodes/{node}/replication`: the jobs of the node's guests, with their state.
pub fn node_list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = r.node();
    let only = r.int("guest").map(|v| v as u32);
    Ok(Value::Array(
        c.replication
            .values()
            .filter(|j| c.guests.get(&j.guest).is_some_and(|g| g.node == node))
            .filter(|j| only.is_none_or(|g| g == j.guest))
            .map(|j| render(c, j, Some(r.now)))
            .collect(),
    ))
}

/// `GET /nodes/{node}/replication/{id}/status`.
pub fn status(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let id = r.req("id");
    c.replication
        .get(id)
        .map(|j| render(c, j, Some(r.now)))
        .ok_or_else(|| ApiError::fail(format!("no such replication job '{id}'")))
}
