//! The tamper-evident audit log: every entry carries the hash of the one before, so changing,
//! removing, inserting or reordering entries breaks the chain at a point [`DataStore::audit_verify`]
//! names. Appends are serialized through the one-row `audit_head` table (locked on PostgreSQL), so
//! replicas append in one order.

use scmp_common::{AuditTarget, Error, TenantId};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

pub use crate::audit_record::{ActorIdentity, AuditRecord};
use crate::db::{db_error, get_parsed, get_string, Backend, DataStore};

/// Filters of an audit search; `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The tenant concerned.
    pub tenant: Option<TenantId>,
    /// The actor: a user id, or the name the user had when acting.
    pub actor: Option<String>,
    /// The operation id.
    pub operation: Option<String>,
    /// The target.
    pub target: Option<String>,
    /// From this time (ms), inclusive.
    pub since_ms: Option<i64>,
    /// Until this time (ms), inclusive.
    pub until_ms: Option<i64>,
    /// Entries of the requests that started one of this guest's operations (and the operations'
    /// own entries, which carry the same request id).
    pub guest: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (ms).
    pub time_ms: i64,
    /// The record.
    pub record: AuditRecord,
    /// Hash of the entry before.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
    /// Which fields the hash covers (see [`entry_hash`]).
    pub format: i64,
}

