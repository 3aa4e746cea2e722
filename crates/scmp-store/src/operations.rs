//! Operations: the durable record of a workflow (a saga). Any server replica may run any operation:
//! it first takes the operation's lease (a conditional update that succeeds for one replica only),
//! and every write of progress is conditional on still holding it, so two replicas never run the
//! same step.

use scmp_common::{
    Country, Error, GuestId, GuestKind, GuestState, NetworkId, OperationId, OperationKind,
    OperationState, ProjectId, ResourceKind, SecurityGroupId, TenantId,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit_record::ActorIdentity;
use crate::db::{db_error, get_string, get_u64, DataStore};

/// An operation to record.
#[derive(Debug, Clone)]
pub struct NewOperation {
    /// What it does.
    pub kind: OperationKind,
    /// What it acts on, for people (`guest/web1`).
    pub target: String,
    /// The saga's input.
    pub params: serde_json::Value,
    /// The request (and so the audit entry) that started it.
    pub request_id: String,
    /// Who asked for it (their user id and who they were), so that its end is recorded in the
    /// audit log in their name without reading it back.
    pub requested_by: Option<(String, ActorIdentity)>,
    /// For a creation, what admission read that its saga needs.
    pub creation: Option<CreationInput>,
    /// When policies hold it for approvers: what they ask (it is recorded `awaiting_approval`).
    pub approval: Option<crate::approvals::NewApproval>,
}

/// What a creation's saga needs of what its admission read (the tenant, the image), kept with the
/// operation so the saga does not read it again: the guest is built as it was admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationInput {
    /// The tenant's name (its Proxmox pool is named after it).
    pub tenant_name: String,
    /// The countries the tenant's guests may run in (none: anywhere).
    pub countries: Vec<Country>,
    /// The image's name.
    pub image_name: String,
    /// The image's template on the clusters, and its kind.
    pub template: String,
    /// VM or container.
    pub template_kind: GuestKind,
}

/// The key of the saga's input under which a creation's input is kept.
const CREATION: &str = "creation";

/// The key of the saga's input under which who asked is kept.
const REQUESTED_BY: &str = "requested_by";

impl Operation {
    /// The guest it acts on, if it acts on one.
    pub fn guest_id(&self) -> Option<GuestId> {
        match self.subject {
            Subject::Guest(g) => Some(g),
            Subject::Network(_) | Subject::SecurityGroup(_) => None,
        }
    }

    /// The network it acts on, if it acts on one.
    pub fn network_id(&self) -> Option<NetworkId> {
        match self.subject {
            Subject::Network(n) => Some(n),
            Subject::Guest(_) | Subject::SecurityGroup(_) => None,
        }
    }

    /// The security group it acts on, if it acts on one.
    pub fn security_group_id(&self) -> Option<SecurityGroupId> {
        match self.subject {
            Subject::SecurityGroup(g) => Some(g),
            Subject::Guest(_) | Subject::Network(_) => None,
        }
    }

    /// A creation's input, when the operation has it (those recorded before it did not).
    pub fn creation(&self) -> Option<CreationInput> {
        let c = self.params.get(CREATION)?;
        let text = |k: &str| c.get(k).and_then(|v| v.as_str());
        let countries = c
            .get("countries")?
            .as_array()?
            .iter()
            .map(|v| v.as_str().and_then(|s| s.parse().ok()))
            .collect::<Option<Vec<Country>>>()?;
        Some(CreationInput {
            tenant_name: text("tenant_name")?.to_string(),
            countries,
            image_name: text("image_name")?.to_string(),
            template: text("template")?.to_string(),
            template_kind: text("template_kind")?.parse().ok()?,
        })
    }

    /// Who asked for it, when the operation says (those recorded before it did not).
    pub fn requested_by(&self) -> Option<(String, ActorIdentity)> {
        let who = self.params.get(REQUESTED_BY)?;
        let text = |k: &str| who.get(k).and_then(|v| v.as_str()).map(str::to_string);
        Some((
            text("actor")?,
            ActorIdentity {
                name: text("name")?,
                realm: text("realm")?,
                tenant: text("tenant")?,
            },
        ))
    }
}

