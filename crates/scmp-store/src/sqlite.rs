//! SQLite statements run where they are asked for: on the caller's thread, with `rusqlite`.
//!
//! Through sqlx's driver every statement was a message to a thread of the driver's own and every
//! row a message back, so a creation's thirty statements cost sixty thread switches. SQLite answers
//! the store's statements in microseconds, so they now run in place: a statement is prepared (from a
//! cache), bound, stepped and read into sqlx's `AnyRow` before the caller's future is first polled
//! again. The store's code still reads rows and builds statements through sqlx, for both backends.

use std::borrow::Cow;
use std::sync::Arc;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use scmp_common::Error;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx_core::any::{
    AnyColumn, AnyQueryResult, AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue, AnyValueKind,
};
use sqlx_core::ext::ustr::UStr;

/// Prepared statements kept per connection: the store's fixed statements and room for the
/// generated ones (lists of parameters of varying length).
const STATEMENT_CACHE: usize = 512;

/// What a statement gave: its rows (at most the number asked for) and what it changed.
pub(crate) struct Outcome {
    pub(crate) rows: Vec<AnyRow>,
    pub(crate) result: AnyQueryResult,
}

/// Runs one statement with its arguments, reading at most `max_rows` rows of a read-only one (a
/// statement that writes always runs to its end).
pub(crate) fn run(
    conn: &Connection,
    sql: &str,
    args: &[AnyValueKind<'_>],
    max_rows: usize,
) -> Result<Outcome, sqlx::Error> {
    let mut stmt = conn.prepare_cached(sql).map_err(error)?;
    bind(&mut stmt, args)?;
    let readonly = stmt.readonly();
    let names: Vec<UStr> = stmt.column_names().into_iter().map(UStr::new).collect();
    let columns: Vec<AnyColumn> = names
        .iter()
        .enumerate()
        .map(|(ordinal, name)| AnyColumn {
            ordinal,
            name: name.clone(),
            type_info: AnyTypeInfo {
                kind: AnyTypeInfoKind::Null,
            },
        })
        .collect();
    let column_names: Arc<sqlx_core::HashMap<UStr, usize>> = Arc::new(
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name, i))
            .collect(),
    );
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next().map_err(error)? {
        if readonly && out.len() >= max_rows {
            break;
        }
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(AnyValue {
                kind: value(row.get_ref(i).map_err(error)?)?,
            });
        }
        out.push(AnyRow {
            column_names: column_names.clone(),
            columns: columns.clone(),
            values,
        });
    }
    drop(rows);
    let result = AnyQueryResult {
        rows_affected: if readonly { 0 } else { conn.changes() },
        last_insert_id: (!readonly).then(|| conn.last_insert_rowid()),
    };
    Ok(Outcome { rows: out, result })
}

/// Runs a statement that takes no arguments and whose rows do not matter (`BEGIN`, `COMMIT`,
/// pragmas).
pub(crate) fn run_plain(conn: &Connection, sql: &str) -> Result<(), sqlx::Error> {
    run(conn, sql, &[], 0).map(|_| ())
}

