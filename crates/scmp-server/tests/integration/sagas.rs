//! The creation saga unwinds cleanly whatever fails: a failure after each step, tasks failing and
//! connections dropping at random, a VMID taken and a pool removed behind scmp's back.

use reqwest::Method;
use scmp_api::{GuestView, OperationView, QuotaBody, ResourcesBody};
use scmp_common::{GuestState, OperationState};
use scmp_test_utils::helpers::{acme_web, create_guest, create_guest_op, vm, wait_operation};
use scmp_test_utils::TestContext;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_after_each_creation_step_unwinds_cleanly() {
    for step in [
        "place",
        "reserve_vmid",
        "pool",
        "clone",
        "configure",
        "ha",
        "start",
        "created",
    ] {
        let mut b = TestContext::builder(step).sites(1).fault_step(step);
        if step == "configure" {
            b = b.repeat_steps();
        }
        let ctx = b.start().await;
        let p = acme_web(&ctx.admin, 5).await;
        let mut body = vm("web1");
        body.ha = Some(true);
        let op = create_guest_op(&ctx.admin, &p, &body).await;
        assert_eq!(op.state, OperationState::Failed, "{step}: {op:?}");
        assert!(
            op.error.as_deref().unwrap().contains("injected"),
            "{step}: the cause is named: {op:?}"
        );
        assert!(
            ctx.site().guests().is_empty(),
            "{step}: left on Proxmox: {:?}",
            ctx.site().guests()
        );
        assert!(
            ctx.site().sim.cluster().ha.is_empty(),
            "{step}: HA resource left"
        );
        let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
        assert_eq!(q.used, ResourcesBody::default(), "{step}");
        let g: GuestView = ctx
            .admin
            .get(&format!("/guests/{}", op.guest_id.unwrap()))
            .await;
        assert_eq!(g.state, GuestState::Failed, "{step}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_creations_against_a_faulty_cluster_all_end_cleanly() {
    let ctx = TestContext::with_site("faulty").await;
    let p = acme_web(&ctx.admin, 200).await;
    ctx.site().sim.set_faults(pve_sim::Faults {
        task_failure_rate: 0.2,
        latency_ms: 0,
        drop_rate: 0.05,
    });
    let mut ops = Vec::new();
    for i in 0..200 {
        let op: OperationView = ctx
            .admin
            .post(&format!("/projects/{}/guests", p.id), &vm(&format!("g{i}")))
            .await;
        ops.push(op);
    }
    let mut failed = 0;
    for op in &ops {
        let done = wait_operation(&ctx.admin, op).await;
        if done.state == OperationState::Failed {
            failed += 1;
            assert!(!done.error.unwrap_or_default().is_empty());
        } else {
            assert_eq!(done.state, OperationState::Succeeded, "{done:?}");
        }
    }
    ctx.site().sim.set_faults(pve_sim::Faults::default());
    let guests: Vec<GuestView> = ctx
        .admin
        .list_all(&format!("/projects/{}/guests", p.id))
        .await;
    let running: Vec<&GuestView> = guests
        .iter()
        .filter(|g| g.state == GuestState::Running)
        .collect();
    assert_eq!(running.len(), 200 - failed);
    // Every failure is clean: nothing of it on Proxmox, no quota held.
    let on_pve = ctx.site().guests();
    assert_eq!(on_pve.len(), running.len(), "orphans on Proxmox");
    for g in &running {
        assert!(on_pve
            .iter()
            .any(|(v, tags)| Some(*v) == g.vmid && tags.contains(&g.id.to_string())));
    }
    let q: QuotaBody = ctx.admin.get(&format!("/projects/{}/quota", p.id)).await;
    assert_eq!(q.used.guests, running.len() as u64);
    eprintln!("{failed} of 200 creations failed (20% of tasks fail) and were undone");
    assert!(failed > 0, "the faults were felt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vmid_taken_and_a_pool_removed_outside_scmp_are_worked_around() {
    let ctx = TestContext::with_site("worked-around").await;
    let p = acme_web(&ctx.admin, 5).await;
    let first = create_guest(&ctx.admin, &p, &vm("first")).await;
    let vmid = first.vmid.unwrap();
    let a = ctx
        .admin
        .send(
            Method::DELETE,
            &format!("/guests/{}?wait=30", first.id),
            None,
        )
        .await;
    assert_eq!(
        wait_operation(&ctx.admin, &a.json()).await.state,
        OperationState::Succeeded
    );
    // Behind scmp's back: the tenant's pool removed (scmp saw it a moment ago), and a guest made
    // on the VMID scmp would hand out next.
    let sim = &ctx.site().sim;
    sim.call("DELETE", "/pools/scmp-acme", &[]).unwrap();
    let taken = (vmid + 1).to_string();
    sim.call(
        "POST",
        "/nodes/pve1/qemu",
        &[("vmid", taken.as_str()), ("name", "not-scmps")],
    )
    .unwrap();
    let second = create_guest(&ctx.admin, &p, &vm("second")).await;
    let second_vmid = second.vmid.unwrap();
    assert_ne!(second_vmid, vmid + 1, "another VMID");
    let c = sim.cluster();
    assert_eq!(
        c.guests[&second_vmid].pool.as_deref(),
        Some("scmp-acme"),
        "in its tenant's pool, made again"
    );
    assert_eq!(
        c.guests[&(vmid + 1)].config["name"],
        "not-scmps",
        "the other guest untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_grows_past_its_templates_size_when_asked() {
    let ctx = TestContext::with_site("disk-size").await;
    let p = acme_web(&ctx.admin, 5).await;
    let mut big = vm("big");
    big.instance_type = None;
    big.vcpus = Some(1);
    big.memory_mib = Some(512);
    big.disk_gib = Some(12);
    let big = create_guest(&ctx.admin, &p, &big).await;
    let c = ctx.site().sim.cluster();
    let scsi0 = &c.guests[&big.vmid.unwrap()].config["scsi0"];
    assert!(scsi0.contains("size=12G"), "{scsi0}");
}
