//! Durable workflows: every long change is a saga stored as an operation. Workers on any replica take
//! an operation's lease, run its steps in order (recording progress after each, so a restarted server
//! resumes where the last one stopped), retry a step that failed for a passing reason, and, when a
//! step fails for good, undo the steps done so far in reverse order before marking the operation
//! failed. Steps are idempotent: a step run twice finds its work done.

mod address_steps;
mod backup_steps;
mod firewall_steps;
mod guest_power;
mod ha_steps;
mod network_steps;
pub(crate) use network_steps::sdn_network_of;
mod step_kinds;
mod steps;

use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use scmp_common::{
    AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, GuestId, GuestState, OperationKind,
    OperationState, ResourceKind,
};
use scmp_store::{AuditRecord, Operation, Progress};

use crate::context::AppState;
pub use steps::Step;

/// How long a lease lasts; renewed every third of it while a step runs.
pub const LEASE_MS: i64 = 30_000;
pub use crate::outcomes::CANCELLED;
/// How often a step that failed for a passing reason is tried again.
const RETRIES: u32 = 6;

/// What caused a step's failure.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// A step's failure: worth another try, or final. The error that caused it is kept as its
/// source, so the log shows the whole chain (the operation's record shows the message).
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The cluster or the database did not answer: try again.
    #[error("{message}")]
    Transient {
        /// What failed.
        message: String,
        /// Why.
        #[source]
        source: Option<Cause>,
    },
    /// The step cannot succeed: undo.
    #[error("{message}")]
    Permanent {
        /// What failed.
        message: String,
        /// Why.
        #[source]
        source: Option<Cause>,
    },
}

impl StepError {
    /// A final failure with nothing under it.
    pub fn permanent(message: impl Into<String>) -> Self {
        StepError::Permanent {
            message: message.into(),
            source: None,
        }
    }

    /// A passing failure with nothing under it.
    pub fn transient(message: impl Into<String>) -> Self {
        StepError::Transient {
            message: message.into(),
            source: None,
        }
    }

    fn is_transient(&self) -> bool {
        matches!(self, StepError::Transient { .. })
    }

    /// The message and every cause under it, `: `-separated (a cause that only repeats the
    /// message is left out).
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut last = out.clone();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            let text = c.to_string();
            if text != last {
                out.push_str(": ");
                out.push_str(&text);
                last = text;
            }
            cause = c.source();
        }
        out
    }
}

impl From<Error> for StepError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        let source = Some(Box::new(e) as Cause);
        match source.as_deref().and_then(|c| c.downcast_ref::<Error>()) {
            Some(Error::Unavailable(_)) => StepError::Transient { message, source },
            _ => StepError::Permanent { message, source },
        }
    }
}

impl From<scmp_agent::AgentError> for StepError {
    fn from(e: scmp_agent::AgentError) -> Self {
        let transient = e.is_transient();
        let message = e.message.clone();
        let source = Some(Box::new(e) as Cause);
        if transient {
            StepError::Transient { message, source }
        } else {
            StepError::Permanent { message, source }
        }
    }
}

/// Asks a cluster's agent; the tasks it waited for join the run's, also when it failed.
pub(crate) async fn ask(
    run: &mut Run<'_>,
    agent: &dyn scmp_agent::Agent,
    command: scmp_agent::Command,
) -> Result<scmp_agent::Reply, StepError> {
    match agent.ask(command).await {
        Ok(mut reply) => {
            run.upids.append(&mut reply.upids);
            Ok(reply)
        }
        Err(mut e) => {
            run.upids.append(&mut e.upids);
            Err(e.into())
        }
    }
}

