//! What the agent owes the centre, on its way: every numbered message is kept in the journal
//! first and then queued for the session, in the order of its number (the number is taken under
//! the journal's lock), by whoever makes it: a command's task, or the site's own API.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::chain::{ChainSigner, LocalEvent};
use super::journal::{Journal, JournalError};
use super::ledger::LocalChange;
use super::usage::SiteUsage;
use super::wire::UpBody;

/// A numbered message, kept in the journal, for the session to send.
pub(crate) type Numbered = (u64, UpBody);

/// The agent's outbox (cheap to clone: every clone queues to the same session).
#[derive(Clone)]
pub struct Outbox {
    journal: Arc<Journal>,
    queue: mpsc::UnboundedSender<Numbered>,
    receiver: Arc<Mutex<Option<mpsc::UnboundedReceiver<Numbered>>>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("journal", &self.journal)
            .finish()
    }
}

impl Outbox {
    /// The outbox of the agent whose journal this is.
    pub fn new(journal: Arc<Journal>) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel();
        Self {
            journal,
            queue,
            receiver: Arc::new(Mutex::new(Some(receiver))),
        }
    }

    /// The journal behind it.
    pub fn journal(&self) -> &Arc<Journal> {
        &self.journal
    }

    /// Keeps a message until the centre acknowledges it and queues it for the session.
    pub fn push(&self, body: UpBody) -> Result<u64, JournalError> {
        self.journal.push_then(&body, None, |seq| {
            let _ = self.queue.send((seq, body.clone()));
        })
    }

    /// Writes the site's next audit entry for `event`, signed by `signer`, and queues it.
    pub fn push_audit(
        &self,
        signer: &ChainSigner,
        event: &LocalEvent,
        change: Option<&LocalChange>,
    ) -> Result<u64, JournalError> {
        self.journal.push_audit(
            |seq, prev| signer.seal(seq, prev, event),
            change,
            |seq, body| {
                let _ = self.queue.send((seq, body));
            },
        )
    }

    /// Keeps a usage record of a guest the site meters and queues it.
    pub fn push_usage(&self, usage: SiteUsage) -> Result<u64, JournalError> {
        self.journal.push_usage(usage, |seq, body| {
            let _ = self.queue.send((seq, body));
        })
    }

    /// The same for a command's answer, remembered with it when `remember`.
    pub(crate) fn push_answer(&self, body: UpBody, remember: bool) -> Result<u64, JournalError> {
        let answer = match &body {
            UpBody::Reply { id, outcome } if remember => Some((*id, outcome)),
            _ => None,
        };
        self.journal.push_then(&body, answer, |seq| {
            let _ = self.queue.send((seq, body.clone()));
        })
    }

    /// The queue's receiving end, for the one link that sends what is queued.
    pub(crate) fn take_queue(&self) -> Option<mpsc::UnboundedReceiver<Numbered>> {
        self.receiver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}
