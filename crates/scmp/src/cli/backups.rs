//! `scmp backup ...`: a guest's backups, taken, listed, protected, deleted and restored in place.

use anyhow::bail;
use reqwest::Method;
use scmp_api::*;

use super::guests::{long, WaitArgs};
use super::output::{print, print_list};
use super::{api, Global};

/// `scmp backup ...`
#[derive(Debug, clap::Subcommand)]
pub enum BackupCmd {
    /// `backup_list`: a guest's backups, newest first.
    List {
        /// Guest id or name.
        guest: String,
    },
    /// `backup_create`: back the guest up now.
    Create {
        /// Guest id or name.
        guest: String,
        /// Protect the backup from pruning and deletion.
        #[arg(long)]
        protected: bool,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `backup_protect`.
    Protect {
        /// Guest id or name.
        guest: String,
        /// Backup id.
        backup: String,
    },
    /// `backup_unprotect`.
    Unprotect {
        /// Guest id or name.
        guest: String,
        /// Backup id.
        backup: String,
    },
    /// `backup_delete`.
    Delete {
        /// Guest id or name.
        guest: String,
        /// Backup id.
        backup: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_restore`: replace the guest's disks by the backup's (a backup is taken first).
    Restore {
        /// Guest id or name.
        guest: String,
        /// Backup id.
        backup: String,
        /// Confirm that the guest's disks are replaced.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        wait: WaitArgs,
    },
}

const COLUMNS: &[&str] = &["id", "taken_at", "size_bytes", "storage", "protected"];

/// `scmp backup ...`
pub async fn backup(cmd: BackupCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let (op, wait): (OperationView, WaitArgs) = match cmd {
        BackupCmd::List { guest } => {
            let list: Vec<BackupView> = a.list(&format!("/guests/{guest}/backups")).await?;
            return print_list(&list, g.output, COLUMNS);
        }
        BackupCmd::Protect { guest, backup } => {
            let v: BackupView = a
                .post(&format!("/guests/{guest}/backups/{backup}/protect"))
                .await?;
            return print(&v, g.output, COLUMNS);
        }
        BackupCmd::Unprotect { guest, backup } => {
            let v: BackupView = a
                .post(&format!("/guests/{guest}/backups/{backup}/unprotect"))
                .await?;
            return print(&v, g.output, COLUMNS);
        }
        BackupCmd::Create {
            guest,
            protected,
            wait,
        } => {
            let body = BackupCreate {
                protected: protected.then_some(true),
            };
            let op = a
                .call(Method::POST, &format!("/guests/{guest}/backups"), &body)
                .await?;
            (op, wait)
        }
        BackupCmd::Delete {
            guest,
            backup,
            wait,
        } => {
            let op = a
                .delete_answering(&format!("/guests/{guest}/backups/{backup}"))
                .await?;
            (op, wait)
        }
        BackupCmd::Restore {
            guest,
            backup,
            yes,
            wait,
        } => {
            if !yes {
                bail!("a restore replaces the guest's disks: pass --yes to confirm");
            }
            let body = GuestRestore {
                backup,
                confirm: true,
            };
            let op = a
                .call(Method::POST, &format!("/guests/{guest}/restore"), &body)
                .await?;
            (op, wait)
        }
    };
    long(&a, op, &wait, g).await
}
