//! The HTTP layer: glue only. The router with its OpenAPI document, the middleware (request ids,
//! metrics, security headers, timeouts, idempotency keys), extractors that turn bad input into
//! problems, and one handler per operation that unpacks the request, calls one app function and
//! answers.

mod agents;
mod approvals;
mod audit;
mod auth;
mod backups;
mod clusters;
mod compliance;
mod doc_shape;
mod extract;
mod groups;
mod guest_actions;
mod guests;
mod hosts;
mod idempotency;
mod images;
mod instance_types;
mod me;
mod mfa;
mod networks;
mod operations;
mod platform;
mod policies;
mod portal;
mod portal_sso;
mod problems_doc;
mod projects;
mod public_addresses;
mod realms;
mod role_bindings;
mod roles;
mod security_groups;
mod sessions;
mod site_budgets;
mod site_links;
mod sites;
mod snapshots;
mod sso;
mod tenants;
mod tokens;
mod users;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{HeaderValue, StatusCode};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use extract::{ApiJson, ApiPath, ApiPath2, ApiQuery, Meta};

use crate::context::AppState;
use crate::error::HttpError;

/// The request id, set by the middleware for handlers and the audit log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// `201 Created` with the new object.
pub fn created<T>(v: T) -> (StatusCode, axum::Json<T>) {
    (StatusCode::CREATED, axum::Json(v))
}

