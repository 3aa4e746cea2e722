//! Bad input gets an RFC 9457 problem naming the field at fault (or the request's shape), never a
//! 500 and never a change.

use reqwest::Method;
use scmp_api::{Page, QuotaBody, TenantView};
use scmp_test_utils::helpers::{acme_web, create_tenant, quota, vm};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_name_their_field() {
    let ctx = TestContext::new("bad-bodies").await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("application/json", b"{not json".to_vec(), 400, "body"),
        ("application/json", br#"{"name": 5}"#.to_vec(), 400, "name"),
        ("application/json", br#"{"name": "ok", "quota": {"vcpus": -1}}"#.to_vec(), 400, "quota.vcpus"),
        ("application/json", br#"{"name": "ok", "surprise": 1}"#.to_vec(), 400, "body"),
        ("application/json", br#"{"name": "../etc/passwd"}"#.to_vec(), 400, "name"),
        ("application/json", br#"{"name": "x'; DROP TABLE tenants;--"}"#.to_vec(), 400, "name"),
        ("application/json", b"{\"name\": \"\xff\xfe\"}".to_vec(), 400, "body"),
        ("application/json", br#"{"name": "ok", "quota": {"vcpus": 99999999999999999999}}"#.to_vec(), 400, "quota.vcpus"),
        ("application/json", br#"{"name": "ok", "quota": {"vcpus": 18446744073709551615, "memory_mib": 1, "disk_gib": 1, "guests": 1}}"#.to_vec(), 400, "quota.vcpus"),
        ("application/json", br#"{"name": "ok", "countries": ["Germany"]}"#.to_vec(), 400, "countries[0]"),
    ];
    for (ctype, body, want, field) in cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let a = ctx
            .admin
            .send_bytes(Method::POST, "/tenants", ctype, body)
            .await;
        assert_eq!(a.status.as_u16(), want, "{shown}: {}", a.text);
        assert_eq!(a.content_type(), "application/problem+json");
        assert!(
            !a.problem().instance.is_empty(),
            "the request id is the instance"
        );
        if field != "body" {
            assert_eq!(a.field().as_deref(), Some(field), "{shown}: {}", a.text);
        }
    }
    let none: Page<TenantView> = ctx.admin.get("/tenants").await;
    assert!(none.items.is_empty(), "nothing was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_of_another_type_or_too_large_are_refused() {
    let ctx = TestContext::new("bad-shape").await;
    let a = ctx
        .admin
        .send_bytes(
            Method::POST,
            "/tenants",
            "text/plain",
            b"name=acme".to_vec(),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.content_type()),
        (415, "application/problem+json")
    );
    let a = ctx
        .admin
        .send_bytes(
            Method::POST,
            "/tenants",
            "application/json",
            vec![b' '; 2 << 20],
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.content_type()),
        (413, "application/problem+json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_paths_methods_and_queries_are_problems() {
    let ctx = TestContext::new("bad-paths").await;
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    for path in [
        "/tenants/..%2F..%2Fetc",
        "/tenants/%00",
        "/tenants/acme%27%20OR%201=1",
        "/nothing",
        "/projects/not-a-uuid",
    ] {
        let a = ctx.admin.send(Method::GET, path, None).await;
        assert!(a.status == 404 || a.status == 400, "{path}: {}", a.status);
        assert_eq!(a.content_type(), "application/problem+json", "{path}");
    }
    let a = ctx.admin.send(Method::PATCH, "/tenants", None).await;
    assert_eq!(
        (a.status.as_u16(), a.content_type()),
        (405, "application/problem+json")
    );
    for (query, field) in [("limit=0", "limit"), ("bogus=1", "bogus")] {
        let a = ctx
            .admin
            .send(Method::GET, &format!("/tenants?{query}"), None)
            .await;
        assert_eq!(a.status, 400, "?{query}: {}", a.text);
        if field == "limit" {
            assert_eq!(a.field().as_deref(), Some(field));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_guest_request_names_its_field_and_takes_nothing() {
    let ctx = TestContext::with_site("bad-guests").await;
    let p = acme_web(&ctx.admin, 5).await;
    let cases = [
        ("name", json!({"name": "Web 1"})),
        ("image", json!({"image": "windows-95"})),
        ("image", json!({"kind": "ct"})),
        ("instance_type", json!({"instance_type": "huge"})),
        (
            "vcpus",
            json!({"instance_type": null, "vcpus": 0, "memory_mib": 512, "disk_gib": 8}),
        ),
        ("tags[0]", json!({"tags": ["Bad Tag"]})),
        (
            "cloud_init.ssh_keys[0]",
            json!({"cloud_init": {"ssh_keys": ["not a key"]}}),
        ),
        (
            "cloud_init.ip_config",
            json!({"cloud_init": {"ip_config": "ip=999.1.1.1/24"}}),
        ),
        ("site", json!({"site": "atlantis"})),
        ("network.vlan", json!({"network": {"vlan": 5000}})),
    ];
    for (field, patch) in cases {
        let mut body = serde_json::to_value(vm("web1")).unwrap();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let a = ctx
            .admin
            .send(
                Method::POST,
                &format!("/projects/{}/guests", p.id),
                Some(body),
            )
            .await;
        assert_eq!(
            (a.status.as_u16(), a.field()),
            (400, Some(field.to_string())),
            "{}",
            a.text
        );
    }
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 0, "nothing reserved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_nothing_can_hold_is_refused_at_once_with_the_reason() {
    let ctx = TestContext::with_site("unplaceable").await;
    let p = acme_web(&ctx.admin, 5).await;
    let mut big = serde_json::to_value(vm("big")).unwrap();
    big["instance_type"] = Value::Null;
    big["vcpus"] = json!(128);
    big["memory_mib"] = json!(4 << 20);
    big["disk_gib"] = json!(10);
    let a = ctx
        .admin
        .send(
            Method::POST,
            &format!("/projects/{}/guests", p.id),
            Some(big),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.problem().detail.contains("capacity"), "{}", a.text);
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 0, "nothing reserved");
}
