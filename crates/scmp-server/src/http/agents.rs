//! Site agents: glue to `app::agents`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_api::*;

use super::{ApiJson, ApiPath, ApiQuery, Meta};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Makes a single-use join token for a site's agent (platform administrators). The token's text
/// is answered once; it carries the SHA-256 of the platform's agent CA.
#[utoipa::path(post, path = "/api/v1/sites/{site}/join-tokens", operation_id = "join_token_create",
    params(("site" = String, Path, description = "Site id or name")), request_body = JoinTokenCreate,
    responses((status = 201, body = JoinTokenCreated), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn join_token_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(site): ApiPath,
    ApiJson(body): ApiJson<JoinTokenCreate>,
) -> Result<(StatusCode, Json<JoinTokenCreated>), HttpError> {
    let made = s.join_token_create(&ctx, &site, body).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// A site's join tokens (platform staff; never their secrets).
#[utoipa::path(get, path = "/api/v1/sites/{site}/join-tokens", operation_id = "join_token_list",
    params(("site" = String, Path, description = "Site id or name"), PageQuery),
    responses((status = 200, body = Page<JoinTokenView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn join_token_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(site): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<JoinTokenView>>, HttpError> {
    Ok(Json(s.join_token_list(&ctx, &site, &q).await?))
}

/// Withdraws a join token that was not used (a used one is the record of its agent's enrollment:
/// revoke the agent instead).
#[utoipa::path(delete, path = "/api/v1/join-tokens/{join_token}", operation_id = "join_token_delete",
    params(("join_token" = String, Path, description = "Join token id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn join_token_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(token): ApiPath,
) -> Result<StatusCode, HttpError> {
    s.join_token_delete(&ctx, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An agent's enrollment: a join token and a certificate request for the key the agent made
/// answer a short-lived client certificate naming the token's site. No bearer token: the join
/// token is the credential, and it is good once.
#[utoipa::path(post, path = "/api/v1/agent/enroll", operation_id = "agent_enroll", request_body = AgentEnroll, security(()),
    responses((status = 201, body = AgentEnrolled), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn agent_enroll(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<AgentEnroll>,
) -> Result<(StatusCode, Json<AgentEnrolled>), HttpError> {
    let enrolled = s.agent_enroll(&meta, body).await?;
    Ok((StatusCode::CREATED, Json(enrolled)))
}

/// A new short-lived certificate for an enrolled agent that is not revoked, asked with a
/// certificate request for the key it enrolled with (also after its certificate ran out).
#[utoipa::path(post, path = "/api/v1/agent/renew", operation_id = "agent_renew", request_body = AgentRenew, security(()),
    responses((status = 200, body = AgentEnrolled), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn agent_renew(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<AgentRenew>,
) -> Result<Json<AgentEnrolled>, HttpError> {
    Ok(Json(s.agent_renew(&meta, body).await?))
}

/// A site's agents (platform staff).
#[utoipa::path(get, path = "/api/v1/sites/{site}/agents", operation_id = "agent_list",
    params(("site" = String, Path, description = "Site id or name"), PageQuery),
    responses((status = 200, body = Page<AgentView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn agent_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(site): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<AgentView>>, HttpError> {
    Ok(Json(s.agent_list(&ctx, &site, &q).await?))
}

/// One agent.
#[utoipa::path(get, path = "/api/v1/agents/{agent}", operation_id = "agent_view",
    params(("agent" = String, Path, description = "Agent id")),
    responses((status = 200, body = AgentView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn agent_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(agent): ApiPath,
) -> Result<Json<AgentView>, HttpError> {
    Ok(Json(s.agent_get(&ctx, &agent).await?))
}

/// Revokes an agent for good: it may not connect or renew again.
#[utoipa::path(post, path = "/api/v1/agents/{agent}/revoke", operation_id = "agent_revoke",
    params(("agent" = String, Path, description = "Agent id")),
    responses((status = 200, body = AgentView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn agent_revoke(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(agent): ApiPath,
) -> Result<Json<AgentView>, HttpError> {
    Ok(Json(s.agent_revoke(&ctx, &agent).await?))
}

/// The agent this connection's client certificate names, on the agents' listener (not in the API
/// document: the API's listener does not serve it).
pub async fn agent_whoami(
    State(s): State<Arc<AppState>>,
    axum::Extension(peer): axum::Extension<crate::context::PeerAgent>,
) -> Result<Json<AgentView>, HttpError> {
    Ok(Json(s.agent_of_peer(peer.0).await?))
}

/// The agent's link (a WebSocket over this connection's mutual TLS), on the agents' listener: the
/// certificate's agent is checked before the upgrade, and speaks only for its own site after it.
pub async fn agent_link(
    State(s): State<Arc<AppState>>,
    Meta(meta): Meta,
    axum::Extension(peer): axum::Extension<crate::context::PeerAgent>,
    upgrade: axum::extract::ws::WebSocketUpgrade,
) -> Result<axum::response::Response, HttpError> {
    let agent = s.agent_of_peer(peer.0).await?;
    Ok(upgrade.on_upgrade(move |socket| crate::agent_session::serve(s, meta, agent, socket)))
}
