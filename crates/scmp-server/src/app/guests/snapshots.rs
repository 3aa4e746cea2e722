//! Guest snapshots: listed from Proxmox, taken, rolled back and deleted through operations.

use scmp_api::{OperationView, Page, PageQuery, SnapshotView};
use scmp_authz::Action;
use scmp_common::{Error, OperationKind};

use super::changes::Change;
use crate::app::paging;
use crate::context::{AppState, OpContext};

/// A snapshot name Proxmox accepts: a letter, then letters, digits, `_` or `-` (up to 40), and not
/// `current` (Proxmox's name for the running state).
pub(crate) fn check_snapshot_name(n: &str) -> Result<(), Error> {
    let ok = n.len() <= 40
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && n != "current";
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            field: "name".into(),
            message: "must start with a letter, then letters, digits, _ or - (up to 40), and not be 'current'".into(),
        })
    }
}

impl AppState {
    /// A guest's snapshots, as Proxmox has them.
    pub async fn snapshot_list(
        &self,
        ctx: &OpContext,
        key: &str,
        q: &PageQuery,
    ) -> Result<Page<SnapshotView>, Error> {
        let limit = q.limit()?;
        let g = self.lookup_guest(ctx, key, Action::GuestView).await?;
        let all = self
            .guest_snapshots(&g)
            .await?
            .into_iter()
            .map(|s| SnapshotView {
                name: s.name,
                description: crate::views::text(s.description),
                taken_at: s.snaptime.map(|t| scmp_common::time::from_secs(t as i64)),
            })
            .collect();
        let found = paging::slice(all, q.page_token.as_deref(), limit, |s| s.name.clone())?;
        Ok(paging::page(found, |s| s))
    }

    /// Takes, rolls back to or deletes a snapshot (`kind`).
    pub async fn snapshot_change(
        &self,
        ctx: &OpContext,
        key: &str,
        snapshot: &str,
        kind: OperationKind,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        check_snapshot_name(snapshot)?;
        let params = serde_json::json!({ "name": snapshot });
        self.guest_begin(ctx, &g, Change::update(kind, params), wait)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names() {
        for ok in ["before-upgrade", "s1", "A_b-c"] {
            assert!(check_snapshot_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1st", "current", "a b", "a/b", &"a".repeat(41)] {
            assert!(check_snapshot_name(bad).is_err(), "{bad}");
        }
    }
}
