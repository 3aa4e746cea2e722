//! Idempotency keys: the first answer to a POST with an `Idempotency-Key` is kept, so a repeat (a
//! client retrying after a lost answer) gets the same answer instead of doing the change twice.

use scmp_common::Error;
use sqlx::Row;

use crate::db::{db_error, get_string, is_unique_violation, DataStore};

/// How long a key is remembered.
const KEEP_MS: i64 = 24 * 3600 * 1000;

/// A kept answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    /// HTTP status.
    pub status: u16,
    /// `Location` header, if any.
    pub location: String,
    /// Body (JSON).
    pub body: String,
}

/// What the key says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// First use: go ahead (and keep the answer).
    New,
    /// The same request was answered: give this answer again.
    Answered(KeptAnswer),
    /// The same request is being answered right now.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

impl DataStore {
    /// Claims a key for a request (identified by `request_hash`), or says what happened to it.
    pub async fn idempotency_begin(
        &self,
        caller: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<KeyState, Error> {
        let now = self.now_ms();
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now - KEEP_MS)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        let r = sqlx::query(
            "INSERT INTO idempotency_keys (caller, key, request_hash, status, location, body, created_at) \
             VALUES ($1, $2, $3, 0, '', '', $4)",
        )
        .bind(caller)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => return Ok(KeyState::New),
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(db_error(e)),
        }
        let row = sqlx::query(
            "SELECT request_hash, status, location, body FROM idempotency_keys WHERE caller = $1 AND key = $2",
        )
        .bind(caller)
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let Some(row) = row else {
            // Expired between the two statements: the caller may try again.
            return Ok(KeyState::InProgress);
        };
        if get_string(&row, "request_hash")? != request_hash {
            return Ok(KeyState::Mismatch);
        }
        let status: i64 = row.try_get("status").map_err(Error::internal)?;
        if status == 0 {
            return Ok(KeyState::InProgress);
        }
        Ok(KeyState::Answered(KeptAnswer {
            status: u16::try_from(status).map_err(Error::internal)?,
            location: get_string(&row, "location")?,
            body: get_string(&row, "body")?,
        }))
    }

    /// Keeps the answer of a claimed key.
    pub async fn idempotency_finish(
        &self,
        caller: &str,
        key: &str,
        answer: &KeptAnswer,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, location = $2, body = $3 WHERE caller = $4 AND key = $5",
        )
        .bind(i64::from(answer.status))
        .bind(&answer.location)
        .bind(&answer.body)
        .bind(caller)
        .bind(key)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Gives a claimed key up (the request failed in a way worth retrying).
    pub async fn idempotency_abandon(&self, caller: &str, key: &str) -> Result<(), Error> {
        sqlx::query("DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND status = 0")
            .bind(caller)
            .bind(key)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
