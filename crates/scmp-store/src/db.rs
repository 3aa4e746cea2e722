//! Opening the database, the connection settings of each backend, and mapping driver errors.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scmp_common::Error;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in the data directory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The store. Cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct DataStore {
    /// Writes, transactions, and reads that decide a write.
    pub(crate) pool: AnyPool,
    /// Plain reads. On SQLite, connections of their own beside the one writer: in WAL mode readers
    /// never wait for the writer, and reads no longer queue behind writes. On PostgreSQL, `pool`.
    pub(crate) reads: AnyPool,
    /// Audit appends waiting to be written together.
    pub(crate) audit_queue: std::sync::Arc<crate::audit::AuditQueue>,
    backend: Backend,
}

impl DataStore {
    /// Opens `sqlite://PATH` or `postgres://...`, applies pending migrations and returns the store.
    pub async fn open(url: &str) -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::InvalidValue {
                field: "database_url".into(),
                message: "must start with sqlite: or postgres:".into(),
            });
        };
        let options = match backend {
            // One connection: SQLite has one writer anyway, and a single connection never meets a
            // lock upgrade that would fail instead of waiting. Scale-out is PostgreSQL's job.
            // A local file cannot drop a connection, so the health check on every acquire (a round
            // trip to the driver's thread, with the one connection held) is skipped.
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                            "PRAGMA synchronous = NORMAL",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                        Ok(())
                    })
                }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = options
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| {
                Error::Unavailable(format!(
                    "cannot open the database: {}",
                    redact(&e.to_string(), url)
                ))
            })?;
        let mut store = Self {
            reads: pool.clone(),
            audit_queue: Default::default(),
            pool,
            backend,
        };
        crate::migrate::run(&store).await?;
        if backend == Backend::Sqlite && !url.contains(":memory:") && !url.contains("mode=memory") {
            store.reads = read_pool(url).await?;
        }
        Ok(store)
    }

    /// Opens (creating it) `scmp.db` in a data directory.
    pub async fn open_dir(dir: &Path) -> Result<Self, Error> {
        let path = dir.join("scmp.db");
        Self::open(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_error)
    }
}

/// Read-only connections to an SQLite file (opened after the migrations, so WAL mode is set).
async fn read_pool(url: &str) -> Result<AnyPool, Error> {
    AnyPoolOptions::new()
        .max_connections(4)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _| {
            Box::pin(async move {
                for pragma in ["PRAGMA query_only = ON", "PRAGMA busy_timeout = 5000"] {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(|e| Error::Unavailable(format!("cannot open the database for reading: {e}")))
}

/// Keeps a password in a connection URL out of messages.
fn redact(message: &str, url: &str) -> String {
    match url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(cred, _)| cred)
    {
        Some(cred) if cred.contains(':') => {
            let password = cred.split_once(':').map(|(_, p)| p).unwrap_or_default();
            message.replace(password, "<redacted>")
        }
        _ => message.to_string(),
    }
}

/// A driver error as the one error type: unreachable databases are `Unavailable`, the rest internal.
pub(crate) fn db_error(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            Error::Unavailable("the database is not reachable".into())
        }
        other => Error::internal(other),
    }
}

/// Whether a driver error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.kind() == sqlx::error::ErrorKind::UniqueViolation
                || d.code()
                    .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
                || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Reads a non-negative integer column.
pub(crate) fn get_u64(row: &AnyRow, col: &str) -> Result<u64, Error> {
    let v: i64 = row.try_get(col).map_err(Error::internal)?;
    u64::try_from(v).map_err(|_| Error::internal(format!("negative value in {col}")))
}

/// Reads a text column.
pub(crate) fn get_string(row: &AnyRow, col: &str) -> Result<String, Error> {
    row.try_get(col).map_err(Error::internal)
}

/// Converts an amount for an integer column; amounts beyond the column's range are refused.
pub(crate) fn to_i64(field: &str, v: u64) -> Result<i64, Error> {
    i64::try_from(v).map_err(|_| Error::InvalidValue {
        field: field.to_string(),
        message: format!("{v} is too large"),
    })
}
