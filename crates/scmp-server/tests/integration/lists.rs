//! Lists: every list pages the one way, a page is full of what the caller may see, and a token
//! from nowhere is refused.

use reqwest::Method;
use scmp_api::{Page, TenantView};
use scmp_test_utils::helpers::{
    acme_web, create_guest, create_tenant, quota, try_create_guest, user_with_role, vm,
    wait_operation,
};
use scmp_test_utils::{SimSite, TestContext};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_full_of_what_the_caller_may_see() {
    let ctx = TestContext::new("full-pages").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            create_tenant(&ctx.admin, &format!("t{i}"), quota(0, 0, 0, 0))
                .await
                .id,
        );
    }
    // carol administers t1 and t4 only.
    let carol = user_with_role(&ctx, "carol", Some(("tenant-admin", Some(ids[1]), None))).await;
    let store = ctx.store().await;
    let cu = store.user_lookup("carol").await.unwrap().unwrap().0;
    store
        .binding_create(
            &scmp_store::BindingSubject::User(cu.id),
            "tenant-admin",
            Some(ids[4]),
            None,
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let path = match &token {
            Some(t) => format!("/tenants?limit=1&page_token={t}"),
            None => "/tenants?limit=1".into(),
        };
        let p: Page<TenantView> = carol.get(&path).await;
        assert!(
            p.items.len() == 1 || p.next_page_token.is_none(),
            "a page is never short but at the end"
        );
        seen.extend(p.items.into_iter().map(|t| t.name.to_string()));
        token = p.next_page_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["t1", "t4"]);
    let all: Vec<TenantView> = ctx.admin.list_all("/tenants").await;
    let names: Vec<String> = all.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4", "t5"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_token_from_nowhere_is_refused() {
    let ctx = TestContext::new("forged-token").await;
    let a = ctx
        .admin
        .send(Method::GET, "/tenants?page_token=t3", None)
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("page_token".into()))
    );
    let a = ctx.admin.send(Method::GET, "/audit?guest=nope", None).await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("guest".into())),
        "guest ids only"
    );
}

