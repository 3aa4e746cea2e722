//! Opening the store: the connections of each backend, then the pending migrations.

use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use scmp_common::{Error, Random, SystemClock};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, Connection};

use crate::db::{db_error, Backend, Conns, DataStore, WAIT_FOR_CONNECTION};

const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
];

async fn sqlite_connection(url: &str, pragmas: &[&str]) -> Result<AnyConnection, Error> {
    let mut conn = AnyConnection::connect(url).await.map_err(|e| {
        Error::Unavailable(format!(
            "cannot open the database: {}",
            redact(&e.to_string(), url)
        ))
    })?;
    for pragma in pragmas {
        sqlx::query(pragma)
            .execute(&mut conn)
            .await
            .map_err(db_error)?;
    }
    Ok(conn)
}

/// Read-only connections beside the writer.
const READERS: usize = 4;

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

impl DataStore {
    /// Opens `sqlite://PATH` or `postgres://...`, applies pending migrations and returns the store.
    pub async fn open(url: &str) -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        let (backend, conns) = if url.starts_with("sqlite:") {
            let writer = sqlite_connection(url, &SQLITE_PRAGMAS).await?;
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let mut readers = Vec::new();
            if !in_memory {
                for _ in 0..READERS {
                    let r = sqlite_connection(
                        url,
                        &["PRAGMA query_only = ON", "PRAGMA busy_timeout = 5000"],
                    )
                    .await?;
                    readers.push(Arc::new(tokio::sync::Mutex::new(r)));
                }
            }
            let file = (!in_memory).then(|| {
                let path = url
                    .trim_start_matches("sqlite:")
                    .trim_start_matches("//")
                    .split('?')
                    .next()
                    .unwrap_or_default();
                std::path::PathBuf::from(path)
            });
            let conns = Conns::Sqlite {
                file,
                writer: Arc::new(tokio::sync::Mutex::new(writer)),
                readers,
                next: AtomicUsize::new(0),
            };
            (Backend::Sqlite, conns)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(WAIT_FOR_CONNECTION)
                .connect(url)
                .await
                .map_err(|e| {
                    Error::Unavailable(format!(
                        "cannot open the database: {}",
                        redact(&e.to_string(), url)
                    ))
                })?;
            (Backend::Postgres, Conns::Postgres(pool))
        } else {
            return Err(Error::InvalidValue {
                field: "database_url".into(),
                message: "must start with sqlite: or postgres:".into(),
            });
        };
        let store = Self {
            conns: Arc::new(conns),
            audit_queue: Default::default(),
            backend,
            clock: SystemClock::shared(),
            random: Random::from_os(),
        };
        crate::migrate::run(&store).await?;
        Ok(store)
    }

    /// Opens (creating it) `scmp.db` in a data directory.
    pub async fn open_dir(dir: &Path) -> Result<Self, Error> {
        let path = dir.join("scmp.db");
        Self::open(&format!("sqlite://{}?mode=rwc", path.display())).await
    }
}
