//! Checking the audit chain end to end (`scmp audit verify`, the server's checkpoints): every
//! entry follows the one before it, its hash is that of its content as stored, and the head row
//! names the last one.
//!
//! The check reads the stored text as it is, not parsed records: an entry whose text was changed
//! into something that does not parse is a broken chain, not a failed read. On SQLite the entries
//! are read by a connection of the check's own on a thread of its own, while another thread
//! checks what it read: through the async driver every row is a message between two threads,
//! which made a million entries take 18 s. PostgreSQL is read in batches through the pool.

use sqlx::Row;

use scmp_common::Error;

use crate::audit::{hash_fields, ChainBreak, COLUMNS, GENESIS};
use crate::db::{db_error, get_string, Conns, DataStore};

/// Entries read at a time.
const BATCH: usize = 10_000;

/// An entry as stored, in the order its hash covers.
struct Stored {
    seq: i64,
    time_ms: i64,
    format: i64,
    prev_hash: String,
    hash: String,
    /// The record's eleven fields (an absent tenant as empty text).
    fields: [String; 11],
    /// The actor's identity (format 2).
    identity: [String; 4],
}

/// Where the check has got to.
struct Chain {
    expected: i64,
    prev: String,
}

impl Chain {
    fn new() -> Self {
        Chain {
            expected: 1,
            prev: GENESIS.to_string(),
        }
    }

    fn check(&mut self, e: &Stored) -> Result<(), ChainBreak> {
        let brk = |reason: &str| ChainBreak {
            seq: e.seq.min(self.expected),
            reason: reason.into(),
        };
        if e.seq != self.expected {
            return Err(brk("an entry is missing before this one"));
        }
        if e.prev_hash != self.prev {
            return Err(brk("it does not follow the entry before it"));
        }
        let fields: [&str; 11] = std::array::from_fn(|k| e.fields[k].as_str());
        let identity: [&str; 4] = std::array::from_fn(|k| e.identity[k].as_str());
        if hash_fields(&e.prev_hash, e.seq, e.time_ms, &fields, &identity, e.format) != e.hash {
            return Err(brk("its content was changed"));
        }
        self.prev.clone_from(&e.hash);
        self.expected += 1;
        Ok(())
    }

    /// The end: the head row must name the last entry checked.
    fn end(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let entries = self.expected - 1;
        if head_seq != entries || head_hash != self.prev {
            return Err(ChainBreak {
                seq: self.expected,
                reason: format!("the log ends at {entries} but {head_seq} entries were recorded"),
            });
        }
        Ok(entries)
    }
}

/// The columns after `seq, time_ms` that the hash covers, in its order, and those of the
/// identity.
const FIELDS: [&str; 11] = [
    "request_id",
    "phase",
    "actor",
    "auth_method",
    "credential",
    "source",
    "operation",
    "target",
    "tenant_id",
    "result",
    "error",
];
const IDENTITY: [&str; 4] = [
    "actor_name",
    "actor_realm",
    "actor_tenant",
    "credential_name",
];

impl DataStore {
    /// Checks the whole chain; the number of entries when it holds, else the first bad entry.
    pub async fn audit_verify(&self) -> Result<Result<i64, ChainBreak>, Error> {
        if let Conns::Sqlite {
            file: Some(file), ..
        } = &*self.conns
        {
            let file = file.clone();
            return tokio::task::spawn_blocking(move || verify_sqlite_file(&file))
                .await
                .map_err(Error::internal)?;
        }
        let mut chain = Chain::new();
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_entries WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(chain.expected - 1)
            .bind(BATCH as i64)
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let text = |c: &str| -> Result<String, Error> { get_string(row, c) };
                let get =
                    |c: &str| -> Result<i64, Error> { row.try_get(c).map_err(Error::internal) };
                let mut fields: [String; 11] = Default::default();
                for (k, c) in FIELDS.iter().enumerate() {
                    fields[k] = if *c == "tenant_id" {
                        let t: Option<String> = row.try_get(*c).map_err(Error::internal)?;
                        t.unwrap_or_default()
                    } else {
                        text(c)?
                    };
                }
                let mut identity: [String; 4] = Default::default();
                for (k, c) in IDENTITY.iter().enumerate() {
                    identity[k] = text(c)?;
                }
                let e = Stored {
                    seq: get("seq")?,
                    time_ms: get("time_ms")?,
                    format: get("format")?,
                    prev_hash: text("prev_hash")?,
                    hash: text("hash")?,
                    fields,
                    identity,
                };
                if let Err(b) = chain.check(&e) {
                    return Ok(Err(b));
                }
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        let head_seq: i64 = head.try_get("seq").map_err(Error::internal)?;
        Ok(chain.end(head_seq, &get_string(&head, "hash")?))
    }
}

