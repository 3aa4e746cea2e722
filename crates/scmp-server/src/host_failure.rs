//! What inventory sync does when a guest's host fails: the guest is `down`, with the reason (its
//! host, and whether Proxmox HA is recovering it), never shown running; its HA state follows what
//! Proxmox reports, each change an event; and when Proxmox runs it again (HA recovered it on another
//! host, or its host came back) it is running or stopped as Proxmox shows, with an event.

use std::collections::HashSet;

use scmp_agent::protocol::ObservedGuest;
use scmp_common::{Error, GuestEventKind, GuestState};
use scmp_store::Guest;

use crate::context::AppState;

/// Moves the guest's record to where Proxmox shows it, when it moved (a `moved` event saying
/// `how`).
pub async fn follow(
    state: &AppState,
    g: &Guest,
    o: &ObservedGuest,
    how: &str,
) -> Result<(), Error> {
    if g.node.as_deref() == Some(o.node.as_str()) && g.vmid == Some(o.vmid) {
        return Ok(());
    }
    state.store.guest_relocate(g.id, &o.node, o.vmid).await?;
    let detail = format!("now VMID {} on {} ({how})", o.vmid, o.node);
    state
        .store
        .guest_event_add(g.id, GuestEventKind::Moved, &detail)
        .await
}

/// Records the guest's HA state as Proxmox reports it; an event when it changed.
pub async fn note_ha_state(state: &AppState, g: &Guest, o: &ObservedGuest) -> Result<(), Error> {
    let now = o.hastate.as_deref().unwrap_or_default();
    if state.store.guest_set_ha_state(g.id, now).await? && !now.is_empty() {
        let detail = format!("HA state {now} on {}", o.node);
        state
            .store
            .guest_event_add(g.id, GuestEventKind::HaState, &detail)
            .await?;
    }
    Ok(())
}

/// Why a guest on a failed host is down.
fn reason(o: &ObservedGuest) -> String {
    match o.hastate.as_deref() {
        Some(ha) => format!(
            "host {} failed; Proxmox HA is recovering the guest on another host (HA state: {ha})",
            o.node
        ),
        None => format!(
            "host {} failed; the guest is not under HA and stays down until its host is back",
            o.node
        ),
    }
}

/// Moves the guest into or out of `down` as its host fails or Proxmox runs it again; true when
/// the guest was handled here (nothing else to compare while it is down).
pub async fn handle(
    state: &AppState,
    g: &Guest,
    o: &ObservedGuest,
    online: &HashSet<&str>,
) -> Result<bool, Error> {
    let host_failed = !online.contains(o.node.as_str()) || o.status == "unknown";
    match (g.state, host_failed) {
        (GuestState::Running | GuestState::Stopped, true) => {
            let why = reason(o);
            if state
                .store
                .guest_end(g.id, g.state, GuestState::Down, &why, None, None)
                .await?
            {
                state
                    .store
                    .guest_event_add(g.id, GuestEventKind::Down, &why)
                    .await?;
            }
            Ok(true)
        }
        (GuestState::Down, true) => {
            let why = reason(o);
            if g.error != why {
                state
                    .store
                    .guest_end(g.id, GuestState::Down, GuestState::Down, &why, None, None)
                    .await?;
            }
            Ok(true)
        }
        (GuestState::Down, false) => {
            let now = if o.status == "running" {
                GuestState::Running
            } else {
                GuestState::Stopped
            };
            follow(state, g, o, "recovered by HA").await?;
            if state
                .store
                .guest_end(g.id, GuestState::Down, now, "", None, None)
                .await?
            {
                let detail = format!("{} on {} again", now.as_str(), o.node);
                state
                    .store
                    .guest_event_add(g.id, GuestEventKind::Recovered, &detail)
                    .await?;
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}
