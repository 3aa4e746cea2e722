//! Projects and their quota.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::{Action, Denial, Resource};
use scmp_common::{Error, Resources};
use scmp_store::{NewProject, Project};

use super::audit::audited;
use super::tenants::{name, tenant_for};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Looks up a project by id and checks the action on it (404 when missing or invisible, 403 when
/// visible but not allowed).
pub(crate) async fn project_for(
    s: &AppState,
    ctx: &OpContext,
    key: &str,
    action: Action,
) -> Result<Project, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::Project,
            name: key.to_string(),
        })
    };
    let p = match s.store.project_lookup(None, key).await {
        Ok(p) => p,
        Err(Error::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(HttpError::from(e)),
    };
    match s.authz.check(
        &ctx.actor.principal,
        action,
        Resource::Project(p.tenant_id, p.id),
    ) {
        Ok(()) => Ok(p),
        Err(Denial::NotFound) => Err(not_found()),
        Err(Denial::Forbidden) => Err(HttpError::forbidden(action.id())),
    }
}

/// A tenant's projects the caller may see.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/projects", operation_id = "project_list",
    params(("tenant" = String, Path, description = "Tenant id or name"), PageQuery),
    responses((status = 200, body = Page<ProjectView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn project_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ProjectView>>, HttpError> {
    let limit = q.limit()?;
    let t = tenant_for(&s, &ctx, &key, Action::ProjectList).await?;
    let (visible, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after, n| {
            let store = s.store.clone();
            async move { store.project_list(t.id, after.as_deref(), n).await }
        },
        |p| p.name.to_string(),
        |p| {
            s.authz.authorize(
                &ctx.actor.principal,
                Action::ProjectView,
                Resource::Project(p.tenant_id, p.id),
            )
        },
    )
    .await?;
    let items = visible.into_iter().map(crate::views::project).collect();
    Ok(Json(Page {
        items,
        next_page_token: next,
    }))
}

/// Creates a project; its quota is reserved from the tenant's in the same transaction.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/projects", operation_id = "project_create",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = ProjectCreate,
    responses((status = 201, body = ProjectView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
               (status = 422, body = Problem)))]
pub async fn project_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ProjectCreate>,
) -> Result<(StatusCode, Json<ProjectView>), HttpError> {
    let t = tenant_for(&s, &ctx, &key, Action::ProjectCreate).await?;
    let new = NewProject {
        name: name("name", &body.name)?,
        description: body.description.unwrap_or_default(),
        quota: body.quota.map(Resources::from).unwrap_or_default(),
    };
    let target = format!("tenant/{}/project/{}", t.id, new.name);
    let p = audited(
        &s,
        &ctx,
        "project_create",
        &target,
        Some(t.id),
        s.store.project_create(t.id, &new),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(crate::views::project(p))))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{project}", operation_id = "project_view",
    params(("project" = String, Path, description = "Project id")),
    responses((status = 200, body = ProjectView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn project_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ProjectView>, HttpError> {
    Ok(Json(crate::views::project(
        project_for(&s, &ctx, &key, Action::ProjectView).await?,
    )))
}

/// Changes a project's description.
#[utoipa::path(put, path = "/api/v1/projects/{project}", operation_id = "project_update",
    params(("project" = String, Path, description = "Project id")), request_body = DescriptionUpdate,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn project_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<DescriptionUpdate>,
) -> Result<Json<ProjectView>, HttpError> {
    let p = project_for(&s, &ctx, &key, Action::ProjectUpdate).await?;
    let target = format!("project/{}", p.id);
    let p = audited(
        &s,
        &ctx,
        "project_update",
        &target,
        Some(p.tenant_id),
        s.store.project_update(p.id, &body.description),
    )
    .await?;
    Ok(Json(crate::views::project(p)))
}

/// Deletes a project with the roles bound on it, returning its quota to the tenant; refused (409,
/// naming them) while it has guests in any state.
#[utoipa::path(delete, path = "/api/v1/projects/{project}", operation_id = "project_delete",
    params(("project" = String, Path, description = "Project id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn project_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    let p = project_for(&s, &ctx, &key, Action::ProjectDelete).await?;
    let target = format!("project/{}", p.id);
    audited(
        &s,
        &ctx,
        "project_delete",
        &target,
        Some(p.tenant_id),
        s.store.project_delete(p.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A project's quota.
#[utoipa::path(get, path = "/api/v1/projects/{project}/quota", operation_id = "project_quota_view",
    params(("project" = String, Path, description = "Project id")),
    responses((status = 200, body = QuotaBody), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn project_quota_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<QuotaBody>, HttpError> {
    Ok(Json(crate::views::quota(
        project_for(&s, &ctx, &key, Action::ProjectQuotaView)
            .await?
            .quota(),
    )))
}

/// Sets a project's quota; it must fit in the tenant's and not fall below what guests use.
#[utoipa::path(put, path = "/api/v1/projects/{project}/quota", operation_id = "project_quota_update",
    params(("project" = String, Path, description = "Project id")), request_body = ResourcesBody,
    responses((status = 200, body = QuotaBody), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn project_quota_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ResourcesBody>,
) -> Result<Json<QuotaBody>, HttpError> {
    let p = project_for(&s, &ctx, &key, Action::ProjectQuotaUpdate).await?;
    let limits = Resources::from(body);
    let target = format!("project/{}", p.id);
    let updated = audited(
        &s,
        &ctx,
        "project_quota_update",
        &target,
        Some(p.tenant_id),
        s.store.project_quota_update(p.id, &limits),
    )
    .await?;
    Ok(Json(crate::views::quota(updated.quota())))
}
