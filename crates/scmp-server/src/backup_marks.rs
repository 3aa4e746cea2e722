//! How scmp knows its guests' backups on Proxmox: each backup's notes name the scmp guest, so that
//! backups of an earlier guest that had the same VMID are never taken for this one's.

use scmp_agent::protocol::ObservedBackup;
use scmp_store::Guest;

/// Notes every backup scmp makes carries: what tells a guest's backups from those of an earlier
/// guest that had its VMID.
pub fn notes_of(g: &Guest) -> String {
    format!("scmp:{} {}", g.id, g.name)
}

/// Whether a backup on the cluster is one of this guest's.
pub fn is_guests(b: &ObservedBackup, g: &Guest) -> bool {
    g.vmid == Some(b.vmid)
        && b.notes
            .as_deref()
            .is_some_and(|n| n.starts_with(&format!("scmp:{} ", g.id)))
}
