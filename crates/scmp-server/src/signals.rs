//! How request handling and the workers tell each other things within a replica: an operation
//! was recorded (wake a worker), an operation ended (wake whoever waits for it). Both are only
//! signals: the store holds the truth, and another replica's news is seen by polling it.

use std::sync::Arc;

use scmp_common::OperationId;

/// Operations recorded by this replica and not yet claimed. A worker claims when it takes one of
/// them (or now and then, to resume what was left); a claim that finds nothing still costs a write,
/// so two workers never answer the same announcement.
#[derive(Default)]
pub struct Work {
    notify: tokio::sync::Notify,
    queued: std::sync::atomic::AtomicUsize,
}

impl Work {
    /// An operation was recorded: wake a worker.
    pub fn announce(&self) {
        self.queued
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// Resolves when an operation is announced.
    pub(crate) async fn announced(&self) {
        self.notify.notified().await
    }

    /// Takes one announced operation to claim; false when none waits.
    pub(crate) fn take(&self) -> bool {
        self.queued
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .is_ok()
    }
}

/// Who waits for which operation to end: each waiter is woken by its own operation only.
#[derive(Default)]
pub struct Waiters {
    by_op: std::sync::Mutex<std::collections::HashMap<OperationId, Arc<tokio::sync::Notify>>>,
}

impl Waiters {
    /// The notification of one operation's end (shared by everyone waiting for it).
    pub fn subscribe(&self, id: OperationId) -> Arc<tokio::sync::Notify> {
        let mut m = self.by_op.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(id).or_default().clone()
    }

    /// Forgets an operation's notification once nobody waits for it.
    pub fn unsubscribe(&self, id: OperationId) {
        let mut m = self.by_op.lock().unwrap_or_else(|e| e.into_inner());
        if m.get(&id).is_some_and(|n| Arc::strong_count(n) == 1) {
            m.remove(&id);
        }
    }

    pub(crate) fn wake(&self, id: OperationId) {
        let m = self.by_op.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get(&id) {
            n.notify_waiters();
        }
    }
}
