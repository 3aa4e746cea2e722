//! The catalog: images and instance types. Every signed-in user may read it; platform
//! administrators add to it.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::Action;
use scmp_store::{Image, InstanceType};

use super::audit::audited;
use super::tenants::name;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

fn catalog(s: &AppState, ctx: &OpContext, action: Action) -> Result<(), HttpError> {
    super::tenants::platform(s, ctx, action)
}

fn short_text(field: &str, v: &str) -> Result<String, HttpError> {
    if v.is_empty() || v.len() > 64 || v.contains(char::is_control) {
        Err(HttpError::invalid(
            field,
            "must be 1 to 64 printable characters",
        ))
    } else {
        Ok(v.to_string())
    }
}

/// Every image, with the clusters that have it.
#[utoipa::path(get, path = "/api/v1/images", operation_id = "image_list", params(PageQuery),
    responses((status = 200, body = Page<ImageView>), (status = 401, body = Problem)))]
pub async fn image_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ImageView>>, HttpError> {
    catalog(&s, &ctx, Action::CatalogView)?;
    let limit = q.limit()?;
    let (images, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let store = s.store.clone();
            async move { store.image_list(after.as_deref(), n).await }
        },
        |i| i.name.to_string(),
        |_| true,
    )
    .await?;
    let templates = s.store.cluster_templates(None).await?;
    let names: std::collections::HashMap<String, String> = s
        .store
        .cluster_list_all()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name.to_string()))
        .collect();
    let items = images
        .into_iter()
        .map(|i: Image| {
            let mut clusters: Vec<String> = templates
                .iter()
                .filter(|(_, t)| t.name == i.template && t.kind == i.kind)
                .filter_map(|(c, _)| names.get(c).cloned())
                .collect();
            clusters.dedup();
            crate::views::image(i, clusters)
        })
        .collect();
    Ok(Json(Page {
        items,
        next_page_token: next,
    }))
}

/// Adds an image.
#[utoipa::path(post, path = "/api/v1/images", operation_id = "image_create", request_body = ImageCreate,
    responses((status = 201, body = ImageView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn image_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<ImageCreate>,
) -> Result<(StatusCode, Json<ImageView>), HttpError> {
    catalog(&s, &ctx, Action::CatalogManage)?;
    let new = Image {
        id: String::new(),
        name: name("name", &body.name)?,
        kind: body.kind,
        os: short_text("os", &body.os)?,
        version: short_text("version", &body.version)?,
        template: short_text("template", &body.template)?,
        description: body.description.unwrap_or_default(),
        created_at: 0,
    };
    let i = audited(
        &s,
        &ctx,
        "image_create",
        &format!("image/{}", new.name),
        None,
        s.store.image_create(&new),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(crate::views::image(i, Vec::new())),
    ))
}

/// Every instance type, smallest first.
#[utoipa::path(get, path = "/api/v1/instance-types", operation_id = "instance_type_list",
    params(PageQuery),
    responses((status = 200, body = Page<InstanceTypeView>), (status = 401, body = Problem)))]
pub async fn instance_type_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<InstanceTypeView>>, HttpError> {
    catalog(&s, &ctx, Action::CatalogView)?;
    let limit = q.limit()?;
    let (items, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after, n| {
            let store = s.store.clone();
            async move { store.instance_type_list(after, n).await }
        },
        |t| (t.vcpus, t.memory_mib, t.name.to_string()),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: items.into_iter().map(crate::views::instance_type).collect(),
        next_page_token: next,
    }))
}

/// Adds an instance type.
#[utoipa::path(post, path = "/api/v1/instance-types", operation_id = "instance_type_create", request_body = InstanceTypeCreate,
    responses((status = 201, body = InstanceTypeView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn instance_type_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<InstanceTypeCreate>,
) -> Result<(StatusCode, Json<InstanceTypeView>), HttpError> {
    catalog(&s, &ctx, Action::CatalogManage)?;
    let (vcpus, memory_mib, disk_gib) =
        crate::guests::check_sizes(body.vcpus, body.memory_mib, body.disk_gib)?;
    let new = InstanceType {
        id: String::new(),
        name: name("name", &body.name)?,
        vcpus,
        memory_mib,
        disk_gib,
        created_at: 0,
    };
    let t = audited(
        &s,
        &ctx,
        "instance_type_create",
        &format!("instance-type/{}", new.name),
        None,
        s.store.instance_type_create(&new),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(crate::views::instance_type(t))))
}

/// One image, with the clusters that have it.
#[utoipa::path(get, path = "/api/v1/images/{image}", operation_id = "image_view",
    params(("image" = String, Path, description = "Image id or name")),
    responses((status = 200, body = ImageView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn image_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ImageView>, HttpError> {
    catalog(&s, &ctx, Action::CatalogView)?;
    let image = s.store.image_lookup(&key).await?;
    let templates = s.store.cluster_templates(None).await?;
    let carrying: std::collections::HashSet<&str> = templates
        .iter()
        .filter(|(_, t)| t.name == image.template && t.kind == image.kind)
        .map(|(c, _)| c.as_str())
        .collect();
    let mut clusters: Vec<String> = s
        .store
        .cluster_list_all()
        .await?
        .into_iter()
        .filter(|c| carrying.contains(c.id.as_str()))
        .map(|c| c.name.to_string())
        .collect();
    clusters.dedup();
    Ok(Json(crate::views::image(image, clusters)))
}

/// Removes an image from the catalog; refused (409, naming them) while guests were made from it.
#[utoipa::path(delete, path = "/api/v1/images/{image}", operation_id = "image_delete",
    params(("image" = String, Path, description = "Image id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
               (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn image_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    catalog(&s, &ctx, Action::CatalogManage)?;
    let image = s.store.image_lookup(&key).await?;
    audited(
        &s,
        &ctx,
        "image_delete",
        &format!("image/{}", image.id),
        None,
        s.store.image_delete(&image.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One instance type.
#[utoipa::path(get, path = "/api/v1/instance-types/{instance_type}", operation_id = "instance_type_view",
    params(("instance_type" = String, Path, description = "Instance type id or name")),
    responses((status = 200, body = InstanceTypeView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn instance_type_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<InstanceTypeView>, HttpError> {
    catalog(&s, &ctx, Action::CatalogView)?;
    s.store
        .instance_type_lookup(&key)
        .await
        .map(|t| Json(crate::views::instance_type(t)))
        .map_err(HttpError)
}

/// Removes an instance type from the catalog (guests keep the sizes they were given).
#[utoipa::path(delete, path = "/api/v1/instance-types/{instance_type}", operation_id = "instance_type_delete",
    params(("instance_type" = String, Path, description = "Instance type id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn instance_type_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    catalog(&s, &ctx, Action::CatalogManage)?;
    let t = s.store.instance_type_lookup(&key).await?;
    audited(
        &s,
        &ctx,
        "instance_type_delete",
        &format!("instance-type/{}", t.id),
        None,
        s.store.instance_type_delete(&t.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