/// The steps of each kind of operation, in order.
pub fn saga(kind: OperationKind) -> &'static [Step] {
    use Step::*;
    match kind {
        OperationKind::GuestCreate => &[
            Place,
            ReserveVmid,
            Pool,
            Clone,
            Configure,
            Firewall,
            Ha,
            Start,
            Created,
        ],
        OperationKind::GuestDelete => &[Destroy, FirewallLeave, Remove],
        OperationKind::GuestStart => &[PowerStart, Settle],
        OperationKind::GuestStop => &[PowerStop, Settle],
        OperationKind::GuestShutdown => &[PowerShutdown, Settle],
        OperationKind::GuestReboot => &[PowerReboot, Settle],
        OperationKind::GuestResize => &[Resize, Settle],
        OperationKind::GuestMigrate => &[Migrate, Settle],
        OperationKind::SnapshotCreate => &[SnapshotCreate, Settle],
        OperationKind::SnapshotRollback => &[SnapshotRollback, Settle],
        OperationKind::SnapshotDelete => &[SnapshotDelete, Settle],
        OperationKind::NetworkCreate => &[NetworkApply, NetworkReady],
        OperationKind::NetworkDelete => &[NetworkTeardown, NetworkForget],
        OperationKind::NetworkUpdate => &[NetworkApply, NetworkReady],
        OperationKind::AddressAttach => &[AddressBind, AddressUp, Settle],
        OperationKind::AddressDetach => &[AddressDown, AddressUnbind, Settle],
        OperationKind::SecurityGroupApply => &[GroupApply, GroupReady],
        OperationKind::SecurityGroupDelete => &[GroupTeardown, GroupForget],
        OperationKind::GuestFirewall => &[Firewall, Settle],
        OperationKind::GuestBackup => &[Backup, Settle],
        OperationKind::BackupDelete => &[BackupDelete, Settle],
        OperationKind::GuestRestore => &[PreRestore, RestoreStop, Restore, RestoreStart, Settle],
    }
}

/// Starts `workers` workers that run operations, and returns at once.
pub fn spawn(state: Arc<AppState>, workers: usize) {
    let owner = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    for _ in 0..workers.max(1) {
        let (state, owner) = (state.clone(), owner.clone());
        tokio::spawn(async move { worker(state, owner).await });
    }
}

async fn worker(state: Arc<AppState>, owner: String) {
    // Whether this claim answers an announcement the worker took; else it is the look now and then
    // for runs to resume (a replica that died, a lease that ran out), which may find an announced
    // operation too and then takes its announcement.
    let mut announced = false;
    loop {
        match state.store.operation_claim(&owner, LEASE_MS).await {
            Ok(Some(op)) => {
                if !announced {
                    state.work.take();
                }
                run(&state, &owner, op).await;
                if state.work.take() {
                    announced = true;
                    continue;
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim operations");
                tokio::time::sleep(Duration::from_secs(1)).await;
                announced = false;
                continue;
            }
        }
        // Sleep until an operation is announced that no other worker took, or until the next look.
        let look = tokio::time::Instant::now() + Duration::from_millis(500);
        announced = loop {
            tokio::select! {
                _ = state.work.announced() => if state.work.take() { break true },
                _ = tokio::time::sleep_until(look) => break false,
            }
        };
    }
}

/// One leased run of an operation.
pub struct Run<'a> {
    /// The server.
    pub state: &'a AppState,
    /// The operation as claimed.
    pub op: Operation,
    /// Task UPIDs so far.
    pub upids: Vec<String>,
    /// What the steps read, kept between steps of this run.
    pub cache: std::sync::Mutex<steps::Cache>,
}

