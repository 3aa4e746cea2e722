//! Storage: the cluster's storage list, a node's storage status and a storage's content.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*};
use crate::ids::{NodeName, StorageId};
use crate::perl;

/// `GET /storage`.
pub const LIST: Endpoint = Endpoint::new(Get, "/storage");
/// `GET /nodes/{node}/storage`.
pub const NODE_LIST: Endpoint = Endpoint::new(Get, "/nodes/{node}/storage");
/// `GET /nodes/{node}/storage/{storage}/content`.
pub const CONTENT: Endpoint = Endpoint::new(Get, "/nodes/{node}/storage/{storage}/content");

/// One storage definition of `/storage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageConfig {
    /// Storage id.
    pub storage: String,
    /// Plugin type (`dir`, `lvmthin`, `rbd`, `zfspool`, ...).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Allowed content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Shared across nodes.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub shared: Option<bool>,
    /// Every further plugin-specific key, kept.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

/// One storage's status on a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeStorage {
    /// Storage id.
    pub storage: String,
    /// Plugin type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Allowed content.
    pub content: String,
    /// Accessible.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub active: Option<bool>,
    /// Enabled.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// Shared.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub shared: Option<bool>,
    /// Size (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<u64>,
    /// Used (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub used: Option<u64>,
    /// Available (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub avail: Option<u64>,
    /// Used fraction.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub used_fraction: Option<f64>,
}

/// One volume in a storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageContent {
    /// Volume id (`local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`).
    pub volid: String,
    /// Format (`raw`, `qcow2`, `tzst`, `iso`, ...).
    pub format: String,
    /// Size (bytes).
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub size: u64,
    /// Content type (`images`, `rootdir`, `vztmpl`, `iso`, `backup`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Owner guest.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub vmid: Option<u64>,
    /// Creation time.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub ctime: Option<u64>,
    /// Used (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub used: Option<u64>,
    /// Parent volume (linked clones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Protected (backups).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub protected: Option<bool>,
}

/// Builds `GET /storage`.
pub fn list() -> ApiRequest {
    ApiRequest::new(LIST, &[])
}

/// Builds `GET /nodes/{node}/storage`, optionally only storages holding `content`.
pub fn node_list(node: &NodeName, content: Option<&str>) -> ApiRequest {
    let r = ApiRequest::new(NODE_LIST, &[node]);
    match content {
        Some(c) => r.param("content", c),
        None => r,
    }
}

/// Builds `GET /nodes/{node}/storage/{storage}/content`.
pub fn content(node: &NodeName, storage: &StorageId, content: Option<&str>) -> ApiRequest {
    let r = ApiRequest::new(CONTENT, &[node, storage]);
    match content {
        Some(c) => r.param("content", c),
        None => r,
    }
}
