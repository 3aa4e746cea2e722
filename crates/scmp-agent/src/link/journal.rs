//! The agent's journal: SQLite in its data directory, so that nothing the agent owes the centre is
//! lost when the link or the agent itself goes down. It keeps every numbered message up until the
//! centre acknowledges it (its stream id and sequence numbers survive restarts, so the centre takes
//! each once), and the answers of the commands the agent carried out, so that a command sent again
//! after the agent restarted is answered as the first time and not carried out twice.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use super::chain::{LocalGuest, SiteAuditEntry};
use super::ledger::LocalChange;
use super::usage::{Metered, SiteUsage};
use super::wire::{Outcome, SiteState, UpBody};
use crate::command::CommandId;

/// How many commands' answers the journal remembers (the oldest are forgotten first).
const ANSWERS_KEPT: i64 = 20_000;

/// A journal failure: the disk, or a record that does not read back.
#[derive(Debug, thiserror::Error)]
#[error("the agent's journal: {0}")]
pub struct JournalError(String);

fn err(e: impl std::fmt::Display) -> JournalError {
    JournalError(e.to_string())
}

/// Acknowledgements are applied to the disk in batches of this many messages (a message the centre
/// took and the disk still holds is sent again after a restart, and the centre takes it once).
const ACK_BATCH: u64 = 64;

/// How many answers are remembered between two prunes of the oldest.
const PRUNE_EVERY: u64 = 1024;

