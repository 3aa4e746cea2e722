//! Approvals: an operation a policy holds (`awaiting_approval`, its quota reserved by the admitting
//! transaction that recorded it and this), what each holding policy asks (how many approvals, and
//! a rule the store keeps without reading), the decisions made, and its end: approved (the
//! operation runs), or rejected, expired or cancelled (the operation is undone from its start,
//! which gives its quota back). Deciding locks the approval's row, so two approvers deciding at
//! once count each other.

use scmp_common::{ApprovalState, Error, OperationId, ProjectId, TenantId};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, is_unique_violation, DataStore};
use crate::link::Link;

/// The prefix of a ticketing system's decisions (`itsm:<policy>`): its approval is its policy's
/// whole consent (the change board decided in the ticket).
pub const ITSM_PREFIX: &str = "itsm:";

/// What one policy that holds an operation asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// The policy.
    pub policy: String,
    /// What it says.
    pub message: String,
    /// How many distinct approvals it needs.
    pub required: u32,
    /// Who may approve (the server's rule, kept as given).
    pub rule: serde_json::Value,
}

/// An approval to record with its operation.
#[derive(Debug, Clone)]
pub struct NewApproval {
    /// The operation's id, chosen before (the webhooks' callback links name it).
    pub operation_id: OperationId,
    /// What each holding policy asks.
    pub requirements: Vec<Requirement>,
    /// When it is rejected if not approved (ms).
    pub deadline: i64,
    /// The ITSM webhooks to deliver.
    pub deliveries: Vec<NewDelivery>,
}

/// An ITSM webhook to deliver.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// The policy whose webhook it is (its secret signs it).
    pub policy: String,
    /// Where to.
    pub url: String,
    /// The JSON body.
    pub body: String,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Who (a user's id, or `itsm:<policy>`).
    pub who: String,
    /// Their name, for people.
    pub name: String,
    /// Approve, or reject.
    pub approve: bool,
    /// The policies it counts for (those whose approvers include them).
    pub counts_for: Vec<String>,
    /// Why.
    pub comment: String,
    /// The ticket it came with (ITSM).
    pub ticket: String,
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    /// What was decided.
    pub decision: Decision,
    /// When (ms).
    pub at: i64,
}

/// An approval as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRow {
    /// The operation it holds.
    pub operation_id: OperationId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// Who asked (a user's id).
    pub requested_by: String,
    /// Their name.
    pub requester: String,
    /// What each holding policy asks.
    pub requirements: Vec<Requirement>,
    /// Where it is.
    pub state: ApprovalState,
    /// When it expires (ms).
    pub deadline: i64,
    /// The ITSM ticket that answered it, if any.
    pub ticket: String,
    /// Created (ms).
    pub created_at: i64,
    /// Decided (ms; 0 while pending).
    pub decided_at: i64,
    /// The decisions, oldest first.
    pub decisions: Vec<DecisionRow>,
}

impl ApprovalRow {
    /// The requirements met by the decisions so far.
    pub fn satisfied(&self, r: &Requirement) -> bool {
        satisfied(r, &self.decisions)
    }
}

fn satisfied(r: &Requirement, decisions: &[DecisionRow]) -> bool {
    let mine = || {
        decisions
            .iter()
            .filter(|d| d.decision.approve && d.decision.counts_for.contains(&r.policy))
    };
    mine().any(|d| d.decision.who.starts_with(ITSM_PREFIX))
        || mine().count() >= usize::try_from(r.required).unwrap_or(usize::MAX)
}

const COLUMNS: &str =
    "operation_id, tenant_id, project_id, requested_by, requester, requirements, \
                       state, deadline, ticket, created_at, decided_at";

fn approval(row: &AnyRow) -> Result<ApprovalRow, Error> {
    Ok(ApprovalRow {
        operation_id: get_id(row, "operation_id")?,
        tenant_id: get_id(row, "tenant_id")?,
        project_id: get_id(row, "project_id")?,
        requested_by: get_string(row, "requested_by")?,
        requester: get_string(row, "requester")?,
        requirements: serde_json::from_str(&get_string(row, "requirements")?)
            .map_err(Error::internal)?,
        state: get_string(row, "state")?.parse().map_err(Error::internal)?,
        deadline: row.try_get("deadline").map_err(Error::internal)?,
        ticket: get_string(row, "ticket")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        decided_at: row.try_get("decided_at").map_err(Error::internal)?,
        decisions: Vec::new(),
    })
}

