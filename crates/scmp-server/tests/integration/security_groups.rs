//! Security groups through the API against a simulated site: a group made on the cluster's
//! firewall with its members' IP set, a guest's firewall applying it (inbound dropped but from
//! the group and what its rules allow), a rule change reaching Proxmox, a rule changed on
//! Proxmox reported as drift and repaired, refusals at the edge and while in use.

use scmp_api::{GuestView, OperationView, Page, SecurityGroupView};
use scmp_common::OperationState;
use scmp_test_utils::helpers::{acme_web, create_tenant, quota, wait_operation};
use scmp_test_utils::{Client, TestContext};
use serde_json::{json, Value};

async fn accepted(c: &Client, method: reqwest::Method, path: &str, body: Value) -> OperationView {
    let a = c.send(method, path, Some(body)).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(c, &a.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    op
}

async fn group(c: &Client, project: &str, name: &str) -> SecurityGroupView {
    let list: Page<SecurityGroupView> =
        c.get(&format!("/projects/{project}/security-groups")).await;
    list.items
        .into_iter()
        .find(|g| g.name.as_str() == name)
        .unwrap_or_else(|| panic!("{name} is not listed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_security_group_rule_change_reaches_proxmox() {
    let ctx = TestContext::with_site("security-groups").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    let project = p.id.to_string();
    accepted(
        c,
        reqwest::Method::POST,
        &format!("/projects/{project}/networks"),
        json!({"name": "front", "site": "fra",
               "subnets": [{"cidr": "10.50.0.0/24", "gateway": "10.50.0.1"}]}),
    )
    .await;

    // Refused at the edge, with the field at fault.
    for (rule, field) in [
        (
            json!({"direction": "in", "protocol": "icmp", "ports": "22"}),
            "rules[0].ports",
        ),
        (
            json!({"direction": "in", "protocol": "tcp", "ports": "90-80"}),
            "rules[0].ports",
        ),
        (
            json!({"direction": "up", "protocol": "tcp"}),
            "rules[0].direction",
        ),
        (
            json!({"direction": "in", "protocol": "any", "cidrs": ["10.0.0.0/8", "fd00::/8"]}),
            "rules[0].cidrs",
        ),
        (
            json!({"direction": "in", "protocol": "tcp", "group": "nosuch"}),
            "rules[0].group",
        ),
    ] {
        let r = c
            .send(
                reqwest::Method::POST,
                &format!("/projects/{project}/security-groups"),
                Some(json!({"name": "bad", "site": "fra", "rules": [rule]})),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.field().as_deref(), Some(field), "{}", r.text);
    }

    accepted(
        c,
        reqwest::Method::POST,
        &format!("/projects/{project}/security-groups"),
        json!({"name": "web", "site": "fra", "description": "web servers",
               "rules": [{"direction": "in", "protocol": "tcp", "ports": "443",
                          "cidrs": ["0.0.0.0/0"], "description": "https"}]}),
    )
    .await;
    let web = group(c, &project, "web").await;
    assert_eq!(web.state, "ready");
    assert!(web.pve_name.len() <= 18, "{}", web.pve_name);
    {
        let sim = ctx.site().sim.cluster();
        let g = &sim.firewall.groups[&web.pve_name];
        assert_eq!(g.rules.len(), 2, "{:?}", g.rules);
        assert_eq!(g.rules[0]["source"], format!("+{}-m", web.pve_name));
        assert_eq!(g.rules[1]["dport"], "443");
        assert_eq!(g.rules[1]["enable"], "1");
        // From anywhere: no source (Proxmox takes no zero prefix in an IP set).
        assert!(!g.rules[1].contains_key("source"), "{:?}", g.rules[1]);
        assert!(!sim
            .firewall
            .ipsets
            .contains_key(&format!("{}-r0", web.pve_name)));
        assert!(sim.firewall.ipsets[&format!("{}-m", web.pve_name)]
            .entries
            .is_empty());
    }

    // A guest in the group: its firewall drops inbound but the group's, its NIC is filtered,
    // and its address joins the group's set.
    let body = scmp_api::GuestCreate {
        nics: Some(vec![scmp_api::NicSpec {
            network: "front".into(),
            address: None,
        }]),
        security_groups: Some(vec!["web".into()]),
        ..scmp_test_utils::helpers::vm("web1")
    };
    let g = scmp_test_utils::helpers::create_guest(c, &p, &body).await;
    let v: GuestView = c.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(v.security_groups, vec!["web".to_string()]);
    {
        let sim = ctx.site().sim.cluster();
        let guest = sim.guests.values().find(|x| x.name() == "web1").unwrap();
        assert!(
            guest.config["net0"].contains("firewall=1"),
            "{}",
            guest.config["net0"]
        );
        assert_eq!(guest.firewall.options["enable"], "1");
        assert_eq!(guest.firewall.options["policy_in"], "DROP");
        assert_eq!(guest.firewall.options["policy_out"], "ACCEPT");
        assert_eq!(guest.firewall.rules.len(), 1);
        assert_eq!(guest.firewall.rules[0]["type"], "group");
        assert_eq!(guest.firewall.rules[0]["action"], web.pve_name);
        let set = &sim.firewall.ipsets[&format!("{}-m", web.pve_name)];
        assert_eq!(set.entries.len(), 1);
        assert_eq!(set.entries[0].cidr, "10.50.0.2");
    }

    // The rule change reaches Proxmox: SSH from the office instead of HTTPS from anywhere.
    accepted(
        c,
        reqwest::Method::PUT,
        &format!("/security-groups/{}", web.id),
        json!({"rules": [{"direction": "in", "protocol": "tcp", "ports": "22",
                          "cidrs": ["192.0.2.0/24"]}]}),
    )
    .await;
    {
        let sim = ctx.site().sim.cluster();
        let rules = &sim.firewall.groups[&web.pve_name].rules;
        assert_eq!(rules.len(), 2, "{rules:?}");
        assert_eq!(rules[1]["dport"], "22");
        assert_eq!(rules[1]["source"], format!("+{}-r0", web.pve_name));
        let set = &sim.firewall.ipsets[&format!("{}-r0", web.pve_name)];
        assert_eq!(set.entries.len(), 1);
        assert_eq!(set.entries[0].cidr, "192.0.2.0/24");
    }

    // Someone opens the group on Proxmox: reported as drift, then repaired when asked.
    ctx.site()
        .sim
        .call(
            "PUT",
            &format!("/cluster/firewall/groups/{}/1", web.pve_name),
            &[("source", "0.0.0.0/0")],
        )
        .unwrap();
    let drifted = scmp_test_utils::helpers::eventually("drift reported", || async {
        let g: SecurityGroupView = c.get(&format!("/security-groups/{}", web.id)).await;
        g.drift.is_some().then_some(g)
    })
    .await;
    assert!(
        drifted.drift.as_deref().unwrap().contains("differ"),
        "{drifted:?}"
    );
    let _: Value = c
        .patch("/clusters/fra-1", &json!({"drift_action": "repair"}))
        .await;
    scmp_test_utils::helpers::eventually("drift repaired", || async {
        let sim = ctx.site().sim.cluster();
        (sim.firewall.groups[&web.pve_name].rules[1]["source"] == format!("+{}-r0", web.pve_name))
            .then_some(())
    })
    .await;

    // In use, the group is not deleted; out of it, the guest's firewall is off.
    let busy = c
        .send(
            reqwest::Method::DELETE,
            &format!("/security-groups/{}", web.id),
            None,
        )
        .await;
    assert_eq!(busy.status, 409, "{}", busy.text);
    assert!(busy.text.contains("web1"), "{}", busy.text);
    accepted(
        c,
        reqwest::Method::PUT,
        &format!("/guests/{}/security-groups", g.id),
        json!({"security_groups": []}),
    )
    .await;
    {
        let sim = ctx.site().sim.cluster();
        let guest = sim.guests.values().find(|x| x.name() == "web1").unwrap();
        assert_eq!(guest.firewall.options["enable"], "0");
        assert!(guest.firewall.rules.is_empty());
        let set = &sim.firewall.ipsets[&format!("{}-m", web.pve_name)];
        assert!(set.entries.is_empty(), "the guest left the set");
    }
    let a = c
        .send(
            reqwest::Method::DELETE,
            &format!("/security-groups/{}", web.id),
            None,
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(c, &a.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    let sim = ctx.site().sim.cluster();
    assert!(!sim.firewall.groups.contains_key(&web.pve_name));
    assert!(!sim
        .firewall
        .ipsets
        .keys()
        .any(|k| k.starts_with(&web.pve_name)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenant_cannot_see_or_use_a_group() {
    let ctx = TestContext::with_site("security-groups-isolation").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    accepted(
        c,
        reqwest::Method::POST,
        &format!("/projects/{}/security-groups", p.id),
        json!({"name": "db", "site": "fra",
               "rules": [{"direction": "in", "protocol": "tcp", "ports": "5432", "group": "db"}]}),
    )
    .await;
    let db = group(c, &p.id.to_string(), "db").await;
    assert_eq!(
        db.rules[0].group.as_deref(),
        Some("db"),
        "a group may name itself"
    );
    create_tenant(c, "globex", quota(10, 10_240, 100, 2)).await;
    let (other, _) = scmp_test_utils::helpers::tenant_user(&ctx, "mallory", "globex").await;
    scmp_test_utils::helpers::bind_on_tenant(c, "tenant-admin", "mallory", "globex").await;
    let seen = other
        .send(
            reqwest::Method::GET,
            &format!("/security-groups/{}", db.id),
            None,
        )
        .await;
    assert_eq!(seen.status, 404, "{}", seen.text);
    let changed = other
        .send(
            reqwest::Method::PUT,
            &format!("/security-groups/{}", db.id),
            Some(json!({"rules": []})),
        )
        .await;
    assert_eq!(changed.status, 404, "{}", changed.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_added_to_the_site_gets_its_networks_and_groups() {
    let ctx = TestContext::with_site("security-groups-new-cluster").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    let project = p.id.to_string();
    accepted(
        c,
        reqwest::Method::POST,
        &format!("/projects/{project}/networks"),
        json!({"name": "front", "site": "fra", "subnets": [{"cidr": "10.90.0.0/24"}]}),
    )
    .await;
    accepted(
        c,
        reqwest::Method::POST,
        &format!("/projects/{project}/security-groups"),
        json!({"name": "web", "site": "fra",
               "rules": [{"direction": "in", "protocol": "tcp", "ports": "80", "cidrs": ["192.0.2.0/24"]}]}),
    )
    .await;
    let web = group(c, &project, "web").await;
    let second = scmp_test_utils::SimSite::start(0.0).await;
    let _: scmp_api::ClusterView = c
        .post("/sites/fra/clusters", &second.cluster_create("fra-2"))
        .await;
    let sim = second.sim.cluster();
    assert_eq!(sim.sdn.active.vnets.len(), 1, "{:?}", sim.sdn.active.vnets);
    let g = &sim.firewall.groups[&web.pve_name];
    assert_eq!(g.rules.len(), 2, "{:?}", g.rules);
    assert!(sim
        .firewall
        .ipsets
        .contains_key(&format!("{}-r0", web.pve_name)));
}
