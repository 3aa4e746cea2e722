//! Compliance: the violations a scan of a tenant's guests found against the current policies,
//! each kept since the first scan that found it; a scan's record replaces the tenant's set in one
//! transaction, with an event on each guest for what is new and what was resolved.

use scmp_common::{Error, GuestEventKind, GuestId, ProjectId, TenantId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, DataStore};
use crate::link::Link;

/// A policy a guest violates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The guest.
    pub guest_id: GuestId,
    /// Its name.
    pub guest: String,
    /// Its project.
    pub project_id: ProjectId,
    /// The policy.
    pub policy: String,
    /// The policy's enforcement level (`deny`, `warn`).
    pub enforcement: String,
    /// What the policy says.
    pub message: String,
    /// Since when (ms): the first scan that found it.
    pub since: i64,
}

/// A tenant's last scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceScan {
    /// When (ms).
    pub scanned_at: i64,
    /// How many guests it evaluated.
    pub guests: u64,
}

fn violation(row: &AnyRow) -> Result<Violation, Error> {
    Ok(Violation {
        guest_id: get_id(row, "guest_id")?,
        guest: get_string(row, "guest")?,
        project_id: get_id(row, "project_id")?,
        policy: get_string(row, "policy")?,
        enforcement: get_string(row, "enforcement")?,
        message: get_string(row, "message")?,
        since: row.try_get("since").map_err(Error::internal)?,
    })
}

async fn violations(conn: &mut Link, tenant: TenantId) -> Result<Vec<Violation>, Error> {
    let rows = sqlx::query(
        "SELECT guest_id, guest, project_id, policy, enforcement, message, since \
         FROM compliance_violations WHERE tenant_id = $1 ORDER BY guest, policy",
    )
    .bind(tenant.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    rows.iter().map(violation).collect()
}

impl DataStore {
    /// Records a scan of `tenant`'s `guests` guests that found `found` (their `since` is not
    /// read): what is new is kept from now, what is gone is dropped, each with an event on its
    /// guest. Answers the violations that are new.
    pub async fn compliance_record(
        &self,
        tenant: TenantId,
        guests: u64,
        found: &[Violation],
    ) -> Result<Vec<Violation>, Error> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let before = violations(&mut tx, tenant).await?;
        let key = |v: &Violation| (v.guest_id, v.policy.clone());
        let had: std::collections::HashSet<_> = before.iter().map(key).collect();
        let has: std::collections::HashSet<_> = found.iter().map(key).collect();
        let mut new = Vec::new();
        for v in found.iter().filter(|v| !had.contains(&key(v))) {
            sqlx::query(
                "INSERT INTO compliance_violations (guest_id, policy, tenant_id, project_id, guest, \
                 enforcement, message, since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(v.guest_id.to_string())
            .bind(&v.policy)
            .bind(tenant.to_string())
            .bind(v.project_id.to_string())
            .bind(&v.guest)
            .bind(&v.enforcement)
            .bind(&v.message)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            event(
                &mut tx,
                self,
                v.guest_id,
                GuestEventKind::PolicyViolation,
                &format!(
                    "violates policy {} ({}): {}",
                    v.policy, v.enforcement, v.message
                ),
                now,
            )
            .await?;
            new.push(Violation {
                since: now,
                ..v.clone()
            });
        }
        for v in before.iter().filter(|v| !has.contains(&key(v))) {
            sqlx::query("DELETE FROM compliance_violations WHERE guest_id = $1 AND policy = $2")
                .bind(v.guest_id.to_string())
                .bind(&v.policy)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            event(
                &mut tx,
                self,
                v.guest_id,
                GuestEventKind::PolicyResolved,
                &format!("no longer violates policy {}", v.policy),
                now,
            )
            .await?;
        }
        sqlx::query(
            "INSERT INTO compliance_scans (tenant_id, scanned_at, guests) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET scanned_at = $2, guests = $3",
        )
        .bind(tenant.to_string())
        .bind(now)
        .bind(i64::try_from(guests).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await?;
        Ok(new)
    }

    /// A tenant's violations (by guest, then policy) and its last scan, if it was scanned.
    pub async fn compliance_report(
        &self,
        tenant: TenantId,
    ) -> Result<(Option<ComplianceScan>, Vec<Violation>), Error> {
        let mut conn = self.read().await?;
        let scan =
            sqlx::query("SELECT scanned_at, guests FROM compliance_scans WHERE tenant_id = $1")
                .bind(tenant.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?
                .map(|r| {
                    Ok::<_, Error>(ComplianceScan {
                        scanned_at: r.try_get("scanned_at").map_err(Error::internal)?,
                        guests: u64::try_from(
                            r.try_get::<i64, _>("guests").map_err(Error::internal)?,
                        )
                        .unwrap_or_default(),
                    })
                })
                .transpose()?;
        Ok((scan, violations(&mut conn, tenant).await?))
    }
}

async fn event(
    conn: &mut Link,
    store: &DataStore,
    guest: GuestId,
    kind: GuestEventKind,
    detail: &str,
    at: i64,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO guest_events (id, guest_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(store.random.uuid().to_string())
    .bind(guest.to_string())
    .bind(at)
    .bind(kind.as_str())
    .bind(detail)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}
