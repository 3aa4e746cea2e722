//! Groups of users: a tenant's (managed by its tenant admins, members from that tenant only) or the
//! platform's (managed by platform admins). Roles bound to a group hold for every member.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::Action;
use scmp_common::{Error, TenantId};
use scmp_store::Group;

use super::audit::audited;
use super::tenants::{name, tenant_for};
use super::users::{may_manage, may_see, user_for};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// A group the caller may see (404 otherwise).
pub(super) async fn group_for(
    s: &AppState,
    ctx: &OpContext,
    key: &str,
) -> Result<Group, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::Group,
            name: key.to_string(),
        })
    };
    match s.store.group_lookup(key).await {
        Ok(g) if may_see(s, ctx, g.tenant_id) => Ok(g),
        Ok(_) | Err(Error::NotFound { .. }) => Err(not_found()),
        Err(e) => Err(HttpError::from(e)),
    }
}

/// A group the caller may change (404 when it may not see it, 403 when it may only see it).
async fn group_to_manage(s: &AppState, ctx: &OpContext, key: &str) -> Result<Group, HttpError> {
    let g = group_for(s, ctx, key).await?;
    if may_manage(s, ctx, g.tenant_id) {
        Ok(g)
    } else {
        Err(HttpError::forbidden("manage this group"))
    }
}

/// Resolves members to user ids; each must belong to the group's tenant (any user for a platform
/// group).
async fn members(
    s: &AppState,
    ctx: &OpContext,
    tenant: Option<TenantId>,
    keys: &[String],
) -> Result<Vec<String>, HttpError> {
    let mut ids = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let u = user_for(s, ctx, key).await.map_err(|p| {
            if p.status() == http::StatusCode::NOT_FOUND {
                HttpError::invalid(&format!("members[{i}]"), "no such user")
            } else {
                p
            }
        })?;
        if tenant.is_some() && u.tenant_id != tenant {
            return Err(HttpError::invalid(
                &format!("members[{i}]"),
                "a tenant's group holds only that tenant's users",
            ));
        }
        if !ids.contains(&u.id) {
            ids.push(u.id);
        }
    }
    Ok(ids)
}

/// Groups the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/groups", operation_id = "group_list", params(TenantFilter),
    responses((status = 200, body = Page<GroupView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn group_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<GroupView>>, HttpError> {
    let filter = match &q.tenant {
        Some(key) => Some(Some(tenant_for(&s, &ctx, key, Action::UserList).await?.id)),
        None if may_see(&s, &ctx, None) => None,
        None => return Err(HttpError::forbidden("list all groups (name a tenant)")),
    };
    let limit = q.limit()?;
    let (groups, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let store = s.store.clone();
            async move { store.group_list(filter, after.as_deref(), n).await }
        },
        |g| g.name.to_string(),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: groups.into_iter().map(crate::views::group).collect(),
        next_page_token: next,
    }))
}

/// Creates a group.
#[utoipa::path(post, path = "/api/v1/groups", operation_id = "group_create", request_body = GroupCreate,
    responses((status = 201, body = GroupView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn group_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<GroupCreate>,
) -> Result<(StatusCode, Json<GroupView>), HttpError> {
    let tenant = match &body.tenant {
        Some(key) => Some(tenant_for(&s, &ctx, key, Action::UserCreate).await?.id),
        None => None,
    };
    if !may_manage(&s, &ctx, tenant) {
        return Err(HttpError::forbidden("create platform groups"));
    }
    let gname = name("name", &body.name)?;
    let ids = members(&s, &ctx, tenant, &body.members).await?;
    let description = body.description.unwrap_or_default();
    let g = audited(
        &s,
        &ctx,
        "group_create",
        &format!("group/{gname}"),
        tenant,
        s.store.group_create(&gname, tenant, &description, &ids),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(crate::views::group(g))))
}

/// One group with its members.
#[utoipa::path(get, path = "/api/v1/groups/{group}", operation_id = "group_view",
    params(("group" = String, Path, description = "Group id or name")),
    responses((status = 200, body = GroupView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn group_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<GroupView>, HttpError> {
    Ok(Json(crate::views::group(group_for(&s, &ctx, &key).await?)))
}

/// Changes a group's description or replaces its members.
#[utoipa::path(put, path = "/api/v1/groups/{group}", operation_id = "group_update",
    params(("group" = String, Path, description = "Group id or name")), request_body = GroupUpdate,
    responses((status = 200, body = GroupView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn group_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<GroupUpdate>,
) -> Result<Json<GroupView>, HttpError> {
    let g = group_to_manage(&s, &ctx, &key).await?;
    let ids = match &body.members {
        Some(m) => Some(members(&s, &ctx, g.tenant_id, m).await?),
        None => None,
    };
    let g = audited(
        &s,
        &ctx,
        "group_update",
        &format!("group/{}", g.id),
        g.tenant_id,
        s.store
            .group_update(&g.id, body.description.as_deref(), ids.as_deref()),
    )
    .await?;
    Ok(Json(crate::views::group(g)))
}

/// Deletes a group with its memberships and the roles bound to it.
#[utoipa::path(delete, path = "/api/v1/groups/{group}", operation_id = "group_delete",
    params(("group" = String, Path, description = "Group id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn group_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    let g = group_to_manage(&s, &ctx, &key).await?;
    audited(
        &s,
        &ctx,
        "group_delete",
        &format!("group/{}", g.id),
        g.tenant_id,
        s.store.group_delete(&g.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
