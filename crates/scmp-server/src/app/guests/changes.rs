//! Starting an operation on an existing guest: one at a time per guest, the guest moved to its
//! in-between state and the operation recorded (with any quota it takes) in one transaction.

use scmp_api::OperationView;
use scmp_common::{AuditTarget, Error, GuestState, OperationKind, ResourceDelta, ResourceKind};
use scmp_store::{Guest, NewOperation};

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
            request_id: ctx.request_id.clone(),
            requested_by: Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity())),
            creation: None,
            approval,
        };
        let op = self
            .audited(
                ctx,
                kind.as_str(),
                AuditTarget::new(ResourceKind::Guest, g.id),
                Some(g.tenant_id),
                self.store.guest_begin(g, from, to, quota, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }
}
