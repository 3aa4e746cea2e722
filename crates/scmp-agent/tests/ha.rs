//! A guest under HA is placed as scmp chose, in the way its Proxmox release has: on PVE 9 a node
//! affinity rule per guest and a negative resource affinity rule per anti-affinity group (made
//! once two of its guests are under HA, shrunk and removed as they leave); on PVE 8 an HA group
//! per set of hosts, shared.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

mod common;

use pve_client::PveApi;
use pve_sim::Release;
use scmp_agent::ha::{self, HaApart};
use scmp_common::GuestKind;

fn hosts() -> Vec<String> {
    ["pve1", "pve2", "pve3"].map(String::from).to_vec()
}

/// VMs 100.. on the cluster, cloned from its template.
fn guests(c: &common::Counted, n: u32) {
    for i in 0..n {
        let id = (100 + i).to_string();
        c.sim
            .call("POST", "/nodes/pve1/qemu/9000/clone", &[("newid", &id)])
            .unwrap();
    }
}

fn apart(peers: &[u32]) -> HaApart {
    HaApart {
        rule: ha::apart_rule("project", "web"),
        peers: peers.iter().map(|v| (GuestKind::Vm, *v)).collect(),
    }
}

#[tokio::test]
async fn pve_9_gets_rules_kept_in_step_with_the_guests() {
    let c = common::cluster_of(Release::Pve9);
    guests(&c, 3);
    let api: &dyn PveApi = c.as_ref();
    ha::ensure(api, GuestKind::Vm, 100, &hosts(), Some(&apart(&[])))
        .await
        .unwrap();
    let rules = api.ha_rules().await.unwrap();
    assert_eq!(
        rules.len(),
        1,
        "alone in its group: node affinity only: {rules:?}"
    );
    assert_eq!(rules[0].rule, "scmp-vm100");
    assert_eq!(rules[0].nodes.as_deref(), Some("pve1,pve2,pve3"));
    ha::ensure(api, GuestKind::Vm, 101, &hosts(), Some(&apart(&[100])))
        .await
        .unwrap();
    ha::ensure(api, GuestKind::Vm, 102, &hosts(), Some(&apart(&[100, 101])))
        .await
        .unwrap();
    // Again: nothing changes.
    let before = c.changes();
    ha::ensure(api, GuestKind::Vm, 102, &hosts(), Some(&apart(&[100, 101])))
        .await
        .unwrap();
    assert_eq!(c.changes(), before, "idempotent");
    let rules = api.ha_rules().await.unwrap();
    let group = rules
        .iter()
        .find(|r| r.rule == ha::apart_rule("project", "web"))
        .unwrap();
    assert_eq!(group.resource_list(), ["vm:100", "vm:101", "vm:102"]);
    ha::remove(api, GuestKind::Vm, 102).await.unwrap();
    ha::remove(api, GuestKind::Vm, 101).await.unwrap();
    let rules = api.ha_rules().await.unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(ids, ["scmp-vm100"], "one guest left: nothing to keep apart");
    assert_eq!(api.ha_resources().await.unwrap().len(), 1);
}

#[tokio::test]
async fn pve_8_gets_a_shared_group() {
    let c = common::cluster_of(Release::Pve8);
    guests(&c, 2);
    let api: &dyn PveApi = c.as_ref();
    for vmid in [100, 101] {
        ha::ensure(api, GuestKind::Vm, vmid, &hosts(), Some(&apart(&[])))
            .await
            .unwrap();
    }
    let groups = api.ha_groups().await.unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].nodes, "pve1,pve2,pve3");
    assert_eq!(groups[0].nofailback, Some(true));
    let resources = api.ha_resources().await.unwrap();
    assert!(resources
        .iter()
        .all(|r| r.group.as_deref() == Some(groups[0].group.as_str())));
    ha::remove(api, GuestKind::Vm, 100).await.unwrap();
    assert_eq!(api.ha_resources().await.unwrap().len(), 1);
}
