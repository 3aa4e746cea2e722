//! The catalog: images and instance types.

use scmp_common::time::Time;
use scmp_common::{GuestKind, ImageId, InstanceTypeId, Name};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `image_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageCreate {
    /// Name.
    pub name: Name,
    /// `vm` or `ct`.
    pub kind: GuestKind,
    /// Operating system (`debian`).
    pub os: String,
    /// Version (`12`).
    pub version: String,
    /// The name of the template on the clusters (a VM or container template).
    pub template: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImageView {
    /// Id.
    pub id: ImageId,
    /// Name.
    pub name: Name,
    /// `vm` or `ct`.
    pub kind: GuestKind,
    /// Operating system.
    pub os: String,
    /// Its version.
    pub version: String,
    /// The template's name on Proxmox VE.
    pub template: String,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Clusters that carry the template (names).
    pub clusters: Vec<Name>,
    /// Created.
    pub created_at: Time,
}

/// `instance_type_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceTypeCreate {
    /// Name.
    pub name: Name,
    /// vCPUs (1..128).
    pub vcpus: u64,
    /// Memory (64 MiB .. 4 TiB).
    pub memory_mib: u64,
    /// Root disk (1 .. 65536 GiB).
    pub disk_gib: u64,
}

/// An instance type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InstanceTypeView {
    /// Id.
    pub id: InstanceTypeId,
    /// Name.
    pub name: Name,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// Created.
    pub created_at: Time,
}
