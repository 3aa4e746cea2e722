//! One connection of either backend, on which the store's sqlx statements run: SQLite's in place
//! (see [`crate::sqlite`]), PostgreSQL's through sqlx's driver.

use std::future::{ready, Future};
use std::pin::Pin;

use futures::stream::{self, BoxStream, StreamExt};
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{Any, Database, Describe, Either, Execute, Executor, TransactionManager};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection the store runs statements on.
#[derive(Debug)]
pub(crate) enum Link {
    /// SQLite, run on the caller's thread.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL, from sqlx's pool.
    Postgres(PoolConnection<Any>),
}

impl Link {
    /// Starts a transaction (on SQLite it takes the write lock at once).
    pub(crate) async fn begin(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Link::Sqlite(c) => crate::sqlite::run_plain(c, "BEGIN IMMEDIATE"),
            Link::Postgres(c) => <Any as Database>::TransactionManager::begin(c, None).await,
        }
    }

    /// Commits the transaction.
    pub(crate) async fn commit(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Link::Sqlite(c) => crate::sqlite::run_plain(c, "COMMIT"),
            Link::Postgres(c) => <Any as Database>::TransactionManager::commit(c).await,
        }
    }

    /// Rolls the transaction back: at once on SQLite, on PostgreSQL before whatever the
    /// connection runs next.
    pub(crate) fn start_rollback(&mut self) {
        match self {
            Link::Sqlite(c) => {
                if !c.is_autocommit() {
                    if let Err(e) = crate::sqlite::run_plain(c, "ROLLBACK") {
                        tracing::warn!(error = %e, "rolling back a transaction failed");
                    }
                }
            }
            Link::Postgres(c) => <Any as Database>::TransactionManager::start_rollback(c),
        }
    }
}

fn sqlite_unsupported<T>(what: &str) -> Result<T, sqlx::Error> {
    Err(sqlx::Error::Protocol(format!(
        "{what} is not supported on the store's SQLite connections"
    )))
}

impl<'c> Executor<'c> for &'c mut Link {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        mut query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match self {
            Link::Postgres(c) => (&mut **c).fetch_many(query),
            Link::Sqlite(c) => {
                let items = match run(c, &mut query, usize::MAX) {
                    Ok(out) => out
                        .rows
                        .into_iter()
                        .map(|r| Ok(Either::Right(r)))
                        .chain(std::iter::once(Ok(Either::Left(out.result))))
                        .collect::<Vec<_>>(),
                    Err(e) => vec![Err(e)],
                };
                stream::iter(items).boxed()
            }
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        mut query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match self {
            Link::Postgres(c) => (&mut **c).fetch_optional(query),
            Link::Sqlite(c) => {
                let row = run(c, &mut query, 1).map(|out| out.rows.into_iter().next());
                Box::pin(ready(row))
            }
        }
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        match self {
            Link::Postgres(c) => (&mut **c).prepare_with(sql, parameters),
            Link::Sqlite(_) => Box::pin(ready(sqlite_unsupported("preparing a statement"))),
        }
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'c: 'e,
    {
        match self {
            Link::Postgres(c) => (&mut **c).describe(sql),
            Link::Sqlite(_) => Box::pin(ready(sqlite_unsupported("describing a statement"))),
        }
    }
}

/// Runs a sqlx query on SQLite.
fn run<'q, E: Execute<'q, Any>>(
    conn: &rusqlite::Connection,
    query: &mut E,
    max_rows: usize,
) -> Result<crate::sqlite::Outcome, sqlx::Error> {
    let sql = query.sql();
    let args = query.take_arguments().map_err(sqlx::Error::Encode)?;
    let values = args.map(|a| a.values.0).unwrap_or_default();
    crate::sqlite::run(conn, sql, &values, max_rows)
}
