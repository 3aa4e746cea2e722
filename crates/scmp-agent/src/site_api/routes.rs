//! The site API's routes: who is asking (`/me`), the projects and guests placed at the site (their
//! power state looked at live), and power actions carried out on the cluster at once, each
//! audited loudly; everything else is answered with a problem that says it is not served here.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use scmp_api::{GuestView, MeView, OperationView, Page, ProjectView, RoleView};
use scmp_common::time::from_ms;
use scmp_common::{AuthMethod, GuestState, OperationId, OperationKind, OperationState};

use super::auth::is_break_glass;
use super::SiteApi;
use crate::command::{Command, Power};
use crate::link::LocalEvent;

type Api = State<Arc<SiteApi>>;

pub fn router(api: Arc<SiteApi>) -> Router {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/tenants/{tenant}/projects", get(projects))
        .route("/api/v1/projects/{project}/guests", get(guests))
        .route("/api/v1/guests/{guest}", get(guest))
        .route("/api/v1/guests/{guest}/{action}", post(power))
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback(|| async {
            problem(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not served at the site",
                "the site's own API serves guests and their power; the rest is the platform's",
            )
        })
        .with_state(api)
}

/// A refusal, answered as RFC 9457 problem details.
struct Refusal {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "type": format!("https://scmp.dev/problems/{}", self.slug),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "instance": uuid::Uuid::new_v4().to_string(),
        });
        (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}

fn problem(status: StatusCode, slug: &'static str, title: &'static str, detail: &str) -> Refusal {
    Refusal {
        status,
        slug,
        title,
        detail: detail.to_string(),
    }
}

fn refused() -> Refusal {
    problem(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Authentication required",
        "the site's API takes the site's break-glass credential",
    )
}

fn now_ms() -> i64 {
    scmp_common::SystemClock::shared().now_ms()
}

async fn me(State(api): Api, headers: HeaderMap) -> Response {
    if !is_break_glass(&headers, &api.break_glass_sha256) {
        return refused().into_response();
    }
    let (id, credential) = api.break_glass_user;
    let Ok(name) = scmp_common::Name::new("break-glass") else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the break-glass identity has no valid name",
        )
        .into_response();
    };
    Json(MeView {
        id,
        name,
        tenant_id: None,
        credential,
        roles: vec![RoleView {
            role: "break-glass".into(),
            scope: "site".into(),
        }],
    })
    .into_response()
}

fn state_or_missing(api: &SiteApi) -> Result<crate::link::SiteState, Refusal> {
    api.site.borrow().clone().ok_or_else(|| {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Nothing known yet",
            "the centre has not told this site about its guests yet",
        )
    })
}

async fn projects(State(api): Api, headers: HeaderMap, Path(tenant): Path<String>) -> Response {
    if !is_break_glass(&headers, &api.break_glass_sha256) {
        return refused().into_response();
    }
    let st = match state_or_missing(&api) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let items: Vec<ProjectView> = st
        .projects
        .into_iter()
        .filter(|p| p.tenant.as_str() == tenant || p.project.tenant_id.to_string() == tenant)
        .map(|p| p.project)
        .collect();
    Json(Page {
        items,
        next_page_token: None,
    })
    .into_response()
}

/// The site's guests with their power state as the cluster shows it now (as the centre last
/// knew it when the cluster cannot be asked).
async fn live_guests(api: &SiteApi) -> Result<Vec<GuestView>, Refusal> {
    let mut guests = state_or_missing(api)?.guests;
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

async fn guests(State(api): Api, headers: HeaderMap, Path(project): Path<String>) -> Response {
    if !is_break_glass(&headers, &api.break_glass_sha256) {
        return refused().into_response();
    }
    match live_guests(&api).await {
        Ok(all) => Json(Page {
            items: all
                .into_iter()
                .filter(|g| g.project_id.to_string() == project)
                .collect::<Vec<_>>(),
            next_page_token: None,
        })
        .into_response(),
        Err(r) => r.into_response(),
    }
}

/// The guest a path names: by id, or by a name only one guest at the site has.
async fn find(api: &SiteApi, key: &str) -> Result<GuestView, Refusal> {
    let all = live_guests(api).await?;
    let mut named: Vec<GuestView> = all
        .into_iter()
        .filter(|g| g.id.to_string() == key || g.name.as_str() == key)
        .collect();
    match named.len() {
        1 => Ok(named.remove(0)),
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

async fn guest(State(api): Api, headers: HeaderMap, Path(key): Path<String>) -> Response {
    if !is_break_glass(&headers, &api.break_glass_sha256) {
        return refused().into_response();
    }
    match find(&api, &key).await {
        Ok(g) => Json(g).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn power(
    State(api): Api,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((key, action)): Path<(String, String)>,
) -> Response {
    if !is_break_glass(&headers, &api.break_glass_sha256) {
        return refused().into_response();
    }
    let (power, kind) = match action.as_str() {
        "start" => (Power::Start, OperationKind::GuestStart),
        "stop" => (Power::Stop, OperationKind::GuestStop),
        "shutdown" => (Power::Shutdown, OperationKind::GuestShutdown),
        "reboot" => (Power::Reboot, OperationKind::GuestReboot),
        _ => {
            return problem(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not served at the site",
                "the site's API starts, stops, shuts down and reboots guests",
            )
            .into_response()
        }
    };
    let g = match find(&api, &key).await {
        Ok(g) => g,
        Err(r) => return r.into_response(),
    };
    let (Some(node), Some(vmid)) = (g.host.clone(), g.vmid) else {
        return problem(
            StatusCode::CONFLICT,
            "conflict",
            "Not placed",
            "the guest has no host or VMID at this site",
        )
        .into_response();
    };
    tracing::warn!(guest = %g.id, name = %g.name, action = %action, source = %peer,
        "break-glass: a guest's power changed through the site's API");
    let started = now_ms();
    let outcome = api
        .agent
        .ask(Command::Power {
            kind: g.kind,
            node,
            vmid,
            action: power,
        })
        .await;
    let (error, upids) = match &outcome {
        Ok(r) => (None, r.upids.clone()),
        Err(e) => (Some(e.message.clone()), e.upids.clone()),
    };
    let event = LocalEvent {
        at_ms: started,
        operation: kind.as_str().to_string(),
        guest: g.id,
        method: AuthMethod::BreakGlass,
        source: peer.ip().to_string(),
        error: error.clone(),
        upids: upids.clone(),
    };
    if let Err(e) = api.outbox.push_audit(&api.signer, &event) {
        tracing::error!(error = %e, "the site's audit entry could not be journaled");
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Not recorded",
            "the action was carried out but the site's journal failed: tell the platform's operators",
        ).into_response();
    }
    let view = OperationView {
        id: OperationId::new(),
        kind,
        target: format!("guest/{}", g.name),
        guest_id: g.id,
        state: if error.is_none() {
            OperationState::Succeeded
        } else {
            OperationState::Failed
        },
        progress: 100,
        error,
        tasks: upids,
        request_id: uuid::Uuid::new_v4().to_string(),
        created_at: from_ms(started),
        updated_at: from_ms(now_ms()),
    };
    Json(view).into_response()
}
