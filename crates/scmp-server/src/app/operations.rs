//! Operations: the user-visible record of a workflow, waiting (bounded) for one to end, and
//! cancelling a guest creation (or any operation still awaiting approval).

use std::time::Duration;

use scmp_api::{OperationQuery, OperationView, Page};
use scmp_authz::{Action, Resource};
use scmp_common::{AuditTarget, Error, OperationKind, OperationState, ResourceKind};
use scmp_store::Operation;

use super::paging;
use crate::context::{AppState, OpContext};

/// The longest a request may wait for an operation to end.
pub const MAX_WAIT_S: u64 = 600;

impl AppState {
    /// Waits up to `wait` seconds for an operation to end; answers it as it is then.
    pub async fn operation_wait(
        &self,
        op: Operation,
        wait: Option<u64>,
    ) -> Result<Operation, Error> {
        let Some(secs) = wait.filter(|w| *w > 0) else {
            return Ok(op);
        };
        if op.state.is_terminal() {
            return Ok(op);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs.min(MAX_WAIT_S));
        let id = op.id;
        let ended = self.finished.subscribe(id);
        let result = async {
            loop {
                // Listen first, then look: an end that comes between the two is not missed.
                let notified = ended.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let op = self.store.operation_get(id).await?;
                if op.state.is_terminal() || tokio::time::Instant::now() >= deadline {
                    return Ok(op);
                }
                // Woken by this replica's worker; another replica's end is seen by polling.
                tokio::select! {
                    _ = notified => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = tokio::time::sleep_until(deadline) => {}
                }
            }
        }
        .await;
        drop(ended);
        self.finished.unsubscribe(id);
        result
    }

    /// Operations the caller may see, newest first.
    pub async fn operation_list(
        &self,
        ctx: &OpContext,
        q: &OperationQuery,
    ) -> Result<Page<OperationView>, Error> {
        let limit = q.limit()?;
        let guest = match &q.guest {
            Some(key) => Some(scmp_store::Subject::Guest(
                self.lookup_guest(ctx, key, Action::GuestView).await?.id,
            )),
            None => None,
        };
        let seen = self.visible_projects(ctx, Action::GuestView);
        let found = paging::fill(
            q.page_token.as_deref(),
            limit,
            |after, n| {
                let (store, seen) = (self.store.clone(), seen.clone());
                async move { store.operation_list(guest, &seen, after, n).await }
            },
            |o| (o.created_at, o.id.to_string()),
            |batch| {
                self.allows_each(ctx, Action::GuestView, batch, |o| {
                    Resource::Project(o.tenant_id, o.project_id)
                })
                .into_iter()
                .zip(batch)
                .map(|(allowed, o)| allowed && q.state.is_none_or(|state| o.state == state))
                .collect()
            },
        )
        .await?;
        Ok(paging::page(found, crate::views::operation))
    }

    /// One operation, after waiting up to `wait` seconds for it to end.
    pub async fn operation_view(
        &self,
        ctx: &OpContext,
        key: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        // Seeing an operation is seeing its guest: hidden when the guest is.
        let op = self
            .lookup_operation(ctx, key, Action::GuestView)
            .await
            .map_err(|e| match e {
                Error::Forbidden { .. } => Error::NotFound {
                    kind: ResourceKind::Operation,
                    name: key.to_string(),
                },
                other => other,
            })?;
        let op = self.operation_wait(op.into_inner(), wait).await?;
        Ok(crate::views::operation(op))
    }

    /// Cancels a guest creation: it stops before its next step, undoes what it did and ends as
    /// `cancelled`. Other operations cannot be cancelled: power changes and deletions are not
    /// undone halfway.
    pub async fn operation_cancel(
        &self,
        ctx: &OpContext,
        key: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let op = self
            .lookup_operation(ctx, key, Action::GuestOperate)
            .await
            .map_err(|e| match e {
                Error::Forbidden { .. } => Error::Forbidden {
                    action: "operation_cancel".into(),
                },
                other => other,
            })?;
        // One that waits for approval has done nothing yet: any kind can be withdrawn.
        let held = op.state == OperationState::AwaitingApproval;
        if op.kind != OperationKind::GuestCreate && !held {
            return Err(Error::Conflict(format!(
                "a {} cannot be cancelled; only guest creations (and what awaits approval) can",
                op.kind
            )));
        }
        let asked = self
            .audited(
                ctx,
                "operation_cancel",
                AuditTarget::new(ResourceKind::Operation, op.id),
                Some(op.tenant_id),
                async {
                    if held {
                        self.store
                            .approval_cancel(op.id, crate::outcomes::CANCELLED)
                            .await
                    } else {
                        self.store.operation_cancel(op.id).await
                    }
                },
            )
            .await?;
        if held {
            self.work.announce();
        }
        if !asked {
            return Err(Error::Conflict(
                "the operation has ended or is being undone already".into(),
            ));
        }
        let op = self.store.operation_get(op.id).await?;
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }
}