/// Where and why the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {seq}: {reason}")]
pub struct ChainBreak {
    /// The first bad entry (or the position where one is missing).
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The format new entries are written in: their hash covers the actor's identity too.
const FORMAT: i64 = 2;

/// The hash of an entry: over the previous hash and every field, separated so fields cannot shift.
/// Format 1 (entries written before identities were recorded) hashes the fields it had.
fn entry_hash(prev: &str, seq: i64, time_ms: i64, r: &AuditRecord, format: i64) -> String {
    let tenant = r.tenant_id.map(|t| t.to_string()).unwrap_or_default();
    let fields = [
        r.request_id.as_str(),
        r.phase.as_str(),
        &r.actor,
        r.auth_method.as_str(),
        &r.credential,
        &r.source,
        &r.operation,
        r.target.as_str(),
        &tenant,
        r.result.as_str(),
        &r.error,
    ];
    let identity = [
        r.identity.name.as_str(),
        &r.identity.realm,
        &r.identity.tenant,
        &r.credential_name,
    ];
    hash_fields(prev, seq, time_ms, &fields, &identity, format)
}

/// The hash over the fields as text, in column order: the record's eleven, then (format 2) the
/// four of the actor's identity.
pub(crate) fn hash_fields(
    prev: &str,
    seq: i64,
    time_ms: i64,
    fields: &[&str; 11],
    identity: &[&str; 4],
    format: i64,
) -> String {
    let mut h = Sha256::new();
    let (seq, time_ms) = (seq.to_string(), time_ms.to_string());
    let mut part = |p: &str| {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    };
    part(prev);
    part(&seq);
    part(&time_ms);
    fields.iter().for_each(|f| part(f));
    if format >= 2 {
        part("format 2");
        identity.iter().for_each(|f| part(f));
    }
    hex::encode(h.finalize())
}

fn entry(row: &AnyRow) -> Result<AuditEntry, Error> {
    let tenant: Option<String> = row.try_get("tenant_id").map_err(Error::internal)?;
    Ok(AuditEntry {
        seq: row.try_get("seq").map_err(Error::internal)?,
        time_ms: row.try_get("time_ms").map_err(Error::internal)?,
        record: AuditRecord {
            request_id: get_string(row, "request_id")?,
            phase: get_parsed(row, "phase")?,
            actor: get_string(row, "actor")?,
            identity: ActorIdentity {
                name: get_string(row, "actor_name")?,
                realm: get_string(row, "actor_realm")?,
                tenant: get_string(row, "actor_tenant")?,
            },
            auth_method: get_parsed(row, "auth_method")?,
            credential: get_string(row, "credential")?,
            credential_name: get_string(row, "credential_name")?,
            source: get_string(row, "source")?,
            operation: get_string(row, "operation")?,
            target: AuditTarget::from_stored(get_string(row, "target")?),
            tenant_id: tenant
                .map(|t| t.parse())
                .transpose()
                .map_err(Error::internal)?,
            result: get_parsed(row, "result")?,
            error: get_string(row, "error")?,
        },
        prev_hash: get_string(row, "prev_hash")?,
        hash: get_string(row, "hash")?,
        format: row.try_get("format").map_err(Error::internal)?,
    })
}

/// Parameters per row of an INSERT.
const PARAMS: usize = 20;

/// Rows per INSERT of a batch: 20 parameters each, well below both backends' limits.
const MAX_ROWS_PER_INSERT: usize = 200;

pub(crate) const COLUMNS: &str =
    "seq, time_ms, request_id, phase, actor, auth_method, credential, source, operation, \
     target, tenant_id, result, error, prev_hash, hash, actor_name, actor_realm, actor_tenant, \
     credential_name, format";

/// What the append that wrote an entry answered.
fn answer(
    written: Result<Result<i64, String>, tokio::sync::oneshot::error::RecvError>,
) -> Result<i64, Error> {
    match written {
        Ok(Ok(seq)) => Ok(seq),
        Ok(Err(message)) => Err(Error::internal(message)),
        Err(_) => Err(Error::internal("the audit writer went away")),
    }
}

impl DataStore {
    /// Appends an entry to the chain; returns its position.
    ///
    /// Appends waiting at the same time are written together (group commit): whoever gets the
    /// writer's turn writes every entry queued so far in one transaction, so concurrent requests
    /// do not each pay for a transaction on the head row. An append whose entry another one wrote
    /// meanwhile leaves the line at once: otherwise every waiter would take its turn in order
    /// and find only the one entry queued since, and batches would shrink to one.
    pub async fn audit_append(&self, r: &AuditRecord) -> Result<i64, Error> {
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        self.audit_queue.push(r.clone(), tx);
        let turn = tokio::select! {
            biased;
            written = &mut rx => return answer(written),
            turn = self.audit_queue.turn.lock() => turn,
        };
        {
            let _turn = turn;
            let batch = self.audit_queue.take();
            if !batch.is_empty() {
                let records: Vec<&AuditRecord> = batch.iter().map(|(r, _)| r).collect();
                match self.audit_write(&records).await {
                    Ok(first) => {
                        for (i, (_, reply)) in batch.into_iter().enumerate() {
                            let _ = reply.send(Ok(first + i as i64));
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        tracing::error!(error = ?e, "cannot append to the audit log");
                        for (_, reply) in batch {
                            let _ = reply.send(Err(message.clone()));
                        }
                    }
                }
            }
        }
        answer(rx.await)
    }

    /// Writes entries after the head in one transaction; returns the first one's position.
    async fn audit_write(&self, records: &[&AuditRecord]) -> Result<i64, Error> {
        let mut tx = self.begin().await?;
        let lock = if self.backend() == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let head = sqlx::query(&format!(
            "SELECT seq, hash FROM audit_head WHERE id = 1{lock}"
        ))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        let first: i64 = head.try_get::<i64, _>("seq").map_err(Error::internal)? + 1;
        let mut prev_hash = get_string(&head, "hash")?;
        let time_ms = self.now_ms();
        for (c, chunk) in records.chunks(MAX_ROWS_PER_INSERT).enumerate() {
            let mut rows = Vec::with_capacity(chunk.len());
            for i in 0..chunk.len() {
                rows.push(format!(
                    "({})",
                    self.backend().params(i * PARAMS + 1, PARAMS)
                ));
            }
            let sql = format!(
                "INSERT INTO audit_entries ({COLUMNS}) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql);
            let start = first + (c * MAX_ROWS_PER_INSERT) as i64;
            for (seq, r) in (start..).zip(chunk) {
                let hash = entry_hash(&prev_hash, seq, time_ms, r, FORMAT);
                q = q
                    .bind(seq)
                    .bind(time_ms)
                    .bind(r.request_id.clone())
                    .bind(r.phase.as_str())
                    .bind(r.actor.clone())
                    .bind(r.auth_method.as_str())
                    .bind(r.credential.clone())
                    .bind(r.source.clone())
                    .bind(r.operation.clone())
                    .bind(r.target.as_str().to_string())
                    .bind(r.tenant_id.map(|t| t.to_string()))
                    .bind(r.result.as_str())
                    .bind(r.error.clone())
                    .bind(prev_hash.clone())
                    .bind(hash.clone())
                    .bind(r.identity.name.clone())
                    .bind(r.identity.realm.clone())
                    .bind(r.identity.tenant.clone())
                    .bind(r.credential_name.clone())
                    .bind(FORMAT);
                prev_hash = hash;
            }
            q.execute(&mut *tx).await.map_err(db_error)?;
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(first + records.len() as i64 - 1)
            .bind(&prev_hash)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await?;
        Ok(first)
    }

    /// Entries after `after`, oldest first, optionally of one tenant, at most `limit`.
    pub async fn audit_list(
        &self,
        tenant: Option<TenantId>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, Error> {
        let filter = AuditFilter {
            tenant,
            ..Default::default()
        };
        self.audit_search(&filter, after, limit).await
    }

    /// Entries matching every given filter, after `after`, oldest first, at most `limit`.
    pub async fn audit_search(
        &self,
        f: &AuditFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, Error> {
        // A filter of NULL matches every entry.
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_entries WHERE seq > $1 AND ($2 IS NULL OR tenant_id = $2) \
             AND ($3 IS NULL OR actor = $3 OR actor_name = $3) AND ($4 IS NULL OR operation = $4) AND ($5 IS NULL OR target = $5) \
             AND ($6 IS NULL OR time_ms >= $6) AND ($7 IS NULL OR time_ms <= $7) \
             AND ($9 IS NULL OR request_id IN (SELECT request_id FROM operations WHERE subject_id = $9)) \
             ORDER BY seq LIMIT $8"
        );
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(f.tenant.map(|t| t.to_string()))
            .bind(f.actor.as_deref())
            .bind(f.operation.as_deref())
            .bind(f.target.as_deref())
            .bind(f.since_ms)
            .bind(f.until_ms)
            .bind(i64::from(limit))
            .bind(f.guest.as_deref())
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(entry).collect()
    }
}

/// A signed checkpoint: the chain had `seq` entries ending in `head_hash` at `time_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Number of entries covered.
    pub seq: i64,
    /// Hash of entry `seq`.
    pub head_hash: String,
    /// When it was taken (ms).
    pub time_ms: i64,
    /// The signer's Ed25519 public key (hex).
    pub public_key: String,
    /// The signature over [`Checkpoint::message`] (hex).
    pub signature: String,
}

impl Checkpoint {
    /// The signed text.
    pub fn message(seq: i64, head_hash: &str, time_ms: i64) -> String {
        format!("scmp audit checkpoint\nseq {seq}\nhead {head_hash}\ntime {time_ms}\n")
    }
}

impl DataStore {
    /// The chain's head: (entries, hash of the last).
    pub async fn audit_head(&self) -> Result<(i64, String), Error> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        Ok((
            head.try_get("seq").map_err(Error::internal)?,
            get_string(&head, "hash")?,
        ))
    }

    /// Stores a checkpoint; false when one for that position exists already (another replica's).
    pub async fn audit_checkpoint_add(&self, c: &Checkpoint) -> Result<bool, Error> {
        let r = sqlx::query(
            "INSERT INTO audit_checkpoints (seq, head_hash, time_ms, public_key, signature) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(c.seq)
        .bind(&c.head_hash)
        .bind(c.time_ms)
        .bind(&c.public_key)
        .bind(&c.signature)
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(db_error(e)),
        }
    }

    /// Every checkpoint, oldest first.
    pub async fn audit_checkpoint_list_all(&self) -> Result<Vec<Checkpoint>, Error> {
        self.audit_checkpoint_list(0, u32::MAX).await
    }

    /// Checkpoints, oldest first: `limit` of them after the position `after`.
    pub async fn audit_checkpoint_list(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Checkpoint>, Error> {
        let rows = sqlx::query("SELECT seq, head_hash, time_ms, public_key, signature FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(Checkpoint {
                    seq: r.try_get("seq").map_err(Error::internal)?,
                    head_hash: get_string(r, "head_hash")?,
                    time_ms: r.try_get("time_ms").map_err(Error::internal)?,
                    public_key: get_string(r, "public_key")?,
                    signature: get_string(r, "signature")?,
                })
            })
            .collect()
    }

