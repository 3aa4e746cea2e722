//! Tenants and their quota.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::{Action, Denial, Resource};
use scmp_common::{Error, Name, Resources};
use scmp_store::{NewTenant, Tenant};

use super::audit::audited;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// Looks up a tenant by id or name and checks the action on it: 404 when it does not exist or the
/// caller may not see it (the same answer), 403 when it may see but not do.
pub async fn tenant_for(
    s: &AppState,
    ctx: &OpContext,
    key: &str,
    action: Action,
) -> Result<Tenant, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::Tenant,
            name: key.to_string(),
        })
    };
    let t = match s.store.tenant_lookup(key).await {
        Ok(t) => t,
        Err(Error::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(HttpError::from(e)),
    };
    match s
        .authz
        .check(&ctx.actor.principal, action, Resource::Tenant(t.id))
    {
        Ok(()) => Ok(t),
        Err(Denial::NotFound) => Err(not_found()),
        Err(Denial::Forbidden) => Err(HttpError::forbidden(action.id())),
    }
}

/// Checks an action on the platform.
pub fn platform(s: &AppState, ctx: &OpContext, action: Action) -> Result<(), HttpError> {
    s.authz
        .check(&ctx.actor.principal, action, Resource::Platform)
        .map_err(|_| HttpError::forbidden(action.id()))
}

pub(crate) fn name(field: &str, value: &str) -> Result<Name, HttpError> {
    Name::new(value).map_err(|e| HttpError::invalid(field, e.to_string()))
}

async fn view(s: &AppState, t: Tenant) -> Result<TenantView, Error> {
    let quota = s.store.tenant_quota_view(t.id).await?;
    Ok(TenantView {
        id: t.id.to_string(),
        name: t.name.to_string(),
        description: crate::views::text(t.description),
        quota: crate::views::quota(quota),
        countries: t.countries,
        created_at: scmp_common::time::from_ms(t.created_at),
    })
}

/// Tenants the caller may see, by name.
#[utoipa::path(get, path = "/api/v1/tenants", operation_id = "tenant_list", params(PageQuery),
    responses((status = 200, body = Page<TenantView>), (status = 401, body = Problem)))]
pub async fn tenant_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<TenantView>>, HttpError> {
    let limit = q.limit()?;
    let (visible, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after, n| {
            let store = s.store.clone();
            async move { store.tenant_list(after.as_deref(), n).await }
        },
        |t| t.name.to_string(),
        |t| {
            s.authz.authorize(
                &ctx.actor.principal,
                Action::TenantView,
                Resource::Tenant(t.id),
            )
        },
    )
    .await?;
    let mut items = Vec::with_capacity(visible.len());
    for t in visible {
        items.push(view(&s, t).await?);
    }
    Ok(Json(Page {
        items,
        next_page_token: next,
    }))
}

/// Creates a tenant.
#[utoipa::path(post, path = "/api/v1/tenants", operation_id = "tenant_create", request_body = TenantCreate,
    responses((status = 201, body = TenantView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn tenant_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<TenantCreate>,
) -> Result<(StatusCode, Json<TenantView>), HttpError> {
    platform(&s, &ctx, Action::TenantCreate)?;
    let new = NewTenant {
        name: name("name", &body.name)?,
        description: body.description.unwrap_or_default(),
        quota: body.quota.map(Resources::from).unwrap_or_default(),
    };
    let target = format!("tenant/{}", new.name);
    let countries = body.countries.unwrap_or_default();
    let t = audited(&s, &ctx, "tenant_create", &target, None, async {
        let mut t = s.store.tenant_create(&new).await?;
        if !countries.is_empty() {
            t = s.store.tenant_set_countries(t.id, &countries).await?;
        }
        view(&s, t).await
    })
    .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// One tenant.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}", operation_id = "tenant_view",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 200, body = TenantView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<TenantView>, HttpError> {
    let t = tenant_for(&s, &ctx, &key, Action::TenantView).await?;
    view(&s, t).await.map(Json).map_err(HttpError)
}

/// Changes a tenant's description, or (platform administrators) the countries its guests may run in.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}", operation_id = "tenant_update",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = TenantUpdate,
    responses((status = 200, body = TenantView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<TenantUpdate>,
) -> Result<Json<TenantView>, HttpError> {
    let t = tenant_for(&s, &ctx, &key, Action::TenantUpdate).await?;
    // Residency is the platform's policy, not the tenant's.
    if body.countries.is_some() {
        platform(&s, &ctx, Action::TenantCreate)?;
    }
    let target = format!("tenant/{}", t.id);
    let t = audited(&s, &ctx, "tenant_update", &target, Some(t.id), async {
        let mut t = t;
        if let Some(d) = &body.description {
            t = s.store.tenant_update(t.id, d).await?;
        }
        if let Some(c) = &body.countries {
            t = s.store.tenant_set_countries(t.id, c).await?;
        }
        view(&s, t).await
    })
    .await?;
    Ok(Json(t))
}

/// Deletes a tenant with the roles bound on it; refused (409, naming them) while it has projects,
/// users or groups.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}", operation_id = "tenant_delete",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn tenant_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    let t = tenant_for(&s, &ctx, &key, Action::TenantDelete).await?;
    audited(
        &s,
        &ctx,
        "tenant_delete",
        &format!("tenant/{}", t.id),
        Some(t.id),
        s.store.tenant_delete(t.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A tenant's quota: limits, allocated to projects, used by guests.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/quota", operation_id = "tenant_quota_view",
    params(("tenant" = String, Path, description = "Tenant id or name")),
    responses((status = 200, body = QuotaBody), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn tenant_quota_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<QuotaBody>, HttpError> {
    let t = tenant_for(&s, &ctx, &key, Action::TenantQuotaView).await?;
    let q = s.store.tenant_quota_view(t.id).await?;
    Ok(Json(crate::views::quota(q)))
}

/// Sets a tenant's quota (refused below what its projects hold).
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}/quota", operation_id = "tenant_quota_update",
    params(("tenant" = String, Path, description = "Tenant id or name")), request_body = ResourcesBody,
    responses((status = 200, body = QuotaBody), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn tenant_quota_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ResourcesBody>,
) -> Result<Json<QuotaBody>, HttpError> {
    let t = tenant_for(&s, &ctx, &key, Action::TenantQuotaUpdate).await?;
    let limits = Resources::from(body);
    let q = audited(
        &s,
        &ctx,
        "tenant_quota_update",
        &format!("tenant/{}", t.id),
        Some(t.id),
        async {
            s.store.tenant_quota_update(t.id, &limits).await?;
            s.store.tenant_quota_view(t.id).await
        },
    )
    .await?;
    Ok(Json(crate::views::quota(q)))
}