fn decision(row: &AnyRow) -> Result<DecisionRow, Error> {
    Ok(DecisionRow {
        decision: Decision {
            who: get_string(row, "who")?,
            name: get_string(row, "name")?,
            approve: get_string(row, "decision")? == "approve",
            counts_for: serde_json::from_str(&get_string(row, "counts_for")?)
                .map_err(Error::internal)?,
            comment: get_string(row, "comment")?,
            ticket: get_string(row, "ticket")?,
        },
        at: row.try_get("at").map_err(Error::internal)?,
    })
}

fn not_found(op: OperationId) -> Error {
    Error::NotFound {
        kind: scmp_common::ResourceKind::Operation,
        name: op.to_string(),
    }
}

/// An approval's decisions, oldest first.
async fn decisions_of(conn: &mut Link, op: OperationId) -> Result<Vec<DecisionRow>, Error> {
    let rows = sqlx::query(
        "SELECT who, name, decision, counts_for, comment, ticket, at FROM approval_decisions \
         WHERE operation_id = $1 ORDER BY at, who",
    )
    .bind(op.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    rows.iter().map(decision).collect()
}

/// Records an approval with its operation (inside the admitting transaction).
pub(crate) async fn insert(
    conn: &mut Link,
    a: &NewApproval,
    tenant: TenantId,
    project: ProjectId,
    requested_by: (&str, &str),
    random: &scmp_common::Random,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(&format!(
        "INSERT INTO approvals ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, '', $8, 0)"
    ))
    .bind(a.operation_id.to_string())
    .bind(tenant.to_string())
    .bind(project.to_string())
    .bind(requested_by.0)
    .bind(requested_by.1)
    .bind(serde_json::to_string(&a.requirements).map_err(Error::internal)?)
    .bind(a.deadline)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    for d in &a.deliveries {
        sqlx::query(
            "INSERT INTO itsm_deliveries (id, operation_id, policy, url, body, state, attempts, \
             next_at, log, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, '[]', $6, $6)",
        )
        .bind(random.uuid().to_string())
        .bind(a.operation_id.to_string())
        .bind(&d.policy)
        .bind(&d.url)
        .bind(&d.body)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

/// Ends an approval that did not pass: the operation is undone from its start with `error`.
async fn close(
    conn: &mut Link,
    op: OperationId,
    state: ApprovalState,
    error: &str,
    now: i64,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "UPDATE approvals SET state = $1, decided_at = $2 WHERE operation_id = $3 AND state = 'pending'",
    )
    .bind(state.as_str())
    .bind(now)
    .bind(op.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    release(conn, op, Some(error), now).await?;
    Ok(true)
}

/// Lets a held operation go: to run (`error` none), or to be undone from its start.
async fn release(
    conn: &mut Link,
    op: OperationId,
    error: Option<&str>,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE operations SET state = 'pending', undoing = $1, error = $2, updated_at = $3 \
         WHERE id = $4 AND state = 'awaiting_approval'",
    )
    .bind(i64::from(error.is_some()))
    .bind(error.unwrap_or_default())
    .bind(now)
    .bind(op.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

impl DataStore {
    /// An approval with its decisions.
    pub async fn approval_get(&self, op: OperationId) -> Result<ApprovalRow, Error> {
        let mut conn = self.read().await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM approvals WHERE operation_id = $1"
        ))
        .bind(op.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
        let mut a = row
            .as_ref()
            .map(approval)
            .transpose()?
            .ok_or_else(|| not_found(op))?;
        a.decisions = decisions_of(&mut conn, op).await?;
        Ok(a)
    }

    /// Approvals with their decisions, in one state or all, newest first, `limit` of them after
    /// the key `(created_at, operation id)` `after`.
    pub async fn approval_list(
        &self,
        state: Option<ApprovalState>,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<ApprovalRow>, Error> {
        let (at, id) = after.unwrap_or((i64::MAX, String::new()));
        let mut conn = self.read().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM approvals WHERE ($1 = '' OR state = $1) \
             AND (created_at < $2 OR (created_at = $2 AND operation_id < $3)) \
             ORDER BY created_at DESC, operation_id DESC LIMIT {}",
            limit.min(1000)
        ))
        .bind(state.map(|s| s.as_str()).unwrap_or_default())
        .bind(at)
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
        let mut found = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut a = approval(r)?;
            a.decisions = decisions_of(&mut conn, a.operation_id).await?;
            found.push(a);
        }
        Ok(found)
    }

    /// Records a decision on a pending approval, before its deadline, once per person: a
    /// rejection ends it (the operation is undone with `rejected`), and the approval that meets
    /// every requirement lets the operation run. Answers the approval as it is now.
    pub async fn approval_decide(
        &self,
        op: OperationId,
        d: &Decision,
        rejected: &str,
    ) -> Result<ApprovalRow, Error> {
        crate::tenants::check_text("comment", &d.comment)?;
        crate::tenants::check_text("ticket", &d.ticket)?;
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        // Locks the row: concurrent decisions on one approval are taken one after the other.
        let locked = sqlx::query(
            "UPDATE approvals SET decided_at = decided_at WHERE operation_id = $1 \
             AND state = 'pending' AND deadline >= $2",
        )
        .bind(op.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if locked.rows_affected() == 0 {
            drop(tx);
            let a = self.approval_get(op).await?;
            return Err(Error::Conflict(match a.state {
                ApprovalState::Pending => "the approval's deadline has passed".into(),
                s => format!("the approval is {}", s.as_str()),
            }));
        }
        let made = sqlx::query(
            "INSERT INTO approval_decisions (operation_id, who, name, decision, counts_for, \
             comment, ticket, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(op.to_string())
        .bind(&d.who)
        .bind(&d.name)
        .bind(if d.approve { "approve" } else { "reject" })
        .bind(serde_json::to_string(&d.counts_for).map_err(Error::internal)?)
        .bind(&d.comment)
        .bind(&d.ticket)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match made {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Conflict(
                    "you have decided on this approval already".into(),
                ))
            }
            Err(e) => return Err(db_error(e)),
        }
        if !d.ticket.is_empty() {
            sqlx::query("UPDATE approvals SET ticket = $1 WHERE operation_id = $2")
                .bind(&d.ticket)
                .bind(op.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        if !d.approve {
            close(&mut tx, op, ApprovalState::Rejected, rejected, now).await?;
        } else {
            let row = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM approvals WHERE operation_id = $1"
            ))
            .bind(op.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            let a = approval(&row)?;
            let decisions = decisions_of(&mut tx, op).await?;
            if a.requirements.iter().all(|r| satisfied(r, &decisions)) {
                sqlx::query(
                    "UPDATE approvals SET state = 'approved', decided_at = $1 WHERE operation_id = $2",
                )
                .bind(now)
                .bind(op.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
                release(&mut tx, op, None, now).await?;
            }
        }
        tx.commit().await?;
        self.approval_get(op).await
    }

    /// Ends a pending approval (its requester cancelled): the operation is undone with `error`.
    /// False when it was no longer pending.
    pub async fn approval_cancel(&self, op: OperationId, error: &str) -> Result<bool, Error> {
        let mut tx = self.begin().await?;
        let done = close(&mut tx, op, ApprovalState::Cancelled, error, self.now_ms()).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Expires the pending approvals whose deadline passed: each operation is undone with
    /// `error`. Answers those expired.
    pub async fn approval_expire(&self, error: &str) -> Result<Vec<OperationId>, Error> {
        let now = self.now_ms();
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT operation_id FROM approvals WHERE state = 'pending' AND deadline < $1",
        )
        .bind(now)
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let mut expired = Vec::new();
        for id in due {
            let op: OperationId = id.parse().map_err(Error::internal)?;
            let mut tx = self.begin().await?;
            if close(&mut tx, op, ApprovalState::Expired, error, now).await? {
                expired.push(op);
            }
            tx.commit().await?;
        }
        Ok(expired)
    }
}
