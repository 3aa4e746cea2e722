//! Guest leases: a guest a `lease` policy held when it was admitted ends at `expires_at`. Its
//! owners are warned before, it can be extended up to `max_until`, at the end it is stopped, and
//! after the grace it is decommissioned. Each step is a conditional move of its state, so one
//! replica takes it, once.

use scmp_common::{Error, GuestId, ProjectId, TenantId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, DataStore};
use crate::link::Link;

/// Where a lease is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaseState {
    /// Running its course.
    Active,
    /// Its owners were warned that it ends soon.
    Warned,
    /// It ended: the guest was stopped; it is decommissioned after the grace.
    Stopped,
    /// The grace ended: the guest is being decommissioned.
    Ending,
}

impl LeaseState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseState::Active => "active",
            LeaseState::Warned => "warned",
            LeaseState::Stopped => "stopped",
            LeaseState::Ending => "ending",
        }
    }

    fn parse(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "active" => LeaseState::Active,
            "warned" => LeaseState::Warned,
            "stopped" => LeaseState::Stopped,
            "ending" => LeaseState::Ending,
            other => return Err(Error::internal(format!("unknown lease state {other:?}"))),
        })
    }
}

/// A lease to give a guest at its admission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLease {
    /// The policy that gives it.
    pub policy: String,
    /// When it ends (ms).
    pub expires_at: i64,
    /// The latest it can be extended to (ms).
    pub max_until: i64,
    /// How long before the end the owners are warned (ms).
    pub warn_ms: i64,
    /// How long after the end the guest is decommissioned (ms).
    pub grace_ms: i64,
}

/// A guest's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestLease {
    /// The guest.
    pub guest_id: GuestId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// The terms.
    pub terms: NewLease,
    /// Where it is.
    pub state: LeaseState,
}

impl GuestLease {
    /// What is due at `now`: the state it moves to, if any.
    pub fn due(&self, now: i64) -> Option<LeaseState> {
        let t = &self.terms;
        match self.state {
            LeaseState::Active | LeaseState::Warned if now >= t.expires_at => {
                Some(LeaseState::Stopped)
            }
            LeaseState::Active if now >= t.expires_at - t.warn_ms => Some(LeaseState::Warned),
            LeaseState::Stopped if now >= t.expires_at + t.grace_ms => Some(LeaseState::Ending),
            _ => None,
        }
    }
}

const COLUMNS: &str =
    "guest_id, tenant_id, project_id, policy, expires_at, max_until, warn_ms, grace_ms, state";

fn lease(row: &AnyRow) -> Result<GuestLease, Error> {
    let ms = |c: &str| row.try_get::<i64, _>(c).map_err(Error::internal);
    Ok(GuestLease {
        guest_id: get_id(row, "guest_id")?,
        tenant_id: get_id(row, "tenant_id")?,
        project_id: get_id(row, "project_id")?,
        terms: NewLease {
            policy: get_string(row, "policy")?,
            expires_at: ms("expires_at")?,
            max_until: ms("max_until")?,
            warn_ms: ms("warn_ms")?,
            grace_ms: ms("grace_ms")?,
        },
        state: LeaseState::parse(&get_string(row, "state")?)?,
    })
}

/// Gives a guest its lease (inside its admitting transaction).
pub(crate) async fn insert(
    conn: &mut Link,
    guest: GuestId,
    tenant: TenantId,
    project: ProjectId,
    l: &NewLease,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(&format!(
        "INSERT INTO guest_leases ({COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9)"
    ))
    .bind(guest.to_string())
    .bind(tenant.to_string())
    .bind(project.to_string())
    .bind(&l.policy)
    .bind(l.expires_at)
    .bind(l.max_until)
    .bind(l.warn_ms)
    .bind(l.grace_ms)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

impl DataStore {
    /// A guest's lease, if it has one.
    pub async fn lease_get(&self, guest: GuestId) -> Result<Option<GuestLease>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM guest_leases WHERE guest_id = $1"
        ))
        .bind(guest.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(lease).transpose()
    }

    /// The leases with something due at `now` (at most `limit`).
    pub async fn leases_due(&self, now: i64, limit: u32) -> Result<Vec<GuestLease>, Error> {
        // The widest window: an active lease is due from its warning on.
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM guest_leases WHERE state <> 'ending' \
             AND expires_at - warn_ms <= $1 ORDER BY expires_at LIMIT {}",
            limit.min(1000)
        ))
        .bind(now)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let all: Vec<GuestLease> = rows.iter().map(lease).collect::<Result<_, _>>()?;
        Ok(all.into_iter().filter(|l| l.due(now).is_some()).collect())
    }

    /// Moves a lease from `from` to `to`; false when another replica (or an extension) moved it
    /// first.
    pub async fn lease_move(
        &self,
        guest: GuestId,
        from: LeaseState,
        to: LeaseState,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE guest_leases SET state = $1, updated_at = $2 WHERE guest_id = $3 AND state = $4",
        )
        .bind(to.as_str())
        .bind(self.now_ms())
        .bind(guest.to_string())
        .bind(from.as_str())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends a lease that has not reached its decommissioning to `until` (no later than its
    /// `max_until`, which the caller checked); it runs again from there. False when it is ending.
    pub async fn lease_extend(&self, guest: GuestId, until: i64) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE guest_leases SET expires_at = $1, state = 'active', updated_at = $2 \
             WHERE guest_id = $3 AND state <> 'ending' AND $1 <= max_until",
        )
        .bind(until)
        .bind(self.now_ms())
        .bind(guest.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }
}
