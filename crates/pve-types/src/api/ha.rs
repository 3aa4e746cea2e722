//! High availability: HA resources and the HA manager's current status.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::perl;

/// `GET /cluster/ha/resources`.
pub const RESOURCES_LIST: Endpoint = Endpoint::new(Get, "/cluster/ha/resources");
/// `POST /cluster/ha/resources`.
pub const RESOURCE_CREATE: Endpoint = Endpoint::new(Post, "/cluster/ha/resources");
/// `GET /cluster/ha/resources/{sid}`.
pub const RESOURCE_GET: Endpoint = Endpoint::new(Get, "/cluster/ha/resources/{sid}");
/// `PUT /cluster/ha/resources/{sid}`.
pub const RESOURCE_UPDATE: Endpoint = Endpoint::new(Put, "/cluster/ha/resources/{sid}");
/// `DELETE /cluster/ha/resources/{sid}`.
pub const RESOURCE_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/ha/resources/{sid}");
/// `GET /cluster/ha/status/current`.
pub const STATUS_CURRENT: Endpoint = Endpoint::new(Get, "/cluster/ha/status/current");

/// The state an HA resource is asked to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HaState {
    /// Keep it running (`enabled` is an alias).
    Started,
    /// Keep it stopped.
    Stopped,
    /// Alias of started.
    Enabled,
    /// Stop it and do not recover it.
    Disabled,
    /// Leave it alone.
    Ignored,
}

/// An HA resource's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaResource {
    /// `vm:100` or `ct:101`.
    pub sid: String,
    /// `vm` or `ct`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Requested state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<HaState>,
    /// HA group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Restart attempts.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_restart: Option<u64>,
    /// Relocation attempts.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_relocate: Option<u64>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Config digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Create an HA resource.
#[derive(Debug, Clone, Serialize)]
pub struct HaResourceCreate {
    /// `vm:100`, `ct:101` or a bare vmid.
    pub sid: String,
    /// Requested state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<HaState>,
    /// Restart attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_restart: Option<u64>,
    /// Relocation attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_relocate: Option<u64>,
    /// Comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// HA group (PVE 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Change an HA resource.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HaResourceUpdate {
    /// Requested state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<HaState>,
    /// Restart attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_restart: Option<u64>,
    /// Relocation attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_relocate: Option<u64>,
    /// Comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Refuse the change when the config changed since this digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The kind of an HA status entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HaStatusKind {
    /// Quorum.
    Quorum,
    /// The cluster resource manager master.
    Master,
    /// A node's local resource manager.
    Lrm,
    /// A managed service.
    Service,
}

/// One entry of `/cluster/ha/status/current`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaStatusEntry {
    /// `quorum`, `master`, `lrm:<node>`, `service:<sid>`.
    pub id: String,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: HaStatusKind,
    /// Node.
    pub node: String,
    /// Status text.
    pub status: String,
    /// [quorum] Quorate.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub quorate: Option<bool>,
    /// [lrm, master] Timestamp.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<u64>,
    /// [service] Service id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// [service] State as the CRM sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_state: Option<String>,
    /// [service] Requested state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// [service] Verbose state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// [service] Restart attempts.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_restart: Option<u64>,
    /// [service] Relocation attempts.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_relocate: Option<u64>,
}

/// Builds `GET /cluster/ha/resources`.
pub fn list() -> ApiRequest {
    ApiRequest::new(RESOURCES_LIST, &[])
}

/// Builds `POST /cluster/ha/resources`.
pub fn create(p: &HaResourceCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(RESOURCE_CREATE, &[]).with_params(p)
}

/// Builds `GET /cluster/ha/resources/{sid}`.
pub fn get(sid: &str) -> ApiRequest {
    ApiRequest::new(RESOURCE_GET, &[&sid])
}

/// Builds `PUT /cluster/ha/resources/{sid}`.
pub fn update(sid: &str, p: &HaResourceUpdate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(RESOURCE_UPDATE, &[&sid]).with_params(p)
}

/// Builds `DELETE /cluster/ha/resources/{sid}`.
pub fn delete(sid: &str) -> ApiRequest {
    ApiRequest::new(RESOURCE_DELETE, &[&sid])
}

/// Builds `GET /cluster/ha/status/current`.
pub fn status_current() -> ApiRequest {
    ApiRequest::new(STATUS_CURRENT, &[])
}