/// `202 Accepted` (or `200` when it already ended) with the operation and its `Location`.
pub fn accepted(op: scmp_api::OperationView) -> Response {
    let status = if op.state.is_terminal() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    let location = format!("/api/v1/operations/{}", op.id);
    (status, [(http::header::LOCATION, location)], axum::Json(op)).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "scmp", description = "Secure Cloud Management Platform for Proxmox VE edge locations", license(name = "Apache-2.0")),
    modifiers(&BearerAuth),
    components(schemas(scmp_api::Problem, scmp_api::FieldError)),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tenants::tenant_list, tenants::tenant_create))
        .routes(routes!(
            tenants::tenant_view,
            tenants::tenant_update,
            tenants::tenant_delete
        ))
        .routes(routes!(
            tenants::tenant_quota_view,
            tenants::tenant_quota_update
        ))
        .routes(routes!(projects::project_list, projects::project_create))
        .routes(routes!(
            projects::project_view,
            projects::project_update,
            projects::project_delete
        ))
        .routes(routes!(
            projects::project_quota_view,
            projects::project_quota_update
        ))
        .routes(routes!(networks::network_list, networks::network_create))
        .routes(routes!(
            networks::network_view,
            networks::network_update,
            networks::network_delete
        ))
        .routes(routes!(
            networks::site_networking_view,
            networks::site_networking_set
        ))
        .routes(routes!(
            public_addresses::public_pool_list,
            public_addresses::public_pool_create
        ))
        .routes(routes!(public_addresses::public_pool_delete))
        .routes(routes!(public_addresses::site_nat_view))
        .routes(routes!(
            public_addresses::public_address_list,
            public_addresses::public_address_create
        ))
        .routes(routes!(
            public_addresses::public_address_view,
            public_addresses::public_address_delete
        ))
        .routes(routes!(public_addresses::public_address_attach))
        .routes(routes!(public_addresses::public_address_detach))
        .routes(routes!(
            security_groups::security_group_list,
            security_groups::security_group_create
        ))
        .routes(routes!(
            security_groups::security_group_view,
            security_groups::security_group_update,
            security_groups::security_group_delete
        ))
        .routes(routes!(security_groups::guest_security_groups_set))
        .routes(routes!(site_links::tunnel_list))
        .routes(routes!(site_links::tunnel_hub_set))
        .routes(routes!(site_links::tunnel_hub_config))
        .routes(routes!(
            site_links::site_tunnel_enable,
            site_links::site_tunnel_delete
        ))
        .routes(routes!(site_links::site_tunnel_rotate))
        .routes(routes!(site_links::site_tunnel_config))
        .routes(routes!(site_budgets::site_budget_list))
        .routes(routes!(
            site_budgets::site_budget_set,
            site_budgets::site_budget_withdraw
        ))
        .routes(routes!(me::me_view))
        .routes(routes!(mfa::me_mfa_view))
        .routes(routes!(mfa::mfa_totp_enroll))
        .routes(routes!(mfa::mfa_totp_confirm))
        .routes(routes!(mfa::mfa_totp_disable))
        .routes(routes!(tokens::token_list, tokens::token_create))
        .routes(routes!(tokens::token_delete))
        .routes(routes!(audit::audit_list))
        .routes(routes!(audit::audit_checkpoint_list))
        .routes(routes!(audit::audit_verify))
        .routes(routes!(sites::site_list, sites::site_create))
        .routes(routes!(
            sites::site_view,
            sites::site_update,
            sites::site_delete
        ))
        .routes(routes!(clusters::cluster_list, clusters::cluster_create))
        .routes(routes!(
            clusters::cluster_view,
            clusters::cluster_update,
            clusters::cluster_delete
        ))
        .routes(routes!(hosts::host_list))
        .routes(routes!(hosts::host_view))
        .routes(routes!(hosts::host_maintenance_enter))
        .routes(routes!(hosts::host_maintenance_exit))
        .routes(routes!(images::image_list, images::image_create))
        .routes(routes!(images::image_view, images::image_delete))
        .routes(routes!(
            instance_types::instance_type_list,
            instance_types::instance_type_create
        ))
        .routes(routes!(
            instance_types::instance_type_view,
            instance_types::instance_type_delete
        ))
        .routes(routes!(guests::guest_list, guests::guest_create))
        .routes(routes!(
            guests::guest_view,
            guests::guest_update,
            guests::guest_delete
        ))
        .routes(routes!(guests::guest_console))
        .routes(routes!(guests::guest_lease_extend))
        .routes(routes!(guest_actions::guest_start))
        .routes(routes!(guest_actions::guest_stop))
        .routes(routes!(guest_actions::guest_shutdown))
        .routes(routes!(guest_actions::guest_reboot))
        .routes(routes!(guest_actions::guest_migrate))
        .routes(routes!(
            snapshots::snapshot_list,
            snapshots::snapshot_create
        ))
        .routes(routes!(snapshots::snapshot_rollback))
        .routes(routes!(snapshots::snapshot_delete))
        .routes(routes!(backups::backup_list, backups::backup_create))
        .routes(routes!(backups::backup_protect))
        .routes(routes!(backups::backup_unprotect))
        .routes(routes!(backups::backup_delete))
        .routes(routes!(backups::guest_restore))
        .routes(routes!(operations::operation_list))
        .routes(routes!(operations::operation_view))
        .routes(routes!(operations::operation_cancel))
        .routes(routes!(users::user_list, users::user_create))
        .routes(routes!(
            users::user_view,
            users::user_update,
            users::user_delete
        ))
        .routes(routes!(
            role_bindings::role_binding_list,
            role_bindings::role_binding_create
        ))
        .routes(routes!(role_bindings::role_binding_delete))
        .routes(routes!(groups::group_list, groups::group_create))
        .routes(routes!(
            groups::group_view,
            groups::group_update,
            groups::group_delete
        ))
        .routes(routes!(
            platform::platform_settings_view,
            platform::platform_settings_update
        ))
        .routes(routes!(realms::realm_list, realms::realm_create))
        .routes(routes!(
            realms::realm_view,
            realms::realm_update,
            realms::realm_delete
        ))
        .routes(routes!(policies::policy_list, policies::policy_create))
        .routes(routes!(policies::policy_dry_run))
        .routes(routes!(policies::policy_schema))
        .routes(routes!(
            policies::policy_view,
            policies::policy_update,
            policies::policy_delete
        ))
        .routes(routes!(policies::policy_versions))
        .routes(routes!(compliance::compliance_report))
        .routes(routes!(compliance::compliance_scan))
        .routes(routes!(approvals::approval_list))
        .routes(routes!(approvals::approval_view))
        .routes(routes!(approvals::approval_approve))
        .routes(routes!(approvals::approval_reject))
        .routes(routes!(approvals::approval_itsm_callback))
        .routes(routes!(tenants::tenant_labels_update))
        .routes(routes!(projects::project_labels_update))
        .routes(routes!(roles::role_list, roles::role_create))
        .routes(routes!(
            roles::role_view,
            roles::role_update,
            roles::role_delete
        ))
        .routes(routes!(realms::realm_test))
        .routes(routes!(realms::realm_sync))
        .routes(routes!(sso::sso_begin))
        .routes(routes!(sso::sso_complete))
        .routes(routes!(sso::sso_logout_url))
        .routes(routes!(sessions::session_create, sessions::session_delete))
        .routes(routes!(agents::join_token_list, agents::join_token_create))
        .routes(routes!(agents::join_token_delete))
        .routes(routes!(agents::agent_enroll))
        .routes(routes!(agents::agent_renew))
        .routes(routes!(agents::agent_view))
        .routes(routes!(agents::agent_list))
        .routes(routes!(agents::agent_revoke))
}

