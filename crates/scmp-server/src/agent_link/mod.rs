//! The centre's side of the agents' links: for each agent, its current session (if it is
//! connected), the commands waiting for its answer (sent again on its next session if the link
//! breaks first) and where its stream of numbered messages stands, so that a message sent again is
//! taken once. [`RemoteAgent`] asks a site's agent through this; `agent_session` serves a connection.

mod remote;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use scmp_agent::link::{Down, Outcome};
use scmp_agent::{Command, CommandId};
use scmp_common::AgentId;
use tokio::sync::{mpsc, oneshot, watch};

pub use remote::RemoteAgent;

/// How links run.
#[derive(Debug, Clone, Copy)]
pub struct LinkSettings {
    /// How often each side pings; silent for three of these, a peer is gone.
    pub ping_interval: Duration,
    /// How long a command for a site waits for its agent to be connected and to answer, before
    /// it fails (its operation then unwinds).
    pub command_wait: Duration,
    /// How long after its link broke an agent counts as disconnected (degraded until then).
    pub disconnected_after: Duration,
    /// How long a site may use the identity cache it was last sent (renewed while linked).
    pub identity_validity: Duration,
}

impl Default for LinkSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(10),
            command_wait: Duration::from_secs(300),
            disconnected_after: Duration::from_secs(60),
            identity_validity: Duration::from_secs(30 * 86_400),
        }
    }
}

/// A connected session: where its messages down go.
#[derive(Debug)]
pub struct SessionHandle {
    pub(crate) id: u64,
    pub(crate) down: mpsc::UnboundedSender<Down>,
}

/// A command sent and not answered, with whoever waits for its answer.
struct Pending {
    command: Command,
    waiters: Vec<oneshot::Sender<Outcome>>,
}

/// What the centre knows of one agent's link.
#[derive(Default)]
struct SlotState {
    pending: HashMap<CommandId, Pending>,
    /// The agent's stream and the highest sequence number taken of it.
    received: (uuid::Uuid, u64),
    /// When the link last came up or went down (ms), and why it went down.
    since_ms: i64,
    last_error: String,
    /// When the agent was last heard (ms).
    heard_ms: i64,
    /// How many numbered messages the agent's journal held unacknowledged, as it last said (less
    /// those taken since).
    journaled: u64,
}

/// One agent's link.
pub struct Slot {
    session: watch::Sender<Option<Arc<SessionHandle>>>,
    state: Mutex<SlotState>,
}

