//! Helpers that read like the API: each makes one thing through the API with the typed bodies of
//! the API crate and answers its view, failing the test (with the problem) when refused.

use std::time::Duration;

use scmp_api::{
    CloudInitSpec, GroupCreate, GroupView, GuestCreate, GuestView, OperationView, ProjectCreate,
    ProjectView, ResourcesBody, RoleBindingCreate, RoleBindingView, ScopeBody, Subject,
    TenantCreate, TenantView, UserCreate, UserView,
};
use scmp_common::{GuestKind, Name, ProjectId, TenantId};
use scmp_store::{BindingSubject, CredentialKind};

use crate::client::{Answer, Client};
use crate::context::TestContext;

/// A name (fails the test when it is not one).
pub fn name(s: &str) -> Name {
    s.parse().unwrap()
}

/// Amounts of each resource.
pub fn quota(vcpus: u64, memory_mib: u64, disk_gib: u64, guests: u64) -> ResourcesBody {
    ResourcesBody {
        vcpus,
        memory_mib,
        disk_gib,
        guests,
        networks: guests,
        public_addresses: guests,
    }
}

/// Room for `guests` guests of any size the tests make.
pub fn room_for(guests: u64) -> ResourcesBody {
    quota(1000, 4_000_000, 100_000, guests)
}

/// `tenant_create`.
pub async fn create_tenant(c: &Client, tenant: &str, q: ResourcesBody) -> TenantView {
    let body = TenantCreate {
        name: name(tenant),
        description: None,
        quota: Some(q),
        countries: None,
    };
    c.post("/tenants", &body).await
}

/// `project_create` in `tenant`.
pub async fn create_project(
    c: &Client,
    tenant: &str,
    project: &str,
    q: ResourcesBody,
) -> ProjectView {
    let body = ProjectCreate {
        name: name(project),
        description: None,
        quota: Some(q),
    };
    c.post(&format!("/tenants/{tenant}/projects"), &body).await
}

/// The tenant `acme` and its project `web`, each with room for `guests` guests.
pub async fn acme_web(c: &Client, guests: u64) -> ProjectView {
    create_tenant(c, "acme", room_for(guests)).await;
    create_project(c, "acme", "web", room_for(guests)).await
}

/// `user_create` in `tenant` (a platform user when `None`), with a password.
pub async fn create_user(
    c: &Client,
    user: &str,
    tenant: Option<&str>,
    password: Option<&str>,
) -> UserView {
    let body = UserCreate {
        name: name(user),
        email: None,
        password: password.map(str::to_string),
        tenant: tenant.map(str::to_string),
        realm: None,
        login: None,
    };
    c.post("/users", &body).await
}

/// `role_binding_create` of `role` for a user on a tenant.
pub async fn bind_on_tenant(c: &Client, role: &str, user: &str, tenant: &str) -> RoleBindingView {
    let body = RoleBindingCreate {
        subject: Subject {
            user: Some(user.to_string()),
            group: None,
        },
        role: role.to_string(),
        scope: ScopeBody::Tenant {
            tenant: tenant.to_string(),
        },
    };
    c.post("/role-bindings", &body).await
}

/// `group_create` in `tenant` with members.
pub async fn create_group(
    c: &Client,
    group: &str,
    tenant: Option<&str>,
    members: &[&str],
) -> GroupView {
    let body = GroupCreate {
        name: name(group),
        tenant: tenant.map(str::to_string),
        description: None,
        members: members.iter().map(|m| m.to_string()).collect(),
    };
    c.post("/groups", &body).await
}

/// A user with one role binding and a token, made in the store beneath the API (for roles the
/// API would not let the test grant directly); a client with that token.
pub async fn user_with_role(
    ctx: &TestContext,
    user: &str,
    role: Option<(&str, Option<TenantId>, Option<ProjectId>)>,
) -> Client {
    let store = ctx.store().await;
    let u = store
        .user_create(&name(user), "", None, None)
        .await
        .unwrap();
    if let Some((role, t, p)) = role {
        store
            .binding_create(&BindingSubject::User(u.id), role, t, p)
            .await
            .unwrap();
    }
    let token = store
        .credential_issue(u.id, CredentialKind::Token, "test", None)
        .await
        .unwrap()
        .text;
    ctx.admin.with_token(token)
}

