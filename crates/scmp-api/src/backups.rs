//! A guest's backups: taken now, listed as Proxmox has them, protected, deleted, and restored in
//! place (after an explicit confirmation, with a backup of the guest as it was taken first).

use scmp_common::time::Time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A backup of a guest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupView {
    /// Its id (opaque; the Proxmox volume in URL-safe base64).
    pub id: String,
    /// The Proxmox volume (`storage:backup/...`).
    pub volume: String,
    /// The storage it is on.
    pub storage: String,
    /// When it was taken.
    pub taken_at: Time,
    /// Bytes.
    pub size_bytes: u64,
    /// `vma.zst`, `tar.zst`, `pbs-vm`, `pbs-ct`.
    pub format: String,
    /// Kept by pruning, and not deleted until the protection is lifted.
    pub protected: bool,
    /// Its notes (absent when it has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Back a guest up now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupCreate {
    /// Protect the backup from pruning and deletion (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
}

/// Restore a guest in place from one of its backups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestRestore {
    /// The backup's id.
    pub backup: String,
    /// Must be true: the guest's disks are replaced by the backup's (a backup of the guest as it
    /// is now is taken first, and restored again when the restore fails).
    #[serde(default)]
    pub confirm: bool,
}
