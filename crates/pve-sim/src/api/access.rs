//! `/version`, `/access/ticket` and `/access/permissions`.

use serde_json::{json, Map, Value};

use super::Request;
use crate::error::ApiError;
use crate::model::Cluster;

/// `GET /version` (and `/nodes/{node}/version`): the cluster's release.
pub fn version(c: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    let r = c.release;
    Ok(json!({"version": r.version(), "release": r.release(), "repoid": r.repoid()}))
}

/// `POST /access/ticket`.
pub fn ticket(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let mut username = r.req("username").to_string();
    if let Some(realm) = r.get("realm") {
        if !username.contains('@') {
            username = format!("{username}@{realm}");
        }
    }
    if !r.auth.check_password(&username, r.req("password"), r.now) {
        return Err(ApiError::unauthorized("authentication failure"));
    }
    if r.auth.verify_ticket(r.req("password"), r.now).is_some() {
        c.ticket_renewals += 1;
    } else {
        c.logins += 1;
    }
    let user = if username.contains('@') {
        username
    } else {
        format!("{username}@pam")
    };
    let (ticket, csrf) = r.auth.issue(&user, r.now);
    Ok(json!({
        "username": user,
        "ticket": ticket,
        "CSRFPreventionToken": csrf,
        "clustername": c.name,
    }))
}

/// Every privilege of the Administrator role.
const PRIVILEGES: &[&str] = &[
    "Datastore.Allocate",
    "Datastore.AllocateSpace",
    "Datastore.AllocateTemplate",
    "Datastore.Audit",
    "Group.Allocate",
    "Mapping.Audit",
    "Mapping.Modify",
    "Mapping.Use",
    "Permissions.Modify",
    "Pool.Allocate",
    "Pool.Audit",
    "Realm.Allocate",
    "Realm.AllocateUser",
    "SDN.Allocate",
    "SDN.Audit",
    "SDN.Use",
    "Sys.AccessNetwork",
    "Sys.Audit",
    "Sys.Console",
    "Sys.Incoming",
    "Sys.Modify",
    "Sys.PowerMgmt",
    "Sys.Syslog",
    "User.Modify",
    "VM.Allocate",
    "VM.Audit",
    "VM.Backup",
    "VM.Clone",
    "VM.Config.CDROM",
    "VM.Config.CPU",
    "VM.Config.Cloudinit",
    "VM.Config.Disk",
    "VM.Config.HWType",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.Options",
    "VM.Console",
    "VM.Migrate",
    "VM.Monitor",
    "VM.PowerMgmt",
    "VM.Snapshot",
    "VM.Snapshot.Rollback",
];

/// `GET /access/ticket`: a placeholder PVE serves so that tools can format the login call; it
/// answers nothing.
pub fn ticket_placeholder(_: &mut Cluster, _: &Request) -> Result<Value, ApiError> {
    Ok(Value::Null)
}

/// `GET /access/permissions`: root and its unseparated token hold every privilege everywhere.
pub fn permissions(_: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let privs: Map<String, Value> = PRIVILEGES
        .iter()
        .map(|p| (p.to_string(), json!(1)))
        .collect();
    let paths: Vec<String> = match r.get("path") {
        Some(p) => vec![p.to_string()],
        None => [
            "/",
            "/access",
            "/access/groups",
            "/mapping",
            "/nodes",
            "/pool",
            "/sdn",
            "/storage",
            "/vms",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    };
    let out: Map<String, Value> = paths
        .into_iter()
        .map(|p| (p, Value::Object(privs.clone())))
        .collect();
    Ok(Value::Object(out))
}
