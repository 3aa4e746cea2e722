//! The site's ledger of the guests it made on its own (kept in the journal, written in one
//! transaction with the audit entry that reports each change): what they spend of their projects'
//! offline budgets until the centre has taken them in, and what the site's API lists beside the
//! guests the centre told it of; each change starts or ends the guest's [`super::meter`].

use rusqlite::{params, Connection};
use scmp_api::GuestView;
use scmp_common::GuestId;

use super::chain::LocalGuest;

/// A change to the ledger.
#[derive(Debug, Clone)]
pub enum LocalChange {
    /// The site made a guest.
    Made(Box<GuestView>, Box<LocalGuest>),
    /// The site deleted a guest it made, at a time (ms).
    Gone(GuestId, i64),
}

/// Records a change (inside the caller's transaction).
pub(super) fn record_in(conn: &Connection, c: &LocalChange) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    match c {
        LocalChange::Made(view, made) => conn
            .execute(
                "INSERT INTO local_guests (guest_id, view, made) VALUES (?1, ?2, ?3)",
                params![
                    view.id.to_string(),
                    serde_json::to_string(view).map_err(|e| err(&e))?,
                    serde_json::to_string(made).map_err(|e| err(&e))?
                ],
            )
            .map_err(|e| err(&e))
            .and_then(|_| {
                super::meter::start_in(
                    conn,
                    view.id,
                    made,
                    scmp_common::time::to_ms(&view.created_at),
                )
            })?,
        LocalChange::Gone(id, at_ms) => conn
            .execute(
                "UPDATE local_guests SET deleted = 1 WHERE guest_id = ?1",
                params![id.to_string()],
            )
            .map_err(|e| err(&e))
            .and_then(|_| super::meter::end_in(conn, *id, *at_ms))?,
    };
    Ok(())
}

/// The guests the site made and has not deleted, oldest first.
pub(super) fn alive_in(conn: &Connection) -> Result<Vec<(GuestView, LocalGuest)>, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut q = conn
        .prepare("SELECT view, made FROM local_guests WHERE deleted = 0 ORDER BY rowid")
        .map_err(|e| err(&e))?;
    let rows = q
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| err(&e))?;
    let mut out = Vec::new();
    for row in rows {
        let (view, made) = row.map_err(|e| err(&e))?;
        out.push((
            serde_json::from_str(&view).map_err(|e| err(&e))?,
            serde_json::from_str(&made).map_err(|e| err(&e))?,
        ));
    }
    Ok(out)
}
