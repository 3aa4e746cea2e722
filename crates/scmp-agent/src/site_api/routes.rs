//! The site API's routes: who is asking (`/me`), the projects and guests placed at the site (their
//! power state looked at live), power actions carried out on the cluster at once, and guests made
//! and deleted within offline budgets ([`super::create`]), each audited loudly; everything else is
//! answered with a problem that says it is not served here.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use scmp_api::{MeView, Page, ProjectView, RoleView};
use scmp_common::OperationKind;

use scmp_authz::{Action, Scope};

use super::auth::{allow, authenticate, refused, sees, Caller};
use super::problem::problem;
use super::record::{outcome, record, Done};
use super::view::{find, live_guests, placed, state_or_missing};
use super::SiteApi;
use crate::command::{Command, Power};

type Api = State<Arc<SiteApi>>;

pub fn router(api: Arc<SiteApi>) -> Router {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/sessions", post(super::sessions::login))
        .route("/api/v1/tenants/{tenant}/projects", get(projects))
        .route(
            "/api/v1/projects/{project}/guests",
            get(guests).post(super::create::create),
        )
        .route(
            "/api/v1/guests/{guest}",
            get(guest).delete(super::create::delete),
        )
        .route("/api/v1/guests/{guest}/{action}", post(power).get(console))
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

async fn me(State(api): Api, headers: HeaderMap) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    let view = match caller {
        Caller::BreakGlass => {
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
            MeView {
                id,
                name,
                tenant_id: None,
                credential,
                roles: vec![RoleView {
                    role: "break-glass".into(),
                    scope: "site".into(),
                }],
            }
        }
        Caller::User {
            identity,
            credential,
            principal,
            ..
        } => MeView {
            id: identity.user,
            name: identity.name.clone(),
            tenant_id: identity.tenant,
            credential,
            roles: principal
                .bindings
                .iter()
                .map(|b| RoleView {
                    role: b.role.name().to_string(),
                    scope: match b.scope {
                        Scope::Platform => "platform".to_string(),
                        Scope::Tenant(t) => format!("tenant/{t}"),
                        Scope::Project(_, p) => format!("project/{p}"),
                    },
                })
                .collect(),
        },
    };
    Json(view).into_response()
}

async fn projects(State(api): Api, headers: HeaderMap, Path(tenant): Path<String>) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    let st = match state_or_missing(&api) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let items: Vec<ProjectView> = st
        .projects
        .into_iter()
        .filter(|p| p.tenant.as_str() == tenant || p.project.tenant_id.to_string() == tenant)
        .filter(|p| sees(&api.authz, &caller, p.project.tenant_id, p.project.id))
        .map(|p| p.project)
        .collect();
    Json(Page {
        items,
        next_page_token: None,
    })
    .into_response()
}

async fn guests(State(api): Api, headers: HeaderMap, Path(project): Path<String>) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    let known = match state_or_missing(&api) {
        Ok(st) => st
            .projects
            .iter()
            .find(|p| p.project.id.to_string() == project)
            .map(|p| (p.project.tenant_id, p.project.id)),
        Err(r) => return r.into_response(),
    };
    let Some((t, p)) = known else {
        return problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "no such project here",
        )
        .into_response();
    };
    if let Err(r) = allow(&api.authz, &caller, Action::GuestList, t, p) {
        return r.into_response();
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

async fn guest(State(api): Api, headers: HeaderMap, Path(key): Path<String>) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    match find(&api, &caller, &key, Action::GuestView).await {
        Ok(g) => Json(g).into_response(),
        Err(r) => r.into_response(),
    }
}

/// `GET /guests/{guest}/console`: Proxmox VE's console for the guest, for those who may operate it.
async fn console(
    State(api): Api,
    headers: HeaderMap,
    Path((key, what)): Path<(String, String)>,
) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    if what != "console" {
        return problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not served at the site",
            "the site's API serves a guest's console, and its power by POST",
        )
        .into_response();
    }
    let g = match find(&api, &caller, &key, Action::GuestOperate).await {
        Ok(g) => g,
        Err(r) => return r.into_response(),
    };
    match placed(&g) {
        Ok((node, vmid)) => Json(crate::console::console(
            &api.pve_endpoint,
            g.id,
            g.kind,
            &node,
            vmid,
        ))
        .into_response(),
        Err(r) => r.into_response(),
    }
}

async fn power(
    State(api): Api,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((key, action)): Path<(String, String)>,
) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
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
    let g = match find(&api, &caller, &key, Action::GuestOperate).await {
        Ok(g) => g,
        Err(r) => return r.into_response(),
    };
    let (node, vmid) = match placed(&g) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    if matches!(caller, Caller::BreakGlass) {
        tracing::warn!(guest = %g.id, name = %g.name, action = %action, source = %peer,
            "break-glass: a guest's power changed through the site's API");
    }
    let started = api.clock.now_ms();
    let answer = api
        .agent
        .ask(Command::Power {
            kind: g.kind,
            node,
            vmid,
            action: power,
        })
        .await;
    let (error, upids) = outcome(&answer);
    let done = Done {
        kind,
        guest: g.id,
        target: format!("guest/{}", g.name),
        started,
        error,
        upids,
        made: None,
        change: None,
    };
    match record(&api, &caller, peer, done) {
        Ok(op) => Json(op).into_response(),
        Err(r) => r.into_response(),
    }
}
