//! The platform's own settings (one row).

use scmp_common::Error;
use sqlx::Row;

use crate::db::{db_error, DataStore};

/// The platform's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformSettings {
    /// Platform staff (users of no tenant) must have a second factor.
    pub require_mfa: bool,
    /// Last changed (ms; 0 when never).
    pub updated_at: i64,
}

impl DataStore {
    /// The platform's settings.
    pub async fn platform_settings(&self) -> Result<PlatformSettings, Error> {
        let row = sqlx::query("SELECT require_mfa, updated_at FROM platform_settings WHERE id = 1")
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        Ok(PlatformSettings {
            require_mfa: row
                .try_get::<i64, _>("require_mfa")
                .map_err(Error::internal)?
                != 0,
            updated_at: row.try_get("updated_at").map_err(Error::internal)?,
        })
    }

    /// Whether platform staff must have a second factor.
    pub async fn platform_set_require_mfa(&self, on: bool) -> Result<PlatformSettings, Error> {
        sqlx::query("UPDATE platform_settings SET require_mfa = $1, updated_at = $2 WHERE id = 1")
            .bind(i64::from(on))
            .bind(self.now_ms())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        self.platform_settings().await
    }
}
