//! Authorization: every operation of the OpenAPI document refuses callers without the right
//! (and answers what does not exist the same way as what they may not see), and roles decide
//! what each user sees and does.

use std::collections::BTreeSet;

use reqwest::Method;
use scmp_api::{OperationView, Page, ProjectView, RoleBindingView, TenantView, TokenView};
use scmp_test_utils::helpers::{
    acme_web, create_group, create_guest, create_project, create_tenant, quota, user_with_role, vm,
};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

/// A request body that is valid for each operation that takes one; an operation missing here fails the
/// sweep, so a new endpoint cannot go unchecked.
fn sample_body(operation: &str) -> Option<Value> {
    match operation {
        "tenant_create" => Some(json!({"name": "intruder"})),
        "project_create" => Some(json!({"name": "intruder"})),
        "tenant_quota_update" | "project_quota_update" => {
            Some(serde_json::to_value(quota(1000, 1000, 1000, 1000)).unwrap())
        }
        "token_create" => Some(json!({"name": "intruder"})),
        "tenant_update" | "project_update" => Some(json!({"description": "defaced"})),
        "site_create" => Some(json!({"name": "intruder", "country": "DE"})),
        "user_create" => Some(
            json!({"name": "intruder", "tenant": "TENANT", "password": "correct-horse-battery"}),
        ),
        "role_binding_create" => Some(
            json!({"subject": {"user": "admin"}, "role": "tenant-admin", "scope": {"tenant": "TENANT"}}),
        ),
        "session_create" => Some(json!({"username": "admin", "password": "not-the-password"})),
        "join_token_create" | "agent_revoke" | "mfa_totp_enroll" => Some(json!({})),
        "mfa_totp_confirm" | "mfa_totp_disable" => Some(json!({"code": "000000"})),
        "site_budget_set" => Some(json!({"budget": quota(1, 1, 1, 1)})),
        "agent_renew" => {
            Some(json!({"agent": "00000000-0000-4000-8000-0000000000a5", "csr": "not a request"}))
        }
        "agent_enroll" => Some(json!({
            "join_token": format!("scmpjoin.00000000-0000-4000-8000-0000000000a3.{}.{}", "ab".repeat(32), "cd".repeat(32)),
            "csr": "not a request",
        })),
        "cluster_create" => Some(
            json!({"name": "intruder", "endpoint": "https://203.0.113.9:8006",
            "token_id": "root@pam!x", "token_secret": "s",
            "tls_fingerprint": "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"}),
        ),
        "cluster_update" => Some(json!({"drift_action": "repair"})),
        "image_create" => Some(
            json!({"name": "intruder", "kind": "vm", "os": "x", "version": "1", "template": "x"}),
        ),
        "instance_type_create" => {
            Some(json!({"name": "intruder", "vcpus": 1, "memory_mib": 512, "disk_gib": 1}))
        }
        "guest_create" => Some(
            json!({"name": "intruder", "kind": "vm", "image": "debian-12", "instance_type": "small"}),
        ),
        "guest_update" => Some(json!({"vcpus": 2})),
        "guest_migrate" => Some(json!({"host": "pve2"})),
        "group_create" => Some(json!({"name": "intruders", "tenant": "TENANT"})),
        "group_update" => Some(json!({"members": ["admin"]})),
        "realm_create" => Some(
            json!({"name": "intruders", "type": "ldap", "tenant": "TENANT",
            "directory": {"server1": "203.0.113.9", "base_dn": "dc=x"}}),
        ),
        "realm_update" => Some(json!({"comment": "defaced"})),
        "role_create" => Some(
            json!({"name": "intruders", "level": "tenant", "tenant": "TENANT", "actions": ["guest_view"]}),
        ),
        "role_update" => Some(json!({"actions": ["guest_view", "guest_operate"]})),
        "policy_create" => Some(
            json!({"name": "intruders", "tenant": "TENANT", "enforcement": "deny",
            "builtin": {"kind": "max_size", "vcpus": 1}}),
        ),
        "policy_update" => Some(json!({"version": 1, "active": false})),
        "tenant_labels_update" | "project_labels_update" => {
            Some(json!({"labels": {"defaced": "yes"}}))
        }
        "policy_dry_run" => Some(
            json!({"policy": {"name": "intruders", "tenant": "TENANT", "enforcement": "deny",
            "builtin": {"kind": "max_size", "vcpus": 1}}}),
        ),
        "platform_settings_update" => Some(json!({"require_mfa": false})),
        "compliance_scan" => Some(json!({})),
        "guest_lease_extend" => Some(json!({"days": 1})),
        "approval_approve" | "approval_reject" => Some(json!({"comment": "intruding"})),
        "approval_itsm_callback" => Some(json!({"decision": "approve", "ticket": "CHG1"})),
        "realm_sync" => Some(json!({"dry_run": true})),
        "realm_test" => Some(json!({})),
        "sso_begin" => Some(json!({"redirect_uri": "https://portal.example/"})),
        "sso_complete" => Some(json!({"state": "s", "code": "c", "binding": "b"})),
        "user_update" => Some(json!({"email": "intruder@example.invalid"})),
        "site_update" => Some(json!({"description": "defaced"})),
        "snapshot_create" => Some(json!({"name": "intruder"})),
        "backup_create" => Some(json!({})),
        "guest_restore" => Some(json!({"backup": "bG9jYWw6YmFja3Vw", "confirm": true})),
        "network_create" => {
            Some(json!({"name": "intruder", "site": "fra", "subnets": [{"cidr": "10.66.0.0/24"}]}))
        }
        "network_update" => Some(json!({"subnets": [{"cidr": "10.66.0.0/24"}]})),
        "public_pool_create" => {
            Some(json!({"name": "intruder", "cidr": "198.51.100.0/28", "mode": "nat"}))
        }
        "public_address_create" => Some(json!({"site": "fra"})),
        "public_address_attach" => Some(json!({"guest": "intruder"})),
        "public_address_detach" => Some(json!({})),
        "security_group_create" => Some(json!({"name": "intruder", "site": "fra"})),
        "security_group_update" => Some(json!({"rules": []})),
        "guest_security_groups_set" => Some(json!({"security_groups": []})),
        "tunnel_hub_set" => Some(
            json!({"endpoint": "x.example:1", "tunnel_cidr": "10.255.0.0/24",
            "public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}),
        ),
        "site_tunnel_enable" => Some(json!({})),
        "site_tunnel_rotate" => Some(json!({})),
        "site_networking_set" => {
            Some(json!({"zone_type": "vlan", "bridge": "vmbr0", "tag_min": 1, "tag_max": 2}))
        }
        "guest_start"
        | "guest_stop"
        | "guest_shutdown"
        | "guest_reboot"
        | "snapshot_rollback"
        | "backup_protect"
        | "backup_unprotect"
        | "operation_cancel"
        | "host_maintenance_enter"
        | "host_maintenance_exit" => Some(json!({})),
        _ => None,
    }
}

/// Lists answer everyone, filtered to what the caller may see.
const LISTS: &[&str] = &[
    "tenant_list",
    "operation_list",
    "role_list",
    "policy_list",
    "approval_list",
];

/// Operations every signed-in user may call (about themselves, the catalog, the sites); they must
/// reveal nothing of others.
const SELF_SERVICE: &[&str] = &[
    "me_view",
    "me_mfa_view",
    "mfa_totp_enroll",
    "mfa_totp_confirm",
    "mfa_totp_disable",
    "token_list",
    "token_create",
    "token_delete",
    "session_delete",
    "image_list",
    "instance_type_list",
    "site_list",
    "sso_logout_url",
    "policy_schema",
];

/// Operations without authentication (login): wrong credentials are a 401 for everyone.
const PUBLIC: &[&str] = &["session_create", "agent_enroll", "agent_renew"];

/// Sign-on operations without authentication: through a realm that is no OpenID realm there is
/// no such thing (404) for everyone.
const PUBLIC_SSO: &[&str] = &["sso_begin", "sso_complete"];

/// Operations authenticated by a signature instead of a token (a ticketing system's callback):
/// without the signed link's query they are refused before anything is read.
const SIGNED: &[&str] = &["approval_itsm_callback"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_refuses_strangers() {
    let mut ctx = TestContext::new("sweep").await;
    let p = acme_web(&ctx.admin, 10).await;
    let t: TenantView = ctx.admin.get("/tenants/acme").await;
    let other = create_tenant(&ctx.admin, "globex", quota(0, 0, 0, 0)).await;
    ctx.add_site("berlin", "DE", 0.0).await;
    let site: scmp_api::SiteView = ctx.admin.get("/sites/berlin").await;
    let cluster: scmp_api::ClusterView = ctx.admin.get("/clusters/berlin-1").await;
    create_group(&ctx.admin, "devs", Some("acme"), &[]).await;
    let realm = json!({"name": "corp", "type": "ldap", "tenant": "acme",
        "directory": {"server1": "203.0.113.9", "base_dn": "dc=corp"}});
    let made = ctx.admin.send(Method::POST, "/realms", Some(realm)).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let role = json!({"name": "ops-east", "level": "project", "tenant": "acme",
        "actions": ["guest_view", "guest_operate"]});
    let made = ctx.admin.send(Method::POST, "/roles", Some(role)).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let policy = json!({"name": "east-small", "tenant": "acme", "enforcement": "deny",
        "builtin": {"kind": "max_size", "vcpus": 8}});
    let made = ctx
        .admin
        .send(Method::POST, "/policies", Some(policy))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let bindings: Page<RoleBindingView> = ctx.admin.get("/role-bindings").await;
    let admin_binding = bindings.items[0].id.to_string();
    let tokens: Page<TokenView> = ctx.admin.get("/tokens").await;
    let admin_token_id = tokens.items[0].id.to_string();
    let admin_token = ctx.admin.token().unwrap().to_string();
    let stranger = user_with_role(
        &ctx,
        "stranger",
        Some(("tenant-admin", Some(other.id), None)),
    )
    .await;
    let nobody = user_with_role(&ctx, "nobody", None).await;
    let forged = ctx
        .admin
        .with_token("scmp_0123456789abcdef0123456789abcdef_00");
    let doc: Value = ctx.admin.get("/openapi.json").await;
    let (tid, pid) = (t.id.to_string(), p.id.to_string());
    let mut swept = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let operation = op["operationId"].as_str().unwrap().to_string();
            let concrete = path
                .strip_prefix("/api/v1")
                .unwrap()
                .replace("{tenant}", &tid)
                .replace("{project}", &pid)
                .replace("{token}", &admin_token_id)
                .replace("{site}", &site.id.to_string())
                .replace("{cluster}", &cluster.id.to_string())
                .replace("{user}", "admin")
                .replace("{id}", &admin_binding)
                .replace("{security_group}", "00000000-0000-4000-8000-0000000000ab")
                .replace("{group}", "devs")
                .replace("{realm}", "corp")
                .replace("{role}", "ops-east")
                .replace("{policy}", "east-small")
                .replace("{guest}", "00000000-0000-4000-8000-0000000000a1")
                .replace("{operation}", "00000000-0000-4000-8000-0000000000a2")
                .replace("{approval}", "00000000-0000-4000-8000-0000000000a7")
                .replace("{network}", "00000000-0000-4000-8000-0000000000a8")
                .replace("{pool}", "00000000-0000-4000-8000-0000000000a9")
                .replace("{address}", "00000000-0000-4000-8000-0000000000aa")
                .replace("{host}", "pve1")
                .replace("{snapshot}", "snap1")
                .replace("{backup}", "bG9jYWw6YmFja3Vw")
                .replace("{agent}", "00000000-0000-4000-8000-0000000000a4")
                .replace("{join_token}", "00000000-0000-4000-8000-0000000000a6");
            let m: Method = method.to_uppercase().parse().unwrap();
            let body = matches!(m, Method::POST | Method::PUT | Method::PATCH).then(|| {
                sample_body(&operation)
                    .unwrap_or_else(|| panic!("{operation}: add a sample body to the sweep"))
            });
            for (who, c) in [
                ("no credentials", ctx.admin.anonymous()),
                ("a bad token", forged.clone()),
                ("another tenant's admin", stranger.clone()),
                ("a user without roles", nobody.clone()),
            ] {
                let a = c.send(m.clone(), &concrete, body.clone()).await;
                if PUBLIC.contains(&operation.as_str()) {
                    assert_eq!(a.status, 401, "{operation} as {who}");
                    continue;
                }
                if SIGNED.contains(&operation.as_str()) {
                    assert!(
                        matches!(a.status.as_u16(), 400 | 401),
                        "{operation} as {who}: {}",
                        a.text
                    );
                    continue;
                }
                if PUBLIC_SSO.contains(&operation.as_str()) {
                    assert_eq!(a.status, 404, "{operation} as {who}: {}", a.text);
                    continue;
                }
                if c.token().is_none() || who == "a bad token" {
                    assert_eq!(a.status, 401, "{operation} as {who}");
                    assert_eq!(a.body["status"], 401);
                    continue;
                }
                if SELF_SERVICE.contains(&operation.as_str()) {
                    assert!(
                        !a.text.contains(&admin_token) && !a.text.contains(&admin_token_id)
                            || operation == "token_delete",
                        "{operation} as {who} leaks: {}",
                        a.text
                    );
                    if operation == "token_delete" {
                        assert_eq!(a.status, 404, "nobody revokes another's token");
                    }
                    continue;
                }
                if LISTS.contains(&operation.as_str()) && a.status == 200 {
                    assert!(
                        !a.text.contains("acme") && !a.text.contains(&tid),
                        "{operation} as {who} lists what it may not see: {}",
                        a.text
                    );
                    continue;
                }
                assert!(
                    matches!(a.status.as_u16(), 403 | 404),
                    "{operation} as {who}: {} {}",
                    a.status,
                    a.text
                );
                assert_eq!(a.content_type(), "application/problem+json");
                assert!(
                    !a.text.contains("acme"),
                    "{operation} as {who} learns the tenant's name: {}",
                    a.text
                );
                if a.status == 404 {
                    // The answer must be the one for something that does not exist at all.
                    let ghost_id = "00000000-0000-4000-8000-00000000dead";
                    let ghost = concrete.replace(&tid, ghost_id).replace(&pid, ghost_id);
                    let g = c.send(m.clone(), &ghost, body.clone()).await;
                    let norm = |v: &Value| {
                        v["detail"]
                            .as_str()
                            .unwrap_or_default()
                            .replace(&tid, "ID")
                            .replace(&pid, "ID")
                            .replace(ghost_id, "ID")
                    };
                    assert_eq!(
                        (g.status, norm(&g.body)),
                        (a.status, norm(&a.body)),
                        "{operation} as {who}: 404 differs from a missing one"
                    );
                }
            }
            swept.insert(operation);
        }
    }
    // The sweep covered the whole document.
    let all: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|i| {
            i.as_object()
                .unwrap()
                .values()
                .map(|o| o["operationId"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(swept, all);
    assert!(all.len() >= 15, "{all:?}");
    // And nothing changed.
    let tenants: Page<TenantView> = ctx.admin.get("/tenants").await;
    assert_eq!(tenants.items.len(), 2);
    let q: scmp_api::QuotaBody = ctx.admin.get("/tenants/acme/quota").await;
    assert_eq!(q.limits.vcpus, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_show_only_what_the_caller_may_see() {
    let ctx = TestContext::new("visible").await;
    let acme = create_tenant(&ctx.admin, "acme", quota(100, 100, 100, 100)).await;
    create_tenant(&ctx.admin, "globex", quota(0, 0, 0, 0)).await;
    let boss = user_with_role(&ctx, "boss", Some(("tenant-admin", Some(acme.id), None))).await;
    let list: Page<TenantView> = boss.get("/tenants").await;
    let names: Vec<&str> = list.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["acme"]);
    // Among many tenants, a page of one still finds the one the caller may see.
    for i in 0..30 {
        create_tenant(&ctx.admin, &format!("a{i:02}"), quota(0, 0, 0, 0)).await;
    }
    let list: Page<TenantView> = boss.get("/tenants?limit=1").await;
    let names: Vec<&str> = list.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["acme"]);
    let token = list.next_page_token.expect("a full page may have more");
    let rest: Page<TenantView> = boss
        .get(&format!("/tenants?limit=1&page_token={token}"))
        .await;
    assert!(rest.items.is_empty(), "{rest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_member_lists_only_its_projects_operations() {
    let ctx = TestContext::with_site("visible-ops").await;
    let acme = create_tenant(&ctx.admin, "acme", quota(100, 1_000_000, 10_000, 10)).await;
    let web = create_project(&ctx.admin, "acme", "web", quota(10, 100_000, 1_000, 2)).await;
    let db = create_project(&ctx.admin, "acme", "db", quota(10, 100_000, 1_000, 2)).await;
    let web1 = create_guest(&ctx.admin, &web, &vm("web1")).await;
    create_guest(&ctx.admin, &db, &vm("db1")).await;
    let dev = user_with_role(&ctx, "dev", Some(("member", Some(acme.id), Some(web.id)))).await;
    let ops: Page<OperationView> = dev.get("/operations").await;
    assert_eq!(ops.items.len(), 1, "{ops:?}");
    assert!(ops.items.iter().all(|o| o.guest_id == Some(web1.id)));
    let all: Page<OperationView> = ctx.admin.get("/operations").await;
    assert_eq!(all.items.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_administrator_runs_its_tenant_but_may_not_delete_it() {
    let ctx = TestContext::new("tenant-admin").await;
    let acme = create_tenant(&ctx.admin, "acme", quota(100, 100, 100, 100)).await;
    let boss = user_with_role(&ctx, "boss", Some(("tenant-admin", Some(acme.id), None))).await;
    let p: ProjectView = boss
        .post(
            "/tenants/acme/projects",
            &json!({"name": "web", "quota": {"vcpus": 10, "memory_mib": 10, "disk_gib": 10, "guests": 1}}),
        )
        .await;
    assert_eq!(p.tenant_id, acme.id);
    let a = boss.send(Method::DELETE, "/tenants/acme", None).await;
    assert_eq!(a.status, 403, "sees the tenant, may not delete it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenant_does_not_exist_for_a_tenant_administrator() {
    let ctx = TestContext::new("hidden").await;
    let acme = create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    create_tenant(&ctx.admin, "globex", quota(1, 1, 1, 1)).await;
    let boss = user_with_role(&ctx, "boss", Some(("tenant-admin", Some(acme.id), None))).await;
    let seen = boss.send(Method::GET, "/tenants/globex", None).await;
    let missing = boss.send(Method::GET, "/tenants/nosuch", None).await;
    assert_eq!((seen.status.as_u16(), missing.status.as_u16()), (404, 404));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_viewer_sees_but_does_not_change() {
    let ctx = TestContext::new("viewer").await;
    let acme = create_tenant(&ctx.admin, "acme", quota(10, 10, 10, 10)).await;
    let p = create_project(&ctx.admin, "acme", "web", quota(1, 1, 1, 1)).await;
    let viewer = user_with_role(&ctx, "watcher", Some(("viewer", Some(acme.id), Some(p.id)))).await;
    let seen: ProjectView = viewer.get(&format!("/projects/{}", p.id)).await;
    assert_eq!(seen.id, p.id);
    let a = viewer
        .send(Method::DELETE, &format!("/projects/{}", p.id), None)
        .await;
    assert_eq!(a.status, 403);
}
