//! One agent's session on the centre's side: the agent's certificate was verified in the TLS
//! handshake and its agent checked (enrolled, not revoked, of the site the certificate names)
//! before the upgrade; here its hello is taken (the app registers the cluster it fronts, at its
//! own site only), then commands go down and numbered answers come up, each acknowledged and taken
//! once, with pings both ways and the session dropped when the agent falls silent.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use scmp_agent::link::{Down, Up, UpBody};
use scmp_api::AgentView;
use tokio::time::Instant;

use crate::context::{AppState, RequestMeta};

/// How long the agent may take to say hello.
const HELLO_WAIT: Duration = Duration::from_secs(10);

/// Acknowledgements go up to this long after the message they acknowledge, or after this many
/// messages, whichever comes first: one acknowledges many when answers come thick.
const ACK_DELAY: Duration = Duration::from_millis(20);
const ACK_EVERY: u64 = 32;

/// How often the site's state is looked at (and sent when it changed).
const SITE_STATE_EVERY: Duration = Duration::from_secs(2);

async fn send(socket: &mut WebSocket, down: &Down) -> Result<(), String> {
    let text = serde_json::to_string(down).map_err(|e| e.to_string())?;
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|e| format!("sending: {e}"))
}

async fn receive(socket: &mut WebSocket) -> Result<Up, String> {
    loop {
        match socket.recv().await {
            None => return Err("the agent closed the link".into()),
            Some(Err(e)) => return Err(format!("receiving: {e}")),
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str())
                    .map_err(|e| format!("a message the centre does not understand: {e}"))
            }
            Some(Ok(Message::Close(_))) => return Err("the agent closed the link".into()),
            Some(Ok(_)) => continue,
        }
    }
}

async fn refuse(mut socket: WebSocket, reason: String) {
    tracing::warn!(reason = %reason, "an agent's link was refused");
    let _ = send(&mut socket, &Down::Refused { reason }).await;
    let _ = socket.send(Message::Close(None)).await;
}

/// Serves an agent's link until it breaks.
pub async fn serve(
    state: Arc<AppState>,
    meta: RequestMeta,
    agent: AgentView,
    mut socket: WebSocket,
) {
    let hello = match tokio::time::timeout(HELLO_WAIT, receive(&mut socket)).await {
        Ok(Ok(Up::Hello(h))) => h,
        Ok(Ok(_)) => return refuse(socket, "a session begins with a hello".into()).await,
        Ok(Err(e)) => return tracing::info!(agent = %agent.id, error = %e, "no hello"),
        Err(_) => return refuse(socket, "no hello in time".into()).await,
    };
    let cluster = match state.agent_hello(&meta, &agent, &hello).await {
        Ok(c) => c,
        Err(e) => return refuse(socket, e.to_string()).await,
    };
    let links = state.connections.links.clone();
    let interval = links.settings.ping_interval;
    let slot = links.slot(agent.id);
    let (handle, mut down) = links.session_handle();
    let welcome = Down::Welcome {
        acked: slot.acked(hello.stream),
        ping_interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
    };
    if send(&mut socket, &welcome).await.is_err() {
        return;
    }
    slot.attach(handle.clone(), state.clock.now_ms());
    slot.journaled(hello.waiting);
    tracing::info!(agent = %agent.id, site = %agent.site, cluster = %cluster.name, "an agent linked");
    state.agent_linked(&cluster).await;
    // What the site needs to work on its own, sent now and whenever it changed.
    // What was sent last (without its times), and until when its identity cache was valid.
    let mut site_sent = (String::new(), 0i64);
    let renew_after = i64::try_from(
        state
            .connections
            .links
            .settings
            .identity_validity
            .as_millis()
            / 10,
    )
    .unwrap_or(i64::MAX);
    let mut site_ticker = tokio::time::interval(SITE_STATE_EVERY);
    let mut heard = Instant::now();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut nonce = 0u64;
    // The highest sequence number taken and not yet acknowledged, how many, and by when.
    let mut to_ack: Option<(u64, u64, Instant)> = None;
    let error = loop {
        let ack_by = to_ack.map(|(_, _, by)| by);
        tokio::select! {
            up = receive(&mut socket) => {
                heard = Instant::now();
                slot.heard(state.clock.now_ms());
                let reply = match up {
                    Err(e) => break e,
                    Ok(Up::Message { seq, body }) => {
                        match body {
                            UpBody::Reply { id, outcome } => {
                                if slot.take(hello.stream, seq) {
                                    slot.answer(id, outcome);
                                }
                            }
                            report => {
                                if slot.acked(hello.stream) < seq {
                                    let key = format!("site-{}-{}-{seq}", agent.id, hello.stream);
                                    if let Err(e) = state.agent_site_report(&agent, &key, report).await {
                                        // Neither taken nor acknowledged: the agent sends it again.
                                        break format!("the site's message {seq}: {e}");
                                    }
                                    slot.take(hello.stream, seq);
                                }
                            }
                        }
                        let (upto, n, by) = to_ack.unwrap_or((0, 0, Instant::now() + ACK_DELAY));
                        if n + 1 < ACK_EVERY {
                            to_ack = Some((upto.max(seq), n + 1, by));
                            continue;
                        }
                        to_ack = None;
                        Down::Ack { upto: upto.max(seq) }
                    }
                    Ok(Up::Ping { nonce, waiting }) => {
                        slot.journaled(waiting);
                        Down::Pong { nonce }
                    }
                    Ok(Up::Pong { .. }) => continue,
                    Ok(Up::Hello(_)) => break "a second hello".into(),
                };
                if let Err(e) = send(&mut socket, &reply).await {
                    break e;
                }
            }
            _ = site_ticker.tick() => {
                match state.site_state_of(&cluster).await {
                    Ok(st) => {
                        let mut bare = st.clone();
                        (bare.at_ms, bare.identities_valid_until_ms) = (0, 0);
                        let key = serde_json::to_string(&bare).unwrap_or_default();
                        // Sent when it changed, and often enough that the cache stays valid.
                        let renew = st.identities_valid_until_ms - site_sent.1 >= renew_after;
                        if key != site_sent.0 || renew {
                            let until = st.identities_valid_until_ms;
                            if let Err(e) = send(&mut socket, &Down::SiteState(Box::new(st))).await {
                                break e;
                            }
                            site_sent = (key, until);
                        }
                    }
                    Err(e) => tracing::warn!(agent = %agent.id, error = %e, "cannot make the site's state"),
                }
            }
            _ = tokio::time::sleep_until(ack_by.unwrap_or_else(Instant::now)), if ack_by.is_some() => {
                if let Some((upto, _, _)) = to_ack.take() {
                    if let Err(e) = send(&mut socket, &Down::Ack { upto }).await {
                        break e;
                    }
                }
            }
            Some(d) = down.recv() => {
                let refused = matches!(d, Down::Refused { .. });
                if let Err(e) = send(&mut socket, &d).await {
                    break e;
                }
                if refused {
                    let _ = socket.send(Message::Close(None)).await;
                    break "refused".into();
                }
            }
            _ = ticker.tick() => {
                if heard.elapsed() > interval * 3 {
                    break format!("the agent was silent for {} ms", heard.elapsed().as_millis());
                }
                nonce += 1;
                if let Err(e) = send(&mut socket, &Down::Ping { nonce }).await {
                    break e;
                }
            }
        }
    };
    tracing::info!(agent = %agent.id, error = %error, "an agent's link ended");
    slot.detach(handle.id, state.clock.now_ms(), &error);
}
