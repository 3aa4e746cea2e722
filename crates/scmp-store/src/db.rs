//! Opening the database, the connection settings of each backend, and mapping driver errors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use scmp_common::{Error, Random, SharedClock};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::link::Link;

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in the data directory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// The text of `n` parameters in a row, numbered from `first` (`$3, $4, ...`). On SQLite
    /// they are plain `?`: the driver looks up every numbered parameter by a scan of all of them,
    /// which made a statement of a thousand parameters spend most of its time finding them.
    pub(crate) fn params(self, first: usize, n: usize) -> String {
        let marks: Vec<String> = match self {
            Backend::Sqlite => vec!["?".to_string(); n],
            Backend::Postgres => (first..first + n).map(|i| format!("${i}")).collect(),
        };
        marks.join(", ")
    }
}

/// The store. Cheap to clone (handles to its connections).
#[derive(Debug, Clone)]
pub struct DataStore {
    /// The connections: see [`Conns`].
    pub(crate) conns: Arc<Conns>,
    /// Audit appends waiting to be written together.
    pub(crate) audit_queue: Arc<crate::audit_record::AuditQueue>,
    pub(crate) backend: Backend,
    /// The clock every stamp comes from.
    pub(crate) clock: SharedClock,
    /// Where ids and secrets come from.
    pub(crate) random: Random,
}

/// A connection the store holds itself, handed from one caller to the next.
type Held = Arc<tokio::sync::Mutex<Link>>;

/// Where statements go.
///
/// SQLite has one writer, and a pool of one connection turned out to be slow at handing it on:
/// the pool returns each connection through a task of its own and pings it before the next
/// caller may use it, so under load the writer sat idle between statements for a scheduler's turn.
/// The store therefore holds its SQLite connections itself: one writer, taken in turn, and readers
/// beside it (in WAL mode readers never wait for the writer), each running its statements in place
/// ([`crate::sqlite`]). PostgreSQL keeps its pool: it has many connections and its checks are
/// worth it.
#[derive(Debug)]
pub(crate) enum Conns {
    Sqlite {
        /// The database file (none in memory).
        file: Option<std::path::PathBuf>,
        writer: Held,
        /// None for an in-memory database, which is one connection.
        readers: Vec<Held>,
        next: AtomicUsize,
    },
    Postgres(AnyPool),
}

/// A connection in use: held until dropped.
pub(crate) enum Conn {
    Held(tokio::sync::OwnedMutexGuard<Link>),
    Pooled(Link),
}

