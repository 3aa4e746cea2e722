//! Backups on storages: what `vzdump` writes (a `vma.zst` archive of a VM, a `tar.zst` of a
//! container, or a snapshot on a Proxmox Backup Server datastore), with its size, time, notes,
//! protection and the guest's configuration at backup time (what a restore brings back).

use std::collections::BTreeMap;

use pve_types::api::guest::GuestKind;
use serde::{Deserialize, Serialize};

use super::Cluster;

/// One backup volume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupVolume {
    /// `storage:backup/...`.
    pub volid: String,
    /// The storage it is on.
    pub storage: String,
    /// The node whose storage holds it (for a storage that is not shared).
    pub node: String,
    /// The guest it is a backup of.
    pub vmid: u32,
    /// VM or container.
    pub kind: GuestKind,
    /// `vma.zst`, `tar.zst`, `pbs-vm` or `pbs-ct`.
    pub format: String,
    /// Bytes.
    pub size: u64,
    /// When it was made (seconds since the epoch).
    pub ctime: u64,
    /// Notes (from `notes-template`).
    pub notes: Option<String>,
    /// Kept by pruning and refused deletion.
    pub protected: bool,
    /// The guest's configuration at backup time.
    pub config: BTreeMap<String, String>,
}

/// `YYYY_MM_DD-HH_MM_SS` of a UTC time, as vzdump names its archives.
pub fn archive_stamp(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}_{mo:02}_{d:02}-{h:02}_{mi:02}_{s:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a UTC time, as PBS names its snapshots.
pub fn snapshot_stamp(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Year, month, day, hour, minute, second of a UTC time (days from the civil calendar).
fn civil(secs: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3_600, (rem % 3_600) / 60, rem % 60)
}

impl Cluster {
    /// The backups on `storage` as `node` sees it.
    pub fn backups_on<'a>(
        &'a self,
        storage: &'a str,
        node: &'a str,
    ) -> impl Iterator<Item = &'a BackupVolume> + 'a {
        let shared = self.storage(storage).is_some_and(|s| s.shared);
        self.backups
            .iter()
            .filter(move |b| b.storage == storage && (shared || b.node == node))
    }

    /// Bytes of backups on `storage` (on `node` when it is not shared).
    pub fn backup_bytes(&self, storage: &str, node: &str) -> u64 {
        self.backups_on(storage, node).map(|b| b.size).sum()
    }

    /// A backup by volume id, as `node` sees it.
    pub fn backup(&self, volid: &str, node: &str) -> Option<&BackupVolume> {
        let storage = volid.split(':').next().unwrap_or_default();
        let shared = self.storage(storage).is_some_and(|s| s.shared);
        self.backups
            .iter()
            .find(|b| b.volid == volid && (shared || b.node == node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_civil_times() {
        assert_eq!(archive_stamp(1_749_549_744), "2025_06_10-10_02_24");
        assert_eq!(snapshot_stamp(951_782_400), "2000-02-29T00:00:00Z");
    }
}
