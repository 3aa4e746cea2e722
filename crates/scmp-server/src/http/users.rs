//! Users, role bindings and login sessions.
//!
//! A user belongs to a tenant (managed by that tenant's admins) or to the platform (managed by platform
//! admins). Role bindings on a tenant or its projects may only be given to that tenant's users, so a
//! tenant admin can never open its tenant to outsiders or reach beyond it. Logins are throttled by the
//! failures the audit log holds, so every replica counts the same.

use scmp_api::*;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, State};
use axum::Json;
use http::StatusCode;
use scmp_authz::{Action, Resource, Role};
use scmp_common::{Error, TenantId};
use scmp_store::{AuditRecord, BindingSubject, CredentialKind, User};

use super::audit::audited;
use super::tenants::{name, tenant_for};
use super::{ApiJson, ApiPath, ApiQuery, RequestId};
use crate::context::{AppState, OpContext};
use crate::error::HttpError;

/// How long a login session lasts.
const SESSION_MS: i64 = 8 * 3600 * 1000;
/// Failed logins allowed per user name in [`THROTTLE_WINDOW_MS`].
const MAX_FAILURES: i64 = 5;
/// The throttling window.
const THROTTLE_WINDOW_MS: i64 = 5 * 60 * 1000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// May the caller manage (create, delete, bind roles to) users of this tenant (or platform staff)?
pub(super) fn may_manage(s: &AppState, ctx: &OpContext, tenant: Option<TenantId>) -> bool {
    match tenant {
        Some(t) => s.authz.authorize(
            &ctx.actor.principal,
            Action::UserCreate,
            Resource::Tenant(t),
        ),
        None => s.authz.authorize(
            &ctx.actor.principal,
            Action::PlatformUserManage,
            Resource::Platform,
        ),
    }
}

/// May the caller see this tenant's users (or platform staff)?
pub(super) fn may_see(s: &AppState, ctx: &OpContext, tenant: Option<TenantId>) -> bool {
    match tenant {
        Some(t) => s
            .authz
            .authorize(&ctx.actor.principal, Action::UserList, Resource::Tenant(t)),
        None => s.authz.authorize(
            &ctx.actor.principal,
            Action::PlatformUserManage,
            Resource::Platform,
        ),
    }
}

pub(super) async fn user_for(s: &AppState, ctx: &OpContext, key: &str) -> Result<User, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::User,
            name: key.to_string(),
        })
    };
    let found = s.store.user_lookup(key).await?;
    let Some((u, _)) = found else {
        return Err(not_found());
    };
    if u.id == ctx.actor.user.id || may_see(s, ctx, u.tenant_id) {
        Ok(u)
    } else {
        Err(not_found())
    }
}