/// The routes and the OpenAPI document they make, in the shape clients read: problem answers on
/// every operation, operations tagged by resource, list items referenced.
fn routes_and_document() -> (Router<Arc<AppState>>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = api().split_for_parts();
    problems_doc::add_problem_answers(&mut doc);
    doc_shape::add_tags(&mut doc);
    doc_shape::reference_page_items(&mut doc);
    (routes, doc)
}

/// The OpenAPI document, as served at `/api/v1/openapi.json` and checked in as `openapi/scmp.json`.
pub fn openapi_document() -> String {
    routes_and_document().1.to_pretty_json().unwrap_or_default()
}

/// The operation id of each `METHOD /path` the API serves (`GET /api/v1/tenants` -> `tenant_list`).
fn operation_ids(doc: &utoipa::openapi::OpenApi) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ] {
            if let Some(id) = op.as_ref().and_then(|o| o.operation_id.clone()) {
                out.insert(format!("{method} {path}"), id);
            }
        }
    }
    out
}

/// What the middleware around every request needs.
struct Around {
    state: Arc<AppState>,
    operation_ids: HashMap<String, String>,
}

/// The whole application.
/// What the agents' listener serves: their routes only, with the same request handling.
pub fn agent_router(state: Arc<AppState>) -> Router {
    let (_, doc) = routes_and_document();
    let around_state = Arc::new(Around {
        state: state.clone(),
        operation_ids: operation_ids(&doc),
    });
    Router::new()
        .route(
            "/api/v1/agent/enroll",
            axum::routing::post(agents::agent_enroll),
        )
        .route(
            "/api/v1/agent/renew",
            axum::routing::post(agents::agent_renew),
        )
        .route("/api/v1/agent/whoami", get(agents::agent_whoami))
        .route(scmp_agent::link::LINK_PATH, get(agents::agent_link))
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback(|| async { HttpError(scmp_common::Error::NoSuchPath) })
        .method_not_allowed_fallback(|| async { HttpError(scmp_common::Error::MethodNotAllowed) })
        .layer(axum::middleware::from_fn_with_state(around_state, around))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .with_state(state)
}

pub fn router(state: Arc<AppState>) -> Router {
    let (api, doc) = routes_and_document();
    let doc_json = doc.to_pretty_json().unwrap_or_default();
    let around_state = Arc::new(Around {
        state: state.clone(),
        operation_ids: operation_ids(&doc),
    });
    Router::new()
        .merge(api)
        .merge(portal::routes())
        .merge(portal_sso::routes())
        .route("/api/v1/openapi.json", get(move || async move { ([(http::header::CONTENT_TYPE, "application/json")], doc_json) }))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(|| async { HttpError(scmp_common::Error::NoSuchPath) })
        .method_not_allowed_fallback(|| async { HttpError(scmp_common::Error::MethodNotAllowed) })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        ))
        .layer(axum::middleware::from_fn_with_state(around_state, around))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .with_state(state)
}

async fn readyz(State(s): State<Arc<AppState>>) -> Response {
    match s.store.ping().await {
        Ok(()) => "ready\n".into_response(),
        Err(e) => HttpError::from(e).into_response(),
    }
}

async fn metrics(State(s): State<Arc<AppState>>) -> Response {
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response()
}

/// Around every request: a request id, a `request` span that every log line of the request carries
/// (the request id, the operation id, and the actor once authenticated), security headers, and
/// metrics by operation and status.
async fn around(State(a): State<Arc<Around>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = a.state.random.uuid().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let operation = format!(
        "{} {}",
        req.method(),
        req.extensions()
            .get::<MatchedPath>()
            .map(|m| m.as_str())
            .unwrap_or("unmatched")
    );
    let operation_id = a
        .operation_ids
        .get(&operation)
        .map(String::as_str)
        .unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        operation = %operation_id,
        actor = tracing::field::Empty,
    );
    let mut resp = crate::error::REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span))
        .await;
    let s = &a.state;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=31536000"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
    );
    s.metrics.observe(
        &operation,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}
