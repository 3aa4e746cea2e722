//! What was done at the site, recorded once for every action of the site's API: the next entry of
//! the site's signed audit chain (with the change to its ledger of guests, in one transaction),
//! and the answer, an operation over when it is answered.

use std::net::SocketAddr;

use axum::http::StatusCode;
use scmp_api::OperationView;
use scmp_common::{GuestId, OperationKind};

use super::auth::Caller;
use super::problem::{problem, Refusal};
use super::view::operation_view;
use super::SiteApi;
use crate::command::{AgentError, Reply};
use crate::link::{LocalChange, LocalEvent, LocalGuest};

/// An action carried out at the site.
pub struct Done {
    /// What it was.
    pub kind: OperationKind,
    /// The guest it was done to.
    pub guest: GuestId,
    /// `guest/<name>`.
    pub target: String,
    /// When it began (ms).
    pub started: i64,
    /// Why it failed (absent: it was done).
    pub error: Option<String>,
    /// The Proxmox tasks waited for.
    pub upids: Vec<String>,
    /// The guest it made.
    pub made: Option<LocalGuest>,
    /// The change to the site's ledger of its own guests.
    pub change: Option<LocalChange>,
}

/// The error and tasks of an agent's answer.
pub fn outcome(r: &Result<Reply, AgentError>) -> (Option<String>, Vec<String>) {
    match r {
        Ok(r) => (None, r.upids.clone()),
        Err(e) => (Some(e.message.clone()), e.upids.clone()),
    }
}

/// Writes the action to the site's audit chain and answers its operation.
pub fn record(
    api: &SiteApi,
    caller: &Caller,
    peer: SocketAddr,
    done: Done,
) -> Result<OperationView, Refusal> {
    let event = LocalEvent {
        at_ms: done.started,
        operation: done.kind.as_str().to_string(),
        guest: done.guest,
        method: caller.method(),
        source: peer.ip().to_string(),
        error: done.error.clone(),
        upids: done.upids.clone(),
        made: done.made,
        actor: caller.actor(),
    };
    if let Err(e) = api
        .outbox
        .push_audit(&api.signer, &event, done.change.as_ref())
    {
        tracing::error!(error = %e, "the site's audit entry could not be journaled");
        return Err(problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Not recorded",
            "the action was carried out but the site's journal failed: tell the platform's operators",
        ));
    }
    Ok(operation_view(
        done.kind,
        done.target,
        done.guest,
        (done.started, api.clock.now_ms()),
        done.error,
        done.upids,
    ))
}
