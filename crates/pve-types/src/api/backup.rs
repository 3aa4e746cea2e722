//! Backups: `vzdump` (a task that backs guests up to a storage) and the backup volumes it leaves,
//! read, protected and deleted through `/nodes/{node}/storage/{storage}/content/{volume}`.

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::{perl, NodeName, StorageId};

/// `POST /nodes/{node}/vzdump`.
pub const VZDUMP: Endpoint = Endpoint::new(Post, "/nodes/{node}/vzdump");
/// `GET /nodes/{node}/storage/{storage}/content/{volume}`.
pub const VOLUME_GET: Endpoint =
    Endpoint::new(Get, "/nodes/{node}/storage/{storage}/content/{volume}");
/// `PUT /nodes/{node}/storage/{storage}/content/{volume}`.
pub const VOLUME_UPDATE: Endpoint =
    Endpoint::new(Put, "/nodes/{node}/storage/{storage}/content/{volume}");
/// `DELETE /nodes/{node}/storage/{storage}/content/{volume}`.
pub const VOLUME_DELETE: Endpoint =
    Endpoint::new(Delete, "/nodes/{node}/storage/{storage}/content/{volume}");

/// How vzdump keeps the guest consistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupMode {
    /// The guest keeps running (a live snapshot).
    Snapshot,
    /// The guest is suspended meanwhile.
    Suspend,
    /// The guest is stopped meanwhile.
    Stop,
}

/// A backup job run now.
#[derive(Debug, Clone, Serialize)]
pub struct Vzdump {
    /// The guests, comma separated.
    pub vmid: String,
    /// The backup storage.
    pub storage: String,
    /// Consistency mode.
    pub mode: BackupMode,
    /// Compression (`zstd`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress: Option<String>,
    /// Notes of the backups (`{{guestname}}`, `{{vmid}}`, ...).
    #[serde(rename = "notes-template", skip_serializing_if = "Option::is_none")]
    pub notes_template: Option<String>,
    /// Protect the backups from pruning and deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
    /// Retention applied after the backup (`keep-last=3,keep-daily=7`).
    #[serde(rename = "prune-backups", skip_serializing_if = "Option::is_none")]
    pub prune_backups: Option<String>,
}

/// A volume's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeInfo {
    /// Format (`vma.zst`, `pbs-vm`, ...).
    pub format: String,
    /// Its path.
    pub path: String,
    /// Bytes.
    #[serde(deserialize_with = "perl::deserialize_u64")]
    pub size: u64,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Protected.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub protected: Option<bool>,
}

/// A change of a backup's notes or protection.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VolumeUpdate {
    /// New notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Protected or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
}

/// Builds `POST /nodes/{node}/vzdump`.
pub fn vzdump(node: &NodeName, p: &Vzdump) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(VZDUMP, &[node]).with_params(p)
}

/// Builds `GET .../storage/{storage}/content/{volume}`.
pub fn volume(node: &NodeName, storage: &StorageId, volid: &str) -> ApiRequest {
    ApiRequest::new(VOLUME_GET, &[node, storage, &volid])
}

/// Builds `PUT .../storage/{storage}/content/{volume}`.
pub fn volume_update(
    node: &NodeName,
    storage: &StorageId,
    volid: &str,
    p: &VolumeUpdate,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(VOLUME_UPDATE, &[node, storage, &volid]).with_params(p)
}

/// Builds `DELETE .../storage/{storage}/content/{volume}`.
pub fn volume_delete(node: &NodeName, storage: &StorageId, volid: &str) -> ApiRequest {
    ApiRequest::new(VOLUME_DELETE, &[node, storage, &volid])
}
