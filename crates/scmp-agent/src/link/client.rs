//! The agent's side of the link. It connects out to the centre's agent listener with its client
//! certificate (trusting only the CA it enrolled under), says hello, and then serves the centre's
//! commands with its [`Agent`] while it sends their answers up as numbered messages, keeping each
//! until the centre acknowledges it. When the link breaks (an error, a reset, a peer silent for
//! three ping intervals) it connects again after a jittered wait and sends what was not
//! acknowledged; a command the centre sends again is answered by the agent's deduplication.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use pve_client::Trust;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::backoff::Backoff;
use super::journal::{Journal, JournalError};
use super::outbox::{Numbered, Outbox};
use super::wire::{
    ClusterHello, Down, Hello, Outcome, SiteState, Up, UpBody, LINK_PATH, PROTOCOL_VERSION,
};
use crate::command::Agent;
use scmp_common::AgentId;

/// What the agent presents and trusts: its certificate and key, and its CA (all PEM).
#[derive(Clone)]
pub struct Credentials {
    /// The agent's certificate.
    pub cert_pem: String,
    /// Its key.
    pub key_pem: String,
    /// The platform's agent CA.
    pub ca_pem: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(<private>)")
    }
}

/// How the link runs.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// The centre's agent endpoint, `https://host:port`.
    pub server: String,
    /// The agent.
    pub agent: AgentId,
    /// The cluster it fronts.
    pub cluster: ClusterHello,
    /// The first reconnect wait and the longest.
    pub backoff: (Duration, Duration),
    /// How long connecting and the hello may take.
    pub connect_timeout: Duration,
}

/// Where the link stands, for whoever watches it at the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Not yet connected.
    Connecting,
    /// A session is open (since when, on the monotonic clock).
    Connected {
        /// Since.
        since: Instant,
    },
    /// The link broke.
    Disconnected {
        /// Since.
        since: Instant,
        /// Why.
        error: String,
    },
}

/// Why the link stopped for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEnd {
    /// It was asked to.
    Stopped,
    /// The centre refused the agent (revoked, another site's cluster, a wrong version).
    Refused(String),
    /// The journal failed: what the agent owes the centre could no longer be kept.
    Failed(String),
}

/// The link's WebSocket over mutual TLS.
pub type Socket = WebSocketStream<tokio_rustls::client::TlsStream<TcpStream>>;

/// How long a stopping agent waits for the commands it is carrying out.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// Carries out a command, or answers it from the journal if the agent carried it out before
/// (before a restart, too), and keeps the answer in the journal until the centre has it; an
/// answer that is not a transient failure is remembered with it, in one transaction. The answer
/// is queued for the session in the order of its number.
async fn carry_out(
    agent: &dyn Agent,
    outbox: &Outbox,
    id: crate::CommandId,
    command: crate::Command,
) -> Result<(), JournalError> {
    let known = match outbox.journal().answer_of(id) {
        Ok(known) => known,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the journal; carrying the command out");
            None
        }
    };
    let (outcome, remember) = match known {
        Some(outcome) => (outcome, false),
        None => {
            let result = agent.call(id, command).await;
            let transient = matches!(&result, Err(e) if e.is_transient());
            (Outcome::from(result), !transient)
        }
    };
    outbox.push_answer(UpBody::Reply { id, outcome }, remember)?;
    Ok(())
}

/// How a session ended.
enum SessionEnd {
    /// Broke, or never opened: connect again after a wait.
    Broken(String),
    /// New credentials: connect again now.
    Renewed,
    /// For good.
    Done(LinkEnd),
}

