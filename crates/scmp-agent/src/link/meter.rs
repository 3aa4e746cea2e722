//! The site's meter of the guests it made, kept in the journal: where each one's metering stands,
//! started with the ledger's record of the guest (in its transaction), ended when the site deletes
//! it, advanced with each record in one transaction with the numbered message that carries it.

use rusqlite::{params, Connection};
use scmp_common::GuestId;

use super::chain::LocalGuest;
use super::usage::{Metered, SiteUsage};

/// The meter's table.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS usage_meter (
    guest_id TEXT PRIMARY KEY,
    template TEXT NOT NULL,
    metered_to INTEGER NOT NULL,
    ended_at INTEGER,
    done INTEGER NOT NULL DEFAULT 0
);
";

fn err(e: &dyn std::fmt::Display) -> String {
    e.to_string()
}

/// Starts metering a guest the site made at `at_ms` (inside the caller's transaction).
pub(super) fn start_in(
    conn: &Connection,
    guest: GuestId,
    made: &LocalGuest,
    at_ms: i64,
) -> Result<(), String> {
    let template = SiteUsage {
        guest,
        project: made.project,
        tenant: made.tenant,
        from_ms: at_ms,
        to_ms: at_ms,
        vcpus: made.vcpus,
        memory_mib: made.memory_mib,
        disk_gib: made.disk_gib,
        last: false,
    };
    conn.execute(
        "INSERT INTO usage_meter (guest_id, template, metered_to) VALUES (?1, ?2, ?3)
         ON CONFLICT (guest_id) DO NOTHING",
        params![
            guest.to_string(),
            serde_json::to_string(&template).map_err(|e| err(&e))?,
            at_ms
        ],
    )
    .map_err(|e| err(&e))?;
    Ok(())
}

/// Marks when the site deleted a guest it meters (inside the caller's transaction).
pub(super) fn end_in(conn: &Connection, guest: GuestId, at_ms: i64) -> Result<(), String> {
    conn.execute(
        "UPDATE usage_meter SET ended_at = ?2 WHERE guest_id = ?1 AND ended_at IS NULL",
        params![guest.to_string(), at_ms],
    )
    .map_err(|e| err(&e))?;
    Ok(())
}

/// The guests still metered.
pub(super) fn open_in(conn: &Connection) -> Result<Vec<Metered>, String> {
    let mut q = conn
        .prepare(
            "SELECT template, metered_to, ended_at FROM usage_meter WHERE done = 0 ORDER BY rowid",
        )
        .map_err(|e| err(&e))?;
    let rows = q
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .map_err(|e| err(&e))?;
    let mut out = Vec::new();
    for row in rows {
        let (template, to_ms, ended_ms) = row.map_err(|e| err(&e))?;
        out.push(Metered {
            template: serde_json::from_str(&template).map_err(|e| err(&e))?,
            to_ms,
            ended_ms,
        });
    }
    Ok(out)
}

/// Moves a guest's meter past a record (inside the transaction that numbers the record).
pub(super) fn advance_in(conn: &Connection, u: &SiteUsage) -> Result<(), String> {
    conn.execute(
        "UPDATE usage_meter SET metered_to = ?2, done = ?3 WHERE guest_id = ?1",
        params![u.guest.to_string(), u.to_ms, u.last],
    )
    .map_err(|e| err(&e))?;
    Ok(())
}
