//! Inventory sync keeps scmp's record in step with the sites: what it discovers, drift reported
//! (and repaired when the cluster asks for it), a guest deleted outside scmp marked missing and
//! adopted again when it comes back, maintenance, and a cluster that cannot be reached.

use scmp_api::{ClusterView, GuestView, HostView};
use scmp_common::{ClusterState, GuestEventKind, GuestState};
use scmp_test_utils::helpers::{acme_web, create_guest, guest_until, vm};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

/// Polls a cluster (bounded) until it is in `state`.
async fn cluster_until(c: &Client, state: ClusterState) -> ClusterView {
    for _ in 0..100 {
        let v: ClusterView = c.get("/clusters/fra-1").await;
        if v.health.state == state {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("fra-1 never became {state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_storage_and_bridges() {
    let ctx = TestContext::with_site("discovery").await;
    let c: ClusterView = ctx.admin.get("/clusters/fra-1").await;
    assert!(
        c.storage.iter().any(|s| s.shared && s.kind == "rbd"),
        "{c:?}"
    );
    assert_eq!(c.bridges[0].name, "vmbr0");
    assert_eq!(c.bridges[0].nodes.len(), 3);
    assert_eq!(c.health.unmanaged_guests, 0, "nothing but templates yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_outside_scmp_is_reported() {
    let ctx = TestContext::with_site("drift").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let (node, vmid) = (g.host.clone().unwrap(), g.vmid.unwrap());
    ctx.site()
        .sim
        .call(
            "POST",
            &format!("/nodes/{node}/qemu/{vmid}/status/stop"),
            &[],
        )
        .unwrap();
    let g = guest_until(&ctx.admin, g.id, "drift", |g| g.drift.is_some()).await;
    assert!(g.drift.as_deref().unwrap().contains("power"), "{g:?}");
    assert_eq!(g.events[0].kind, GuestEventKind::Drift);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_repaired_when_the_cluster_asks_for_it() {
    let ctx = TestContext::with_site("repair").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let (node, vmid) = (g.host.clone().unwrap(), g.vmid.unwrap());
    let c: ClusterView = ctx
        .admin
        .patch("/clusters/fra-1", &json!({"drift_action": "repair"}))
        .await;
    assert_eq!(c.drift_action, scmp_common::DriftAction::Repair);
    ctx.site()
        .sim
        .call(
            "POST",
            &format!("/nodes/{node}/qemu/{vmid}/status/stop"),
            &[],
        )
        .unwrap();
    let g = guest_until(&ctx.admin, g.id, "a repair", |g| {
        g.events.iter().any(|e| e.kind == GuestEventKind::Repaired)
    })
    .await;
    assert!(g.drift.is_none(), "in sync: no drift at all: {g:?}");
    assert_eq!(
        ctx.site().sim.cluster().guests[&vmid].state,
        pve_sim::RunState::Running
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_deleted_outside_scmp_is_missing_then_adopted_when_it_comes_back() {
    let ctx = TestContext::with_site("adopt").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    let vmid = g.vmid.unwrap();
    let saved = ctx.site().sim.cluster().guests.remove(&vmid).unwrap();
    guest_until(&ctx.admin, g.id, "missing", |g| {
        g.state == GuestState::Missing
    })
    .await;
    ctx.site().sim.cluster().guests.insert(vmid, saved);
    let g: GuestView = guest_until(&ctx.admin, g.id, "adoption", |g| {
        g.state == GuestState::Running
    })
    .await;
    assert!(
        g.events.iter().any(|e| e.kind == GuestEventKind::Adopted),
        "{g:?}"
    );
    assert!(g.drift.is_none(), "in sync: no drift at all: {g:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_in_maintenance_gets_no_new_guests() {
    let ctx = TestContext::with_site("maintenance").await;
    let p = acme_web(&ctx.admin, 10).await;
    let h: HostView = ctx
        .admin
        .act("/clusters/fra-1/hosts/pve1/maintenance-enter")
        .await;
    assert!(h.maintenance);
    for i in 0..4 {
        let g = create_guest(&ctx.admin, &p, &vm(&format!("m{i}"))).await;
        assert_ne!(g.host.as_deref(), Some("pve1"), "{g:?}");
    }
    let h: HostView = ctx
        .admin
        .act("/clusters/fra-1/hosts/pve1/maintenance-exit")
        .await;
    assert!(!h.maintenance);
}

/// The node the API is served from goes down: the cluster says so, since when and why. (Another
/// node down only degrades it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_is_degraded_then_unreachable_with_since_when_and_why() {
    let ctx = TestContext::with_site("unreachable").await;
    ctx.site().sim.node_down("pve3");
    cluster_until(&ctx.admin, ClusterState::Degraded).await;
    ctx.site().sim.node_down("pve1");
    let c = cluster_until(&ctx.admin, ClusterState::Unreachable).await;
    assert!(c.health.since.is_some(), "{c:?}");
    assert!(!c.health.last_error.unwrap_or_default().is_empty());
}