impl Slot {
    fn new() -> Self {
        Self {
            session: watch::channel(None).0,
            state: Mutex::new(SlotState::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the answer to a command: sends it now if the agent is connected, and on every
    /// session that opens before it is answered.
    fn expect(&self, id: CommandId, command: Command) -> oneshot::Receiver<Outcome> {
        let (tx, rx) = oneshot::channel();
        let first = {
            let mut st = self.lock();
            match st.pending.get_mut(&id) {
                Some(p) => {
                    p.waiters.push(tx);
                    false
                }
                None => {
                    st.pending.insert(
                        id,
                        Pending {
                            command: command.clone(),
                            waiters: vec![tx],
                        },
                    );
                    true
                }
            }
        };
        if first {
            if let Some(session) = self.session.borrow().as_ref() {
                let _ = session.down.send(Down::Command {
                    id,
                    command: Box::new(command),
                });
            }
        }
        rx
    }

    /// Gives up waiting for a command's answer.
    fn forget(&self, id: CommandId) {
        self.lock().pending.remove(&id);
    }

    /// A command's answer arrived: everyone waiting for it gets it (an answer nobody waits for
    /// any more, or one for a command of another agent, is dropped).
    pub(crate) fn answer(&self, id: CommandId, outcome: Outcome) {
        let pending = self.lock().pending.remove(&id);
        for w in pending.into_iter().flat_map(|p| p.waiters) {
            let _ = w.send(outcome.clone());
        }
    }

    /// Whether a numbered message is new (and now taken); a duplicate is not.
    pub(crate) fn take(&self, stream: uuid::Uuid, seq: u64) -> bool {
        let mut st = self.lock();
        if st.received.0 != stream {
            st.received = (stream, 0);
        }
        if seq <= st.received.1 {
            return false;
        }
        st.received.1 = seq;
        st.journaled = st.journaled.saturating_sub(1);
        true
    }

    /// The highest sequence number taken of a stream.
    pub(crate) fn acked(&self, stream: uuid::Uuid) -> u64 {
        let st = self.lock();
        if st.received.0 == stream {
            st.received.1
        } else {
            0
        }
    }

    /// A session opened: it replaces any older one and gets every command still unanswered.
    pub(crate) fn attach(&self, handle: Arc<SessionHandle>, now_ms: i64) {
        let resend: Vec<Down> = {
            let mut st = self.lock();
            st.since_ms = now_ms;
            st.heard_ms = now_ms;
            st.last_error.clear();
            st.pending
                .iter()
                .map(|(id, p)| Down::Command {
                    id: *id,
                    command: Box::new(p.command.clone()),
                })
                .collect()
        };
        for d in resend {
            let _ = handle.down.send(d);
        }
        self.session.send_replace(Some(handle));
    }

    /// A session ended (unless a newer one took its place already).
    pub(crate) fn detach(&self, id: u64, now_ms: i64, error: &str) {
        let mine = self.session.borrow().as_ref().is_some_and(|s| s.id == id);
        if mine {
            self.session.send_replace(None);
            let mut st = self.lock();
            st.since_ms = now_ms;
            st.last_error = error.to_string();
        }
    }

    pub(crate) fn heard(&self, now_ms: i64) {
        self.lock().heard_ms = now_ms;
    }

    /// What the agent says its journal holds unacknowledged.
    pub(crate) fn journaled(&self, waiting: u64) {
        self.lock().journaled = waiting;
    }

    /// Where this link stands.
    pub fn status(&self) -> LinkStatus {
        let connected = self.session.borrow().is_some();
        let st = self.lock();
        LinkStatus {
            connected,
            since_ms: st.since_ms,
            heard_ms: st.heard_ms,
            last_error: st.last_error.clone(),
            waiting_commands: st.pending.len(),
            journaled: st.journaled,
        }
    }
}

/// Where one agent's link stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStatus {
    /// Whether a session is open.
    pub connected: bool,
    /// Since when (ms) it is up or down (0: not since this replica started).
    pub since_ms: i64,
    /// When the agent was last heard (ms; 0: never by this replica).
    pub heard_ms: i64,
    /// Why it last went down.
    pub last_error: String,
    /// Commands waiting for the agent's answer.
    pub waiting_commands: usize,
    /// Messages the agent's journal holds for the centre, as it last said.
    pub journaled: u64,
}

/// Every agent's link, by agent.
pub struct Links {
    slots: Mutex<HashMap<AgentId, Arc<Slot>>>,
    next_session: std::sync::atomic::AtomicU64,
    /// How links run.
    pub settings: LinkSettings,
}

impl Default for Links {
    fn default() -> Self {
        Self::new(LinkSettings::default())
    }
}

impl Links {
    /// No links yet.
    pub fn new(settings: LinkSettings) -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
            next_session: Default::default(),
            settings,
        }
    }

    /// An agent's link (made when first asked for).
    pub fn slot(&self, agent: AgentId) -> Arc<Slot> {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(agent)
            .or_insert_with(|| Arc::new(Slot::new()))
            .clone()
    }

    /// Where an agent's link stands, if this replica knows it.
    pub fn status(&self, agent: AgentId) -> Option<LinkStatus> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.get(&agent).map(|s| s.status())
    }

    pub(crate) fn session_handle(&self) -> (Arc<SessionHandle>, mpsc::UnboundedReceiver<Down>) {
        let (down, rx) = mpsc::unbounded_channel();
        let id = self
            .next_session
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (Arc::new(SessionHandle { id, down }), rx)
    }
}

impl Links {
    /// Ends an agent's session, if it has one, telling it why (it was revoked).
    pub fn refuse(&self, agent: AgentId, reason: &str) {
        let slot = self.slot(agent);
        let session = slot.session.borrow().clone();
        if let Some(s) = session {
            let _ = s.down.send(Down::Refused {
                reason: reason.to_string(),
            });
        }
    }
}
