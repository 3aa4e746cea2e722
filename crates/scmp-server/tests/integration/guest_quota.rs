//! Concurrent creations never over-allocate a project's quota, on SQLite and on PostgreSQL, and two
//! replicas on one PostgreSQL share the work without doing anything twice.

use reqwest::Method;
use scmp_api::{GuestView, OperationView, QuotaBody};
use scmp_common::OperationState;
use scmp_server::{start, ServerConfig};
use scmp_test_utils::helpers::{acme_web, vm, wait_operation};
use scmp_test_utils::{Client, TestContext};

async fn hundred_creations_admit_twenty(ctx: &TestContext) {
    let p = acme_web(&ctx.admin, 20).await;
    let calls = (0..100).map(|i| {
        let (c, p) = (&ctx.admin, p.id);
        async move {
            let body = serde_json::to_value(vm(&format!("g{i}"))).unwrap();
            c.send(Method::POST, &format!("/projects/{p}/guests"), Some(body))
                .await
                .status
                .as_u16()
        }
    });
    let results = futures::future::join_all(calls).await;
    let admitted = results.iter().filter(|s| **s == 202 || **s == 200).count();
    let refused = results.iter().filter(|s| **s == 422).count();
    assert_eq!((admitted, refused), (20, 80), "{results:?}");
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_creations_admit_exactly_twenty_on_sqlite() {
    let ctx = TestContext::with_site("race-sqlite").await;
    hundred_creations_admit_twenty(&ctx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_creations_admit_exactly_twenty_on_postgresql() {
    let Some(ctx) = TestContext::builder("race-pg")
        .sites(1)
        .postgres()
        .try_start()
        .await
    else {
        return;
    };
    hundred_creations_admit_twenty(&ctx).await;
}

/// Requests spread over both replicas, operations run by whichever takes their lease; quota
/// exact, every creation done once, no VMID given twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgresql_share_the_work() {
    let Some(first) = TestContext::builder("replicas")
        .sites(1)
        .postgres()
        .try_start()
        .await
    else {
        return;
    };
    let p = acme_web(&first.admin, 20).await;
    // The second replica: same database, same keys (the data directory), its own listener.
    let mut config = ServerConfig::new(first.dir().to_path_buf(), "127.0.0.1:0".parse().unwrap());
    config.database_url = first.database_url.clone();
    config.sync_interval = std::time::Duration::from_millis(300);
    let second = start(config).await.unwrap();
    let second_client = Client::new(
        &format!("https://{}", second.addr),
        &second.fingerprint,
        first.admin.token().map(str::to_string),
    );
    let calls = (0..60).map(|i| {
        let c = if i % 2 == 0 {
            first.admin.clone()
        } else {
            second_client.clone()
        };
        async move {
            let body = serde_json::to_value(vm(&format!("g{i}"))).unwrap();
            c.send(
                Method::POST,
                &format!("/projects/{}/guests", p.id),
                Some(body),
            )
            .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let admitted: Vec<OperationView> = results
        .iter()
        .filter(|a| a.status == 202 || a.status == 200)
        .map(|a| a.json())
        .collect();
    assert_eq!(admitted.len(), 20);
    for op in &admitted {
        assert_eq!(
            wait_operation(&first.admin, op).await.state,
            OperationState::Succeeded
        );
    }
    let guests: Vec<GuestView> = first
        .admin
        .list_all(&format!("/projects/{}/guests", p.id))
        .await;
    let mut vmids: Vec<u32> = guests.iter().map(|g| g.vmid.unwrap()).collect();
    vmids.sort_unstable();
    vmids.dedup();
    assert_eq!(vmids.len(), 20, "one VMID each");
    assert_eq!(
        first.site().guests().len(),
        20,
        "each created once on Proxmox"
    );
    second.handle.shutdown();
}

/// An offline budget for a site is escrowed out of the project's quota: reserved at once, so
/// central admission cannot hand it out again; refused beyond the quota or for a validity out of
/// bounds, naming the field; withdrawn, it is given back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_budget_is_reserved_in_the_project_quota() {
    let ctx = TestContext::with_site("site-budgets").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    let path = format!("/projects/{}/site-budgets/fra", p.id);
    let budget = |guests: u64| serde_json::json!({"budget": {"vcpus": 4, "memory_mib": 4096, "disk_gib": 40, "guests": guests}});
    let set: scmp_api::SiteBudgetView = c.put(&path, &budget(2)).await;
    assert_eq!((set.granted.guests, set.used.guests), (2, 0));
    let q: QuotaBody = c.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, 2, "reserved in the project's usage");
    // One guest of three is left for central admission.
    let guests = format!("/projects/{}/guests?wait=30", p.id);
    let create = |n: &str| {
        let body = serde_json::to_value(vm(n)).unwrap();
        c.send(Method::POST, &guests, Some(body))
    };
    let first = create("web1").await;
    assert!(matches!(first.status.as_u16(), 200 | 202), "{}", first.text);
    assert_eq!(create("web2").await.status.as_u16(), 422);
    // Beyond the quota, or valid too long: refused, naming the field.
    let over = c.send(Method::PUT, &path, Some(budget(3))).await;
    assert_eq!(over.status.as_u16(), 422, "{}", over.text);
    let mut long = budget(1);
    long["valid_for_s"] = serde_json::json!(365 * 86_400);
    let bad = c.send(Method::PUT, &path, Some(long)).await;
    assert_eq!(
        (bad.status.as_u16(), bad.field()),
        (400, Some("valid_for_s".into()))
    );
    let listed: scmp_api::Page<scmp_api::SiteBudgetView> =
        c.get(&format!("/projects/{}/site-budgets", p.id)).await;
    assert_eq!(listed.items.len(), 1);
    // Withdrawn: the quota is the project's again.
    let gone = c.send(Method::DELETE, &path, None).await;
    assert_eq!(gone.status.as_u16(), 204);
    let again = create("web2").await;
    assert!(matches!(again.status.as_u16(), 200 | 202), "{}", again.text);
}
