//! The site's guests as its API shows them: those the centre told the site of, and those the site
//! made on its own and the centre has not taken in yet, with their power state as the cluster shows
//! it now.

use axum::http::StatusCode;
use scmp_api::{GuestView, OperationView};
use scmp_common::time::from_ms;
use scmp_common::{GuestId, GuestState, OperationId, OperationKind, OperationState};

use scmp_authz::Action;

use super::auth::{allow, sees, Caller};
use super::problem::{problem, Refusal};
use super::SiteApi;
use crate::command::Command;

/// What the site's API knows of the site (sent by the centre).
pub fn state_or_missing(api: &SiteApi) -> Result<crate::link::SiteState, Refusal> {
    api.site.borrow().clone().ok_or_else(|| {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Nothing known yet",
            "the centre has not told this site about its guests yet",
        )
    })
}

/// The site's guests with their power state as the cluster shows it now (as the centre last
/// knew it when the cluster cannot be asked).
pub async fn live_guests(api: &SiteApi) -> Result<Vec<GuestView>, Refusal> {
    let mut guests = state_or_missing(api)?.guests;
    for (view, _) in local_guests(api)? {
        if !guests.iter().any(|g| g.id == view.id) {
            guests.push(view);
        }
    }
    if let Ok(obs) = api
        .agent
        .ask(Command::Observe {
            with_bridges: false,
        })
        .await
        .and_then(crate::command::Reply::observation)
    {
        for g in &mut guests {
            let seen = obs
                .guests
                .iter()
                .find(|o| crate::identity::guest_of_tags(&o.tags) == Some(g.id));
            if let Some(o) = seen {
                if matches!(g.state, GuestState::Running | GuestState::Stopped) {
                    g.state = if o.status == "running" {
                        GuestState::Running
                    } else {
                        GuestState::Stopped
                    };
                }
                g.host = Some(o.node.clone());
            }
        }
    }
    Ok(guests)
}

/// The guest a path names: by id, or by a name only one guest at the site has.
/// The caller must see it and be allowed `action` on it.
pub async fn find(
    api: &SiteApi,
    caller: &Caller,
    key: &str,
    action: Action,
) -> Result<GuestView, Refusal> {
    let all = live_guests(api).await?;
    let mut named: Vec<GuestView> = all
        .into_iter()
        .filter(|g| g.id.to_string() == key || g.name.as_str() == key)
        .filter(|g| sees(&api.authz, caller, g.tenant_id, g.project_id))
        .collect();
    match named.len() {
        1 => {
            let g = named.remove(0);
            allow(&api.authz, caller, action, g.tenant_id, g.project_id)?;
            Ok(g)
        }
        0 => Err(problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such guest",
            &format!("no guest '{key}' at this site"),
        )),
        _ => Err(problem(
            StatusCode::CONFLICT,
            "conflict",
            "Ambiguous",
            &format!("more than one guest is called '{key}' here: use its id"),
        )),
    }
}

/// The guests the site made on its own and has not deleted.
pub fn local_guests(api: &SiteApi) -> Result<Vec<(GuestView, crate::link::LocalGuest)>, Refusal> {
    api.outbox.journal().local_guests().map_err(|e| {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The site's journal failed",
            &e.to_string(),
        )
    })
}

/// An operation carried out at the site at once (the platform's API answers long changes with
/// operations; the site's are over when answered).
pub fn operation_view(
    kind: OperationKind,
    target: String,
    guest_id: GuestId,
    (started, finished): (i64, i64),
    error: Option<String>,
    tasks: Vec<String>,
) -> OperationView {
    OperationView {
        id: OperationId::new(),
        kind,
        target,
        guest_id: Some(guest_id),
        network_id: None,
        state: if error.is_none() {
            OperationState::Succeeded
        } else {
            OperationState::Failed
        },
        progress: 100,
        error,
        tasks,
        request_id: uuid::Uuid::new_v4().to_string(),
        created_at: from_ms(started),
        updated_at: from_ms(finished),
        warnings: Vec::new(),
    }
}

/// A guest's host and VMID at the site.
pub fn placed(g: &GuestView) -> Result<(String, u32), Refusal> {
    match (&g.host, g.vmid) {
        (Some(node), Some(vmid)) => Ok((node.clone(), vmid)),
        _ => Err(problem(
            StatusCode::CONFLICT,
            "conflict",
            "Not placed",
            "the guest has no host or VMID at this site",
        )),
    }
}