/// Users the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "user_list", params(TenantFilter),
    responses((status = 200, body = Page<UserView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<UserView>>, HttpError> {
    let tenant = match &q.tenant {
        Some(key) => Some(tenant_for(&s, &ctx, key, Action::UserList).await?.id),
        None if may_see(&s, &ctx, None) => None,
        None => return Err(HttpError::forbidden("list all users (name a tenant)")),
    };
    let limit = q.limit()?;
    let (users, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after: Option<String>, n| {
            let store = s.store.clone();
            async move { store.user_list(tenant, after.as_deref(), n).await }
        },
        |u| u.name.to_string(),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: users.into_iter().map(crate::views::user).collect(),
        next_page_token: next,
    }))
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", operation_id = "user_create", request_body = UserCreate,
    responses((status = 201, body = UserView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn user_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<UserCreate>,
) -> Result<(StatusCode, Json<UserView>), HttpError> {
    let tenant = match &body.tenant {
        Some(key) => Some(tenant_for(&s, &ctx, key, Action::UserCreate).await?.id),
        None => None,
    };
    if !may_manage(&s, &ctx, tenant) {
        return Err(HttpError::forbidden("create platform users"));
    }
    let uname = name("name", &body.name)?;
    let email = body.email.unwrap_or_default();
    if email.len() > 254 || email.contains(char::is_control) {
        return Err(HttpError::invalid(
            "email",
            "must be at most 254 printable characters",
        ));
    }
    let hash = match &body.password {
        None => None,
        Some(p) => Some(password_hash(p)?),
    };
    let target = format!("user/{uname}");
    let u = audited(
        &s,
        &ctx,
        "user_create",
        &target,
        tenant,
        s.store.user_create(&uname, &email, tenant, hash.as_deref()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(crate::views::user(u))))
}

/// Changes a user's e-mail address or password (their managers, or the user themselves).
#[utoipa::path(put, path = "/api/v1/users/{user}", operation_id = "user_update",
    params(("user" = String, Path, description = "User id or name")), request_body = UserUpdate,
    responses((status = 200, body = UserView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user_update(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
    ApiJson(body): ApiJson<UserUpdate>,
) -> Result<Json<UserView>, HttpError> {
    let u = user_for(&s, &ctx, &key).await?;
    if u.id != ctx.actor.user.id && !may_manage(&s, &ctx, u.tenant_id) {
        return Err(HttpError::forbidden("change this user"));
    }
    if let Some(e) = &body.email {
        if e.len() > 254 || e.contains(char::is_control) {
            return Err(HttpError::invalid(
                "email",
                "must be at most 254 printable characters",
            ));
        }
    }
    let hash = match &body.password {
        None => None,
        Some(p) => Some(password_hash(p)?),
    };
    let u = audited(
        &s,
        &ctx,
        "user_update",
        &format!("user/{}", u.id),
        u.tenant_id,
        s.store
            .user_update(&u.id, body.email.as_deref(), hash.as_deref()),
    )
    .await?;
    Ok(Json(crate::views::user(u)))
}

/// An argon2id hash of a password of acceptable length.
fn password_hash(p: &str) -> Result<String, HttpError> {
    if p.chars().count() < 12 || p.len() > 1024 {
        return Err(HttpError::invalid(
            "password",
            "must be 12 to 1024 characters long",
        ));
    }
    Argon2::default()
        .hash_password(p.as_bytes(), &SaltString::generate(&mut OsRng))
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(e).into())
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{user}", operation_id = "user_view",
    params(("user" = String, Path, description = "User id or name")),
    responses((status = 200, body = UserView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn user_view(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<Json<UserView>, HttpError> {
    Ok(Json(crate::views::user(user_for(&s, &ctx, &key).await?)))
}

/// Deletes a user with its credentials, role bindings and group memberships (never the
/// platform's last administrator, nor oneself).
#[utoipa::path(delete, path = "/api/v1/users/{user}", operation_id = "user_delete",
    params(("user" = String, Path, description = "User id or name")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(key): ApiPath,
) -> Result<StatusCode, HttpError> {
    let u = user_for(&s, &ctx, &key).await?;
    if !may_manage(&s, &ctx, u.tenant_id) || u.id == ctx.actor.user.id {
        return Err(HttpError::forbidden("delete this user"));
    }
    audited(
        &s,
        &ctx,
        "user_delete",
        &format!("user/{}", u.id),
        u.tenant_id,
        s.store.user_delete(&u.id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Role bindings the caller may see: one tenant's, or (platform admins) all.
#[utoipa::path(get, path = "/api/v1/role-bindings", operation_id = "role_binding_list", params(TenantFilter),
    responses((status = 200, body = Page<RoleBindingView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role_binding_list(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiQuery(q): ApiQuery<TenantFilter>,
) -> Result<Json<Page<RoleBindingView>>, HttpError> {
    let tenant = match &q.tenant {
        Some(key) => Some(tenant_for(&s, &ctx, key, Action::RoleBindingList).await?.id),
        None if may_see(&s, &ctx, None) => None,
        None => {
            return Err(HttpError::forbidden(
                "list all role bindings (name a tenant)",
            ))
        }
    };
    let limit = q.limit()?;
    let (list, next) = super::paging::fill(
        q.page_token.as_deref(),
        limit,
        |after, n| {
            let store = s.store.clone();
            async move { store.binding_list(tenant, after, n).await }
        },
        |b| (b.created_at, b.id.clone()),
        |_| true,
    )
    .await?;
    Ok(Json(Page {
        items: list.into_iter().map(crate::views::role_binding).collect(),
        next_page_token: next,
    }))
}

/// Binds a role to a user on a scope.
#[utoipa::path(post, path = "/api/v1/role-bindings", operation_id = "role_binding_create", request_body = RoleBindingCreate,
    responses((status = 201, body = RoleBindingView), (status = 400, body = Problem), (status = 401, body = Problem),
               (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role_binding_create(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiJson(body): ApiJson<RoleBindingCreate>,
) -> Result<(StatusCode, Json<RoleBindingView>), HttpError> {
    let role: Role = body
        .role
        .parse()
        .map_err(|e: scmp_authz::UnknownRole| HttpError::invalid("role", e.to_string()))?;
    let (tenant, project) = match &body.scope {
        ScopeBody::Platform(p) if p == "platform" => (None, None),
        ScopeBody::Platform(_) => {
            return Err(HttpError::invalid(
                "scope",
                "must be \"platform\", {\"tenant\": T} or {\"project\": P}",
            ))
        }
        ScopeBody::Tenant { tenant } => (
            Some(
                tenant_for(&s, &ctx, tenant, Action::RoleBindingCreate)
                    .await?
                    .id,
            ),
            None,
        ),
        ScopeBody::Project { project } => {
            let p = s.store.project_lookup(None, project).await.map_err(|_| {
                HttpError(scmp_common::Error::NotFound {
                    kind: scmp_common::ResourceKind::Project,
                    name: project.to_string(),
                })
            })?;
            if !s
                .authz
                .can_see(&ctx.actor.principal, Resource::Project(p.tenant_id, p.id))
            {
                return Err(HttpError(scmp_common::Error::NotFound {
                    kind: scmp_common::ResourceKind::Project,
                    name: project.to_string(),
                }));
            }
            (Some(p.tenant_id), Some(p.id))
        }
    };
    let level_ok = matches!(
        (role.level(), tenant, project),
        ("platform", None, None) | ("tenant", Some(_), None) | ("project", Some(_), Some(_))
    );
    if !level_ok {
        return Err(HttpError::invalid(
            "scope",
            format!(
                "the role {role} can only be bound on a {}",
                match role.level() {
                    "platform" => "the platform (\"platform\")",
                    "tenant" => "tenant ({\"tenant\": ...})",
                    _ => "project ({\"project\": ...})",
                }
            ),
        ));
    }
    if !may_manage(&s, &ctx, tenant) {
        return Err(HttpError::forbidden("grant roles here"));
    }
    let b = match (&body.subject.user, &body.subject.group) {
        (Some(user), None) => {
            let u = user_for(&s, &ctx, user).await?;
            // Roles inside a tenant go only to that tenant's users.
            if tenant.is_some() && u.tenant_id != tenant {
                return Err(HttpError::invalid(
                    "subject.user",
                    "roles in a tenant can only be given to that tenant's users",
                ));
            }
            let target = format!("user/{}", u.id);
            audited(
                &s,
                &ctx,
                "role_binding_create",
                &target,
                tenant,
                s.store.binding_create(
                    &BindingSubject::User(u.id.clone()),
                    role.name(),
                    tenant,
                    project,
                ),
            )
            .await?
        }
        (None, Some(group)) => {
            let g = super::groups::group_for(&s, &ctx, group).await?;
            // And only to that tenant's groups.
            if tenant.is_some() && g.tenant_id != tenant {
                return Err(HttpError::invalid(
                    "subject.group",
                    "roles in a tenant can only be given to that tenant's groups",
                ));
            }
            let target = format!("group/{}", g.id);
            audited(
                &s,
                &ctx,
                "role_binding_create",
                &target,
                tenant,
                s.store.binding_create(
                    &BindingSubject::Group(g.id.clone()),
                    role.name(),
                    tenant,
                    project,
                ),
            )
            .await?
        }
        _ => {
            return Err(HttpError::invalid(
                "subject",
                "must be {\"user\": U} or {\"group\": G}",
            ))
        }
    };
    Ok((StatusCode::CREATED, Json(crate::views::role_binding(b))))
}

/// Removes a role binding.
#[utoipa::path(delete, path = "/api/v1/role-bindings/{id}", operation_id = "role_binding_delete",
    params(("id" = String, Path, description = "Role binding id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role_binding_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
    ApiPath(id): ApiPath,
) -> Result<StatusCode, HttpError> {
    let not_found = || {
        HttpError(scmp_common::Error::NotFound {
            kind: scmp_common::ResourceKind::RoleBinding,
            name: id.to_string(),
        })
    };
    let b = s.store.binding_get(&id).await?.ok_or_else(not_found)?;
    if !may_see(&s, &ctx, b.tenant_id) {
        return Err(not_found());
    }
    if !may_manage(&s, &ctx, b.tenant_id) {
        return Err(HttpError::forbidden("remove this role binding"));
    }
    audited(
        &s,
        &ctx,
        "role_binding_delete",
        &format!("role-binding/{id}"),
        b.tenant_id,
        s.store.binding_delete(&id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs in with a user name and password; answers a short-lived bearer token. Throttled per user
/// name: after 5 failures in 5 minutes, further attempts are refused for a while.
#[utoipa::path(post, path = "/api/v1/sessions", operation_id = "session_create", request_body = SessionCreate, security(()),
    responses((status = 201, body = SessionView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn session_create(
    State(s): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    axum::Extension(RequestId(request_id)): axum::Extension<RequestId>,
    ApiJson(body): ApiJson<SessionCreate>,
) -> Result<(StatusCode, Json<SessionView>), HttpError> {
    let issued = password_login(&s, peer, &request_id, &body.username, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            token: issued.text,
            expires_at: scmp_common::time::from_ms(
                issued.credential.expires_at.unwrap_or_default(),
            ),
        }),
    ))
}

/// Checks a user name and password (throttled, audited) and issues a session: for
/// `session_create` and the portal's login.
pub(crate) async fn password_login(
    s: &AppState,
    peer: std::net::SocketAddr,
    request_id: &str,
    username: &str,
    password: &str,
) -> Result<scmp_store::IssuedSecret, HttpError> {
    if username.len() > 63 || password.len() > 1024 {
        return Err(HttpError(Error::Unauthenticated {
            message: "wrong user name or password".into(),
        }));
    }
    let mut rec = AuditRecord {
        request_id: request_id.to_string(),
        phase: "begin",
        actor: "anonymous".into(),
        // Nobody yet: the name asked for is the target; who it was is known once it is checked.
        identity: scmp_store::ActorIdentity::default(),
        auth_method: "password".into(),
        credential: String::new(),
        credential_name: String::new(),
        source: peer.ip().to_string(),
        operation: "session_create".into(),
        target: format!("user/{username}"),
        tenant_id: None,
        result: "pending".into(),
        error: String::new(),
    };
    s.store.audit_append(&rec).await?;
    let failures = s
        .store
        .failed_logins_since(username, now_ms() - THROTTLE_WINDOW_MS)
        .await?;
    let outcome: Result<(User, scmp_store::IssuedSecret), &str> = if failures >= MAX_FAILURES {
        Err("too many failed logins")
    } else {
        let user = s.authn.authenticate(username, password).await?;
        match user {
            Some(u) => {
                let issued = s
                    .store
                    .credential_issue(
                        &u.id,
                        CredentialKind::Session,
                        "login",
                        Some(now_ms() + SESSION_MS),
                    )
                    .await?;
                Ok((u, issued))
            }
            None => Err("wrong user name or password"),
        }
    };
    rec.phase = "end";
    match &outcome {
        Ok((u, issued)) => {
            rec.actor = u.id.clone();
            rec.identity = u.identity();
            rec.credential = issued.credential.id.clone();
            rec.credential_name = issued.credential.name.clone();
            rec.tenant_id = u.tenant_id;
            rec.result = "ok".into();
        }
        Err(why) => {
            rec.result = "error".into();
            rec.error = why.to_string();
        }
    }
    s.store.audit_append(&rec).await?;
    match outcome {
        Ok((_, issued)) => Ok(issued),
        Err("too many failed logins") => Err(HttpError(Error::Throttled(
            "too many failed logins for this user; try again in a few minutes".into(),
        ))),
        Err(_) => Err(HttpError(Error::Unauthenticated {
            message: "wrong user name or password".into(),
        })),
    }
}

/// Logs out: revokes the session in use.
#[utoipa::path(delete, path = "/api/v1/sessions", operation_id = "session_delete",
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn session_delete(
    State(s): State<Arc<AppState>>,
    ctx: OpContext,
) -> Result<StatusCode, HttpError> {
    if ctx.actor.credential.kind != CredentialKind::Session {
        return Err(HttpError::invalid(
            "authorization",
            "not a session; delete API tokens with token_delete",
        ));
    }
    revoke_session(&s, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the session the request came with (audited as `session_delete`).
pub(crate) async fn revoke_session(s: &AppState, ctx: &OpContext) -> Result<(), HttpError> {
    let (user, id) = (ctx.actor.user.id.clone(), ctx.actor.credential.id.clone());
    audited(
        s,
        ctx,
        "session_delete",
        "session",
        ctx.actor.user.tenant_id,
        async { s.store.credential_revoke(&user, &id).await.map(|_| ()) },
    )
    .await
}