/// The journal of one agent.
pub struct Journal {
    conn: Mutex<Connection>,
    stream: uuid::Uuid,
    /// The highest sequence number acknowledged, and the highest removed from the disk.
    acked: Mutex<(u64, u64)>,
    remembered: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("stream", &self.stream)
            .finish()
    }
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL UNIQUE,
    outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS local_guests (
    guest_id TEXT PRIMARY KEY,
    view TEXT NOT NULL,
    made TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
";

impl Journal {
    /// Opens (or makes) the journal at `path`.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let journal = Self::on(Connection::open(path).map_err(err)?)?;
        // It holds the identity cache's hashes: readable by the agent's user only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
        }
        Ok(journal)
    }

    /// A journal in memory (for tests and tools: it does not outlive the process).
    pub fn in_memory() -> Result<Self, JournalError> {
        Self::on(Connection::open_in_memory().map_err(err)?)
    }

    fn on(conn: Connection) -> Result<Self, JournalError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        conn.execute_batch(super::meter::SCHEMA).map_err(err)?;
        let stream: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'stream'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        let stream = match stream {
            Some(s) => s.parse().map_err(err)?,
            None => {
                let s = uuid::Uuid::new_v4();
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('stream', ?1)",
                    params![s.to_string()],
                )
                .map_err(err)?;
                s
            }
        };
        Ok(Self {
            conn: Mutex::new(conn),
            stream,
            acked: Mutex::new((0, 0)),
            remembered: Default::default(),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The agent's stream of numbered messages (the same across restarts).
    pub fn stream(&self) -> uuid::Uuid {
        self.stream
    }

    /// Keeps a message until it is acknowledged; answers its sequence number.
    pub fn push(&self, body: &UpBody) -> Result<u64, JournalError> {
        self.push_then(body, None, |_| {})
    }

    /// The same, remembering with it (in one transaction) a command's answer, and calling `then`
    /// with the sequence number before another message can be numbered: whatever `then` queues is
    /// queued in the order of the numbers.
    pub fn push_then(
        &self,
        body: &UpBody,
        answer: Option<(CommandId, &Outcome)>,
        then: impl FnOnce(u64),
    ) -> Result<u64, JournalError> {
        let text = serde_json::to_string(body).map_err(err)?;
        let answer = answer
            .map(|(id, o)| serde_json::to_string(o).map(|t| (id, t)))
            .transpose()
            .map_err(err)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(err)?;
        if let Some((id, outcome)) = &answer {
            remember_in(&tx, *id, outcome)?;
        }
        let seq = numbered_in(&tx, &text)?;
        tx.commit().map_err(err)?;
        then(seq as u64);
        drop(conn);
        if answer.is_some() {
            self.prune()?;
        }
        Ok(seq as u64)
    }

    /// Keeps the site's next audit entry, sealed by `seal` with its number in the site's chain
    /// and the hash of the entry before it, in one transaction with the numbered message that
    /// carries it (so the chain has no gap and no entry is numbered twice) and with `change`, a
    /// guest the site made or deleted (its ledger of what it spent of its budgets); `then` is
    /// called as [`Journal::push_then`] calls it.
    pub fn push_audit(
        &self,
        seal: impl FnOnce(u64, &str) -> Result<SiteAuditEntry, String>,
        change: Option<&LocalChange>,
        then: impl FnOnce(u64, UpBody),
    ) -> Result<u64, JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(err)?;
        if let Some(c) = change {
            super::ledger::record_in(&tx, c).map_err(JournalError)?;
        }
        let head: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        let (last, prev) = match head.as_deref().and_then(|h| h.split_once(' ')) {
            Some((n, hash)) => (n.parse::<u64>().map_err(err)?, hash.to_string()),
            None => (0, super::chain::GENESIS.to_string()),
        };
        let entry = seal(last + 1, &prev).map_err(JournalError)?;
        let head = format!("{} {}", entry.seq, entry.hash);
        let body = UpBody::Local(entry);
        let seq = numbered_in(&tx, &serde_json::to_string(&body).map_err(err)?)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![head],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        then(seq as u64, body);
        Ok(seq as u64)
    }

    /// The guests the site still meters.
    pub fn metered(&self) -> Result<Vec<Metered>, JournalError> {
        super::meter::open_in(&self.conn()).map_err(JournalError)
    }

    /// Keeps a usage record as the next numbered message, moving its guest's meter past it in
    /// the same transaction (so no hour is numbered twice or skipped, whatever stops the agent);
    /// `then` is called as [`Journal::push_then`] calls it.
    pub fn push_usage(
        &self,
        usage: SiteUsage,
        then: impl FnOnce(u64, UpBody),
    ) -> Result<u64, JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(err)?;
        super::meter::advance_in(&tx, &usage).map_err(JournalError)?;
        let body = UpBody::Usage(usage);
        let seq = numbered_in(&tx, &serde_json::to_string(&body).map_err(err)?)?;
        tx.commit().map_err(err)?;
        then(seq as u64, body);
        Ok(seq as u64)
    }

    /// The guests the site made and has not deleted, oldest first.
    pub fn local_guests(&self) -> Result<Vec<(scmp_api::GuestView, LocalGuest)>, JournalError> {
        super::ledger::alive_in(&self.conn()).map_err(JournalError)
    }

    /// Forgets the oldest answers past the limit, now and then.
    fn prune(&self) -> Result<(), JournalError> {
        let n = self
            .remembered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.conn()
                .execute(
                    "DELETE FROM answers WHERE n <= (SELECT MAX(n) FROM answers) - ?1",
                    params![ANSWERS_KEPT],
                )
                .map_err(err)?;
        }
        Ok(())
    }

    fn acked(&self) -> std::sync::MutexGuard<'_, (u64, u64)> {
        self.acked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every message up to `upto`: the centre has them.
    pub fn ack(&self, upto: u64) -> Result<(), JournalError> {
        let mut acked = self.acked();
        acked.0 = acked.0.max(upto);
        if acked.0 >= acked.1 + ACK_BATCH {
            self.remove_acked(&mut acked)?;
        }
        Ok(())
    }

    /// Removes from the disk what was acknowledged (otherwise done in batches).
    pub fn flush(&self) -> Result<(), JournalError> {
        let mut acked = self.acked();
        if acked.0 > acked.1 {
            self.remove_acked(&mut acked)?;
        }
        Ok(())
    }

    fn remove_acked(&self, acked: &mut (u64, u64)) -> Result<(), JournalError> {
        let upto = i64::try_from(acked.0).unwrap_or(i64::MAX);
        self.conn()
            .execute("DELETE FROM outbox WHERE seq <= ?1", params![upto])
            .map_err(err)?;
        acked.1 = acked.0;
        Ok(())
    }

    /// The messages not yet acknowledged, in order.
    pub fn unacked(&self) -> Result<Vec<(u64, UpBody)>, JournalError> {
        self.flush()?;
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT seq, body FROM outbox ORDER BY seq")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(err)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, text) = row.map_err(err)?;
            out.push((seq as u64, serde_json::from_str(&text).map_err(err)?));
        }
        Ok(out)
    }

    /// How many messages wait for the centre.
    pub fn waiting(&self) -> Result<u64, JournalError> {
        self.flush()?;
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
            .map_err(err)?;
        Ok(n as u64)
    }

    /// The lowest sequence number not acknowledged (or the next one, when all are).
    pub fn resend_from(&self) -> Result<u64, JournalError> {
        self.flush()?;
        let n: i64 = self
            .conn()
            .query_row(
                "SELECT COALESCE((SELECT MIN(seq) FROM outbox),
                    COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'), 0) + 1)",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        Ok(n as u64)
    }

    /// What the centre last told the site about itself (kept for when the link is down).
    pub fn site_state(&self) -> Result<Option<SiteState>, JournalError> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'site_state'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        text.map(|t| serde_json::from_str(&t).map_err(err))
            .transpose()
    }

    /// Keeps what the centre told the site about itself.
    pub fn set_site_state(&self, state: &SiteState) -> Result<(), JournalError> {
        let text = serde_json::to_string(state).map_err(err)?;
        self.conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES ('site_state', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![text],
            )
            .map_err(err)?;
        Ok(())
    }

    /// A value the agent keeps (its break-glass credential's hash, ...).
    pub fn meta(&self, key: &str) -> Result<Option<String>, JournalError> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)
    }

    /// Keeps a value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), JournalError> {
        self.conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(err)?;
        Ok(())
    }

    /// What the agent answered a command, if it carried it out before.
    pub fn answer_of(&self, id: CommandId) -> Result<Option<Outcome>, JournalError> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT outcome FROM answers WHERE command_id = ?1",
                params![id.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        text.map(|t| serde_json::from_str(&t).map_err(err))
            .transpose()
    }

    /// Remembers a command's answer (the oldest are forgotten past a limit).
    pub fn remember(&self, id: CommandId, outcome: &Outcome) -> Result<(), JournalError> {
        let text = serde_json::to_string(outcome).map_err(err)?;
        remember_in(&self.conn(), id, &text)?;
        self.prune()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // What was acknowledged goes from the disk when the agent stops (after a crash, the
        // centre is sent it again and takes it once).
        if let Err(e) = self.flush() {
            tracing::warn!(error = %e, "cannot flush the journal");
        }
    }
}