/// Binds arguments as sqlx's SQLite driver does: `$N` and `?N` take the N-th argument, a plain `?`
/// the next one in turn; parameters beyond the arguments stay NULL.
fn bind(stmt: &mut rusqlite::Statement<'_>, args: &[AnyValueKind<'_>]) -> Result<(), sqlx::Error> {
    let mut next = 0usize;
    for param in 1..=stmt.parameter_count() {
        let n = match stmt.parameter_name(param) {
            Some(name) => {
                let digits = name
                    .strip_prefix('$')
                    .or_else(|| name.strip_prefix('?'))
                    .unwrap_or(name);
                digits.parse::<usize>().map_err(|_| {
                    sqlx::Error::Protocol(format!("unsupported SQL parameter {name}"))
                })?
            }
            None => {
                next += 1;
                next
            }
        };
        let Some(value) = n.checked_sub(1).and_then(|i| args.get(i)) else {
            break;
        };
        let bound = match value {
            AnyValueKind::Null(_) => stmt.raw_bind_parameter(param, rusqlite::types::Null),
            AnyValueKind::Bool(b) => stmt.raw_bind_parameter(param, *b),
            AnyValueKind::SmallInt(v) => stmt.raw_bind_parameter(param, i64::from(*v)),
            AnyValueKind::Integer(v) => stmt.raw_bind_parameter(param, i64::from(*v)),
            AnyValueKind::BigInt(v) => stmt.raw_bind_parameter(param, *v),
            AnyValueKind::Real(v) => stmt.raw_bind_parameter(param, f64::from(*v)),
            AnyValueKind::Double(v) => stmt.raw_bind_parameter(param, *v),
            AnyValueKind::Text(v) => stmt.raw_bind_parameter(param, v.as_ref()),
            AnyValueKind::Blob(v) => stmt.raw_bind_parameter(param, v.as_ref()),
            other => {
                return Err(sqlx::Error::Protocol(format!(
                    "cannot bind {other:?} on SQLite"
                )))
            }
        };
        bound.map_err(error)?;
    }
    Ok(())
}

/// A stored value as sqlx's `Any` value: integers as 64 bits, reals as doubles, text as text.
fn value(v: ValueRef<'_>) -> Result<AnyValueKind<'static>, sqlx::Error> {
    Ok(match v {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(i) => AnyValueKind::BigInt(i),
        ValueRef::Real(f) => AnyValueKind::Double(f),
        ValueRef::Text(t) => AnyValueKind::Text(Cow::Owned(
            std::str::from_utf8(t)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?
                .to_owned(),
        )),
        ValueRef::Blob(b) => AnyValueKind::Blob(Cow::Owned(b.to_vec())),
    })
}

/// An error SQLite reported, with its extended result code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SqliteError {
    code: i32,
    message: String,
}

impl DatabaseError for SqliteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        use rusqlite::ffi;
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

