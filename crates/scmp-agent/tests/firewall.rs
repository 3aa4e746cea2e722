//! Security groups through the agent against a simulated cluster's firewall: made with their IP
//! sets, left alone when they match, a rule changed on Proxmox reported and (when asked) repaired,
//! a guest's firewall enabled with its groups, and all of it taken down.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

mod common;

use common::cluster;
use pve_types::api::firewall::{Rule, RuleType};
use scmp_agent::firewall::{FwGroup, FwIpSet};
use scmp_agent::{Agent, Command, LocalAgent};
use scmp_common::GuestKind;

fn web_group() -> (Vec<FwIpSet>, Vec<FwGroup>) {
    let members = FwIpSet {
        name: "tab12cd-web0001-m".into(),
        comment: "members of web".into(),
        cidrs: vec!["10.20.0.2".into(), "10.20.0.3".into()],
    };
    let mut same = Rule::new(RuleType::In, "ACCEPT");
    same.source = Some("+tab12cd-web0001-m".into());
    let mut https = Rule::new(RuleType::In, "ACCEPT");
    https.proto = Some("tcp".into());
    https.dport = Some("443".into());
    https.source = Some("0.0.0.0/0".into());
    let group = FwGroup {
        name: "tab12cd-web0001".into(),
        comment: "web".into(),
        rules: vec![same, https],
    };
    (vec![members], vec![group])
}

fn ensure(ipsets: &[FwIpSet], groups: &[FwGroup], repair: bool) -> Command {
    Command::EnsureFirewall {
        ipsets: ipsets.to_vec(),
        groups: groups.to_vec(),
        owned: vec!["tab12cd-web0001-".into()],
        repair,
    }
}

#[tokio::test]
async fn a_group_is_made_kept_and_repaired() {
    let c = cluster();
    let agent = LocalAgent::new(c.clone());
    let (sets, groups) = web_group();
    let found = agent
        .ask(ensure(&sets, &groups, true))
        .await
        .unwrap()
        .differences()
        .unwrap();
    assert!(
        found.iter().any(|d| d.what.contains("is missing")),
        "{found:?}"
    );
    {
        let sim = c.sim.cluster();
        let g = &sim.firewall.groups["tab12cd-web0001"];
        assert_eq!(g.rules.len(), 2);
        // In order, enabled (PVE makes new rules disabled unless told).
        assert_eq!(g.rules[0]["source"], "+tab12cd-web0001-m");
        assert_eq!(g.rules[1]["dport"], "443");
        assert!(g.rules.iter().all(|r| r["enable"] == "1"));
        let set = &sim.firewall.ipsets["tab12cd-web0001-m"];
        assert_eq!(set.entries.len(), 2);
    }
    // Again: nothing differs, nothing changes.
    let before = c.changes();
    let found = agent
        .ask(ensure(&sets, &groups, true))
        .await
        .unwrap()
        .differences()
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(c.changes(), before);

    // Someone opens SSH on Proxmox: reported, left alone without repair, then repaired.
    c.sim
        .call(
            "PUT",
            "/cluster/firewall/groups/tab12cd-web0001/1",
            &[("dport", "22")],
        )
        .unwrap();
    let found = agent
        .ask(ensure(&sets, &groups, false))
        .await
        .unwrap()
        .differences()
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].what.contains("differ"), "{found:?}");
    assert_eq!(found[0].name, "tab12cd-web0001");
    assert_eq!(
        c.sim.cluster().firewall.groups["tab12cd-web0001"].rules[1]["dport"],
        "22"
    );
    agent.ask(ensure(&sets, &groups, true)).await.unwrap();
    assert_eq!(
        c.sim.cluster().firewall.groups["tab12cd-web0001"].rules[1]["dport"],
        "443"
    );

    // A member leaves: its address leaves the set.
    let mut fewer = sets.clone();
    fewer[0].cidrs.pop();
    let found = agent
        .ask(ensure(&fewer, &groups, true))
        .await
        .unwrap()
        .differences()
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].what,
        "IP set tab12cd-web0001-m has 10.20.0.3 besides"
    );
    assert_eq!(
        c.sim.cluster().firewall.ipsets["tab12cd-web0001-m"]
            .entries
            .len(),
        1
    );
}

#[tokio::test]
async fn a_guest_applies_its_groups_and_they_come_down() {
    let c = cluster();
    let agent = LocalAgent::new(c.clone());
    let (sets, groups) = web_group();
    agent.ask(ensure(&sets, &groups, true)).await.unwrap();
    let set_guest = |groups: Vec<String>| Command::SetGuestFirewall {
        kind: GuestKind::Vm,
        node: "pve1".into(),
        vmid: 9000,
        groups,
    };
    agent
        .ask(set_guest(vec!["tab12cd-web0001".into()]))
        .await
        .unwrap()
        .done()
        .unwrap();
    {
        let sim = c.sim.cluster();
        let fw = &sim.guests[&9000].firewall;
        assert_eq!(fw.options["enable"], "1");
        assert_eq!(fw.options["policy_in"], "DROP");
        assert_eq!(fw.options["policy_out"], "ACCEPT");
        assert_eq!(fw.rules.len(), 1);
        assert_eq!(fw.rules[0]["type"], "group");
        assert_eq!(fw.rules[0]["action"], "tab12cd-web0001");
    }
    let before = c.changes();
    agent
        .ask(set_guest(vec!["tab12cd-web0001".into()]))
        .await
        .unwrap();
    assert_eq!(c.changes(), before, "nothing to change");
    // Without groups: disabled and empty; then the group and its set are taken down.
    agent.ask(set_guest(Vec::new())).await.unwrap();
    {
        let sim = c.sim.cluster();
        let fw = &sim.guests[&9000].firewall;
        assert_eq!(fw.options["enable"], "0");
        assert!(fw.rules.is_empty());
    }
    let remove = Command::RemoveFirewall {
        groups: vec!["tab12cd-web0001".into()],
        ipsets: vec!["tab12cd-web0001-m".into()],
    };
    agent.ask(remove.clone()).await.unwrap().done().unwrap();
    agent.ask(remove).await.unwrap().done().unwrap();
    let sim = c.sim.cluster();
    assert!(sim.firewall.groups.is_empty());
    assert!(sim.firewall.ipsets.is_empty());
}