/// A new user of `tenant` made through the API, with a token made in the store; a client with
/// that token, and the user.
pub async fn tenant_user(ctx: &TestContext, user: &str, tenant: &str) -> (Client, UserView) {
    let u = create_user(&ctx.admin, user, Some(tenant), None).await;
    let token = ctx
        .store()
        .await
        .credential_issue(u.id, CredentialKind::Token, "test", None)
        .await
        .unwrap()
        .text;
    (ctx.admin.with_token(token), u)
}

/// A VM of the catalog's Debian image and the `small` type, with a cloud-init user and key.
pub fn vm(guest: &str) -> GuestCreate {
    GuestCreate {
        security_groups: None,
        nics: None,
        name: name(guest),
        kind: GuestKind::Vm,
        image: "debian-12".into(),
        instance_type: Some("small".into()),
        vcpus: None,
        memory_mib: None,
        disk_gib: None,
        site: None,
        cloud_init: Some(CloudInitSpec {
            user: Some("debian".into()),
            ssh_keys: vec![
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests0000000000000 me@laptop"
                    .into(),
            ],
            ip_config: None,
        }),
        network: None,
        ha: None,
        tags: Some(vec!["web".into()]),
        anti_affinity_group: None,
    }
}

/// Waits (bounded) for an operation to end; answers it as it ended.
pub async fn wait_operation(c: &Client, op: &OperationView) -> OperationView {
    for _ in 0..300 {
        let o: OperationView = c.get(&format!("/operations/{}?wait=5", op.id)).await;
        if o.state.is_terminal() {
            return o;
        }
    }
    panic!("operation {} did not end", op.id);
}

/// `guest_create` in project `p`, not waited for: the answer as it is (a refusal, or the
/// operation's `202`).
pub async fn try_create_guest(c: &Client, p: &ProjectView, body: &GuestCreate) -> Answer {
    c.send(
        reqwest::Method::POST,
        &format!("/projects/{}/guests", p.id),
        Some(serde_json::to_value(body).unwrap()),
    )
    .await
}

/// `guest_create` in project `p`; the operation as it ended.
pub async fn create_guest_op(c: &Client, p: &ProjectView, body: &GuestCreate) -> OperationView {
    let op: OperationView = c
        .post(&format!("/projects/{}/guests?wait=30", p.id), body)
        .await;
    wait_operation(c, &op).await
}

/// `guest_create` in project `p`, which must succeed; the guest as the API shows it then.
pub async fn create_guest(c: &Client, p: &ProjectView, body: &GuestCreate) -> GuestView {
    let op = create_guest_op(c, p, body).await;
    assert_eq!(op.state, scmp_common::OperationState::Succeeded, "{op:?}");
    c.get(&format!("/guests/{}", op.guest_id.unwrap())).await
}

/// Polls a guest (bounded) until `check` holds; answers it then.
pub async fn guest_until(
    c: &Client,
    id: impl std::fmt::Display,
    what: &str,
    check: impl Fn(&GuestView) -> bool,
) -> GuestView {
    let path = format!("/guests/{id}");
    for _ in 0..100 {
        let g: GuestView = c.get(&path).await;
        if check(&g) {
            return g;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let g: GuestView = c.get(&path).await;
    panic!("{what} never happened: {g:?}");
}

/// Polls `check` every 100 ms for up to 15 s until it answers something; panics saying `what`
/// never happened.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..150 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} never happened");
}

/// Starts an action on a guest (`start`, `stop`, ...) and waits for it; the operation as it ended.
pub async fn guest_action(
    c: &Client,
    guest: impl std::fmt::Display,
    action: &str,
) -> OperationView {
    let op: OperationView = c.act(&format!("/guests/{guest}/{action}?wait=30")).await;
    wait_operation(c, &op).await
}
