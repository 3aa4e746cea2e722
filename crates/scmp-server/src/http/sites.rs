//! Sites and the Proxmox VE clusters registered at them (a registry: endpoint, API token, pinned
//! fingerprint, overcommit). The token secret is sealed before it reaches the store and is never
//! returned.

use scmp_api::*;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use scmp_authz::Action;
use scmp_store::{Cluster, NewCluster, NewSite, Site};

use super::audit::audited;
use super::tenants::{name, platform};

use super::{ApiJson, ApiPath, ApiPath2, ApiQuery};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

fn check_fingerprint(fp: &str) -> bool {
    let parts: Vec<&str> = fp.split(':').collect();
    parts.len() == 32
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Connects with the given token and pinned certificate and checks the token's privileges.
async fn check_reachable(body: &ClusterCreate) -> Result<(), HttpError> {
    let access = scmp_agent::ClusterAccess {
        endpoint: body.endpoint.clone(),
        token_id: body.token_id.clone(),
        token_secret: body.token_secret.clone(),
        fingerprint: body.tls_fingerprint.clone().unwrap_or_default(),
    };
    let client = scmp_agent::connect(&access).map_err(|e| HttpError::invalid("endpoint", e))?;
    match scmp_agent::check_privileges(&client).await {
        Ok(missing) if missing.is_empty() => Ok(()),
        Ok(missing) => Err(HttpError::invalid(
            "token_id",
            format!(
                "the token lacks privileges scmp needs: {}",
                missing.join(", ")
            ),
        )),
        Err(e) if e.kind() == pve_client::ErrorKind::Authentication => Err(HttpError::invalid(
            "token_secret",
            "the cluster refused the token",
        )),
        Err(e) if format!("{e:?}").to_lowercase().contains("certificate") => {
            Err(HttpError::invalid(
                "tls_fingerprint",
                format!("the cluster's certificate does not match: {e}"),
            ))
        }
        Err(e) => Err(HttpError::from(scmp_common::Error::Unavailable(format!(
            "cannot reach the cluster at {}: {e}",
            body.endpoint
        )))),
    }
}

fn check_ratio(field: &str, v: Option<f64>, default: f64) -> Result<f64, HttpError> {
    match v {
        None => Ok(default),
        Some(x) if x.is_finite() && x > 0.0 && x <= 32.0 => Ok(x),
        Some(_) => Err(HttpError::invalid(
            field,
            "must be more than 0 and at most 32",
        )),
    }
}

async fn site_for(
    s: &AppState,
    ctx: &OpContext,
    key: &str,
    action: Action,
) -> Result<Site, HttpError> {
    platform(s, ctx, action)?;
    s.store.site_lookup(key).await.map_err(HttpError)
}

async fn cluster_for(
    s: &AppState,
    ctx: &OpContext,
    key: &str,
    action: Action,
) -> Result<Cluster, HttpError> {
    platform(s, ctx, action)?;
    s.store.cluster_lookup(key).await.map_err(HttpError)
}

/// Every site, by name.
#[utoipa::path(get, path = "/api/v1/sites", operation_id = "site_list", params(PageQuery),
    responses((status = 200, body = Page<SiteView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn site_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<SiteView>>, HttpError> {
    platform(&s, &ctx, Action::SiteList)?;
    let limit = q.limit()?;
    let (items, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let store = s.store.clone();
            async move { store.site_list(after.as_deref(), n).await }
        },
        |site| site.name.to_string(),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: items.into_iter().map(crate::views::site).collect(),
        next_page_token: next,
    }))
}

/// Creates a site.
#[utoipa::path(post, path = "/api/v1/sites", operation_id = "site_create", request_body = SiteCreate,
    responses((status = 201, body = SiteView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn site_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<SiteCreate>,
) -> Result<(StatusCode, Json<SiteView>), HttpError> {
    platform(&s, &ctx, Action::SiteCreate)?;
    let country_ok =
        body.country.len() == 2 && body.country.bytes().all(|b| b.is_ascii_uppercase());
    if !country_ok {
        return Err(HttpError::invalid(
            "country",
            "must be an ISO 3166-1 alpha-2 code such as DE",
        ));
    }
    let new = NewSite {
        name: name("name", &body.name)?,
        country: body.country,
        region: body.region.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
    };
    let target = format!("site/{}", new.name);
    let site = audited(
        &s,
        &ctx,
        "site_create",
        &target,
        None,
        s.store.site_create(&new),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(crate::views::site(site))))
}

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{site}", operation_id = "site_view",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 200, body = SiteView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<SiteView>, HttpError> {
    Ok(Json(crate::views::site(
        site_for(&s, &ctx, &key, Action::SiteView).await?,
    )))
}

