//! An independent PVE fake (fakepve, from PyPI) registered as a cluster: inventory reads it (its
//! cluster is not "unreachable"; what cannot be read makes it degraded, with the reason), and a
//! guest is created on it and deleted again, end to end.

use reqwest::Method;
use scmp_api::{ClusterView, HostView, Page, SiteView};
use scmp_common::{ClusterState, GuestState, OperationState};
use scmp_test_utils::external::FakePve;
use scmp_test_utils::helpers::{acme_web, create_guest, vm, wait_operation};
use scmp_test_utils::TestContext;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_are_made_and_removed_on_fakepve() {
    let Some(fake) = FakePve::start().await else {
        return;
    };
    let ctx = TestContext::with_site("fakepve").await;
    let c = &ctx.admin;
    let p = acme_web(c, 5).await;
    let _: SiteView = c
        .post("/sites", &json!({"name": "lab", "country": "DE"}))
        .await;
    let (id, secret) = fake.info.token.split_once('=').unwrap();
    let _: ClusterView = c
        .post(
            "/sites/lab/clusters",
            &json!({"name": "fake-1", "endpoint": fake.info.url, "token_id": id,
                "token_secret": secret, "tls_fingerprint": fake.info.fingerprint}),
        )
        .await;
    let mut cluster = None;
    for _ in 0..50 {
        let v: ClusterView = c.get("/clusters/fake-1").await;
        if v.health.state != ClusterState::Unknown {
            cluster = Some(v);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let cluster = cluster.expect("inventory reads fakepve");
    let health = &cluster.health;
    assert!(
        health.state.accepts_guests(),
        "read, not unreachable: {cluster:?}"
    );
    if health.state == ClusterState::Degraded {
        assert!(
            health.last_error.is_some(),
            "degraded says why: {cluster:?}"
        );
    }
    assert_eq!(health.pve_version.as_deref(), Some("9.0.10"));
    let hosts: Page<HostView> = c.get("/clusters/fake-1/hosts").await;
    assert_eq!(hosts.items.len(), 3);
    let mut body = vm("web1");
    body.site = Some("lab".into());
    let guest = create_guest(c, &p, &body).await;
    assert_eq!(
        (guest.site.as_ref().map(|s| s.as_str()), guest.state),
        (Some("lab"), GuestState::Running)
    );
    let vmid = guest.vmid.unwrap();
    // What fakepve itself shows.
    let pve = scmp_agent::connect(&scmp_agent::ClusterAccess {
        endpoint: fake.info.url.clone(),
        token_id: id.parse().unwrap(),
        token_secret: secret.to_string(),
        fingerprint: fake.info.fingerprint.parse().unwrap(),
    })
    .unwrap();
    let on_fake = |vmid: u32| {
        let pve = &pve;
        async move {
            pve_client::PveApi::cluster_resources(pve, None)
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.vmid.map(|v| v.get()) == Some(vmid))
        }
    };
    let made = on_fake(vmid).await.expect("the guest is on fakepve");
    assert!(
        made.tags.unwrap_or_default().contains("scmp"),
        "it carries its identity"
    );
    let a = c
        .send(
            Method::DELETE,
            &format!("/guests/{}?wait=30", guest.id),
            None,
        )
        .await;
    assert_eq!(
        wait_operation(c, &a.json()).await.state,
        OperationState::Succeeded
    );
    assert!(on_fake(vmid).await.is_none(), "gone from fakepve");
}
