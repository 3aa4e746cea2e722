//! Site agents: the platform's agent CA, single-use join tokens and the agents enrolled with them.

use scmp_common::{AgentId, Error, JoinTokenId, ResourceKind, SiteId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, DataStore};

/// The platform's agent CA as stored: its certificate and its key, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCa {
    /// The CA certificate (PEM).
    pub cert_pem: String,
    /// The CA's private key, sealed.
    pub key_sealed: String,
}

/// A join token (its secret is never kept, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinToken {
    /// Id (the first part of the token's text).
    pub id: JoinTokenId,
    /// The site whose agent it enrolls.
    pub site_id: SiteId,
    /// Who made it.
    pub created_by: String,
    /// Made (ms).
    pub created_at: i64,
    /// Good until (ms).
    pub expires_at: i64,
    /// Redeemed (ms), if it was.
    pub used_at: Option<i64>,
    /// The agent it enrolled, if it was redeemed.
    pub agent_id: Option<AgentId>,
}

/// A new join token.
#[derive(Debug, Clone)]
pub struct NewJoinToken {
    /// The site.
    pub site_id: SiteId,
    /// SHA-256 (hex) of the token's secret.
    pub secret_hash: String,
    /// Who makes it.
    pub created_by: String,
    /// Good until (ms).
    pub expires_at: i64,
}

/// An enrolled agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Id (in its certificate).
    pub id: AgentId,
    /// Its site: the only one it may speak for.
    pub site_id: SiteId,
    /// The public key it enrolled with (SubjectPublicKeyInfo, DER, hex).
    pub public_key: String,
    /// Its current certificate's serial number (hex).
    pub cert_serial: String,
    /// When its current certificate ends (ms).
    pub cert_not_after: i64,
    /// Enrolled (ms).
    pub enrolled_at: i64,
    /// Last given a certificate (ms).
    pub renewed_at: i64,
    /// Revoked (ms): it may not connect or renew again.
    pub revoked_at: Option<i64>,
}

/// A certificate given to an agent.
#[derive(Debug, Clone)]
pub struct AgentCertificate {
    /// Its serial number (hex).
    pub serial: String,
    /// When it ends (ms).
    pub not_after: i64,
}

/// Why a join token was not accepted (all of them answer the same to the agent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unredeemable {
    /// No such token, or not this secret.
    Unknown,
    /// Used before.
    Used,
    /// Past its time.
    Expired,
}

const TOKEN_COLUMNS: &str = "id, site_id, created_by, created_at, expires_at, used_at, agent_id";
const AGENT_COLUMNS: &str = "id, site_id, public_key, cert_serial, cert_not_after, enrolled_at, \
                             renewed_at, revoked_at";

fn join_token(row: &AnyRow) -> Result<JoinToken, Error> {
    let agent: Option<String> = row.try_get("agent_id").map_err(Error::internal)?;
    Ok(JoinToken {
        id: get_id(row, "id")?,
        site_id: get_id(row, "site_id")?,
        created_by: get_string(row, "created_by")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        expires_at: row.try_get("expires_at").map_err(Error::internal)?,
        used_at: row.try_get("used_at").map_err(Error::internal)?,
        agent_id: agent
            .map(|a| a.parse())
            .transpose()
            .map_err(Error::internal)?,
    })
}

fn agent(row: &AnyRow) -> Result<Agent, Error> {
    Ok(Agent {
        id: get_id(row, "id")?,
        site_id: get_id(row, "site_id")?,
        public_key: get_string(row, "public_key")?,
        cert_serial: get_string(row, "cert_serial")?,
        cert_not_after: row.try_get("cert_not_after").map_err(Error::internal)?,
        enrolled_at: row.try_get("enrolled_at").map_err(Error::internal)?,
        renewed_at: row.try_get("renewed_at").map_err(Error::internal)?,
        revoked_at: row.try_get("revoked_at").map_err(Error::internal)?,
    })
}