/// Runs the link until `stop` turns true or the centre refuses the agent; what the agent owes the
/// centre is kept in the `outbox`'s journal until acknowledged, and what the centre tells the site
/// about itself goes to `site` (and the journal).
pub async fn run(
    options: LinkOptions,
    mut credentials: watch::Receiver<Credentials>,
    agent: Arc<dyn Agent>,
    outbox: Outbox,
    site: watch::Sender<Option<SiteState>>,
    state: watch::Sender<LinkState>,
    mut stop: watch::Receiver<bool>,
) -> LinkEnd {
    let Some(mut answered) = outbox.take_queue() else {
        return LinkEnd::Failed("the outbox has a link already".into());
    };
    if site.borrow().is_none() {
        match outbox.journal().site_state() {
            Ok(Some(kept)) => {
                site.send_replace(Some(kept));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the site's state from the journal"),
        }
    }
    let mut in_flight = tokio::task::JoinSet::new();
    let end = link_loop(
        &options,
        &mut credentials,
        &agent,
        (&outbox, &site),
        (&mut answered, &mut in_flight),
        &state,
        &mut stop,
    )
    .await;
    // Commands under way finish, and their answers are journaled, before the agent stops.
    let grace = tokio::time::timeout(STOP_GRACE, async {
        while in_flight.join_next().await.is_some() {}
    });
    if grace.await.is_err() {
        tracing::warn!("commands still under way when the agent stopped");
    }
    end
}

/// Sessions, and waits between them, until the link ends.
async fn link_loop(
    options: &LinkOptions,
    credentials: &mut watch::Receiver<Credentials>,
    agent: &Arc<dyn Agent>,
    (outbox, site): (&Outbox, &watch::Sender<Option<SiteState>>),
    (answered, in_flight): (
        &mut mpsc::UnboundedReceiver<Numbered>,
        &mut tokio::task::JoinSet<()>,
    ),
    state: &watch::Sender<LinkState>,
    stop: &mut watch::Receiver<bool>,
) -> LinkEnd {
    let mut backoff = Backoff::new(options.backoff.0, options.backoff.1);
    loop {
        if *stop.borrow() {
            return LinkEnd::Stopped;
        }
        let creds = credentials.borrow_and_update().clone();
        let end = match open(&options.server, &creds, options.connect_timeout).await {
            Ok(socket) => {
                session(
                    socket,
                    options,
                    (outbox, site),
                    agent,
                    (answered, in_flight),
                    credentials,
                    stop,
                    (state, &mut backoff),
                )
                .await
            }
            Err(e) => SessionEnd::Broken(e),
        };
        let error = match end {
            SessionEnd::Done(end) => return end,
            SessionEnd::Renewed => continue,
            SessionEnd::Broken(e) => e,
        };
        tracing::warn!(server = %options.server, error = %error, "the link to the centre is down");
        state.send_replace(LinkState::Disconnected {
            since: Instant::now(),
            error,
        });
        // Answers finished meanwhile are in the journal, for the next session.
        let wait = tokio::time::sleep(backoff.next_wait());
        tokio::pin!(wait);
        loop {
            tokio::select! {
                _ = &mut wait => break,
                Some(_) = answered.recv() => {}
                Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                    if let Err(e) = done {
                        tracing::warn!(error = %e, "a command's task failed");
                    }
                }
                _ = stop.changed() => return LinkEnd::Stopped,
                _ = credentials.changed() => break,
            }
        }
    }
}

/// Opens the link's socket to `server`: TCP, TLS with the agent's certificate (trusting only its
/// CA), and the WebSocket upgrade, all within `within`.
pub async fn open(server: &str, creds: &Credentials, within: Duration) -> Result<Socket, String> {
    let url = url::Url::parse(server).map_err(|e| format!("{server}: {e}"))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("{server}: no host"))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let mut tls = Trust::CaPem(creds.ca_pem.clone())
        .client_config_with_cert(&creds.cert_pem, &creds.key_pem)?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = ServerName::try_from(host.clone()).map_err(|e| format!("{host}: {e}"))?;
    let steps = async {
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        tcp.set_nodelay(true).ok();
        let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {host}:{port}: {e}"))?;
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let (socket, _) =
            tokio_tungstenite::client_async(format!("wss://{authority}{LINK_PATH}"), stream)
                .await
                .map_err(|e| format!("the link's upgrade: {e}"))?;
        Ok::<_, String>(socket)
    };
    tokio::time::timeout(within, steps)
        .await
        .map_err(|_| format!("connecting to {host}:{port} timed out"))?
}

async fn send(socket: &mut Socket, up: &Up) -> Result<(), String> {
    let text = serde_json::to_string(up).map_err(|e| e.to_string())?;
    socket
        .send(Message::text(text))
        .await
        .map_err(|e| format!("sending: {e}"))
}

/// The next message down, or why there is none.
async fn receive(socket: &mut Socket) -> Result<Down, String> {
    loop {
        match socket.next().await {
            None => return Err("the centre closed the link".into()),
            Some(Err(e)) => return Err(format!("receiving: {e}")),
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str())
                    .map_err(|e| format!("a message the agent does not understand: {e}"))
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(match frame {
                    Some(f) if !f.reason.is_empty() => format!("the centre closed: {}", f.reason),
                    _ => "the centre closed the link".into(),
                })
            }
            // Transport pings are answered by tungstenite; binary frames mean nothing here.
            Some(Ok(_)) => continue,
        }
    }
}

