//! Opening the store: the connections of each backend, then the pending migrations.

use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use scmp_common::{Error, Random, SystemClock};
use sqlx::any::AnyPoolOptions;

use crate::db::{Backend, Conns, DataStore, WAIT_FOR_CONNECTION};
use crate::link::Link;
use crate::sqlite::Location;

/// The writer's settings. WAL with `synchronous = NORMAL`: a commit is durable against a crash of
/// the process, and against a power loss from the next checkpoint on. Checkpoints run on a thread
/// of their own ([`crate::sqlite::checkpoint_in_background`]); the writer checkpoints itself only
/// if that falls behind by 16,000 pages (64 MiB).
const SQLITE_PRAGMAS: [&str; 7] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA wal_autocheckpoint = 16000",
    "PRAGMA journal_size_limit = 67108864",
    "PRAGMA cache_size = -65536",
];

/// The readers' settings: they may not write. (Not memory-mapped: SQLite maps the file afresh
/// whenever it grew, which a store that inserts all the time paid for on every transaction.)
const READER_PRAGMAS: [&str; 3] = [
    "PRAGMA query_only = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA cache_size = -16384",
];

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
        let mut sqlite = None;
        let (backend, conns) = if url.starts_with("sqlite:") {
            let location = Location::parse(url)?;
            let held = |c| Arc::new(tokio::sync::Mutex::new(Link::Sqlite(c)));
            let writer = held(location.open(&SQLITE_PRAGMAS)?);
            let mut readers = Vec::new();
            if location.file.is_some() {
                for _ in 0..READERS {
                    let r = location.open(&READER_PRAGMAS)?;
                    readers.push(held(r));
                }
            }
            let conns = Conns::Sqlite {
                file: location.file.clone(),
                writer,
                readers,
                next: AtomicUsize::new(0),
            };
            sqlite = Some(location);
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
        if let Some(location) = sqlite {
            crate::sqlite::checkpoint_in_background(&location, Arc::downgrade(&store.conns))?;
        }
        Ok(store)
    }

    /// Opens (creating it) `scmp.db` in a data directory.
    pub async fn open_dir(dir: &Path) -> Result<Self, Error> {
        let path = dir.join("scmp.db");
        Self::open(&format!("sqlite://{}?mode=rwc", path.display())).await
    }
}
