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