/// One session: hello, welcome, then commands down and answers up until the link breaks.
#[allow(clippy::too_many_arguments)]
async fn session(
    mut socket: Socket,
    options: &LinkOptions,
    (outbox, site): (&Outbox, &watch::Sender<Option<SiteState>>),
    agent: &Arc<dyn Agent>,
    (answered, in_flight): (
        &mut mpsc::UnboundedReceiver<Numbered>,
        &mut tokio::task::JoinSet<()>,
    ),
    credentials: &mut watch::Receiver<Credentials>,
    stop: &mut watch::Receiver<bool>,
    (state, backoff): (&watch::Sender<LinkState>, &mut Backoff),
) -> SessionEnd {
    let journal: &Journal = outbox.journal();
    let failed = |e: JournalError| SessionEnd::Done(LinkEnd::Failed(e.to_string()));
    // What was queued while the link was down is in the journal: it is sent from there.
    while answered.try_recv().is_ok() {}
    let resend_from = match journal.resend_from() {
        Ok(n) => n,
        Err(e) => return failed(e),
    };
    let hello = Up::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        agent: options.agent,
        cluster: options.cluster.clone(),
        stream: journal.stream(),
        resend_from,
        waiting: journal.waiting().unwrap_or(0),
    });
    if let Err(e) = send(&mut socket, &hello).await {
        return SessionEnd::Broken(e);
    }
    let interval = match tokio::time::timeout(options.connect_timeout, receive(&mut socket)).await {
        Err(_) => return SessionEnd::Broken("no welcome from the centre".into()),
        Ok(Err(e)) => return SessionEnd::Broken(e),
        Ok(Ok(Down::Refused { reason })) => return SessionEnd::Done(LinkEnd::Refused(reason)),
        Ok(Ok(Down::Welcome {
            acked,
            ping_interval_ms,
        })) => {
            if let Err(e) = journal.ack(acked) {
                return failed(e);
            }
            Duration::from_millis(ping_interval_ms.max(100))
        }
        Ok(Ok(other)) => {
            return SessionEnd::Broken(format!("the centre began with {other:?}, not a welcome"))
        }
    };
    backoff.reset();
    state.send_replace(LinkState::Connected {
        since: Instant::now(),
    });
    tracing::info!(server = %options.server, "linked to the centre");
    let resend = match journal.unacked() {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    for (seq, body) in resend {
        if let Err(e) = send(&mut socket, &Up::Message { seq, body }).await {
            return SessionEnd::Broken(e);
        }
    }
    let mut heard = Instant::now();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut nonce = 0u64;
    loop {
        tokio::select! {
            down = receive(&mut socket) => {
                heard = Instant::now();
                match down {
                    Err(e) => return SessionEnd::Broken(e),
                    Ok(Down::Command { id, command }) => {
                        let (agent, outbox) = (agent.clone(), outbox.clone());
                        in_flight.spawn(async move {
                            if let Err(e) = carry_out(&*agent, &outbox, id, *command).await {
                                tracing::error!(error = %e, "a command's answer could not be journaled");
                            }
                        });
                    }
                    Ok(Down::Ack { upto }) => {
                        if let Err(e) = journal.ack(upto) {
                            return failed(e);
                        }
                    }
                    Ok(Down::Ping { nonce }) => {
                        if let Err(e) = send(&mut socket, &Up::Pong { nonce }).await {
                            return SessionEnd::Broken(e);
                        }
                    }
                    Ok(Down::Pong { .. }) => {}
                    Ok(Down::SiteState(st)) => {
                        if let Err(e) = journal.set_site_state(&st) {
                            return failed(e);
                        }
                        site.send_replace(Some(*st));
                    }
                    Ok(Down::Refused { reason }) => return SessionEnd::Done(LinkEnd::Refused(reason)),
                    Ok(Down::Welcome { .. }) => {}
                }
            }
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Err(e) = done {
                    tracing::warn!(error = %e, "a command's task failed");
                }
            }
            Some((seq, body)) = answered.recv() => {
                if let Err(e) = send(&mut socket, &Up::Message { seq, body }).await {
                    return SessionEnd::Broken(e);
                }
            }
            _ = ticker.tick() => {
                if heard.elapsed() > interval * 3 {
                    return SessionEnd::Broken(format!(
                        "the centre was silent for {} ms", heard.elapsed().as_millis()
                    ));
                }
                nonce += 1;
                let waiting = journal.waiting().unwrap_or(0);
                if let Err(e) = send(&mut socket, &Up::Ping { nonce, waiting }).await {
                    return SessionEnd::Broken(e);
                }
            }
            _ = credentials.changed() => {
                let _ = socket.close(None).await;
                return SessionEnd::Renewed;
            }
            _ = stop.changed() => {
                let _ = socket.close(None).await;
                return SessionEnd::Done(LinkEnd::Stopped);
            }
        }
    }
}