impl std::ops::Deref for Conn {
    type Target = Link;
    fn deref(&self) -> &Link {
        match self {
            Conn::Held(c) => c,
            Conn::Pooled(c) => c,
        }
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Link {
        match self {
            Conn::Held(c) => c,
            Conn::Pooled(c) => c,
        }
    }
}

/// A transaction that owns its connection: committing it or dropping it (which rolls it back)
/// hands the connection on, so no caller keeps the writer by holding on to a finished transaction.
pub(crate) struct Tx {
    conn: Conn,
    open: bool,
}

impl Tx {
    /// Commits; the connection is handed on.
    pub(crate) async fn commit(mut self) -> Result<(), Error> {
        self.conn.commit().await.map_err(db_error)?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open {
            // On PostgreSQL queued on the connection: it runs before whatever the next caller sends.
            self.conn.start_rollback();
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = Link;
    fn deref(&self) -> &Link {
        &self.conn
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Link {
        &mut self.conn
    }
}

/// How long a caller waits for a connection before the database counts as unavailable.
pub(crate) const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(10);

async fn take(c: &Held) -> Result<Conn, Error> {
    tokio::time::timeout(WAIT_FOR_CONNECTION, c.clone().lock_owned())
        .await
        .map(Conn::Held)
        .map_err(|_| Error::Unavailable("the database is busy".into()))
}

async fn pooled(pool: &AnyPool) -> Result<Conn, Error> {
    pool.acquire()
        .await
        .map(|c| Conn::Pooled(Link::Postgres(c)))
        .map_err(db_error)
}

impl DataStore {
    /// The store with this clock (the server's, shared by everything it runs).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The store with this source of randomness (seeded in tests).
    pub fn with_random(mut self, random: Random) -> Self {
        self.random = random;
        self
    }

    /// Milliseconds since the Unix epoch, by the store's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The store's clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection for writes and reads that decide a write (on SQLite the one writer: callers
    /// take turns). Drop it before calling the store again: on SQLite a second `write` waits for
    /// the first, and on PostgreSQL many callers each holding one connection while asking for
    /// another would empty the pool.
    pub(crate) async fn write(&self) -> Result<Conn, Error> {
        match &*self.conns {
            Conns::Sqlite { writer, .. } => take(writer).await,
            Conns::Postgres(pool) => pooled(pool).await,
        }
    }

    /// A transaction on the write connection (see [`Tx`]).
    pub(crate) async fn begin(&self) -> Result<Tx, Error> {
        let mut conn = self.write().await?;
        conn.begin().await.map_err(db_error)?;
        Ok(Tx { conn, open: true })
    }

    /// A connection for plain reads. On SQLite the writer when it is free: its page cache is
    /// current, while a reader drops its whole cache whenever the database changed since its last
    /// read (which, in a store that writes all the time, is nearly every read). Otherwise a free
    /// reader, else the next in turn; a read never waits for the writer.
    pub(crate) async fn read(&self) -> Result<Conn, Error> {
        match &*self.conns {
            Conns::Sqlite {
                writer,
                readers,
                next,
                ..
            } => {
                if readers.is_empty() {
                    return take(writer).await;
                }
                if let Ok(w) = writer.clone().try_lock_owned() {
                    return Ok(Conn::Held(w));
                }
                if let Some(free) = readers.iter().find_map(|r| r.clone().try_lock_owned().ok()) {
                    return Ok(Conn::Held(free));
                }
                let turn = next.fetch_add(1, Ordering::Relaxed) % readers.len();
                take(&readers[turn]).await
            }
            Conns::Postgres(pool) => pooled(pool).await,
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.write().await?)
            .await
            .map(|_| ())
            .map_err(db_error)
    }
}

/// A driver error as the one error type: unreachable databases are `Unavailable`; a reference to
/// a row that another request removed meanwhile (the deletes check their dependents first, so only
/// a race gets here) is a `Conflict` to try again; the rest is internal.
pub(crate) fn db_error(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            Error::Unavailable("the database is not reachable".into())
        }
        ref fk if is_foreign_key_violation(fk) => {
            tracing::info!(error = %fk, "a referenced row changed meanwhile");
            Error::Conflict(
                "a resource this request refers to (or that refers to it) was changed meanwhile; try again"
                    .into(),
            )
        }
        other => Error::internal_caused("the database refused a statement", other),
    }
}

/// Whether a driver error is a foreign-key violation (PostgreSQL 23503, SQLite 787).
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
                || d.code().is_some_and(|c| c == "23503" || c == "787")
                || d.message().contains("FOREIGN KEY constraint failed")
        }
        _ => false,
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

/// Reads a non-negative integer column.
pub(crate) fn get_u64(row: &AnyRow, col: &str) -> Result<u64, Error> {
    let v: i64 = row.try_get(col).map_err(Error::internal)?;
    u64::try_from(v).map_err(|_| Error::internal(format!("negative value in {col}")))
}

/// Reads a name column; a stored value that is not a valid name is an internal error that says
/// where it is and what it holds.
pub(crate) fn get_name(row: &AnyRow, col: &str) -> Result<scmp_common::Name, Error> {
    let v = get_string(row, col)?;
    scmp_common::Name::new(v.as_str())
        .map_err(|e| Error::internal(format!("stored {col} {v:?} is not a valid name: {e}")))
}

/// Reads an id column of one of the typed ids.
pub(crate) fn get_id<T>(row: &AnyRow, col: &str) -> Result<T, Error>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let v = get_string(row, col)?;
    v.parse()
        .map_err(|e| Error::internal(format!("stored {col} {v:?} is not an id: {e}")))
}

/// Reads a column of text that parses (an enum's text, a Proxmox id).
pub(crate) fn get_parsed<T>(row: &AnyRow, col: &str) -> Result<T, Error>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let v = get_string(row, col)?;
    v.parse()
        .map_err(|e| Error::internal(format!("stored {col} {v:?} does not parse: {e}")))
}

/// Reads an optional id column.
pub(crate) fn get_opt_id<T>(row: &AnyRow, col: &str) -> Result<Option<T>, Error>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let v: Option<String> = row.try_get(col).map_err(Error::internal)?;
    v.map(|v| {
        v.parse()
            .map_err(|e| Error::internal(format!("stored {col} {v:?} is not an id: {e}")))
    })
    .transpose()
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

/// The `name` column of what `sql` (one parameter, `id`) selects, inside a transaction: the
/// guests that hold a resource, to name them in a refusal.
pub(crate) async fn names_in(tx: &mut Tx, sql: &str, id: &str) -> Result<Vec<String>, Error> {
    let rows = sqlx::query(sql)
        .bind(id)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_error)?;
    rows.iter().map(|r| get_string(r, "name")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sites(store: &DataStore) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sites")
            .fetch_one(&mut *store.read().await.unwrap())
            .await
            .unwrap()
    }

    async fn insert_site(tx: &mut Tx, name: &str) {
        sqlx::query(
            "INSERT INTO sites (id, name, country, region, description, created_at) \
             VALUES ($1, $1, 'DE', '', '', 0)",
        )
        .bind(name)
        .execute(&mut **tx)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_transaction_hands_its_connection_on_when_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let store = DataStore::open_dir(dir.path()).await.unwrap();
        // Dropped without commit: rolled back, and the writer is free at once.
        let mut tx = store.begin().await.unwrap();
        insert_site(&mut tx, "dropped").await;
        drop(tx);
        let mut tx = tokio::time::timeout(Duration::from_secs(1), store.begin())
            .await
            .expect("the writer is free after a dropped transaction")
            .unwrap();
        insert_site(&mut tx, "kept").await;
        tx.commit().await.unwrap();
        assert_eq!(sites(&store).await, 1, "only the committed site");
        // Committed: the writer is free again.
        tokio::time::timeout(Duration::from_secs(1), store.write())
            .await
            .expect("the writer is free after a commit")
            .unwrap();
    }
}
