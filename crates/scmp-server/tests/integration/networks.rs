//! Tenant networks through the API against a simulated site's SDN: made and applied on the
//! cluster with the next tag of the site's pool, within the project's network quota; invisible
//! to another tenant; refused with the field at fault, when the pool is used up and when the
//! quota is; an apply that fails is rolled back on Proxmox and undone in scmp; deleted again.

use scmp_api::{NetworkView, OperationView, Page, ProjectView};
use scmp_common::OperationState;
use scmp_test_utils::helpers::{
    acme_web, create_project, create_tenant, quota, tenant_user, wait_operation,
};
use scmp_test_utils::{Client, TestContext};
use serde_json::{json, Value};

fn network(name: &str, cidr: &str, gateway: &str) -> Value {
    json!({"name": name, "site": "fra", "subnets": [
        {"cidr": cidr, "gateway": gateway, "dhcp_start": cidr.replace("0/24", "100"),
         "dhcp_end": cidr.replace("0/24", "200"), "snat": true}]})
}

async fn make(c: &Client, p: &ProjectView, body: &Value) -> (OperationView, NetworkView) {
    let a = c
        .send(
            reqwest::Method::POST,
            &format!("/projects/{}/networks", p.id),
            Some(body.clone()),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(c, &a.json()).await;
    let list: Page<NetworkView> = c.get(&format!("/projects/{}/networks", p.id)).await;
    let name = body["name"].as_str().unwrap();
    let n = list.items.into_iter().find(|n| n.name.as_str() == name);
    (op, n.unwrap_or_else(|| panic!("{name} is not listed")))
}

async fn used_networks(c: &Client, p: &ProjectView) -> u64 {
    let p: ProjectView = c.get(&format!("/projects/{}", p.id)).await;
    p.quota.used.networks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn networks_are_made_on_the_site_isolated_and_bounded() {
    let ctx = TestContext::with_site("networks").await;
    let p = acme_web(&ctx.admin, 3).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    scmp_test_utils::helpers::bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;

    // Made with the first tag of the default pool, applied on the cluster.
    let (op, web) = make(&alice, &p, &network("web", "10.20.0.0/24", "10.20.0.1")).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    assert_eq!(op.network_id, Some(web.id));
    assert_eq!((web.state.as_str(), web.tag), ("ready", 1000));
    assert_eq!(web.subnets[0].gateway.as_deref(), Some("10.20.0.1"));
    {
        let sim = ctx.site().sim.cluster();
        let vnet = &sim.sdn.active.vnets[&web.vnet];
        assert_eq!(vnet["tag"], "1000");
        assert_eq!(vnet["zone"], web.zone);
        assert_eq!(sim.sdn.active.zones[&web.zone]["bridge"], "vmbr0");
        let subnet = format!("{}-10.20.0.0-24", web.zone);
        assert_eq!(sim.sdn.active.subnets[&subnet]["snat"], "1");
    }
    assert_eq!(used_networks(&alice, &p).await, 1);
    let (_, db) = make(&alice, &p, &network("db", "10.21.0.0/24", "10.21.0.1")).await;
    assert_eq!(db.tag, 1001, "the next free tag");

    // Another tenant sees none of it, and its network at the same site gets its own tag.
    create_tenant(&ctx.admin, "globex", quota(10, 10_240, 100, 2)).await;
    let q = create_project(&ctx.admin, "globex", "ops", quota(10, 10_240, 100, 2)).await;
    let (bob, _) = tenant_user(&ctx, "bob", "globex").await;
    scmp_test_utils::helpers::bind_on_tenant(&ctx.admin, "tenant-admin", "bob", "globex").await;
    let seen = bob
        .send(reqwest::Method::GET, &format!("/networks/{}", web.id), None)
        .await;
    assert_eq!(seen.status, 404, "{}", seen.text);
    let gone = bob
        .send(
            reqwest::Method::DELETE,
            &format!("/networks/{}", web.id),
            None,
        )
        .await;
    assert_eq!(gone.status, 404, "{}", gone.text);
    let listed = bob
        .send(
            reqwest::Method::GET,
            &format!("/projects/{}/networks", p.id),
            None,
        )
        .await;
    assert_eq!(listed.status, 404, "{}", listed.text);
    let (_, theirs) = make(&bob, &q, &network("web", "10.20.0.0/24", "10.20.0.1")).await;
    assert_eq!(
        theirs.tag, 1002,
        "same name and prefix, another tenant, its own tag"
    );
    assert_ne!(theirs.vnet, web.vnet);

    // Bad input names the field; nothing is taken.
    let bad = alice
        .send(
            reqwest::Method::POST,
            &format!("/projects/{}/networks", p.id),
            Some(network("bad", "10.30.0.0/24", "10.31.0.1")),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(
        bad.body["errors"][0]["field"], "subnets[0].gateway",
        "{}",
        bad.text
    );
    assert_eq!(used_networks(&alice, &p).await, 2);

    // The project's quota (3 networks) and then the site's pool bound it.
    let pool = ctx
        .admin
        .send(
            reqwest::Method::PUT,
            "/sites/fra/networking",
            Some(json!({"zone_type": "vlan", "bridge": "vmbr0", "tag_min": 1000, "tag_max": 1003})),
        )
        .await;
    assert_eq!(pool.status, 200, "{}", pool.text);
    let narrow = ctx
        .admin
        .send(
            reqwest::Method::PUT,
            "/sites/fra/networking",
            Some(json!({"zone_type": "vlan", "bridge": "vmbr0", "tag_min": 1001, "tag_max": 1003})),
        )
        .await;
    assert_eq!(
        narrow.status, 409,
        "a tag in use falls outside: {}",
        narrow.text
    );
    let (_, third) = make(&alice, &p, &network("app", "10.22.0.0/24", "10.22.0.1")).await;
    assert_eq!(third.tag, 1003);
    let over = alice
        .send(
            reqwest::Method::POST,
            &format!("/projects/{}/networks", p.id),
            Some(network("more", "10.23.0.0/24", "10.23.0.1")),
        )
        .await;
    assert_eq!(over.status, 422, "{}", over.text);
    assert!(over.text.contains("networks"), "{}", over.text);
    let full = bob
        .send(
            reqwest::Method::POST,
            &format!("/projects/{}/networks", q.id),
            Some(network("db", "10.21.0.0/24", "10.21.0.1")),
        )
        .await;
    assert_eq!(full.status, 409, "{}", full.text);
    assert!(
        full.text.contains("pool 1000-1003 is used up"),
        "{}",
        full.text
    );

    // Deleted: gone from the cluster, its quota and tag free again.
    let del = alice
        .send(
            reqwest::Method::DELETE,
            &format!("/networks/{}", db.id),
            None,
        )
        .await;
    assert_eq!(del.status, 202, "{}", del.text);
    let op = wait_operation(&alice, &del.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    assert!(!ctx
        .site()
        .sim
        .cluster()
        .sdn
        .active
        .vnets
        .contains_key(&db.vnet));
    assert_eq!(used_networks(&alice, &p).await, 2);
    let (_, again) = make(&bob, &q, &network("db", "10.21.0.0/24", "10.21.0.1")).await;
    assert_eq!(again.tag, 1001, "the freed tag");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_that_fails_is_rolled_back_and_undone() {
    let ctx = TestContext::with_site("network-rollback").await;
    let p = acme_web(&ctx.admin, 3).await;
    let (_, kept) = make(&ctx.admin, &p, &network("kept", "10.1.0.0/24", "10.1.0.1")).await;
    let before = ctx.site().sim.cluster().sdn.active.clone();
    ctx.site().sim.cluster().sdn.failing_reloads = 1;
    let a = ctx
        .admin
        .send(
            reqwest::Method::POST,
            &format!("/projects/{}/networks", p.id),
            Some(network("broken", "10.2.0.0/24", "10.2.0.1")),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(&ctx.admin, &a.json()).await;
    assert_eq!(op.state, OperationState::Failed, "{op:?}");
    let error = op.error.unwrap_or_default();
    assert!(error.contains("rolled back"), "{error}");
    assert!(error.contains("network_apply"), "{error}");
    {
        let sim = ctx.site().sim.cluster();
        assert_eq!(sim.sdn.active, before, "the nodes run what they ran");
        assert_eq!(sim.sdn.config, sim.sdn.running, "nothing left staged");
    }
    let gone = ctx
        .admin
        .send(
            reqwest::Method::GET,
            &format!("/networks/{}", op.network_id.unwrap()),
            None,
        )
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(used_networks(&ctx.admin, &p).await, 1, "the quota is back");
    let (_, next) = make(&ctx.admin, &p, &network("fixed", "10.2.0.0/24", "10.2.0.1")).await;
    assert_eq!(
        next.tag,
        kept.tag + 1,
        "the failed network's tag is free again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_gets_nics_and_addresses_on_two_networks() {
    use scmp_api::{GuestView, NicSpec};
    let ctx = TestContext::with_site("network-nics").await;
    let p = acme_web(&ctx.admin, 4).await;
    let (_, front) = make(
        &ctx.admin,
        &p,
        &network("front", "10.40.0.0/24", "10.40.0.1"),
    )
    .await;
    let (_, back) = make(
        &ctx.admin,
        &p,
        &network("back", "10.41.0.0/24", "10.41.0.1"),
    )
    .await;
    let nic = |n: &str, a: Option<&str>| NicSpec {
        network: n.into(),
        address: a.map(str::to_string),
    };
    let body = scmp_api::GuestCreate {
        nics: Some(vec![nic("front", None), nic("back", Some("10.41.0.50"))]),
        ..scmp_test_utils::helpers::vm("app1")
    };
    let g = scmp_test_utils::helpers::create_guest(&ctx.admin, &p, &body).await;
    let v: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(v.nics.len(), 2, "{v:?}");
    assert_eq!(
        v.nics[0].address, "10.40.0.2/24",
        "the lowest free after the gateway"
    );
    assert_eq!(v.nics[1].address, "10.41.0.50/24", "the one asked for");
    assert_eq!(v.nics[0].bridge, front.vnet);
    {
        let sim = ctx.site().sim.cluster();
        let guest = sim
            .guests
            .values()
            .find(|x| x.name() == "app1")
            .expect("the guest on the cluster");
        let conf = |k: &str| guest.config.get(k).cloned().unwrap_or_default();
        assert!(
            conf("net0").contains(&format!("bridge={}", front.vnet)),
            "{}",
            conf("net0")
        );
        assert!(
            conf("net1").contains(&format!("bridge={}", back.vnet)),
            "{}",
            conf("net1")
        );
        assert!(conf("net0").contains(&v.nics[0].mac));
        assert_eq!(conf("ipconfig0"), "ip=10.40.0.2/24,gw=10.40.0.1");
        assert_eq!(conf("ipconfig1"), "ip=10.41.0.50/24,gw=10.41.0.1");
        let mapped = &sim.sdn.ipam[&format!("{}-10.41.0.0-24", back.zone)];
        assert!(mapped.contains_key("10.41.0.50"), "{mapped:?}");
    }

    // The address asked for again is taken; a second guest gets the next free one.
    let again = scmp_api::GuestCreate {
        nics: Some(vec![nic("back", Some("10.41.0.50"))]),
        ..scmp_test_utils::helpers::vm("app2")
    };
    let a = scmp_test_utils::helpers::try_create_guest(&ctx.admin, &p, &again).await;
    assert_eq!(a.status, 409, "{}", a.text);
    let unknown = scmp_api::GuestCreate {
        nics: Some(vec![nic("nowhere", None)]),
        ..scmp_test_utils::helpers::vm("app3")
    };
    let a = scmp_test_utils::helpers::try_create_guest(&ctx.admin, &p, &unknown).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(
        a.body["errors"][0]["field"], "nics[0].network",
        "{}",
        a.text
    );
    let g2 = scmp_test_utils::helpers::create_guest(
        &ctx.admin,
        &p,
        &scmp_api::GuestCreate {
            nics: Some(vec![nic("back", None)]),
            ..scmp_test_utils::helpers::vm("app2")
        },
    )
    .await;
    let v2: GuestView = ctx.admin.get(&format!("/guests/{}", g2.id)).await;
    assert_eq!(v2.nics[0].address, "10.41.0.2/24");

    // A network in use is not deleted; the refusal names its guests.
    let busy = ctx
        .admin
        .send(
            reqwest::Method::DELETE,
            &format!("/networks/{}", back.id),
            None,
        )
        .await;
    assert_eq!(busy.status, 409, "{}", busy.text);
    assert!(busy.text.contains("app1, app2"), "{}", busy.text);

    // Deleting the guests releases and unmaps their addresses; then the network goes.
    for id in [g.id, g2.id] {
        let a = ctx
            .admin
            .send(reqwest::Method::DELETE, &format!("/guests/{id}"), None)
            .await;
        assert_eq!(a.status, 202, "{}", a.text);
        let op = wait_operation(&ctx.admin, &a.json()).await;
        assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    }
    assert!(ctx
        .site()
        .sim
        .cluster()
        .sdn
        .ipam
        .values()
        .all(|m| m.is_empty()));
    let del = ctx
        .admin
        .send(
            reqwest::Method::DELETE,
            &format!("/networks/{}", back.id),
            None,
        )
        .await;
    assert_eq!(del.status, 202, "{}", del.text);
    let op = wait_operation(&ctx.admin, &del.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_changes_its_subnets_and_a_failed_change_is_undone() {
    use scmp_api::NicSpec;
    let ctx = TestContext::with_site("network-update").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    let (_, n) = make(
        c,
        &p,
        &json!({"name": "front", "site": "fra",
        "subnets": [{"cidr": "10.70.0.0/24", "gateway": "10.70.0.1"}]}),
    )
    .await;
    let body = scmp_api::GuestCreate {
        nics: Some(vec![NicSpec {
            network: "front".into(),
            address: None,
        }]),
        ..scmp_test_utils::helpers::vm("app1")
    };
    scmp_test_utils::helpers::create_guest(c, &p, &body).await;
    let update = |subnets: Value| {
        let path = format!("/networks/{}", n.id);
        async move {
            c.send(
                reqwest::Method::PUT,
                &path,
                Some(json!({"subnets": subnets})),
            )
            .await
        }
    };
    // A DHCP range and a second subnet reach the cluster's SDN, applied.
    let a = update(json!([
        {"cidr": "10.70.0.0/24", "gateway": "10.70.0.1",
         "dhcp_start": "10.70.0.100", "dhcp_end": "10.70.0.200"},
        {"cidr": "10.71.0.0/24", "gateway": "10.71.0.1"}]))
    .await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(c, &a.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    {
        let sim = ctx.site().sim.cluster();
        let first = &sim.sdn.running.subnets[&format!("{}-10.70.0.0-24", n.zone)];
        assert!(first.get("dhcp-range").is_some(), "{first:?}");
        assert!(sim
            .sdn
            .active
            .subnets
            .contains_key(&format!("{}-10.71.0.0-24", n.zone)));
    }
    let v: NetworkView = c.get(&format!("/networks/{}", n.id)).await;
    assert_eq!((v.subnets.len(), v.state.as_str()), (2, "ready"));

    // Not removed while a guest has an address in it; no range over a guest's address.
    let held = update(json!([{"cidr": "10.71.0.0/24", "gateway": "10.71.0.1"}])).await;
    assert_eq!(held.status, 409, "{}", held.text);
    assert!(held.text.contains("10.70.0.2"), "{}", held.text);
    let over = update(json!([{"cidr": "10.70.0.0/24", "gateway": "10.70.0.1",
        "dhcp_start": "10.70.0.2", "dhcp_end": "10.70.0.50"}]))
    .await;
    assert_eq!(over.status, 409, "{}", over.text);
    let bad = update(json!([{"cidr": "10.70.0.0/33"}])).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(
        bad.field().as_deref(),
        Some("subnets[0].cidr"),
        "{}",
        bad.text
    );

    // A change whose apply fails is rolled back on the cluster and undone here.
    ctx.site().sim.cluster().sdn.failing_reloads = 1;
    let a = update(json!([
        {"cidr": "10.70.0.0/24", "gateway": "10.70.0.1",
         "dhcp_start": "10.70.0.100", "dhcp_end": "10.70.0.200"},
        {"cidr": "10.71.0.0/24", "gateway": "10.71.0.1"},
        {"cidr": "10.72.0.0/24"}]))
    .await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(c, &a.json()).await;
    assert_eq!(op.state, OperationState::Failed, "{op:?}");
    let v: NetworkView = c.get(&format!("/networks/{}", n.id)).await;
    assert_eq!(v.subnets.len(), 2, "the subnets before: {v:?}");
    assert_eq!(v.state, "ready");
    assert!(v.error.is_some(), "{v:?}");
    let sim = ctx.site().sim.cluster();
    assert!(!sim
        .sdn
        .running
        .subnets
        .contains_key(&format!("{}-10.72.0.0-24", n.zone)));
}
