//! Leases for background work: a named lease held by one replica until a time; the holder renews
//! it, anyone takes it once it has run out.

use scmp_common::Error;

use crate::db::{db_error, is_unique_violation, DataStore};

impl DataStore {
    /// Takes or renews the lease `name` for `owner` for `ttl_ms`. False when another owner holds it.
    pub async fn lease_try(&self, name: &str, owner: &str, ttl_ms: i64) -> Result<bool, Error> {
        let now = self.now_ms();
        let taken = sqlx::query(
            "UPDATE leases SET owner = $2, until = $3 WHERE name = $1 AND (owner = $2 OR until < $4)",
        )
        .bind(name)
        .bind(owner)
        .bind(now + ttl_ms)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        if taken.rows_affected() == 1 {
            return Ok(true);
        }
        match sqlx::query("INSERT INTO leases (name, owner, until) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(owner)
            .bind(now + ttl_ms)
            .execute(&mut *self.write().await?)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(db_error(e)),
        }
    }
}
