//! Starting an operation on an existing guest: one at a time per guest, the guest moved to its
//! in-between state and the operation recorded (with any quota it takes) in one transaction.

use scmp_api::OperationView;
use scmp_common::{
    AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, GuestState, OperationKind,
    ResourceDelta, ResourceKind,
};
use scmp_store::{AuditRecord, Guest, NewOperation};

use crate::context::{AppState, OpContext};

/// A change to an existing guest: the operation, the states it may start from and the state the
/// guest is in meanwhile, the quota it takes, and its input.
#[derive(Debug)]
pub struct Change {
    /// What it does.
    pub kind: OperationKind,
    /// The states it may start from.
    pub from: &'static [GuestState],
    /// The guest's state meanwhile.
    pub to: GuestState,
    /// What it takes from the project's quota when it begins.
    pub quota: Option<ResourceDelta>,
    /// Its input.
    pub params: serde_json::Value,
    /// The approval it waits for, when policies hold it.
    pub approval: Option<scmp_store::NewApproval>,
}

/// The states a guest is settled in: running or stopped.
pub const SETTLED: &[GuestState] = &[GuestState::Running, GuestState::Stopped];

impl Change {
    /// A decommissioning: from any settled or broken state (a guest on a failed host too), the guest
    /// `deleting` meanwhile.
    pub fn delete() -> Self {
        Self {
            kind: OperationKind::GuestDelete,
            from: &[
                GuestState::Running,
                GuestState::Stopped,
                GuestState::Failed,
                GuestState::Missing,
                GuestState::Down,
            ],
            to: GuestState::Deleting,
            quota: None,
            params: serde_json::json!({}),
            approval: None,
        }
    }

    /// A change from running or stopped, the guest `updating` meanwhile.
    pub fn update(kind: OperationKind, params: serde_json::Value) -> Self {
        Self {
            kind,
            from: SETTLED,
            to: GuestState::Updating,
            quota: None,
            params,
            approval: None,
        }
    }
}

impl AppState {
    /// Starts an operation on a guest (one at a time per guest), audited, and waits up to `wait`
    /// seconds for it to end.
    pub async fn guest_begin(
        &self,
        ctx: &OpContext,
        g: &Guest,
        change: Change,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let record = crate::app::audit::record(
            ctx,
            change.kind.as_str(),
            AuditTarget::new(ResourceKind::Guest, g.id),
            Some(g.tenant_id),
        );
        let who = Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity()));
        let op = self.guest_begin_as(record, who, g, change).await?;
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }

    /// Starts an operation on a guest that the platform itself decides on (`why`: a lease
    /// ending), audited in the platform's name.
    pub(crate) async fn guest_begin_by_platform(
        &self,
        g: &Guest,
        change: Change,
        why: &str,
    ) -> Result<scmp_store::Operation, Error> {
        let record = AuditRecord {
            request_id: self.random.uuid().to_string(),
            phase: AuditPhase::Begin,
            actor: "scmp".into(),
            identity: Default::default(),
            auth_method: AuthMethod::Workflow,
            credential: why.into(),
            credential_name: why.into(),
            source: String::new(),
            operation: change.kind.as_str().into(),
            target: AuditTarget::new(ResourceKind::Guest, g.id),
            tenant_id: Some(g.tenant_id),
            result: AuditResult::Pending,
            error: String::new(),
        };
        self.guest_begin_as(record, None, g, change).await
    }

    async fn guest_begin_as(
        &self,
        record: AuditRecord,
        requested_by: Option<(String, scmp_store::ActorIdentity)>,
        g: &Guest,
        change: Change,
    ) -> Result<scmp_store::Operation, Error> {
        let Change {
            kind,
            from,
            to,
            quota,
            mut params,
            approval,
        } = change;
        params["prior_state"] = serde_json::json!(g.state.as_str());
        let op = NewOperation {
            kind,
            target: format!("guest/{}", g.name),
            params,
            request_id: record.request_id.clone(),
            requested_by,
            creation: None,
            approval,
        };
        let op = self
            .audited_as(record, self.store.guest_begin(g, from, to, quota, &op))
            .await?;
        self.work.announce();
        Ok(op)
    }
}