/// Numbers a message after the last one and keeps it (inside the caller's transaction).
fn numbered_in(conn: &Connection, text: &str) -> Result<i64, JournalError> {
    let last: i64 = conn
        .query_row(
            "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'), 0)",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    let seq = last + 1;
    conn.execute(
        "INSERT INTO outbox (seq, body) VALUES (?1, ?2)",
        params![seq, text],
    )
    .map_err(err)?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('last_seq', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![seq.to_string()],
    )
    .map_err(err)?;
    Ok(seq)
}

fn remember_in(conn: &Connection, id: CommandId, outcome: &str) -> Result<(), JournalError> {
    conn.execute(
        "INSERT INTO answers (command_id, outcome) VALUES (?1, ?2)
         ON CONFLICT (command_id) DO NOTHING",
        params![id.to_string(), outcome],
    )
    .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Answer, Reply};

    fn reply() -> UpBody {
        UpBody::Reply {
            id: CommandId::new(),
            outcome: Outcome::Ok(Reply {
                answer: Answer::Done,
                upids: vec![],
            }),
        }
    }

    #[test]
    fn what_is_not_acknowledged_outlives_the_agent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let j = Journal::open(&path).unwrap();
        let stream = j.stream();
        for _ in 0..5 {
            j.push(&reply()).unwrap();
        }
        j.ack(3).unwrap();
        let id = CommandId::new();
        let outcome = Outcome::Ok(Reply {
            answer: Answer::Made { made: true },
            upids: vec!["UPID:pve1:1:2:3:qmstart:100:root@pam:".into()],
        });
        j.remember(id, &outcome).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.stream(), stream, "the same stream after a restart");
        assert_eq!(j.resend_from().unwrap(), 4);
        assert_eq!(
            j.unacked()
                .unwrap()
                .iter()
                .map(|(s, _)| *s)
                .collect::<Vec<_>>(),
            vec![4, 5]
        );
        assert_eq!(j.push(&reply()).unwrap(), 6, "numbers go on, never again");
        assert_eq!(j.answer_of(id).unwrap(), Some(outcome));
        assert_eq!(j.answer_of(CommandId::new()).unwrap(), None);
        j.ack(6).unwrap();
        assert_eq!((j.waiting().unwrap(), j.resend_from().unwrap()), (0, 7));
    }

    #[test]
    fn the_sites_audit_chain_goes_on_across_restarts_and_holds() {
        use crate::link::chain::{ChainCheck, ChainSigner};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let key = rcgen::KeyPair::generate().unwrap();
        let public = rcgen::PublicKeyData::der_bytes(&key).to_vec();
        let signer = ChainSigner::from_pem(&key.serialize_pem()).unwrap();
        let event = crate::link::LocalEvent {
            at_ms: 1,
            operation: "guest_stop".into(),
            guest: scmp_common::GuestId::new(),
            method: scmp_common::AuthMethod::BreakGlass,
            source: "127.0.0.1".into(),
            error: None,
            upids: vec![],
            made: None,
            actor: None,
        };
        let mut sent = Vec::new();
        for round in 0..2 {
            let j = Journal::open(&path).unwrap();
            j.push(&reply()).unwrap();
            for _ in 0..3 {
                j.push_audit(
                    |seq, prev| signer.seal(seq, prev, &event),
                    None,
                    |_, body| sent.push(body),
                )
                .unwrap();
            }
            assert_eq!(sent.len(), 3 * (round + 1));
        }
        let mut check = ChainCheck::default();
        for body in &sent {
            let UpBody::Local(entry) = body else {
                panic!("{body:?}")
            };
            check.next(&public, entry).unwrap();
        }
        assert_eq!(check.count(), 6);
    }

    #[test]
    fn the_meter_goes_on_across_restarts_and_counts_no_hour_twice() {
        use crate::link::usage::{due, HOUR_MS};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let made = LocalGuest {
            project: scmp_common::ProjectId::new(),
            tenant: scmp_common::TenantId::new(),
            name: scmp_common::Name::new("local-1").unwrap(),
            kind: scmp_common::GuestKind::Vm,
            image: scmp_common::ImageId::new(),
            vcpus: 2,
            memory_mib: 2048,
            disk_gib: 20,
            node: "pve1".into(),
            vmid: 100,
            running: true,
            tags: vec![],
        };
        let guest = scmp_common::GuestId::new();
        let start = 5 * HOUR_MS + 17;
        let mut sent = Vec::new();
        // Three looks, each by an agent started afresh, the last after the guest was deleted.
        for (look, now) in [(0, 7 * HOUR_MS + 5), (1, 7 * HOUR_MS + 9), (2, 9 * HOUR_MS)] {
            let j = Journal::open(&path).unwrap();
            if look == 0 {
                super::super::meter::start_in(&j.conn(), guest, &made, start).unwrap();
            }
            if look == 2 {
                super::super::meter::end_in(&j.conn(), guest, 8 * HOUR_MS + 1).unwrap();
            }
            for m in j.metered().unwrap() {
                for u in due(&m, m.ended_ms, now) {
                    j.push_usage(u, |_, body| sent.push(body)).unwrap();
                }
            }
        }
        let spans: Vec<(i64, i64, bool)> = sent
            .iter()
            .map(|b| match b {
                UpBody::Usage(u) => (u.from_ms, u.to_ms, u.last),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            spans,
            vec![
                (start, 6 * HOUR_MS, false),
                (6 * HOUR_MS, 7 * HOUR_MS, false),
                (7 * HOUR_MS, 8 * HOUR_MS, false),
                (8 * HOUR_MS, 8 * HOUR_MS + 1, true),
            ]
        );
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.metered().unwrap(), vec![], "metering ended");
        assert_eq!(j.waiting().unwrap(), 4, "each record waits for the centre");
    }
}