impl DataStore {
    /// The platform's agent CA, if one was made.
    pub async fn agent_ca_get(&self) -> Result<Option<StoredCa>, Error> {
        let row = sqlx::query("SELECT cert_pem, key_sealed FROM agent_ca WHERE id = 1")
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| {
            Ok(StoredCa {
                cert_pem: get_string(&r, "cert_pem")?,
                key_sealed: get_string(&r, "key_sealed")?,
            })
        })
        .transpose()
    }

    /// Keeps `ca` as the platform's agent CA unless one is kept already (another replica made it
    /// first); answers the one kept.
    pub async fn agent_ca_init(&self, ca: &StoredCa) -> Result<StoredCa, Error> {
        sqlx::query(
            "INSERT INTO agent_ca (id, cert_pem, key_sealed, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&ca.cert_pem)
        .bind(&ca.key_sealed)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        self.agent_ca_get()
            .await?
            .ok_or_else(|| Error::internal("the agent CA was not kept"))
    }

    /// Makes a join token.
    pub async fn join_token_create(&self, new: &NewJoinToken) -> Result<JoinToken, Error> {
        let id = JoinTokenId::new();
        let row = sqlx::query(&format!(
            "INSERT INTO agent_join_tokens (id, site_id, secret_hash, created_by, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(id.to_string())
        .bind(new.site_id.to_string())
        .bind(&new.secret_hash)
        .bind(&new.created_by)
        .bind(self.now_ms())
        .bind(new.expires_at)
        .fetch_one(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        join_token(&row)
    }

    /// A join token, if there is one of this id.
    pub async fn join_token_get(&self, id: JoinTokenId) -> Result<Option<JoinToken>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM agent_join_tokens WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(join_token).transpose()
    }

    /// A page of a site's join tokens, by id, after `after`.
    pub async fn join_token_list(
        &self,
        site_id: SiteId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<JoinToken>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM agent_join_tokens WHERE site_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        ))
        .bind(site_id.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(join_token).collect()
    }

    /// Withdraws a join token that was not used (a used one stays, as the record of its agent's
    /// enrollment: revoke the agent instead).
    pub async fn join_token_delete(&self, id: JoinTokenId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let token = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM agent_join_tokens WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(join_token)
        .transpose()?
        .ok_or_else(|| Error::NotFound {
            kind: ResourceKind::JoinToken,
            name: id.to_string(),
        })?;
        if let Some(agent) = token.agent_id {
            return Err(Error::Conflict(format!(
                "the join token enrolled agent {agent}: revoke the agent instead"
            )));
        }
        sqlx::query("DELETE FROM agent_join_tokens WHERE id = $1 AND used_at IS NULL")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }

    /// Redeems a join token for a new agent of its site, once: the token is marked used and the
    /// agent recorded in one transaction, so two agents presenting one token never both enroll.
    pub async fn join_token_redeem(
        &self,
        id: JoinTokenId,
        secret_hash: &str,
        public_key: &str,
        agent_id: AgentId,
        cert: &AgentCertificate,
    ) -> Result<Result<Agent, Unredeemable>, Error> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let site: Option<String> = sqlx::query_scalar(
            "UPDATE agent_join_tokens SET used_at = $1, agent_id = $2 \
             WHERE id = $3 AND secret_hash = $4 AND used_at IS NULL AND expires_at > $1 \
             RETURNING site_id",
        )
        .bind(now)
        .bind(agent_id.to_string())
        .bind(id.to_string())
        .bind(secret_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some(site) = site else {
            let row = sqlx::query(
                "SELECT used_at, expires_at FROM agent_join_tokens WHERE id = $1 AND secret_hash = $2",
            )
            .bind(id.to_string())
            .bind(secret_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let why = match row {
                None => Unredeemable::Unknown,
                Some(r) => {
                    let used: Option<i64> = r.try_get("used_at").map_err(Error::internal)?;
                    if used.is_some() {
                        Unredeemable::Used
                    } else {
                        Unredeemable::Expired
                    }
                }
            };
            return Ok(Err(why));
        };
        let row = sqlx::query(&format!(
            "INSERT INTO agents (id, site_id, public_key, cert_serial, cert_not_after, enrolled_at, \
             renewed_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {AGENT_COLUMNS}"
        ))
        .bind(agent_id.to_string())
        .bind(&site)
        .bind(public_key)
        .bind(&cert.serial)
        .bind(cert.not_after)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        let enrolled = agent(&row)?;
        tx.commit().await?;
        Ok(Ok(enrolled))
    }

    /// An agent.
    pub async fn agent_get(&self, id: AgentId) -> Result<Agent, Error> {
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(agent).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::Agent,
                name: id.to_string(),
            })
        })
    }

    /// A page of a site's agents, by id, after `after`.
    pub async fn agent_list(
        &self,
        site_id: SiteId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Agent>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE site_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(site_id.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(agent).collect()
    }

    /// Records a new certificate of an agent that is not revoked; false when it is (or is gone).
    pub async fn agent_renewed(&self, id: AgentId, cert: &AgentCertificate) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE agents SET cert_serial = $1, cert_not_after = $2, renewed_at = $3 \
             WHERE id = $4 AND revoked_at IS NULL",
        )
        .bind(&cert.serial)
        .bind(cert.not_after)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes an agent for good; answers it as it is now.
    pub async fn agent_revoke(&self, id: AgentId) -> Result<Agent, Error> {
        sqlx::query("UPDATE agents SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(self.now_ms())
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        self.agent_get(id).await
    }
}