/// Runs (or resumes) an operation while holding its lease.
async fn run(state: &AppState, owner: &str, op: Operation) {
    let lost = Arc::new(tokio::sync::Notify::new());
    let renew = {
        let (store, id, owner, lost) =
            (state.store.clone(), op.id, owner.to_string(), lost.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(LEASE_MS as u64 / 3)).await;
                if store.operation_renew(id, &owner, LEASE_MS).await.is_err() {
                    lost.notify_one();
                    return;
                }
            }
        })
    };
    let id = op.id;
    // Every log line of the run names the operation and the request that started it.
    let span = tracing::info_span!(
        "operation",
        operation_id = %id,
        kind = %op.kind,
        request_id = %op.request_id,
        subject = %op.subject,
    );
    tokio::select! {
        r = drive(state, owner, op).instrument(span) => {
            if let Err(e) = r {
                tracing::warn!(operation = %id, error = %e, "operation paused; another run resumes it");
            }
        }
        _ = lost.notified() => {
            tracing::warn!(operation = %id, "lease lost; another replica runs the operation");
        }
    }
    renew.abort();
}

async fn drive(state: &AppState, owner: &str, op: Operation) -> Result<(), Error> {
    let steps = saga(op.kind);
    let mut run = Run {
        state,
        upids: op.upids.clone(),
        op,
        cache: Default::default(),
    };
    let mut step = run.op.step as usize;
    let mut undoing = run.op.undoing;
    let mut error = run.op.error.clone();
    // Cancelled by a user, or not approved: nothing failed, the request did not go ahead.
    let mut outcome = if crate::outcomes::is_cancellation(&error) {
        OperationState::Cancelled
    } else {
        OperationState::Failed
    };
    // Forward.
    while !undoing && step < steps.len() {
        match try_step(&mut run, steps[step]).await {
            Ok(()) => {
                step += 1;
                // The last step's progress is recorded by the finish itself, and steps whose result
                // is in the guest's record (or that are cheap to repeat) record none.
                if step < steps.len()
                    && steps[step - 1].records_progress()
                    && save(&run, owner, step, false, &error, steps.len()).await?
                {
                    // A user asked to cancel: undo what was done, then end as cancelled.
                    error = CANCELLED.to_string();
                    outcome = OperationState::Cancelled;
                    undoing = true;
                    save(&run, owner, step, true, &error, steps.len()).await?;
                }
            }
            Err(e) => {
                error = format!("{}: {e}", steps[step].name());
                tracing::info!(operation = %run.op.id, error = %e.chain(), step = steps[step].name(), "step failed; undoing");
                undoing = true;
                // The failed step may have half-done its work: it is undone too.
                save(&run, owner, step + 1, true, &error, steps.len()).await?;
                step += 1;
            }
        }
    }
    if !undoing {
        return finish(&run, owner, OperationState::Succeeded, "").await;
    }
    // Backward: undo steps[step-1], ..., steps[0].
    while step > 0 {
        let s = steps[step - 1];
        let mut attempt = 0;
        loop {
            let mut result = s.undo(&mut run).await;
            if result.is_ok() && run.state.repeat_steps {
                result = s.undo(&mut run).await;
            }
            match result {
                Ok(()) => break,
                Err(e) if attempt < RETRIES => {
                    attempt += 1;
                    tracing::info!(operation = %run.op.id, step = s.name(), error = %e.chain(), "undo failed; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(e) => {
                    tracing::warn!(operation = %run.op.id, step = s.name(), error = %e.chain(), "undo failed; the operation is left to resume");
                    return Err(Error::Unavailable(format!(
                        "undoing {} failed: {e}",
                        s.name()
                    )));
                }
            }
        }
        step -= 1;
        save(&run, owner, step, true, &error, steps.len()).await?;
    }
    steps::failed(&mut run, &error).await?;
    finish(&run, owner, outcome, &error).await
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100 * (1 << attempt.min(6)))
}