/// What an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A guest.
    Guest(GuestId),
    /// A tenant network.
    Network(NetworkId),
    /// A security group.
    SecurityGroup(SecurityGroupId),
}

impl Subject {
    fn id(&self) -> String {
        match self {
            Subject::Guest(g) => g.to_string(),
            Subject::Network(n) => n.to_string(),
            Subject::SecurityGroup(g) => g.to_string(),
        }
    }

    fn parse(kind: OperationKind, id: &str) -> Result<Self, Error> {
        Ok(if kind.on_network() {
            Subject::Network(id.parse().map_err(Error::internal)?)
        } else if kind.on_security_group() {
            Subject::SecurityGroup(id.parse().map_err(Error::internal)?)
        } else {
            Subject::Guest(id.parse().map_err(Error::internal)?)
        })
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Guest(g) => write!(f, "guest {g}"),
            Subject::Network(n) => write!(f, "network {n}"),
            Subject::SecurityGroup(g) => write!(f, "security group {g}"),
        }
    }
}

/// An operation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Id.
    pub id: OperationId,
    /// What it does.
    pub kind: OperationKind,
    /// What it acts on.
    pub subject: Subject,
    /// The subject's tenant.
    pub tenant_id: TenantId,
    /// The subject's project.
    pub project_id: ProjectId,
    /// For people.
    pub target: String,
    /// Where it is.
    pub state: OperationState,
    /// 0 to 100.
    pub progress: u8,
    /// The next step to run (or, while undoing, the next step to undo).
    pub step: u32,
    /// Whether it is being undone after a failure.
    pub undoing: bool,
    /// The saga's input.
    pub params: serde_json::Value,
    /// Why it failed.
    pub error: String,
    /// The request (and audit entry) that started it.
    pub request_id: String,
    /// Proxmox task UPIDs it ran.
    pub upids: Vec<String>,
    /// How many times a replica took it up.
    pub attempts: u64,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// The progress a step records.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The next step.
    pub step: u32,
    /// Undoing.
    pub undoing: bool,
    /// 0 to 100.
    pub progress: u8,
    /// Error (set when undoing starts).
    pub error: String,
    /// Task UPIDs so far.
    pub upids: Vec<String>,
}

const COLUMNS: &str =
    "id, kind, subject_id, tenant_id, project_id, target, state, progress, step, undoing, \
     params, error, request_id, upids, lease_owner, lease_until, attempts, created_at, updated_at";

