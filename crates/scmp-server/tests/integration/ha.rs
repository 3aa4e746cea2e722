//! High availability: a guest's HA flag becomes a Proxmox HA resource with scmp's placement (PVE 9
//! rules, PVE 8 groups); when a host fails, its HA guests are shown down while Proxmox fences and
//! recovers them, then running on their new hosts (kept apart from their anti-affinity group)
//! within seconds of Proxmox finishing, with events; a guest without HA on the failed host is down
//! with the reason, never running, and stopped when its host is back.

use std::time::{Duration, Instant};

use scmp_api::{ClusterView, GuestCreate, GuestView, OperationView};
use scmp_common::{GuestEventKind, GuestState, OperationState};
use scmp_test_utils::helpers::{
    acme_web, create_guest, eventually, guest_until, vm, wait_operation,
};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

fn ha_vm(name: &str) -> GuestCreate {
    GuestCreate {
        ha: Some(true),
        anti_affinity_group: Some("db".into()),
        ..vm(name)
    }
}

/// Keeps new guests off `pve1` (the node the cluster's API is reached through, which must stay up
/// for scmp to see the failure).
async fn avoid_entry_node(c: &Client, enter: bool) {
    let action = if enter { "enter" } else { "exit" };
    let _: scmp_api::HostView = c
        .act(&format!("/clusters/fra-1/hosts/pve1/maintenance-{action}"))
        .await;
}

async fn migrate(c: &Client, g: &GuestView, to: &str) {
    let op: OperationView = c
        .post(
            &format!("/guests/{}/migrate?wait=30", g.id),
            &json!({"host": to}),
        )
        .await;
    assert_eq!(
        wait_operation(c, &op).await.state,
        OperationState::Succeeded
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_host_on_pve_9_recovers_ha_guests_apart_and_keeps_the_others_down() {
    // Fencing after 60 s and recovery after 120 s of PVE time take 1.2 s and 2.4 s here.
    let ctx = TestContext::builder("ha-9")
        .sites(1)
        .time_scale(0.02)
        .pve_release(pve_sim::Release::Pve9)
        .start()
        .await;
    let p = acme_web(&ctx.admin, 5).await;
    avoid_entry_node(&ctx.admin, true).await;
    let a = create_guest(&ctx.admin, &p, &ha_vm("db1")).await;
    let b = create_guest(&ctx.admin, &p, &ha_vm("db2")).await;
    let plain = create_guest(&ctx.admin, &p, &vm("app")).await;
    avoid_entry_node(&ctx.admin, false).await;
    let failed = a.host.clone().unwrap();
    let apart_host = b.host.clone().unwrap();
    assert_ne!(failed, apart_host, "placement kept the group apart");
    if plain.host.as_deref() != Some(failed.as_str()) {
        migrate(&ctx.admin, &plain, &failed).await;
    }
    let (va, vb) = (a.vmid.unwrap(), b.vmid.unwrap());
    {
        let c = ctx.site().sim.cluster();
        let apart = c
            .ha_rules
            .values()
            .find(|r| r.rule.starts_with("scmp-aa-"))
            .expect("the group's negative rule");
        let want: std::collections::BTreeSet<String> =
            [format!("vm:{va}"), format!("vm:{vb}")].into();
        assert_eq!(apart.resources, want);
        assert!(
            c.ha_rules.contains_key(&format!("scmp-vm{va}")),
            "node affinity"
        );
    }
    guest_until(&ctx.admin, a.id, "HA state seen", |g| {
        g.ha_state.as_deref() == Some("started")
    })
    .await;

    assert!(ctx.site().sim.node_down(&failed));
    let down = guest_until(&ctx.admin, plain.id, "the plain guest down", |g| {
        g.state == GuestState::Down
    })
    .await;
    let why = down.error.clone().unwrap_or_default();
    assert!(
        why.contains(&failed) && why.contains("not under HA"),
        "{why}"
    );
    let fenced = guest_until(&ctx.admin, a.id, "the HA guest down", |g| {
        g.state == GuestState::Down
    })
    .await;
    assert!(fenced
        .error
        .unwrap_or_default()
        .contains("HA is recovering"));

    // Proxmox finishes the recovery: scmp shows it within 10 s.
    let recovered_at = eventually("Proxmox recovering the guest", || async {
        let c = ctx.site().sim.cluster();
        let g = &c.guests[&va];
        (g.node != failed && g.state == pve_sim::RunState::Running).then(Instant::now)
    })
    .await;
    let now = guest_until(&ctx.admin, a.id, "the HA guest running again", |g| {
        g.state == GuestState::Running
    })
    .await;
    assert!(
        recovered_at.elapsed() < Duration::from_secs(10),
        "shown {:?} after Proxmox recovered it",
        recovered_at.elapsed()
    );
    let new_host = now.host.clone().unwrap();
    assert!(
        new_host != failed && new_host != apart_host,
        "recovered on {new_host}, away from its group's other guest"
    );
    let events = full(&ctx.admin, &now).await.events;
    for kind in [
        GuestEventKind::Down,
        GuestEventKind::HaState,
        GuestEventKind::Moved,
        GuestEventKind::Recovered,
    ] {
        assert!(
            events.iter().any(|e| e.kind == kind),
            "{kind:?} in {events:?}"
        );
    }
    let plain_now: GuestView = ctx.admin.get(&format!("/guests/{}", plain.id)).await;
    assert_eq!(plain_now.state, GuestState::Down, "never shown running");
    let cluster: ClusterView = ctx.admin.get("/clusters/fra-1").await;
    let ha = cluster.ha.expect("the HA manager's status");
    assert!(ha.quorate && ha.services == 2, "{ha:?}");
    let lrm = ha.nodes.iter().find(|n| n.node == failed).unwrap();
    assert!(lrm.status.contains("dead"), "{lrm:?}");

    // The host returns: the plain guest is there, stopped (its host rebooted).
    assert!(ctx.site().sim.node_up(&failed));
    let back = guest_until(&ctx.admin, plain.id, "the plain guest back", |g| {
        g.state == GuestState::Stopped
    })
    .await;
    assert_eq!(back.host.as_deref(), Some(failed.as_str()));
    assert!(back.error.is_none(), "{back:?}");
}

/// The guest with its events (the API's single-guest view).
async fn full(c: &Client, g: &GuestView) -> GuestView {
    c.get(&format!("/guests/{}", g.id)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_host_on_pve_8_recovers_ha_guests_in_their_group() {
    let ctx = TestContext::builder("ha-8")
        .sites(1)
        .time_scale(0.02)
        .start()
        .await;
    let p = acme_web(&ctx.admin, 5).await;
    avoid_entry_node(&ctx.admin, true).await;
    let a = create_guest(&ctx.admin, &p, &ha_vm("db1")).await;
    avoid_entry_node(&ctx.admin, false).await;
    let vmid = a.vmid.unwrap();
    let group = {
        let c = ctx.site().sim.cluster();
        let res = &c.ha[&format!("vm:{vmid}")];
        let group = res.group.clone().expect("an HA group");
        assert_eq!(c.ha_groups[&group].nodes, "pve1,pve2,pve3");
        group
    };
    assert!(group.starts_with("scmp-"));
    let failed = a.host.clone().unwrap();
    assert!(ctx.site().sim.node_down(&failed));
    let now = guest_until(&ctx.admin, a.id, "recovered", |g| {
        g.state == GuestState::Running && g.host.as_deref() != Some(failed.as_str())
    })
    .await;
    assert_eq!(now.ha_state.as_deref(), Some("started"));
}
