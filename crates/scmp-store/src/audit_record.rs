//! What an audited request records (before it acts and after), and the queue appends wait in for
//! the writer's turn (the store holds one, so concurrent appends are written together).

use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, TenantId};

/// What a request records: once before it acts (`begin`) and once after (`end`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The request id (ties begin and end together).
    pub request_id: String,
    /// Before or after acting.
    pub phase: AuditPhase,
    /// The real end user (user id), or `anonymous`.
    pub actor: String,
    /// Who that was at the time: name, realm and tenant, kept even after the user is deleted.
    pub identity: ActorIdentity,
    /// How the actor authenticated.
    pub auth_method: AuthMethod,
    /// The credential id used (never its secret).
    pub credential: String,
    /// The credential's name (a token's name; `login` for a session).
    pub credential_name: String,
    /// Source address.
    pub source: String,
    /// Operation id.
    pub operation: String,
    /// What it acts on (`tenant/<id>`, ...).
    pub target: AuditTarget,
    /// The tenant concerned, for tenant admins' views.
    pub tenant_id: Option<TenantId>,
    /// How it ended.
    pub result: AuditResult,
    /// The error shown to the caller, if any.
    pub error: String,
}

/// Who an actor was when the entry was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorIdentity {
    /// The user's name (empty for an anonymous caller).
    pub name: String,
    /// Where the user is defined (`local`).
    pub realm: String,
    /// The user's tenant's name (empty for platform staff).
    pub tenant: String,
}

/// Appends waiting for the writer's turn.
#[derive(Debug, Default)]
pub(crate) struct AuditQueue {
    pub(crate) pending: std::sync::Mutex<Vec<(AuditRecord, Reply)>>,
    /// Held by the one append writing a batch.
    pub(crate) turn: tokio::sync::Mutex<()>,
}

type Reply = tokio::sync::oneshot::Sender<Result<i64, String>>;

impl AuditQueue {
    pub(crate) fn push(&self, r: AuditRecord, reply: Reply) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((r, reply));
    }

    pub(crate) fn take(&self) -> Vec<(AuditRecord, Reply)> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
