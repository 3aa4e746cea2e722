//! Resource pools: PVE's grouping of guests and storage, used for tenant segmentation.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::ids::{PoolId, Vmid};
use crate::perl;

/// `GET /pools`.
pub const LIST: Endpoint = Endpoint::new(Get, "/pools");
/// `POST /pools`.
pub const CREATE: Endpoint = Endpoint::new(Post, "/pools");
/// `GET /pools/{poolid}`.
pub const GET: Endpoint = Endpoint::new(Get, "/pools/{poolid}");
/// `PUT /pools/{poolid}`.
pub const UPDATE: Endpoint = Endpoint::new(Put, "/pools/{poolid}");
/// `DELETE /pools/{poolid}`.
pub const DELETE: Endpoint = Endpoint::new(Delete, "/pools/{poolid}");

/// A pool member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolMember {
    /// `qemu/100`, `storage/pve1/local`.
    pub id: String,
    /// Node.
    pub node: String,
    /// `qemu`, `lxc`, `openvz` or `storage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Guest id.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub vmid: Option<u64>,
    /// Storage id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// Any further status fields PVE adds (name, status, maxmem, ...).
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

/// One entry of `/pools`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolListItem {
    /// Pool id.
    pub poolid: String,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Members (PVE 8.x lists them here too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<PoolMember>>,
}

/// The answer of `/pools/{poolid}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolConfig {
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Members.
    pub members: Vec<PoolMember>,
}

/// Create a pool.
#[derive(Debug, Clone, Serialize)]
pub struct PoolCreate {
    /// Pool id.
    pub poolid: PoolId,
    /// Comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Change a pool's comment or members.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PoolUpdate {
    /// New comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Guests to add (or remove with `delete`), comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vms: Option<String>,
    /// Storage to add (or remove with `delete`), comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// Remove the listed members instead of adding them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete: Option<bool>,
    /// Move guests that are already in another pool.
    #[serde(rename = "allow-move", skip_serializing_if = "Option::is_none")]
    pub allow_move: Option<bool>,
}

impl PoolUpdate {
    /// Adds (or, with `remove`, removes) these guests.
    pub fn members(vmids: &[Vmid], remove: bool) -> Self {
        let vms = vmids
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        Self {
            vms: Some(vms),
            delete: remove.then_some(true),
            ..Default::default()
        }
    }
}

/// Builds `GET /pools`.
pub fn list() -> ApiRequest {
    ApiRequest::new(LIST, &[])
}

/// Builds `POST /pools`.
pub fn create(p: &PoolCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(CREATE, &[]).with_params(p)
}

/// Builds `GET /pools/{poolid}`.
pub fn get(pool: &PoolId) -> ApiRequest {
    ApiRequest::new(GET, &[pool])
}

/// Builds `PUT /pools/{poolid}`.
pub fn update(pool: &PoolId, p: &PoolUpdate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(UPDATE, &[pool]).with_params(p)
}

/// Builds `DELETE /pools/{poolid}`.
pub fn delete(pool: &PoolId) -> ApiRequest {
    ApiRequest::new(DELETE, &[pool])
}