/// Changes a site's region or description (its country, which residency relies on, stays).
#[utoipa::path(put, path = "/api/v1/sites/{site}", operation_id = "site_update",
    params(("site" = String, Path, description = "Site id or name")), request_body = SiteUpdate,
    responses((status = 200, body = SiteView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<SiteUpdate>,
) -> Result<Json<SiteView>, HttpError> {
    let site = site_for(&s, &ctx, &key, Action::SiteCreate).await?;
    let site = audited(
        &s,
        &ctx,
        "site_update",
        &format!("site/{}", site.id),
        None,
        s.store.site_update(
            &site.id,
            body.region.as_deref(),
            body.description.as_deref(),
        ),
    )
    .await?;
    Ok(Json(crate::views::site(site)))
}

/// Deletes a site; refused (409, naming them) while clusters are registered at it.
#[utoipa::path(delete, path = "/api/v1/sites/{site}", operation_id = "site_delete",
    params(("site" = String, Path, description = "Site id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn site_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    let site = site_for(&s, &ctx, &key, Action::SiteDelete).await?;
    audited(
        &s,
        &ctx,
        "site_delete",
        &format!("site/{}", site.id),
        None,
        s.store.site_delete(&site.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's clusters, by name.
#[utoipa::path(get, path = "/api/v1/sites/{site}/clusters", operation_id = "cluster_list",
    params(("site" = String, Path, description = "Site id or name"), PageQuery),
    responses((status = 200, body = Page<ClusterView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ClusterView>>, HttpError> {
    let site = site_for(&s, &ctx, &key, Action::ClusterList).await?;
    let limit = q.limit()?;
    let (items, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let (store, site) = (s.store.clone(), site.id.clone());
            async move { store.cluster_list(&site, after.as_deref(), n).await }
        },
        |c| c.name.to_string(),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: items.into_iter().map(crate::views::cluster).collect(),
        next_page_token: next,
    }))
}

/// Registers a Proxmox VE cluster at a site. The token secret is stored encrypted and never returned.
#[utoipa::path(post, path = "/api/v1/sites/{site}/clusters", operation_id = "cluster_create",
    params(("site" = String, Path, description = "Site id or name")), request_body = ClusterCreate,
    responses((status = 201, body = ClusterView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cluster_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ClusterCreate>,
) -> Result<(StatusCode, Json<ClusterView>), HttpError> {
    let site = site_for(&s, &ctx, &key, Action::ClusterCreate).await?;
    let endpoint_ok = body.endpoint.starts_with("https://")
        && body.endpoint.len() <= 255
        && !body.endpoint.contains(char::is_whitespace)
        && body.endpoint.len() > "https://".len();
    if !endpoint_ok {
        return Err(HttpError::invalid(
            "endpoint",
            "must be an https:// URL such as https://pve1.example:8006",
        ));
    }
    let token_ok =
        pve_types::Authid::new(body.token_id.as_str()).is_ok_and(|a| a.token_name().is_some());
    if !token_ok {
        return Err(HttpError::invalid("token_id", "must be USER@REALM!TOKENID"));
    }
    if body.token_secret.is_empty()
        || body.token_secret.len() > 256
        || body.token_secret.contains(char::is_control)
    {
        return Err(HttpError::invalid(
            "token_secret",
            "must be 1 to 256 printable characters",
        ));
    }
    let Some(fp) = &body.tls_fingerprint else {
        return Err(HttpError::invalid(
            "tls_fingerprint",
            "required: scmp pins the cluster's certificate (pvenode cert info shows it)",
        ));
    };
    if !check_fingerprint(fp) {
        return Err(HttpError::invalid(
            "tls_fingerprint",
            "must be 32 colon-separated hex bytes (AB:CD:...)",
        ));
    }
    check_reachable(&body).await?;
    let new = NewCluster {
        name: name("name", &body.name)?,
        endpoint: body.endpoint,
        token_id: body.token_id,
        token_secret_sealed: s.sealer.seal(&body.token_secret)?,
        tls_fingerprint: body.tls_fingerprint.map(|f| f.to_ascii_uppercase()),
        cpu_overcommit: check_ratio("cpu_overcommit", body.cpu_overcommit, 4.0)?,
        memory_overcommit: check_ratio("memory_overcommit", body.memory_overcommit, 1.0)?,
    };
    let target = format!("site/{}/cluster/{}", site.id, new.name);
    let c = audited(
        &s,
        &ctx,
        "cluster_create",
        &target,
        None,
        s.store.cluster_create(&site.id, &new),
    )
    .await?;
    // Discover nodes, capacity and templates now, so the cluster is placeable at once.
    if let Err(e) = crate::inventory::sync_cluster(&s, &c).await {
        tracing::warn!(cluster = %c.name, error = %e, "first inventory sync failed");
    }
    s.placer.invalidate().await;
    let c = s.store.cluster_lookup(&c.id).await?;
    Ok((StatusCode::CREATED, Json(crate::views::cluster(c))))
}

/// One cluster (without its secret).
#[utoipa::path(get, path = "/api/v1/clusters/{cluster}", operation_id = "cluster_view",
    params(("cluster" = String, Path, description = "Cluster id or name")),
    responses((status = 200, body = ClusterView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<ClusterView>, HttpError> {
    Ok(Json(crate::views::cluster(
        cluster_for(&s, &ctx, &key, Action::ClusterView).await?,
    )))
}

/// Removes a cluster registration with its inventory; refused (409, naming them) while scmp guests
/// are placed on it. Nothing on the cluster itself changes.
#[utoipa::path(delete, path = "/api/v1/clusters/{cluster}", operation_id = "cluster_delete",
    params(("cluster" = String, Path, description = "Cluster id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    let c = cluster_for(&s, &ctx, &key, Action::ClusterDelete).await?;
    audited(
        &s,
        &ctx,
        "cluster_delete",
        &format!("cluster/{}", c.id),
        None,
        s.store.cluster_delete(&c.id),
    )
    .await?;
    s.connections.forget(&c.id);
    s.placer.invalidate().await;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a cluster's overcommit ratios or drift action.
#[utoipa::path(patch, path = "/api/v1/clusters/{cluster}", operation_id = "cluster_update",
    params(("cluster" = String, Path, description = "Cluster id or name")), request_body = ClusterUpdate,
    responses((status = 200, body = ClusterView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cluster_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<ClusterUpdate>,
) -> Result<Json<ClusterView>, HttpError> {
    let c = cluster_for(&s, &ctx, &key, Action::ClusterUpdate).await?;
    let cpu = check_ratio("cpu_overcommit", body.cpu_overcommit, c.cpu_overcommit)?;
    let mem = check_ratio(
        "memory_overcommit",
        body.memory_overcommit,
        c.memory_overcommit,
    )?;
    let drift = body
        .drift_action
        .unwrap_or_else(|| c.health.drift_action.clone());
    if drift != "report" && drift != "repair" {
        return Err(HttpError::invalid(
            "drift_action",
            "must be report or repair",
        ));
    }
    let c = audited(
        &s,
        &ctx,
        "cluster_update",
        &format!("cluster/{}", c.id),
        None,
        s.store.cluster_update(&c.id, cpu, mem, &drift),
    )
    .await?;
    s.placer.invalidate().await;
    Ok(Json(crate::views::cluster(c)))
}

/// A cluster's hosts as inventory last saw them.
#[utoipa::path(get, path = "/api/v1/clusters/{cluster}/hosts", operation_id = "host_list",
    params(("cluster" = String, Path, description = "Cluster id or name"), PageQuery),
    responses((status = 200, body = Page<HostView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<HostView>>, HttpError> {
    let c = cluster_for(&s, &ctx, &key, Action::HostList).await?;
    let limit = q.limit()?;
    let (hosts, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let (store, cluster) = (s.store.clone(), c.id.clone());
            async move { store.host_list(&cluster, after.as_deref(), n).await }
        },
        |h| h.observed.name.clone(),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: hosts.into_iter().map(crate::views::host).collect(),
        next_page_token: next,
    }))
}

/// One host.
#[utoipa::path(get, path = "/api/v1/clusters/{cluster}/hosts/{host}", operation_id = "host_view",
    params(("cluster" = String, Path, description = "Cluster id or name"), ("host" = String, Path, description = "Node name")),
    responses((status = 200, body = HostView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, host): ApiPath2,
) -> Result<Json<HostView>, HttpError> {
    let c = cluster_for(&s, &ctx, &key, Action::HostView).await?;
    let h = s.store.host_get(&c.id, &host).await?;
    Ok(Json(crate::views::host(h)))
}

async fn maintenance(
    s: Arc<AppState>,
    ctx: OpContext,
    key: String,
    host: String,
    on: bool,
) -> Result<Json<HostView>, HttpError> {
    let c = cluster_for(&s, &ctx, &key, Action::HostMaintenance).await?;
    s.store.host_get(&c.id, &host).await?;
    let operation = if on {
        "host_maintenance_enter"
    } else {
        "host_maintenance_exit"
    };
    let h = audited(
        &s,
        &ctx,
        operation,
        &format!("cluster/{}/host/{host}", c.id),
        None,
        s.store.host_set_maintenance(&c.id, &host, on),
    )
    .await?;
    s.placer.invalidate().await;
    Ok(Json(crate::views::host(h)))
}

/// Puts a host into maintenance: placement puts no new guest on it.
#[utoipa::path(post, path = "/api/v1/clusters/{cluster}/hosts/{host}/maintenance-enter", operation_id = "host_maintenance_enter",
    params(("cluster" = String, Path, description = "Cluster id or name"), ("host" = String, Path, description = "Node name")),
    responses((status = 200, body = HostView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_maintenance_enter(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, host): ApiPath2,
) -> Result<Json<HostView>, HttpError> {
    maintenance(s, ctx, key, host, true).await
}

/// Takes a host out of maintenance.
#[utoipa::path(post, path = "/api/v1/clusters/{cluster}/hosts/{host}/maintenance-exit", operation_id = "host_maintenance_exit",
    params(("cluster" = String, Path, description = "Cluster id or name"), ("host" = String, Path, description = "Node name")),
    responses((status = 200, body = HostView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn host_maintenance_exit(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath2(key, host): ApiPath2,
) -> Result<Json<HostView>, HttpError> {
    maintenance(s, ctx, key, host, false).await
}
