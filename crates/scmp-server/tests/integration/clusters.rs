//! Sites and the clusters registered at them: discovery at registration, the token secret sealed
//! and never shown, the field at fault for a bad registration, and what a delete leaves.

use reqwest::Method;
use scmp_api::{AuditEntryView, ClusterView, HostView, Page, SiteView};
use scmp_common::ClusterState;
use scmp_test_utils::{SimSite, TestContext};
use serde_json::json;

async fn berlin(ctx: &TestContext) {
    let _: SiteView = ctx
        .admin
        .post(
            "/sites",
            &json!({"name": "berlin", "country": "DE", "region": "BE"}),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_is_discovered_when_it_is_registered() {
    let ctx = TestContext::new("cluster-discovery").await;
    berlin(&ctx).await;
    let sim = SimSite::start(0.0).await;
    let c: ClusterView = ctx
        .admin
        .post("/sites/berlin/clusters", &sim.cluster_create("ber-1"))
        .await;
    assert_eq!(c.cpu_overcommit, 4.0);
    assert_eq!(c.health.state, ClusterState::Online, "{c:?}");
    let hosts: Page<HostView> = ctx.admin.get("/clusters/ber-1/hosts").await;
    assert_eq!(hosts.items.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_secret_is_sealed_and_never_shown() {
    let ctx = TestContext::new("cluster-secret").await;
    berlin(&ctx).await;
    let sim = SimSite::start(0.0).await;
    let body = sim.cluster_create("ber-1");
    let secret = body.token_secret.clone();
    let created = ctx
        .admin
        .send(
            Method::POST,
            "/sites/berlin/clusters",
            Some(serde_json::to_value(&body).unwrap()),
        )
        .await;
    assert_eq!(created.status, 201);
    let view = ctx.admin.send(Method::GET, "/clusters/ber-1", None).await;
    let list = ctx
        .admin
        .send(Method::GET, "/sites/berlin/clusters", None)
        .await;
    let audit: Vec<AuditEntryView> = ctx.admin.list_all("/audit").await;
    for answer in [
        &created.text,
        &view.text,
        &list.text,
        &serde_json::to_string(&audit).unwrap(),
    ] {
        assert!(!answer.contains(&secret), "the secret leaks: {answer}");
    }
    for file in ["scmp.db", "scmp.db-wal"] {
        let bytes = std::fs::read(ctx.dir().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret is stored in the clear in {file}"
        );
    }
    let stored = ctx.store().await.cluster_lookup("ber-1").await.unwrap();
    assert!(!format!("{stored:?}").contains(&stored.token_secret_sealed));
    let sealer = scmp_server::secrets::Sealer::load_or_create(ctx.dir()).unwrap();
    assert_eq!(
        sealer.open(&stored.token_secret_sealed).unwrap(),
        secret,
        "the server can open it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_registration_names_its_field() {
    let ctx = TestContext::new("cluster-bad").await;
    berlin(&ctx).await;
    let sim = SimSite::start(0.0).await;
    let good = serde_json::to_value(sim.cluster_create("ber-2")).unwrap();
    let other_fp = vec!["AB"; 32].join(":");
    for (field, value) in [
        ("endpoint", json!("http://pve1.example:8006")),
        ("token_id", json!("root@pam")),
        ("token_secret", json!("")),
        ("tls_fingerprint", json!("AB:CD")),
        ("tls_fingerprint", json!(other_fp)),
        (
            "token_secret",
            json!("00000000-0000-0000-0000-000000000000"),
        ),
        ("cpu_overcommit", json!(0.0)),
        ("memory_overcommit", json!(1000.0)),
        ("name", json!("Bad Name")),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let a = ctx
            .admin
            .send(Method::POST, "/sites/berlin/clusters", Some(body))
            .await;
        assert_eq!(
            (a.status.as_u16(), a.field()),
            (400, Some(field.to_string())),
            "{field}: {}",
            a.text
        );
    }
    let none: Page<ClusterView> = ctx.admin.get("/sites/berlin/clusters").await;
    assert!(none.items.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_has_a_country_code_and_a_region_that_changes() {
    let ctx = TestContext::new("site-fields").await;
    let a = ctx
        .admin
        .send(
            Method::POST,
            "/sites",
            Some(json!({"name": "paris", "country": "fr"})),
        )
        .await;
    assert_eq!(
        (a.status.as_u16(), a.field()),
        (400, Some("country".into()))
    );
    berlin(&ctx).await;
    let s: SiteView = ctx
        .admin
        .put("/sites/berlin", &json!({"region": "Berlin-Mitte"}))
        .await;
    assert_eq!(
        (s.region.as_deref(), s.country.as_str()),
        (Some("Berlin-Mitte"), "DE")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_stays_while_clusters_are_registered_at_it() {
    let ctx = TestContext::new("site-delete").await;
    berlin(&ctx).await;
    let sim = SimSite::start(0.0).await;
    let _: ClusterView = ctx
        .admin
        .post("/sites/berlin/clusters", &sim.cluster_create("ber-1"))
        .await;
    let a = ctx.admin.send(Method::DELETE, "/sites/berlin", None).await;
    assert_eq!(a.status, 409, "a site with clusters stays");
    assert_eq!(a.problem().dependents[0].names, vec!["ber-1".to_string()]);
    ctx.admin.delete("/clusters/ber-1").await;
    ctx.admin.delete("/sites/berlin").await;
    let a = ctx.admin.send(Method::GET, "/sites/berlin", None).await;
    assert_eq!(a.status, 404);
}
