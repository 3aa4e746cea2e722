//! Tasks: list, status and log.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*};
use crate::ids::NodeName;
use crate::perl;
use crate::upid::Upid;

/// `GET /nodes/{node}/tasks`.
pub const LIST: Endpoint = Endpoint::new(Get, "/nodes/{node}/tasks");
/// `GET /nodes/{node}/tasks/{upid}/status`.
pub const STATUS: Endpoint = Endpoint::new(Get, "/nodes/{node}/tasks/{upid}/status");
/// `GET /nodes/{node}/tasks/{upid}/log`.
pub const LOG: Endpoint = Endpoint::new(Get, "/nodes/{node}/tasks/{upid}/log");
/// `GET /cluster/tasks`: the cluster's recent tasks, all nodes.
pub const CLUSTER_LIST: Endpoint = Endpoint::new(Get, "/cluster/tasks");

/// Whether a task still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskRunState {
    /// Still running.
    Running,
    /// Finished; see `exitstatus`.
    Stopped,
}

/// The answer of the task status endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskStatus {
    /// The task.
    pub upid: Upid,
    /// Node.
    pub node: String,
    /// Worker pid.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub pid: u64,
    /// Worker process start.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub pstart: u64,
    /// Start time.
    #[serde(deserialize_with = "perl::deserialize_i64")]
    pub starttime: i64,
    /// Task type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Task object id.
    pub id: String,
    /// Who started it.
    pub user: String,
    /// Running or stopped.
    pub status: TaskRunState,
    /// `OK`, `WARNINGS: n` or the error, once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exitstatus: Option<String>,
}

/// How a stopped task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    /// `OK`.
    Ok,
    /// `WARNINGS: n`: success with warnings.
    Warnings(u32),
    /// Anything else: the error text.
    Failed(String),
}

impl TaskOutcome {
    /// Reads an `exitstatus`.
    pub fn from_exitstatus(s: &str) -> Self {
        if s == "OK" {
            return TaskOutcome::Ok;
        }
        if let Some(n) = s
            .strip_prefix("WARNINGS: ")
            .and_then(|n| n.trim().parse().ok())
        {
            return TaskOutcome::Warnings(n);
        }
        TaskOutcome::Failed(s.to_string())
    }

    /// Whether PVE counts this as success.
    pub fn is_success(&self) -> bool {
        !matches!(self, TaskOutcome::Failed(_))
    }
}

/// One entry of the task list. The UPID carries the node, worker pid and start, start time, type,
/// id and user, so an answer that leaves any of them out (as some PVE-compatible servers do) is
/// still read: what is missing is taken from the UPID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "TaskListWire")]
pub struct TaskListItem {
    /// The task.
    pub upid: Upid,
    /// Node.
    pub node: String,
    /// Worker pid.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub pid: u64,
    /// Worker process start.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub pstart: u64,
    /// Start time.
    #[serde(deserialize_with = "perl::deserialize_i64")]
    pub starttime: i64,
    /// End time, once stopped.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub endtime: Option<u64>,
    /// Task type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Task object id.
    pub id: String,
    /// Who started it.
    pub user: String,
    /// Exit status, once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A task list entry as it may arrive: only the UPID is needed.
#[derive(Deserialize)]
struct TaskListWire {
    upid: Upid,
    #[serde(default)]
    node: Option<String>,
    #[serde(default, deserialize_with = "perl::deserialize_opt_u64")]
    pid: Option<u64>,
    #[serde(default, deserialize_with = "perl::deserialize_opt_u64")]
    pstart: Option<u64>,
    #[serde(default, deserialize_with = "perl::deserialize_opt_u64")]
    starttime: Option<u64>,
    #[serde(default, deserialize_with = "perl::deserialize_opt_u64")]
    endtime: Option<u64>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

impl From<TaskListWire> for TaskListItem {
    fn from(w: TaskListWire) -> Self {
        let u = &w.upid;
        Self {
            node: w.node.unwrap_or_else(|| u.node().to_string()),
            pid: w.pid.unwrap_or(u64::from(u.pid())),
            pstart: w.pstart.unwrap_or(u.pstart()),
            starttime: w
                .starttime
                .and_then(|t| i64::try_from(t).ok())
                .unwrap_or(u.starttime()),
            endtime: w.endtime,
            kind: w.kind.unwrap_or_else(|| u.worker_type().to_string()),
            id: w.id.unwrap_or_else(|| u.worker_id().to_string()),
            user: w.user.unwrap_or_else(|| u.user().to_string()),
            status: w.status,
            upid: w.upid,
        }
    }
}

/// One line of a task log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskLogLine {
    /// Line number (from 1).
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub n: u64,
    /// Text.
    pub t: String,
}

/// Filters of the task list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskListParams {
    /// At most this many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Skip this many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// Only this guest's tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vmid: Option<crate::Vmid>,
    /// Only failed tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<bool>,
    /// `archive`, `active` or `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Only tasks of this type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typefilter: Option<String>,
}

/// Builds `/cluster/tasks`.
pub fn cluster_list() -> ApiRequest {
    ApiRequest::new(CLUSTER_LIST, &[])
}

/// Builds `/nodes/{node}/tasks`.
pub fn list(
    node: &NodeName,
    params: &TaskListParams,
) -> Result<ApiRequest, crate::endpoint::ParamsError> {
    ApiRequest::new(LIST, &[node]).with_params(params)
}

/// Builds the task status request (the task runs on the node its UPID names).
pub fn status(upid: &Upid) -> ApiRequest {
    ApiRequest::new(STATUS, &[upid.node(), upid])
}

/// Builds the task log request.
pub fn log(upid: &Upid, start: u64, limit: u64) -> ApiRequest {
    ApiRequest::new(LOG, &[upid.node(), upid])
        .param("start", start)
        .param("limit", limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_list_entry_needs_only_its_upid() {
        // As fakepve answers `/cluster/tasks`: no pid, no pstart.
        let item: TaskListItem = serde_json::from_str(
            r#"{"upid": "UPID:pve1:0000ABCD:00001234:6955B900:vzdump:100:root@pam:", "node": "pve1",
                "id": "100", "type": "vzdump", "user": "root@pam", "starttime": 1767225600,
                "endtime": 1767225660, "status": "OK"}"#,
        )
        .unwrap();
        assert_eq!((item.pid, item.pstart), (0xABCD, 0x1234));
        let bare: TaskListItem = serde_json::from_str(
            r#"{"upid": "UPID:pve2:00000010:00000020:6955B900:qmstart:101:root@pam!scmp:"}"#,
        )
        .unwrap();
        assert_eq!(
            (
                bare.node.as_str(),
                bare.kind.as_str(),
                bare.id.as_str(),
                bare.user.as_str()
            ),
            ("pve2", "qmstart", "101", "root@pam!scmp")
        );
        assert_eq!(bare.starttime, 0x6955B900);
        assert!(serde_json::from_str::<TaskListItem>(r#"{"node": "pve1"}"#).is_err());
    }

    #[test]
    fn outcomes() {
        assert_eq!(TaskOutcome::from_exitstatus("OK"), TaskOutcome::Ok);
        assert_eq!(
            TaskOutcome::from_exitstatus("WARNINGS: 3"),
            TaskOutcome::Warnings(3)
        );
        assert!(TaskOutcome::from_exitstatus("WARNINGS: 3").is_success());
        let f = TaskOutcome::from_exitstatus("start failed: QEMU exited with code 1");
        assert!(!f.is_success());
    }
}
