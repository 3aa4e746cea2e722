//! ITSM webhook deliveries: recorded with their approval, taken by one replica at a time (a
//! conditional move of their next attempt's time), and ended delivered or given up, with every
//! attempt's answer kept in their log.

use scmp_common::{Error, OperationId};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, DataStore};

/// One attempt's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When (ms).
    pub at: i64,
    /// The HTTP status (0: no answer).
    pub status: u16,
    /// What went wrong, if anything.
    pub error: String,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// To be tried (again).
    Pending,
    /// Answered with success.
    Delivered,
    /// Given up.
    Failed,
}

impl DeliveryState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "pending" => DeliveryState::Pending,
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            other => return Err(Error::internal(format!("unknown delivery state {other:?}"))),
        })
    }
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// Id.
    pub id: String,
    /// The approval's operation.
    pub operation_id: OperationId,
    /// The policy whose webhook it is.
    pub policy: String,
    /// Where to.
    pub url: String,
    /// The JSON body.
    pub body: String,
    /// Where it is.
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: u32,
    /// When it is tried next (ms).
    pub next_at: i64,
    /// Every attempt's answer.
    pub log: Vec<Attempt>,
}

const COLUMNS: &str = "id, operation_id, policy, url, body, state, attempts, next_at, log";

fn delivery(row: &AnyRow) -> Result<DeliveryRow, Error> {
    Ok(DeliveryRow {
        id: get_string(row, "id")?,
        operation_id: get_id(row, "operation_id")?,
        policy: get_string(row, "policy")?,
        url: get_string(row, "url")?,
        body: get_string(row, "body")?,
        state: DeliveryState::parse(&get_string(row, "state")?)?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(Error::internal)?)
            .unwrap_or(u32::MAX),
        next_at: row.try_get("next_at").map_err(Error::internal)?,
        log: serde_json::from_str(&get_string(row, "log")?).map_err(Error::internal)?,
    })
}

impl DataStore {
    /// Takes the deliveries due now (at most `limit`) for `lease_ms`: another replica does not
    /// take them meanwhile.
    pub async fn itsm_take_due(
        &self,
        limit: u32,
        lease_ms: i64,
    ) -> Result<Vec<DeliveryRow>, Error> {
        let now = self.now_ms();
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM itsm_deliveries WHERE state = 'pending' AND next_at <= $1 \
             ORDER BY next_at LIMIT {}",
            limit.min(100)
        ))
        .bind(now)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let mut taken = Vec::new();
        for r in rows {
            let mut d = delivery(&r)?;
            let moved = sqlx::query(
                "UPDATE itsm_deliveries SET next_at = $1 WHERE id = $2 AND state = 'pending' AND next_at = $3",
            )
            .bind(now + lease_ms)
            .bind(&d.id)
            .bind(d.next_at)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
            if moved.rows_affected() == 1 {
                d.next_at = now + lease_ms;
                taken.push(d);
            }
        }
        Ok(taken)
    }

    /// Records an attempt: delivered, tried again at `retry_at`, or (neither) given up.
    pub async fn itsm_attempted(
        &self,
        d: &DeliveryRow,
        attempt: Attempt,
        delivered: bool,
        retry_at: Option<i64>,
    ) -> Result<(), Error> {
        let mut log = d.log.clone();
        log.push(attempt);
        let state = match (delivered, retry_at) {
            (true, _) => DeliveryState::Delivered,
            (false, Some(_)) => DeliveryState::Pending,
            (false, None) => DeliveryState::Failed,
        };
        sqlx::query(
            "UPDATE itsm_deliveries SET state = $1, attempts = attempts + 1, next_at = $2, log = $3, \
             updated_at = $4 WHERE id = $5 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(retry_at.unwrap_or(d.next_at))
        .bind(serde_json::to_string(&log).map_err(Error::internal)?)
        .bind(self.now_ms())
        .bind(&d.id)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// An approval's deliveries, oldest first.
    pub async fn itsm_deliveries_of(&self, op: OperationId) -> Result<Vec<DeliveryRow>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM itsm_deliveries WHERE operation_id = $1 ORDER BY created_at, id"
        ))
        .bind(op.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(delivery).collect()
    }
}
