//! Users' second factors: a TOTP secret each (sealed by the caller before it is kept), confirmed
//! once, with the last time step a code was taken for (so no code is taken twice), and single-use
//! recovery codes kept as their hashes.

use scmp_common::{Error, UserId};
use sqlx::Row;

use crate::db::{db_error, DataStore};

/// A user's TOTP secret as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totp {
    /// The sealed secret.
    pub secret_sealed: String,
    /// When the user confirmed it (absent: enrolment not finished, not asked for at login).
    pub confirmed_at: Option<i64>,
    /// The last time step a code was taken for.
    pub last_step: i64,
}

impl DataStore {
    /// A user's TOTP secret, if any.
    pub async fn totp_get(&self, user: UserId) -> Result<Option<Totp>, Error> {
        let row = sqlx::query(
            "SELECT secret_sealed, confirmed_at, last_step FROM mfa_totp WHERE user_id = $1",
        )
        .bind(user.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            Ok(Totp {
                secret_sealed: r.try_get("secret_sealed").map_err(Error::internal)?,
                confirmed_at: r.try_get("confirmed_at").map_err(Error::internal)?,
                last_step: r.try_get("last_step").map_err(Error::internal)?,
            })
        })
        .transpose()
    }

    /// Starts (or starts again) a user's enrolment with a new sealed secret; refused once a
    /// secret is confirmed (remove it first).
    pub async fn totp_begin(&self, user: UserId, secret_sealed: &str) -> Result<(), Error> {
        let done = sqlx::query(
            "INSERT INTO mfa_totp (user_id, secret_sealed, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret_sealed = $2, created_at = $3, \
             last_step = 0 WHERE mfa_totp.confirmed_at IS NULL",
        )
        .bind(user.to_string())
        .bind(secret_sealed)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(
                "TOTP is set up already: remove it first to enrol another authenticator".into(),
            ));
        }
        Ok(())
    }

    /// Confirms a user's enrolment with the step of the code they gave, and keeps the hashes of
    /// their new recovery codes (replacing any before), in one transaction; false when there was
    /// no enrolment to confirm.
    pub async fn totp_confirm(
        &self,
        user: UserId,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<bool, Error> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE mfa_totp SET confirmed_at = $2, last_step = $3 \
             WHERE user_id = $1 AND confirmed_at IS NULL",
        )
        .bind(user.to_string())
        .bind(self.now_ms())
        .bind(step)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        for h in recovery_hashes {
            sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user.to_string())
                .bind(h)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Takes a code for time step `step`: true once, when `step` is later than the last one
    /// taken (so a code is never taken twice, nor an older one after a newer).
    pub async fn totp_take_step(&self, user: UserId, step: i64) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE mfa_totp SET last_step = $2 \
             WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
        )
        .bind(user.to_string())
        .bind(step)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes a recovery code by its hash: true once.
    pub async fn recovery_code_take(&self, user: UserId, hash: &str) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE mfa_recovery_codes SET used_at = $3 \
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user.to_string())
        .bind(hash)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// How many of a user's recovery codes are left.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<i64, Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user.to_string())
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(db_error)
    }

    /// Removes a user's second factor (TOTP and recovery codes).
    pub async fn totp_remove(&self, user: UserId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        for q in [
            "DELETE FROM mfa_recovery_codes WHERE user_id = $1",
            "DELETE FROM mfa_totp WHERE user_id = $1",
        ] {
            sqlx::query(q)
                .bind(user.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await
    }

    /// The users with a confirmed second factor.
    pub async fn totp_users(&self) -> Result<std::collections::HashSet<UserId>, Error> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM mfa_totp WHERE confirmed_at IS NOT NULL")
                .fetch_all(&mut *self.read().await?)
                .await
                .map_err(db_error)?;
        ids.iter()
            .map(|i| {
                i.parse()
                    .map_err(|e| Error::internal(format!("stored user id {i:?}: {e}")))
            })
            .collect()
    }
}
