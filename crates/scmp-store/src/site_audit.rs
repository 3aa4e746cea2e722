//! Sites' own audit chains: the entries a site's agent wrote of what was done through its API,
//! kept exactly as they came (body, hashes, signature) for `scmp audit verify`, taken once per
//! agent and number however often they are sent, with the central audit entry each became.

use scmp_common::{AgentId, Error};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, DataStore};

/// One entry of a site's chain, as the site wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAuditRow {
    /// The agent that wrote and signed it.
    pub agent_id: AgentId,
    /// Its place in the agent's chain (from 1).
    pub seq: i64,
    /// The hash of the entry before it.
    pub prev_hash: String,
    /// What was done, as the site wrote it.
    pub body: String,
    /// Its hash.
    pub hash: String,
    /// The agent's signature of the hash.
    pub signature: String,
    /// The central audit entry it became (absent until it joined the log).
    pub central_seq: Option<i64>,
}

const COLUMNS: &str = "agent_id, seq, prev_hash, body, hash, signature, central_seq";

fn row(r: &AnyRow) -> Result<SiteAuditRow, Error> {
    Ok(SiteAuditRow {
        agent_id: get_id(r, "agent_id")?,
        seq: r.try_get("seq").map_err(Error::internal)?,
        prev_hash: get_string(r, "prev_hash")?,
        body: get_string(r, "body")?,
        hash: get_string(r, "hash")?,
        signature: get_string(r, "signature")?,
        central_seq: r.try_get("central_seq").map_err(Error::internal)?,
    })
}

impl DataStore {
    /// Keeps a site's entry unless it is kept already; answers the entry as kept (the first
    /// copy wins: a replay never replaces what came first).
    pub async fn site_audit_keep(&self, e: &SiteAuditRow) -> Result<SiteAuditRow, Error> {
        let mut conn = self.write().await?;
        sqlx::query(
            "INSERT INTO site_audit_entries \
             (agent_id, seq, prev_hash, body, hash, signature, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id, seq) DO NOTHING",
        )
        .bind(e.agent_id.to_string())
        .bind(e.seq)
        .bind(e.prev_hash.clone())
        .bind(e.body.clone())
        .bind(e.hash.clone())
        .bind(e.signature.clone())
        .bind(self.now_ms())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        let kept = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM site_audit_entries WHERE agent_id = $1 AND seq = $2"
        ))
        .bind(e.agent_id.to_string())
        .bind(e.seq)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
        row(&kept)
    }

    /// Records the central audit entry a site's entry became.
    pub async fn site_audit_joined(
        &self,
        agent: AgentId,
        seq: i64,
        central_seq: i64,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE site_audit_entries SET central_seq = $1 WHERE agent_id = $2 AND seq = $3",
        )
        .bind(central_seq)
        .bind(agent.to_string())
        .bind(seq)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// The highest number of an agent's entries kept (0 when none).
    pub async fn site_audit_last(&self, agent: AgentId) -> Result<i64, Error> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM site_audit_entries WHERE agent_id = $1")
                .bind(agent.to_string())
                .fetch_one(&mut *self.read().await?)
                .await
                .map_err(db_error)?;
        Ok(last.unwrap_or(0))
    }

    /// An agent's entries after `after`, in order, `limit` of them.
    pub async fn site_audit_page(
        &self,
        agent: AgentId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<SiteAuditRow>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM site_audit_entries WHERE agent_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        ))
        .bind(agent.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(row).collect()
    }

    /// The bodies of an agent's entries that speak of a guest, in order.
    pub async fn site_audit_of_guest(
        &self,
        agent: AgentId,
        guest: scmp_common::GuestId,
    ) -> Result<Vec<String>, Error> {
        sqlx::query_scalar(
            "SELECT body FROM site_audit_entries WHERE agent_id = $1 AND body LIKE $2 ORDER BY seq",
        )
        .bind(agent.to_string())
        .bind(format!("%\"guest\":\"{guest}\"%"))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)
    }

    /// The agents with entries of their own, and the public key each signs with (hex).
    pub async fn site_audit_agents(&self) -> Result<Vec<(AgentId, String)>, Error> {
        let rows = sqlx::query(
            "SELECT a.id, a.public_key FROM agents a \
             WHERE EXISTS (SELECT 1 FROM site_audit_entries e WHERE e.agent_id = a.id) \
             ORDER BY a.id",
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|r| Ok((get_id(r, "id")?, get_string(r, "public_key")?)))
            .collect()
    }

    /// The central audit entry written under a request id, if any (the first one).
    pub async fn audit_seq_of_request(&self, request_id: &str) -> Result<Option<i64>, Error> {
        sqlx::query_scalar("SELECT MIN(seq) FROM audit_entries WHERE request_id = $1")
            .bind(request_id)
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db_error)
    }
}
