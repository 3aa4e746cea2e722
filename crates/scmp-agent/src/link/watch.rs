//! What the site sees happen while its link is down: the agent looks at its cluster every few
//! seconds from the moment the link breaks, and each change to an scmp guest (stopped, started,
//! moved to another host, gone) is journaled as a numbered event with the time it was seen, kept
//! until the centre acknowledges it and replayed after reconnect, so the guest's history at the
//! centre has what happened while nobody could ask. While the link is up the centre looks itself.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use scmp_common::GuestId;
use tokio::sync::watch;

use super::client::LinkState;
use super::event::SiteEvent;
use super::outbox::Outbox;
use super::wire::UpBody;
use crate::command::{Agent, Command};

/// What one look showed of a guest: its status and host.
type Seen = BTreeMap<GuestId, (u32, String, String)>;

async fn look(agent: &dyn Agent) -> Option<Seen> {
    let obs = agent
        .ask(Command::Observe {
            with_bridges: false,
        })
        .await
        .and_then(crate::command::Reply::observation)
        .ok()?;
    if !obs.resources_read {
        return None;
    }
    Some(
        obs.guests
            .iter()
            .filter_map(|g| {
                let id = crate::identity::guest_of_tags(&g.tags)?;
                Some((id, (g.vmid, g.status.clone(), g.node.clone())))
            })
            .collect(),
    )
}

/// The events between two looks.
pub fn changes(before: &Seen, now: &Seen, at_ms: i64) -> Vec<SiteEvent> {
    let mut out = Vec::new();
    for (id, (vmid, status, node)) in now {
        let detail = match before.get(id) {
            None => format!("{status} on {node} (not seen before)"),
            Some((_, s, n)) if s != status && n != node => {
                format!("{status} (was {s}) on {node} (was on {n})")
            }
            Some((_, s, _)) if s != status => format!("{status} (was {s}) on {node}"),
            Some((_, _, n)) if n != node => format!("moved from {n} to {node}, {status}"),
            Some(_) => continue,
        };
        out.push(SiteEvent {
            at_ms,
            guest: *id,
            vmid: *vmid,
            detail,
        });
    }
    for (id, (vmid, _, node)) in before {
        if !now.contains_key(id) {
            out.push(SiteEvent {
                at_ms,
                guest: *id,
                vmid: *vmid,
                detail: format!("gone from the cluster (was on {node})"),
            });
        }
    }
    out
}

/// Watches the cluster while the link is down, every `every`, until `stop`.
pub async fn run(
    agent: Arc<dyn Agent>,
    outbox: Outbox,
    mut link: watch::Receiver<LinkState>,
    clock: scmp_common::SharedClock,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut before: Option<Seen> = None;
    loop {
        let up = matches!(*link.borrow(), LinkState::Connected { .. });
        if up {
            // The centre looks itself; the next break starts from a fresh look.
            before = None;
            tokio::select! {
                _ = link.changed() => {}
                _ = stop.changed() => return,
            }
            continue;
        }
        if let Some(now) = look(agent.as_ref()).await {
            if let Some(b) = &before {
                for e in changes(b, &now, clock.now_ms()) {
                    tracing::info!(guest = %e.guest, vmid = e.vmid, detail = %e.detail,
                        "seen at the site while cut off");
                    if let Err(err) = outbox.push(UpBody::Event(e)) {
                        tracing::error!(error = %err, "an event seen at the site could not be journaled");
                    }
                }
            }
            before = Some(now);
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_a_move_and_a_loss_are_told_apart() {
        let (a, b, c) = (GuestId::new(), GuestId::new(), GuestId::new());
        let mut before = Seen::new();
        before.insert(a, (101, "running".into(), "pve1".into()));
        before.insert(b, (102, "running".into(), "pve1".into()));
        before.insert(c, (103, "stopped".into(), "pve2".into()));
        let mut now = before.clone();
        now.insert(a, (101, "stopped".into(), "pve1".into()));
        now.insert(b, (102, "running".into(), "pve3".into()));
        now.remove(&c);
        let seen = changes(&before, &now, 5);
        let text: Vec<(GuestId, &str)> =
            seen.iter().map(|e| (e.guest, e.detail.as_str())).collect();
        assert!(
            text.contains(&(a, "stopped (was running) on pve1")),
            "{text:?}"
        );
        assert!(
            text.contains(&(b, "moved from pve1 to pve3, running")),
            "{text:?}"
        );
        assert!(
            text.contains(&(c, "gone from the cluster (was on pve2)")),
            "{text:?}"
        );
        assert_eq!(changes(&now, &now, 6), vec![]);
    }
}