/// Every list operation of the OpenAPI document pages the one way: walked a page of one at a
/// time, it gives what one page of 1000 gives, each item once; a limit out of 1..1000 and a forged
/// page token are refused naming the parameter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_pages_the_same_way() {
    let ctx = TestContext::with_site("every-list").await;
    let c = &ctx.admin;
    let p = acme_web(c, 10).await;
    create_tenant(c, "globex", quota(0, 0, 0, 0)).await;
    let made = c
        .send(
            Method::POST,
            "/tenants/acme/projects",
            Some(json!({"name": "db"})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    for i in 0..2 {
        for (path, body) in [
            (
                "/users",
                json!({"name": format!("user-{i}"), "tenant": "acme"}),
            ),
            (
                "/groups",
                json!({"name": format!("group-{i}"), "tenant": "acme"}),
            ),
            (
                "/realms",
                json!({"name": format!("realm-{i}"), "type": "ldap", "tenant": "acme",
                       "directory": {"server1": "203.0.113.9", "base_dn": "dc=x"}}),
            ),
            (
                "/policies",
                json!({"name": format!("policy-{i}"), "tenant": "acme", "enforcement": "warn",
                       "builtin": {"kind": "max_size", "vcpus": 64}}),
            ),
            (
                "/roles",
                json!({"name": format!("role-{i}"), "level": "project", "tenant": "acme",
                       "actions": ["guest_view"]}),
            ),
            (
                "/role-bindings",
                json!({"subject": {"user": format!("user-{i}")}, "role": "viewer", "scope": {"project": p.id}}),
            ),
            ("/tokens", json!({"name": format!("t{i}")})),
            (
                "/sites",
                json!({"name": format!("site-{i}"), "country": "FR"}),
            ),
        ] {
            let a = c.send(Method::POST, path, Some(body)).await;
            assert_eq!(a.status, 201, "{path}: {}", a.text);
        }
    }
    // Offline budgets at two sites.
    for i in 0..2 {
        let _: scmp_api::SiteBudgetView = c
            .put(
                &format!("/projects/{}/site-budgets/site-{i}", p.id),
                &json!({"budget": {"vcpus": 1, "memory_mib": 256, "disk_gib": 1, "guests": 1}}),
            )
            .await;
    }
    // A second cluster at the site.
    let second = SimSite::start(0.0).await;
    let _: scmp_api::ClusterView = c
        .post("/sites/fra/clusters", &second.cluster_create("fra-2"))
        .await;
    let g = create_guest(c, &p, &vm("web1")).await;
    create_guest(c, &p, &vm("web2")).await;
    for snap in ["one", "two", "three"] {
        let op: scmp_api::OperationView = c
            .post(
                &format!("/guests/{}/snapshots?wait=30", g.id),
                &json!({"name": snap}),
            )
            .await;
        wait_operation(c, &op).await;
    }
    // Two backups of it.
    for _ in 0..2 {
        let op: scmp_api::OperationView = c
            .post(&format!("/guests/{}/backups?wait=30", g.id), &json!({}))
            .await;
        wait_operation(c, &op).await;
    }
    // Two networks at the site.
    for (i, net) in ["net-a", "net-b"].iter().enumerate() {
        let op: scmp_api::OperationView = c
            .post(
                &format!("/projects/{}/networks?wait=30", p.id),
                &json!({"name": net, "site": "fra", "subnets": [{"cidr": format!("10.{i}.0.0/24")}]}),
            )
            .await;
        wait_operation(c, &op).await;
    }
    // Two public pools at the site, two addresses of the project.
    for (name, cidr) in [("pool-a", "203.0.113.0/28"), ("pool-b", "198.51.100.0/28")] {
        let _: scmp_api::PublicPoolView = c
            .post(
                "/sites/fra/public-pools",
                &json!({"name": name, "cidr": cidr, "mode": "nat"}),
            )
            .await;
    }
    for _ in 0..2 {
        let _: scmp_api::PublicAddressView = c
            .post(
                &format!("/projects/{}/public-addresses", p.id),
                &json!({"site": "fra"}),
            )
            .await;
    }
    // Two security groups of the project.
    for name in ["sg-a", "sg-b"] {
        let a = c
            .send(
                reqwest::Method::POST,
                &format!("/projects/{}/security-groups", p.id),
                Some(json!({"name": name, "site": "fra"})),
            )
            .await;
        assert_eq!(a.status, 202, "{}", a.text);
    }
    // Two creations held for approval.
    let _: scmp_api::PolicyView = c
        .post(
            "/policies",
            &json!({"name": "hold-big", "enforcement": "require_approval",
                "builtin": {"kind": "max_size", "vcpus": 2},
                "approval": {"approvers": [{"kind": "role", "role": "platform-admin", "on": "platform"}]}}),
        )
        .await;
    for name in ["big1", "big2"] {
        let body = scmp_api::GuestCreate {
            vcpus: Some(4),
            ..vm(name)
        };
        let a = try_create_guest(c, &p, &body).await;
        assert_eq!(a.status, 202, "{}", a.text);
    }
    // Enough audit entries for two signed checkpoints (one every 100 entries).
    for i in 0..110 {
        let _: TenantView = c
            .put("/tenants/acme", &json!({"description": format!("v{i}")}))
            .await;
    }
    // Two agents enrolled at the site.
    for _ in 0..2 {
        let t: scmp_api::JoinTokenCreated = c.post("/sites/fra/join-tokens", &json!({})).await;
        let key = rcgen::KeyPair::generate().unwrap();
        let csr = rcgen::CertificateParams::default()
            .serialize_request(&key)
            .unwrap()
            .pem()
            .unwrap();
        let a = c
            .anonymous()
            .send(
                Method::POST,
                "/agent/enroll",
                Some(json!({"join_token": t.token, "csr": csr})),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.text);
    }
    let doc: Value = serde_json::from_str(&scmp_server::openapi_document()).unwrap();
    let values = [
        ("{tenant}", "acme".to_string()),
        ("{project}", p.id.to_string()),
        ("{site}", "fra".to_string()),
        ("{cluster}", "fra-1".to_string()),
        ("{guest}", g.id.to_string()),
    ];
    let mut walked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        if !schema.as_str().is_some_and(|r| r.contains("/Page_")) {
            continue;
        }
        let op = get["operationId"].as_str().unwrap().to_string();
        let mut concrete = path.trim_start_matches("/api/v1").to_string();
        for (k, v) in &values {
            concrete = concrete.replace(k, v);
        }
        assert!(
            !concrete.contains('{'),
            "{op}: no value for a parameter of {path}"
        );
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            params.contains(&"limit") && params.contains(&"page_token"),
            "{op} takes limit and page_token: {params:?}"
        );
        let key = |item: &Value| -> String {
            ["id", "seq", "name", "upid", "site", "operation_id"]
                .iter()
                .find_map(|k| item.get(*k).map(|v| v.to_string()))
                .unwrap_or_else(|| panic!("{op}: an item without a key: {item}"))
        };
        let whole = c
            .send(Method::GET, &format!("{concrete}?limit=1000"), None)
            .await;
        assert_eq!(whole.status, 200, "{op}: {}", whole.text);
        let all: Vec<String> = whole.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect();
        assert!(
            all.len() >= 2,
            "{op}: two or more items to page through: {}",
            whole.text
        );
        assert!(
            whole.body.get("next_page_token").is_none(),
            "{op}: one page holds all"
        );
        let mut paged = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..=all.len() {
            let url = match &token {
                Some(t) => format!("{concrete}?limit=1&page_token={t}"),
                None => format!("{concrete}?limit=1"),
            };
            let page = c.send(Method::GET, &url, None).await;
            assert_eq!(page.status, 200, "{op}: {}", page.text);
            let items = page.body["items"].as_array().unwrap();
            assert!(items.len() <= 1, "{op}");
            paged.extend(items.iter().map(key));
            match page.body["next_page_token"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        // The audit log grows with these very reads' neighbours: compare what both saw.
        if op == "audit_list" {
            paged.truncate(all.len());
        }
        assert_eq!(
            paged, all,
            "{op}: pages of one give the same items, once each"
        );
        for bad in ["limit=0", "limit=1001", "page_token=forged"] {
            let a = c
                .send(Method::GET, &format!("{concrete}?{bad}"), None)
                .await;
            assert_eq!(a.status, 400, "{op} ?{bad}: {}", a.text);
            let field = bad.split('=').next().unwrap();
            assert_eq!(a.field().as_deref(), Some(field), "{op} ?{bad}: {}", a.text);
        }
        walked.push(op);
    }
    walked.sort();
    assert_eq!(walked.len(), 28, "every list operation: {walked:?}");
}
