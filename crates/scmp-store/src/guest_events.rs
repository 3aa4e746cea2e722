//! Events on guests: what drift, inventory, operations, leases and compliance scans saw happen to a
//! guest, newest first; an event a site reports again (after a reconnect) is recorded once.

use scmp_common::{Error, GuestEventKind, GuestId};
use sqlx::Row;

use crate::db::{db_error, get_string, DataStore};

/// A drift or lifecycle event recorded on a guest.
#[derive(Debug, Clone, PartialEq)]
pub struct GuestEvent {
    /// When (ms).
    pub at: i64,
    /// What kind of event.
    pub kind: GuestEventKind,
    /// What happened.
    pub detail: String,
}

impl DataStore {
    /// Records an event on a guest.
    pub async fn guest_event_add(
        &self,
        id: GuestId,
        kind: GuestEventKind,
        detail: &str,
    ) -> Result<(), Error> {
        let key = self.random.uuid().to_string();
        self.guest_event_record(id, kind, detail, self.now_ms(), &key)
            .await
    }

    /// An event that happened at `at` (ms), recorded once under `key` however often it is
    /// reported (what a site saw while cut off, replayed after a reconnect).
    pub async fn guest_event_record(
        &self,
        id: GuestId,
        kind: GuestEventKind,
        detail: &str,
        at: i64,
        key: &str,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO guest_events (id, guest_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(key)
        .bind(id.to_string())
        .bind(at)
        .bind(kind.as_str())
        .bind(detail)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// A guest's events, newest first.
    pub async fn guest_events(&self, id: GuestId, limit: u32) -> Result<Vec<GuestEvent>, Error> {
        let rows = sqlx::query(
            "SELECT at, kind, detail FROM guest_events WHERE guest_id = $1 ORDER BY at DESC LIMIT $2",
        )
        .bind(id.to_string())
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(GuestEvent {
                    at: r.try_get("at").map_err(Error::internal)?,
                    kind: crate::db::get_parsed(r, "kind")?,
                    detail: get_string(r, "detail")?,
                })
            })
            .collect()
    }
}
