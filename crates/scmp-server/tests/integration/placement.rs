//! Placement: residency keeps a tenant's guests in its countries, anti-affinity spreads a group
//! over hosts, a guest moves to a named host or where placement says, and a network picks a host
//! that has its bridge.

use std::collections::BTreeSet;

use reqwest::Method;
use scmp_api::{GuestView, OperationView, TenantView};
use scmp_common::{GuestState, OperationState};
use scmp_test_utils::helpers::{acme_web, create_guest, try_create_guest, vm, wait_operation};
use scmp_test_utils::TestContext;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn residency_keeps_a_tenants_guests_in_its_countries() {
    let ctx = TestContext::with_site("residency").await;
    let p = acme_web(&ctx.admin, 5).await;
    let t: TenantView = ctx
        .admin
        .put("/tenants/acme", &json!({"countries": ["FR"]}))
        .await;
    assert_eq!(t.countries[0].as_str(), "FR");
    let a = try_create_guest(&ctx.admin, &p, &vm("web1")).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.problem().detail.contains("residency: 3"), "{}", a.text);
    let _: TenantView = ctx
        .admin
        .put("/tenants/acme", &json!({"countries": ["DE", "FR"]}))
        .await;
    create_guest(&ctx.admin, &p, &vm("web1")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anti_affinity_spreads_a_group_over_hosts() {
    let ctx = TestContext::with_site("anti-affinity").await;
    let p = acme_web(&ctx.admin, 10).await;
    let mut hosts = BTreeSet::new();
    for i in 0..3 {
        let mut body = vm(&format!("db{i}"));
        body.anti_affinity_group = Some("db".into());
        hosts.insert(create_guest(&ctx.admin, &p, &body).await.host.unwrap());
    }
    assert_eq!(hosts.len(), 3, "{hosts:?}");
    let mut body = vm("db3");
    body.anti_affinity_group = Some("db".into());
    let a = try_create_guest(&ctx.admin, &p, &body).await;
    assert_eq!(a.status, 422, "no room for a fourth: {}", a.text);
    assert!(
        a.problem().detail.contains("anti_affinity: 3"),
        "{}",
        a.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_moves_to_a_named_host_then_where_placement_says() {
    let ctx = TestContext::with_site("migrate").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("app")).await;
    let from = g.host.clone().unwrap();
    let to = if from == "pve1" { "pve2" } else { "pve1" };
    let op: OperationView = ctx
        .admin
        .post(
            &format!("/guests/{}/migrate?wait=30", g.id),
            &json!({"host": to}),
        )
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &op).await.state,
        OperationState::Succeeded
    );
    let now: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(
        (now.host.as_deref(), now.state),
        (Some(to), GuestState::Running)
    );
    assert_eq!(
        ctx.site().sim.cluster().guests[&g.vmid.unwrap()].node,
        to,
        "moved on Proxmox too"
    );
    let op: OperationView = ctx
        .admin
        .post(&format!("/guests/{}/migrate?wait=30", g.id), &json!({}))
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &op).await.state,
        OperationState::Succeeded
    );
    let again: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
    assert_ne!(again.host.as_deref(), Some(to));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_to_a_host_the_cluster_lacks_names_the_host() {
    let ctx = TestContext::with_site("migrate-bad").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("app")).await;
    for host in ["pve9", g.host.as_deref().unwrap()] {
        let a = ctx
            .admin
            .send(
                Method::POST,
                &format!("/guests/{}/migrate", g.id),
                Some(json!({"host": host})),
            )
            .await;
        assert_eq!(
            (a.status.as_u16(), a.field()),
            (400, Some("host".into())),
            "{host}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_joins_its_vlan_on_a_bridge_its_host_has() {
    let ctx = TestContext::with_site("vlan").await;
    let p = acme_web(&ctx.admin, 5).await;
    let mut body = vm("tagged");
    body.network = Some(scmp_api::NetworkSpec {
        bridge: None,
        vlan: Some(120),
    });
    let g = create_guest(&ctx.admin, &p, &body).await;
    assert_eq!(
        (g.network.bridge.as_deref(), g.network.vlan),
        (Some("vmbr0"), Some(120))
    );
    let net0 = ctx.site().sim.cluster().guests[&g.vmid.unwrap()].config["net0"].clone();
    assert!(
        net0.contains("bridge=vmbr0") && net0.contains("tag=120") && net0.contains("=BC:24:11:"),
        "on the VLAN, with the MAC address of its clone: {net0}"
    );
    let mut body = vm("nowhere");
    body.network = Some(scmp_api::NetworkSpec {
        bridge: Some("vmbr9".into()),
        vlan: None,
    });
    let a = try_create_guest(&ctx.admin, &p, &body).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.problem().detail.contains("network: "),
        "which filter removed the hosts: {}",
        a.text
    );
}