    /// Who made a request, as its first audit entry recorded: the user id and identity (for what
    /// the platform then does on the user's behalf, such as a workflow's Proxmox tasks).
    pub async fn audit_actor_of(
        &self,
        request_id: &str,
    ) -> Result<Option<(String, ActorIdentity)>, Error> {
        let row = sqlx::query(
            "SELECT actor, actor_name, actor_realm, actor_tenant FROM audit_entries \
             WHERE request_id = $1 ORDER BY seq LIMIT 1",
        )
        .bind(request_id)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            Ok((
                get_string(&r, "actor")?,
                ActorIdentity {
                    name: get_string(&r, "actor_name")?,
                    realm: get_string(&r, "actor_realm")?,
                    tenant: get_string(&r, "actor_tenant")?,
                },
            ))
        })
        .transpose()
    }

    /// The hash of entry `seq`, if it exists.
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, Error> {
        sqlx::query_scalar("SELECT hash FROM audit_entries WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scmp_common::{AuditPhase, AuditResult, AuthMethod};

    #[tokio::test]
    async fn a_batch_past_one_insert_keeps_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let store = DataStore::open_dir(dir.path()).await.unwrap();
        let records: Vec<AuditRecord> = (0..(2 * MAX_ROWS_PER_INSERT + 7))
            .map(|i| AuditRecord {
                request_id: format!("req-{i}"),
                phase: AuditPhase::End,
                actor: "alice".into(),
                identity: ActorIdentity {
                    name: "alice".into(),
                    realm: "local".into(),
                    tenant: "acme".into(),
                },
                auth_method: AuthMethod::Token,
                credential: "c1".into(),
                credential_name: "ci".into(),
                source: String::new(),
                operation: "tenant_create".into(),
                target: AuditTarget::new(scmp_common::ResourceKind::Tenant, format!("t{i}")),
                tenant_id: None,
                result: AuditResult::Ok,
                error: String::new(),
            })
            .collect();
        let refs: Vec<&AuditRecord> = records.iter().collect();
        assert_eq!(store.audit_write(&refs).await.unwrap(), 1);
        assert_eq!(store.audit_write(&refs[..1]).await.unwrap(), 408);
        assert_eq!(store.audit_verify().await.unwrap(), Ok(408));
    }
}