fn sqlite_error(e: rusqlite::Error) -> Error {
    Error::internal_caused("the database refused a statement", e)
}

/// The check on a SQLite file: one thread reads batches of entries in order, this one checks
/// them as they come.
fn verify_sqlite_file(file: &std::path::Path) -> Result<Result<i64, ChainBreak>, Error> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::Unavailable(format!("cannot open the database: {e}")))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sqlite_error)?;
    // One read transaction: the entries and the head as of the same moment.
    conn.execute_batch("BEGIN").map_err(sqlite_error)?;
    let (batches, checked) = std::sync::mpsc::sync_channel::<Vec<Stored>>(4);
    std::thread::scope(|scope| {
        let checker = scope.spawn(move || {
            let mut chain = Chain::new();
            for batch in checked {
                for e in &batch {
                    chain.check(e)?;
                }
            }
            Ok::<Chain, ChainBreak>(chain)
        });
        let read = read_entries(&conn, &batches);
        drop(batches);
        let chain = checker
            .join()
            .map_err(|_| Error::internal("the audit check stopped"))?;
        // A break found ends the check, even when reading stopped because of it.
        let chain = match chain {
            Ok(c) => c,
            Err(b) => return Ok(Err(b)),
        };
        read?;
        let (head_seq, head_hash): (i64, String) = conn
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(sqlite_error)?;
        Ok(chain.end(head_seq, &head_hash))
    })
}

/// Reads every entry in order into batches; stops early when the checker has stopped.
fn read_entries(
    conn: &rusqlite::Connection,
    batches: &std::sync::mpsc::SyncSender<Vec<Stored>>,
) -> Result<(), Error> {
    let mut stmt = conn
        .prepare(&format!("SELECT {COLUMNS} FROM audit_entries ORDER BY seq"))
        .map_err(sqlite_error)?;
    let names: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let at = |c: &str| names.iter().position(|n| n == c);
    let col = |c: &str| at(c).ok_or_else(|| Error::internal(format!("no column {c}")));
    let (seq, time_ms, format, prev_hash, hash) = (
        col("seq")?,
        col("time_ms")?,
        col("format")?,
        col("prev_hash")?,
        col("hash")?,
    );
    let mut fields = [0; 11];
    for (k, c) in FIELDS.iter().enumerate() {
        fields[k] = col(c)?;
    }
    let mut identity = [0; 4];
    for (k, c) in IDENTITY.iter().enumerate() {
        identity[k] = col(c)?;
    }
    let mut rows = stmt.query([]).map_err(sqlite_error)?;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(r) = rows.next().map_err(sqlite_error)? {
        let text = |i: usize| -> rusqlite::Result<String> {
            Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
        };
        let e = (|| {
            Ok::<_, rusqlite::Error>(Stored {
                seq: r.get(seq)?,
                time_ms: r.get(time_ms)?,
                format: r.get(format)?,
                prev_hash: text(prev_hash)?,
                hash: text(hash)?,
                fields: {
                    let mut f: [String; 11] = Default::default();
                    for (k, i) in fields.iter().enumerate() {
                        f[k] = text(*i)?;
                    }
                    f
                },
                identity: {
                    let mut f: [String; 4] = Default::default();
                    for (k, i) in identity.iter().enumerate() {
                        f[k] = text(*i)?;
                    }
                    f
                },
            })
        })()
        .map_err(sqlite_error)?;
        batch.push(e);
        if batch.len() == BATCH {
            if batches.send(std::mem::take(&mut batch)).is_err() {
                return Ok(());
            }
            batch.reserve(BATCH);
        }
    }
    if !batch.is_empty() {
        let _ = batches.send(batch);
    }
    Ok(())
}