/// A `rusqlite` error as sqlx's, so that one mapping serves both backends.
pub(crate) fn error(e: rusqlite::Error) -> sqlx::Error {
    match e {
        rusqlite::Error::SqliteFailure(failure, message) => {
            sqlx::Error::Database(Box::new(SqliteError {
                code: failure.extended_code,
                message: message.unwrap_or_else(|| failure.to_string()),
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// Where a `sqlite:` URL points and how to open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// The database file; none for an in-memory database.
    pub(crate) file: Option<std::path::PathBuf>,
    /// Whether a missing file is created (`mode=rwc`).
    pub(crate) create: bool,
}

impl Location {
    /// Reads `sqlite://PATH?mode=rwc`, `sqlite:PATH`, `sqlite::memory:` (and `mode=memory`).
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let rest = url
            .strip_prefix("sqlite:")
            .ok_or_else(|| Error::InvalidValue {
                field: "database_url".into(),
                message: "must start with sqlite: or postgres:".into(),
            })?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mode = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("mode="))
            .unwrap_or("rw");
        if path.is_empty() || path == ":memory:" || mode == "memory" {
            return Ok(Self {
                file: None,
                create: true,
            });
        }
        Ok(Self {
            file: Some(std::path::PathBuf::from(path)),
            create: mode == "rwc",
        })
    }

    /// Opens a connection and applies the pragmas.
    pub(crate) fn open(&self, pragmas: &[&str]) -> Result<Connection, Error> {
        let opened = match &self.file {
            None => Connection::open_in_memory(),
            Some(file) => {
                let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                if self.create {
                    flags |= OpenFlags::SQLITE_OPEN_CREATE;
                }
                Connection::open_with_flags(file, flags)
            }
        };
        let conn =
            opened.map_err(|e| Error::Unavailable(format!("cannot open the database: {e}")))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        for pragma in pragmas {
            run_plain(&conn, pragma)
                .map_err(|e| Error::Unavailable(format!("cannot set up the database: {e}")))?;
        }
        Ok(conn)
    }
}

/// How often the WAL is checkpointed.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Checkpoints the WAL on a thread of its own, with a connection of its own, while `alive` is
/// held: copying pages back into the database file (and its `fsync`s) is then never a commit's
/// work, which held the one writer for as long as it took. A passive checkpoint never waits for
/// the writer or the readers.
pub(crate) fn checkpoint_in_background<T: Send + Sync + 'static>(
    location: &Location,
    alive: std::sync::Weak<T>,
) -> Result<(), Error> {
    if location.file.is_none() {
        return Ok(());
    }
    let conn = location.open(&["PRAGMA busy_timeout = 5000"])?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || loop {
            std::thread::sleep(CHECKPOINT_EVERY);
            if alive.strong_count() == 0 {
                return;
            }
            if let Err(e) = run_plain(&conn, "PRAGMA wal_checkpoint(PASSIVE)") {
                tracing::warn!(error = %e, "checkpointing the database failed");
            }
        })
        .map_err(|e| Error::internal(format!("cannot start the checkpoint thread: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_file_or_memory() {
        let l = Location::parse("sqlite:///var/lib/scmp/scmp.db?mode=rwc").unwrap();
        assert_eq!(
            l.file.as_deref(),
            Some(std::path::Path::new("/var/lib/scmp/scmp.db"))
        );
        assert!(l.create);
        let l = Location::parse("sqlite:data/scmp.db").unwrap();
        assert_eq!(
            l.file.as_deref(),
            Some(std::path::Path::new("data/scmp.db"))
        );
        assert!(!l.create, "an existing file only unless mode=rwc");
        assert_eq!(Location::parse("sqlite::memory:").unwrap().file, None);
        assert_eq!(
            Location::parse("sqlite://x?mode=memory").unwrap().file,
            None
        );
        assert!(Location::parse("mysql://x").is_err());
    }

    #[test]
    fn parameters_bind_by_number_or_in_turn() {
        let conn = Location::parse("sqlite::memory:")
            .unwrap()
            .open(&[])
            .unwrap();
        let args = [
            AnyValueKind::Text("a".into()),
            AnyValueKind::BigInt(7),
            AnyValueKind::Null(AnyTypeInfoKind::Null),
        ];
        use sqlx::Row;
        let out = run(
            &conn,
            "SELECT $2 AS n, $1 AS t, $1 AS again, $3 AS none",
            &args,
            1,
        )
        .unwrap();
        let row = &out.rows[0];
        assert_eq!(row.get::<i64, _>("n"), 7);
        assert_eq!(row.get::<String, _>("t"), "a");
        assert_eq!(row.get::<String, _>("again"), "a");
        assert_eq!(row.get::<Option<String>, _>("none"), None);
        let out = run(&conn, "SELECT ? AS a, ? AS b", &args[..2], 1).unwrap();
        assert_eq!(out.rows[0].get::<String, _>("a"), "a");
        assert_eq!(out.rows[0].get::<i64, _>("b"), 7);
    }

    #[test]
    fn constraint_errors_keep_their_kind() {
        let conn = Location::parse("sqlite::memory:")
            .unwrap()
            .open(&[])
            .unwrap();
        run_plain(&conn, "CREATE TABLE t (id TEXT PRIMARY KEY)").unwrap();
        run_plain(&conn, "INSERT INTO t VALUES ('x')").unwrap();
        let e = run_plain(&conn, "INSERT INTO t VALUES ('x')").unwrap_err();
        let sqlx::Error::Database(e) = e else {
            panic!("{e:?}")
        };
        assert_eq!(e.kind(), ErrorKind::UniqueViolation);
        assert_eq!(
            e.code().as_deref(),
            Some("1555"),
            "SQLITE_CONSTRAINT_PRIMARYKEY"
        );
        let changed = run(&conn, "UPDATE t SET id = 'y'", &[], 0).unwrap();
        assert_eq!(changed.result.rows_affected, 1);
    }
}