fn operation(row: &AnyRow) -> Result<Operation, Error> {
    let parse = |col: &str| get_string(row, col);
    let kind: OperationKind = parse("kind")?.parse().map_err(Error::internal)?;
    Ok(Operation {
        id: parse("id")?.parse().map_err(Error::internal)?,
        kind,
        subject: Subject::parse(kind, &parse("subject_id")?)?,
        tenant_id: parse("tenant_id")?.parse().map_err(Error::internal)?,
        project_id: parse("project_id")?.parse().map_err(Error::internal)?,
        target: parse("target")?,
        state: parse("state")?.parse().map_err(Error::internal)?,
        progress: get_u64(row, "progress")?.min(100) as u8,
        step: u32::try_from(get_u64(row, "step")?).map_err(Error::internal)?,
        undoing: get_u64(row, "undoing")? != 0,
        params: serde_json::from_str(&parse("params")?).map_err(Error::internal)?,
        error: parse("error")?,
        request_id: parse("request_id")?,
        upids: serde_json::from_str(&parse("upids")?).map_err(Error::internal)?,
        attempts: get_u64(row, "attempts")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

impl DataStore {
    pub(crate) async fn insert_operation(
        &self,
        conn: &mut crate::link::Link,
        new: &NewOperation,
        subject: Subject,
        tenant: TenantId,
        project: ProjectId,
    ) -> Result<Operation, Error> {
        let now = self.now_ms();
        let mut params = new.params.clone();
        if let (Some((actor, who)), Some(map)) = (&new.requested_by, params.as_object_mut()) {
            map.insert(
                REQUESTED_BY.into(),
                serde_json::json!({
                    "actor": actor, "name": who.name, "realm": who.realm, "tenant": who.tenant,
                }),
            );
        }
        if let (Some(c), Some(map)) = (&new.creation, params.as_object_mut()) {
            let countries: Vec<String> = c.countries.iter().map(|c| c.to_string()).collect();
            map.insert(
                CREATION.into(),
                serde_json::json!({
                    "tenant_name": c.tenant_name, "countries": countries,
                    "image_name": c.image_name, "template": c.template,
                    "template_kind": c.template_kind.as_str(),
                }),
            );
        }
        let op = Operation {
            id: match &new.approval {
                Some(a) => a.operation_id,
                None => self.random.id::<OperationId>(),
            },
            kind: new.kind,
            subject,
            tenant_id: tenant,
            project_id: project,
            target: new.target.clone(),
            state: match new.approval {
                Some(_) => OperationState::AwaitingApproval,
                None => OperationState::Pending,
            },
            progress: 0,
            step: 0,
            undoing: false,
            params,
            error: String::new(),
            request_id: new.request_id.clone(),
            upids: Vec::new(),
            attempts: 0,
            created_at: now,
            updated_at: now,
        };
        sqlx::query(&format!(
            "INSERT INTO operations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, $8, '', $9, '[]', '', 0, 0, $10, $10)"
        ))
        .bind(op.id.to_string())
        .bind(op.kind.as_str())
        .bind(subject.id())
        .bind(tenant.to_string())
        .bind(project.to_string())
        .bind(&op.target)
        .bind(op.state.as_str())
        .bind(serde_json::to_string(&op.params).map_err(Error::internal)?)
        .bind(&op.request_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        if let Some(a) = &new.approval {
            let Some((actor, who)) = &new.requested_by else {
                return Err(Error::internal(
                    "an operation held for approval names who asked",
                ));
            };
            crate::approvals::insert(
                conn,
                a,
                tenant,
                project,
                (actor, &who.name),
                &self.random,
                now,
            )
            .await?;
        }
        Ok(op)
    }
}

/// A write conditional on holding the lease: it changed the row, or the lease was lost.
fn held(done: &sqlx::any::AnyQueryResult) -> Result<(), Error> {
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Error::Conflict(
            "the operation's lease was lost to another replica".into(),
        ))
    }
}

impl DataStore {
    /// Takes the lease of one runnable operation (pending, or running with an expired lease) for
    /// `owner`, oldest first. `None` when there is nothing to run.
    pub async fn operation_claim(
        &self,
        owner: &str,
        lease_ms: i64,
    ) -> Result<Option<Operation>, Error> {
        // One statement picks and leases the oldest runnable operation. On PostgreSQL the pick skips
        // rows another replica is leasing right now; on SQLite there is one writer anyway.
        let skip_locked = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE operations SET lease_owner = $1, lease_until = $2, state = 'running', \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM operations WHERE state IN ('pending', 'running') \
             AND lease_until < $3 ORDER BY created_at LIMIT 1{skip_locked}) \
             AND state IN ('pending', 'running') AND lease_until < $3 RETURNING {COLUMNS}"
        );
        let now = self.now_ms();
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(now + lease_ms)
            .bind(now)
            .fetch_optional(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(operation).transpose()
    }

    /// Extends a held lease; fails when another replica took it.
    pub async fn operation_renew(
        &self,
        id: OperationId,
        owner: &str,
        lease_ms: i64,
    ) -> Result<(), Error> {
        let now = self.now_ms();
        let done = sqlx::query(
            "UPDATE operations SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
        )
        .bind(now + lease_ms)
        .bind(id.to_string())
        .bind(owner)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        held(&done)
    }

    /// Records a step's progress, while holding the lease; answers whether a user asked to cancel.
    pub async fn operation_progress(
        &self,
        id: OperationId,
        owner: &str,
        p: &Progress,
    ) -> Result<bool, Error> {
        let row = sqlx::query(
            "UPDATE operations SET step = $1, undoing = $2, progress = $3, error = $4, upids = $5, \
             updated_at = $6 WHERE id = $7 AND lease_owner = $8 AND state = 'running' \
             RETURNING cancel_requested",
        )
        .bind(i64::from(p.step))
        .bind(i64::from(p.undoing))
        .bind(i64::from(p.progress))
        .bind(&p.error)
        .bind(serde_json::to_string(&p.upids).map_err(Error::internal)?)
        .bind(self.now_ms())
        .bind(id.to_string())
        .bind(owner)
        .fetch_optional(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        match row {
            Some(r) => Ok(get_u64(&r, "cancel_requested")? != 0),
            None => Err(Error::Conflict(
                "the operation's lease was lost to another replica".into(),
            )),
        }
    }

    /// Asks for an operation to be cancelled: it stops before its next step and undoes what it did.
    /// False when it has ended or is already being undone.
    pub async fn operation_cancel(&self, id: OperationId) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE operations SET cancel_requested = 1, updated_at = $1 \
             WHERE id = $2 AND state IN ('pending', 'running') AND undoing = 0",
        )
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends an operation, while holding the lease; `guest_state` (the state a creation leaves its
    /// guest in) is recorded in the same transaction, so the guest is never running while its
    /// creation still runs, nor its creation done while the guest is not.
    pub async fn operation_finish(
        &self,
        id: OperationId,
        owner: &str,
        state: OperationState,
        error: &str,
        upids: &[String],
        guest_state: Option<(GuestId, GuestState)>,
    ) -> Result<(), Error> {
        let progress: i64 = if state == OperationState::Succeeded {
            100
        } else {
            0
        };
        let done = sqlx::query(
            "UPDATE operations SET state = $1, error = $2, progress = CASE WHEN $3 = 100 THEN 100 ELSE progress END, \
             lease_owner = '', lease_until = 0, updated_at = $4, upids = $7 \
             WHERE id = $5 AND lease_owner = $6 AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(progress)
        .bind(self.now_ms())
        .bind(id.to_string())
        .bind(owner)
        .bind(serde_json::to_string(upids).map_err(Error::internal)?);
        let Some((guest, guest_state)) = guest_state else {
            let done = done
                .execute(&mut *self.write().await?)
                .await
                .map_err(db_error)?;
            return held(&done);
        };
        let mut tx = self.begin().await?;
        held(&done.execute(&mut *tx).await.map_err(db_error)?)?;
        sqlx::query("UPDATE guests SET state = $1, error = '', updated_at = $2 WHERE id = $3")
            .bind(guest_state.as_str())
            .bind(self.now_ms())
            .bind(guest.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }

    /// An operation by id.
    pub async fn operation_get(&self, id: OperationId) -> Result<Operation, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM operations WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(operation).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::Operation,
                name: id.to_string(),
            })
        })
    }

    /// Operations, newest first: of one guest or network, or of some projects; `limit` of them
    /// after the key `(created_at, id)` `after`.
    pub async fn operation_list(
        &self,
        subject: Option<Subject>,
        visible: &crate::Visible,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<Operation>, Error> {
        let (at, id) = after.unwrap_or((i64::MAX, String::new()));
        let mut sql = format!(
            "SELECT {COLUMNS} FROM operations WHERE (created_at < $1 OR (created_at = $1 AND id < $2))"
        );
        if subject.is_some() {
            sql.push_str(" AND subject_id = $3");
        }
        sql.push_str(&format!(
            " AND {}",
            visible.condition("tenant_id", Some("project_id"))
        ));
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT {}",
            limit.min(1000)
        ));
        let mut q = sqlx::query(&sql).bind(at).bind(id);
        if let Some(s) = subject {
            q = q.bind(s.id());
        }
        let rows = q
            .fetch_all(&mut *self.read().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(operation).collect()
    }
}
