//! VMs and containers: list, create, clone, config, power, delete, resize, migrate, snapshots,
//! templates and statistics, with PVE's refusals (locks, states, templates) and its task types.

mod agent;
mod config;
mod create;
mod lifecycle;
mod restore;
mod snapshots;
mod status;

use super::render::{guest_common, guest_state_fields};
use super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, Guest};
use crate::params::{self, ParamType};
use pve_types::api::guest::GuestKind;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub use agent::*;
pub use config::*;
pub use create::*;
pub use lifecycle::*;
pub use snapshots::*;
pub use status::*;

/// PVE's worker type for a VM or a container (`qmstart` / `vzstart`).
fn by_kind(kind: GuestKind, qemu: &'static str, lxc: &'static str) -> &'static str {
    match kind {
        GuestKind::Qemu => qemu,
        GuestKind::Lxc => lxc,
    }
}

/// The guest named by the path: it must exist, be of the path's kind and be on the path's node.
fn guest<'a>(c: &'a Cluster, r: &Request) -> Result<&'a Guest, ApiError> {
    let vmid = r.vmid();
    match c.guests.get(&vmid) {
        Some(g) if g.kind == r.kind() && g.node == r.node() => Ok(g),
        _ => Err(ApiError::no_config(r.kind(), r.node(), vmid)),
    }
}

fn locked(g: &Guest) -> Option<String> {
    g.lock
        .as_ref()
        .map(|l| format!("{} is locked ({l})", g.type_word()))
}

fn check_unlocked(g: &Guest) -> Result<(), ApiError> {
    match locked(g) {
        Some(m) => Err(ApiError::fail(m)),
        None => Ok(()),
    }
}

fn ha_sid(g: &Guest) -> String {
    format!("{}:{}", g.kind.ha_prefix(), g.vmid)
}

/// Renders config values with the types PVE's schema gives each key (numbers and booleans unquoted).
fn typed_config(kind: GuestKind, config: &BTreeMap<String, String>) -> Map<String, Value> {
    let key = format!("PUT /nodes/{{node}}/{}/{{vmid}}/config", kind.as_str());
    let spec = params::specs().get(&key);
    config
        .iter()
        .map(|(k, v)| {
            let ty = spec.and_then(|s| {
                s.params.iter().find(|p| {
                    if p.indexed {
                        k.strip_prefix(p.name.as_str())
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    } else {
                        p.name == *k
                    }
                })
            });
            let value = match ty.map(|p| &p.ty) {
                Some(ParamType::Int { .. } | ParamType::Bool | ParamType::Vmid) => v
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| json!(v)),
                Some(ParamType::Num { .. }) => v
                    .parse::<f64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| json!(v)),
                _ => json!(v),
            };
            (k.clone(), value)
        })
        .collect()
}

/// `GET /nodes/{node}/{qemu,lxc}`.
pub fn list(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let node = r.node();
    let kind = r.kind();
    let out: Vec<Value> = c
        .guests
        .values()
        .filter(|g| g.node == node && g.kind == kind)
        .map(|g| {
            let mut m = guest_common(c, g, r.now, true);
            guest_state_fields(g, &mut m);
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(out))
}