async fn try_step(run: &mut Run<'_>, s: Step) -> Result<(), StepError> {
    let mut attempt = 0;
    loop {
        let mut result = s.run(run).await;
        if result.is_ok() && run.state.repeat_steps {
            result = s.run(run).await;
        }
        match result {
            Ok(()) => return Ok(()),
            Err(e) if e.is_transient() && attempt < RETRIES => {
                attempt += 1;
                tracing::debug!(operation = %run.op.id, step = s.name(), error = %e.chain(), "retrying");
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Records progress; answers whether a user asked to cancel.
async fn save(
    run: &Run<'_>,
    owner: &str,
    step: usize,
    undoing: bool,
    error: &str,
    total: usize,
) -> Result<bool, Error> {
    let progress = if undoing {
        0
    } else {
        (step * 100 / total.max(1)).min(99) as u8
    };
    run.state
        .store
        .operation_progress(
            run.op.id,
            owner,
            &Progress {
                step: step as u32,
                undoing,
                progress,
                error: error.to_string(),
                upids: run.upids.clone(),
            },
        )
        .await
}

async fn finish(
    run: &Run<'_>,
    owner: &str,
    outcome: OperationState,
    error: &str,
) -> Result<(), Error> {
    // The Proxmox side of the user's request, linked to its audit entry by the request id, in
    // the name of the user who asked for it.
    let recorded = match run.op.requested_by() {
        Some(who) => Ok(Some(who)),
        // Operations recorded before they kept who asked: from the request's audit entry.
        None => run.state.store.audit_actor_of(&run.op.request_id).await,
    };
    let (actor, identity) = match recorded {
        Ok(Some(who)) => who,
        Ok(None) => ("scmp".to_string(), Default::default()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read who started the operation");
            ("scmp".to_string(), Default::default())
        }
    };
    let record = AuditRecord {
        request_id: run.op.request_id.clone(),
        phase: AuditPhase::End,
        actor,
        identity,
        auth_method: AuthMethod::Workflow,
        credential: run.op.id.to_string(),
        credential_name: run.op.kind.as_str().into(),
        source: String::new(),
        operation: run.op.kind.as_str().into(),
        target: run.upids.iter().fold(
            match run.op.subject {
                scmp_store::Subject::Guest(g) => AuditTarget::new(ResourceKind::Guest, g),
                scmp_store::Subject::Network(n) => AuditTarget::new(ResourceKind::Network, n),
                scmp_store::Subject::SecurityGroup(g) => {
                    AuditTarget::new(ResourceKind::SecurityGroup, g)
                }
            },
            |t, upid| t.child(ResourceKind::Task, upid),
        ),
        tenant_id: Some(run.op.tenant_id),
        result: if outcome == OperationState::Succeeded {
            AuditResult::Ok
        } else {
            AuditResult::Error
        },
        error: error.into(),
    };
    if let Err(e) = run.state.store.audit_append(&record).await {
        tracing::error!(error = %e, "cannot record the operation in the audit log");
    }
    run.state
        .store
        .operation_finish(
            run.op.id,
            owner,
            outcome,
            error,
            &run.upids,
            final_state(&run.op, outcome),
        )
        .await?;
    run.state.finished.wake(run.op.id);
    Ok(())
}

/// The state an operation that succeeded leaves its guest in, recorded with its end: a creation's
/// guest is running (the other operations settle the state they found on Proxmox themselves).
fn final_state(op: &Operation, outcome: OperationState) -> Option<(GuestId, GuestState)> {
    let guest = op.guest_id()?;
    (outcome == OperationState::Succeeded && op.kind == OperationKind::GuestCreate)
        .then_some((guest, GuestState::Running))
}

/// The state a guest returns to when an operation on it ends (from the operation's input).
pub(crate) fn prior_state(op: &Operation) -> GuestState {
    op.params
        .get("prior_state")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or(GuestState::Stopped)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_operation_has_a_saga_that_ends_by_recording_the_outcome() {
        for kind in OperationKind::ALL {
            let steps = saga(*kind);
            assert!(!steps.is_empty(), "{kind}");
            let last = *steps.last().unwrap();
            let want = match kind {
                OperationKind::GuestCreate => Step::Created,
                OperationKind::GuestDelete => Step::Remove,
                OperationKind::NetworkCreate => Step::NetworkReady,
                OperationKind::NetworkDelete => Step::NetworkForget,
                OperationKind::NetworkUpdate => Step::NetworkReady,
                OperationKind::SecurityGroupApply => Step::GroupReady,
                OperationKind::SecurityGroupDelete => Step::GroupForget,
                _ => Step::Settle,
            };
            assert_eq!(last, want, "{kind}");
            assert!(last.records_progress(), "{kind}: its end is recorded");
            let names: BTreeSet<&str> = steps.iter().map(|s| s.name()).collect();
            assert_eq!(names.len(), steps.len(), "{kind}: a step appears once");
        }
    }

    #[test]
    fn a_creation_places_and_reserves_before_it_touches_proxmox() {
        let steps = saga(OperationKind::GuestCreate);
        let at = |s: Step| steps.iter().position(|x| *x == s).unwrap();
        assert!(at(Step::Place) < at(Step::ReserveVmid));
        assert!(at(Step::ReserveVmid) < at(Step::Clone));
        assert!(
            at(Step::Pool) < at(Step::Clone),
            "the pool exists before the clone joins it"
        );
        assert!(at(Step::Configure) < at(Step::Start));
    }

    #[test]
    fn passing_failures_are_retried_and_the_rest_undone() {
        let unavailable = StepError::from(Error::Unavailable("the database is busy".into()));
        assert!(unavailable.is_transient());
        let refused = StepError::from(Error::Conflict("taken".into()));
        assert!(!refused.is_transient());
        // Proxmox's failures reach a step as the agent reports them.
        let agent = |e: pve_client::Error| StepError::from(scmp_agent::AgentError::from(e));
        let timeout = agent(pve_client::Error::Timeout {
            endpoint: pve_types::endpoint::Endpoint {
                method: pve_types::HttpMethod::Get,
                path: "/version",
            },
            timeout_ms: 10,
        });
        assert!(timeout.is_transient(), "{timeout}");
        let denied = agent(pve_client::Error::Permission {
            endpoint: pve_types::endpoint::Endpoint {
                method: pve_types::HttpMethod::Post,
                path: "/nodes/pve1/qemu",
            },
            reason: "Permission check failed".into(),
        });
        assert!(!denied.is_transient(), "{denied}");
        let link = StepError::from(scmp_agent::AgentError::new(
            scmp_agent::AgentErrorKind::Link,
            "the agent's link broke",
        ));
        assert!(link.is_transient(), "{link}");
    }

    #[test]
    fn a_step_error_keeps_its_cause() {
        let e = StepError::from(Error::internal_caused(
            "the database refused a statement",
            std::io::Error::other("disk full"),
        ));
        let chain = e.chain();
        assert!(chain.contains("disk full"), "{chain}");
        assert!(std::error::Error::source(&e).is_some());
        // A cause that only repeats the message is not said twice.
        let plain = StepError::permanent("no free VMID");
        assert_eq!(plain.chain(), "no free VMID");
    }

    #[test]
    fn an_operation_returns_its_guest_to_the_state_it_started_from() {
        let mut op = Operation {
            id: scmp_common::OperationId::new(),
            kind: OperationKind::GuestStop,
            subject: scmp_store::Subject::Guest(scmp_common::GuestId::new()),
            tenant_id: scmp_common::TenantId::new(),
            project_id: scmp_common::ProjectId::new(),
            target: "guest/web1".into(),
            state: OperationState::Running,
            progress: 0,
            step: 0,
            undoing: false,
            error: String::new(),
            params: serde_json::json!({"prior_state": "running"}),
            upids: Vec::new(),
            request_id: "r1".into(),
            attempts: 0,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(prior_state(&op), GuestState::Running);
        op.params = serde_json::json!({});
        assert_eq!(
            prior_state(&op),
            GuestState::Stopped,
            "unknown: stopped, the safe side"
        );
    }
}
