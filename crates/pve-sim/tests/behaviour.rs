//! The simulator behaves like PVE where the platform depends on it: locks and their refusals, tasks
//! that take time, HA fencing and recovery after PVE's delays, quorum, partitions, injected task
//! failures that clean up, deterministic runs, and state that survives a restart.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::Duration;

use pve_sim::{ClockMode, Faults, SimConfig, Simulator};
use serde_json::Value;

fn sim(time_scale: f64) -> Simulator {
    Simulator::new(SimConfig {
        time_scale,
        clock: ClockMode::Explicit,
        password: Some("pw".into()),
        seed: 42,
        ..Default::default()
    })
    .unwrap()
}

fn ok(sim: &Simulator, method: &str, path: &str, params: &[(&str, &str)]) -> Value {
    sim.call(method, path, params)
        .unwrap_or_else(|e| panic!("{method} {path}: {} {}", e.status, e.message))
}

fn err(sim: &Simulator, method: &str, path: &str, params: &[(&str, &str)]) -> (u16, String) {
    match sim.call(method, path, params) {
        Ok(v) => panic!("{method} {path} succeeded: {v}"),
        Err(e) => (e.status, e.message),
    }
}

fn task_status(sim: &Simulator, upid: &Value) -> Value {
    let upid = upid.as_str().unwrap();
    let node = upid.split(':').nth(1).unwrap();
    ok(
        sim,
        "GET",
        &format!("/nodes/{node}/tasks/{upid}/status"),
        &[],
    )
}

fn guest(sim: &Simulator, vmid: u32) -> Value {
    let all = ok(sim, "GET", "/cluster/resources", &[("type", "vm")]);
    all.as_array()
        .unwrap()
        .iter()
        .find(|g| g["vmid"] == vmid)
        .cloned()
        .unwrap_or(Value::Null)
}

fn clone_vm(sim: &Simulator, newid: &str, node: &str) -> Value {
    ok(
        sim,
        "POST",
        "/nodes/pve1/qemu/9000/clone",
        &[("newid", newid), ("name", "vm"), ("target", node)],
    )
}

#[test]
fn a_clone_is_locked_until_its_task_ends() {
    let s = sim(1.0);
    let upid = clone_vm(&s, "100", "pve1");
    assert_eq!(task_status(&s, &upid)["status"], "running");
    assert_eq!(guest(&s, 100)["lock"], "clone");
    let (status, message) = err(
        &s,
        "PUT",
        "/nodes/pve1/qemu/100/config",
        &[("memory", "4096")],
    );
    assert_eq!((status, message.as_str()), (500, "VM is locked (clone)"));
    // A start is refused inside its task.
    let start = ok(&s, "POST", "/nodes/pve1/qemu/100/status/start", &[]);
    s.advance(Duration::from_secs(30));
    let st = task_status(&s, &start);
    assert_eq!(st["exitstatus"], "VM is locked (clone)");
    let st = task_status(&s, &upid);
    assert_eq!(
        (st["status"].as_str(), st["exitstatus"].as_str()),
        (Some("stopped"), Some("OK"))
    );
    assert!(guest(&s, 100).get("lock").is_none());
    ok(
        &s,
        "PUT",
        "/nodes/pve1/qemu/100/config",
        &[("memory", "4096")],
    );
}

#[test]
fn pve_refusals() {
    let s = sim(0.0);
    clone_vm(&s, "100", "pve1");
    let (_, m) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu/9000/clone",
        &[("newid", "100")],
    );
    assert_eq!(m, "unable to create VM 100: config file already exists");
    let (_, m) = err(&s, "GET", "/nodes/pve2/qemu/100/config", &[]);
    assert_eq!(
        m,
        "Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist"
    );
    ok(&s, "POST", "/nodes/pve1/qemu/100/status/start", &[]);
    let (_, m) = err(&s, "DELETE", "/nodes/pve1/qemu/100", &[]);
    assert_eq!(m, "VM 100 is running - destroy failed");
    let (_, m) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu/100/migrate",
        &[("target", "pve2")],
    );
    assert_eq!(m, "can't migrate running VM without --online");
    let (_, m) = err(
        &s,
        "PUT",
        "/nodes/pve1/qemu/100/resize",
        &[("disk", "scsi0"), ("size", "1G")],
    );
    assert_eq!(m, "shrinking disks is not supported");
    let (_, m) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu/100/snapshot",
        &[("snapname", "current")],
    );
    assert_eq!(m, "unable to use snapshot name 'current' (reserved name)");
    let (status, _) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu/100/snapshot",
        &[("snapname", "1bad")],
    );
    assert_eq!(status, 400);
    let (_, m) = err(&s, "GET", "/nodes/pve9/status", &[]);
    assert!(m.starts_with("hostname lookup 'pve9' failed"), "{m}");
    let (status, m) = err(&s, "GET", "/nodes/pve1/nothing", &[]);
    assert_eq!(
        (status, m.as_str()),
        (501, "Method 'GET /nodes/pve1/nothing' not implemented")
    );
    ok(&s, "POST", "/cluster/ha/resources", &[("sid", "vm:100")]);
    let (_, m) = err(&s, "POST", "/cluster/ha/resources", &[("sid", "100")]);
    assert_eq!(m, "resource ID 'vm:100' already defined");
    ok(&s, "POST", "/nodes/pve1/qemu/100/status/stop", &[]);
    let (_, m) = err(&s, "DELETE", "/nodes/pve1/qemu/100", &[]);
    assert_eq!(
        m,
        "unable to remove VM 100 - used in HA resources and purge parameter not set."
    );
    let upid = ok(&s, "DELETE", "/nodes/pve1/qemu/100", &[("purge", "1")]);
    assert_eq!(task_status(&s, &upid)["exitstatus"], "OK");
    assert!(
        ok(&s, "GET", "/cluster/ha/resources", &[])
            .as_array()
            .unwrap()
            .is_empty(),
        "purge removes HA"
    );
    // A template whose base volume backs a linked clone cannot be destroyed.
    ok(
        &s,
        "POST",
        "/nodes/pve1/qemu/9000/clone",
        &[("newid", "101"), ("full", "0")],
    );
    let upid = ok(&s, "DELETE", "/nodes/pve1/qemu/9000", &[]);
    assert!(task_status(&s, &upid)["exitstatus"]
        .as_str()
        .unwrap()
        .contains("still in use by linked cloned"));
}

#[test]
fn ha_fences_and_recovers_after_pve_delays() {
    let s = sim(1.0);
    for (id, node) in [("100", "pve2"), ("101", "pve2")] {
        clone_vm(&s, id, node);
    }
    s.advance(Duration::from_secs(60));
    ok(&s, "POST", "/nodes/pve2/qemu/100/status/start", &[]);
    ok(&s, "POST", "/nodes/pve2/qemu/101/status/start", &[]);
    ok(
        &s,
        "POST",
        "/cluster/ha/resources",
        &[("sid", "vm:100"), ("state", "started")],
    );
    s.advance(Duration::from_secs(10));
    assert!(s.node_down("pve2"));
    s.advance(Duration::from_secs(5));
    let nodes = ok(&s, "GET", "/nodes", &[]);
    let pve2 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "pve2")
        .unwrap()
        .clone();
    assert_eq!(pve2["status"], "offline");
    assert_eq!(guest(&s, 100)["status"], "unknown");
    let (status, _) = err(&s, "GET", "/nodes/pve2/qemu/100/status/current", &[]);
    assert_eq!(status, 595);
    s.advance(Duration::from_secs(60));
    assert_eq!(guest(&s, 100)["hastate"], "fence");
    assert_eq!(guest(&s, 100)["node"], "pve2");
    s.advance(Duration::from_secs(60));
    let g = guest(&s, 100);
    assert_ne!(
        g["node"], "pve2",
        "recovered elsewhere about two minutes after the failure"
    );
    assert_eq!(
        (g["status"].as_str(), g["hastate"].as_str()),
        (Some("running"), Some("started"))
    );
    assert_eq!(
        guest(&s, 101)["node"],
        "pve2",
        "guests that are not HA stay with their node"
    );
    assert!(s.node_up("pve2"));
    assert_eq!(guest(&s, 101)["status"], "stopped", "the node rebooted");
    let status = ok(&s, "GET", "/cluster/ha/status/current", &[]);
    assert!(status
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == "service:vm:100" && e["state"] == "started"));
}

#[test]
fn without_quorum_the_cluster_is_read_only() {
    let s = sim(0.0);
    s.node_down("pve2");
    clone_vm(&s, "100", "pve1");
    s.node_down("pve3");
    let (_, m) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu/9000/clone",
        &[("newid", "101")],
    );
    assert_eq!(m, "cluster not ready - no quorum?");
    let status = ok(&s, "GET", "/cluster/status", &[]);
    assert_eq!(status[0]["quorate"], 0);
    ok(&s, "GET", "/nodes/pve1/qemu/100/config", &[]);
    s.node_up("pve3");
    clone_vm(&s, "101", "pve1");
}

#[test]
fn a_partition_isolates_the_minority() {
    let s = sim(1.0);
    clone_vm(&s, "100", "pve3");
    s.advance(Duration::from_secs(60));
    ok(&s, "POST", "/cluster/ha/resources", &[("sid", "vm:100")]);
    s.partition(vec![vec!["pve3".into()]]);
    let nodes = ok(&s, "GET", "/cluster/status", &[]);
    let pve3 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "pve3")
        .unwrap()
        .clone();
    assert_eq!(pve3["online"], 0);
    s.advance(Duration::from_secs(125));
    assert_ne!(guest(&s, 100)["node"], "pve3");
    s.heal();
    // The answering node alone in the minority: no quorum.
    s.partition(vec![
        vec!["pve1".into()],
        vec!["pve2".into(), "pve3".into()],
    ]);
    let (_, m) = err(&s, "POST", "/pools", &[("poolid", "p")]);
    assert_eq!(m, "cluster not ready - no quorum?");
}

#[test]
fn failed_tasks_clean_up_like_pve() {
    let s = sim(0.0);
    s.set_faults(Faults {
        task_failure_rate: 1.0,
        ..Default::default()
    });
    let upid = clone_vm(&s, "100", "pve1");
    let st = task_status(&s, &upid);
    assert_eq!(st["status"], "stopped");
    assert!(
        st["exitstatus"]
            .as_str()
            .unwrap()
            .starts_with("clone failed"),
        "{st}"
    );
    assert!(guest(&s, 100).is_null(), "a failed clone leaves no guest");
    let log = ok(
        &s,
        "GET",
        &format!("/nodes/pve1/tasks/{}/log", upid.as_str().unwrap()),
        &[],
    );
    let last = log.as_array().unwrap().last().unwrap()["t"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(last.starts_with("TASK ERROR: clone failed"), "{last}");
    s.set_faults(Faults {
        task_failure_rate: 0.5,
        ..Default::default()
    });
    let mut failed = 0;
    for i in 0..100 {
        let id = (200 + i).to_string();
        let upid = clone_vm(&s, &id, "pve1");
        if task_status(&s, &upid)["exitstatus"] != "OK" {
            failed += 1;
        }
    }
    assert!((30..=70).contains(&failed), "about half fail: {failed}");
}

#[test]
fn same_seed_same_cluster() {
    let a = sim(0.0);
    let b = sim(0.0);
    for s in [&a, &b] {
        clone_vm(s, "100", "pve2");
        ok(s, "POST", "/nodes/pve2/qemu/100/status/start", &[]);
    }
    assert_eq!(
        ok(&a, "GET", "/cluster/resources", &[]),
        ok(&b, "GET", "/cluster/resources", &[])
    );
    assert_eq!(
        ok(&a, "GET", "/nodes/pve2/qemu/100/config", &[]),
        ok(&b, "GET", "/nodes/pve2/qemu/100/config", &[])
    );
}

#[test]
fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let config = SimConfig {
        time_scale: 0.0,
        clock: ClockMode::Explicit,
        password: Some("pw".into()),
        state_file: Some(file.clone()),
        ..Default::default()
    };
    let first = Simulator::new(config.clone()).unwrap();
    clone_vm(&first, "100", "pve2");
    ok(&first, "POST", "/pools", &[("poolid", "tenant-a")]);
    ok(
        &first,
        "POST",
        "/cluster/ha/resources",
        &[("sid", "vm:100")],
    );
    assert!(first.save().unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let second = Simulator::new(config).unwrap();
    assert_eq!(second.fingerprint(), first.fingerprint());
    assert_eq!(second.token_line(), first.token_line());
    assert_eq!(guest(&second, 100)["node"], "pve2");
    assert_eq!(
        ok(&second, "GET", "/pools", &[]).as_array().unwrap().len(),
        1
    );
    assert_eq!(
        ok(&second, "GET", "/cluster/ha/resources", &[])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    std::fs::write(&file, b"{not json").unwrap();
    assert!(Simulator::new(SimConfig {
        state_file: Some(file),
        ..Default::default()
    })
    .is_err());
}

#[test]
fn nextid_reserves_nothing() {
    let s = sim(0.0);
    let a = ok(&s, "GET", "/cluster/nextid", &[]);
    let b = ok(&s, "GET", "/cluster/nextid", &[]);
    assert_eq!(a, b);
    assert_eq!(a, "100");
    clone_vm(&s, "100", "pve1");
    assert_eq!(ok(&s, "GET", "/cluster/nextid", &[]), "101");
    let (status, _) = err(&s, "GET", "/cluster/nextid", &[("vmid", "100")]);
    assert_eq!(status, 400);
}

/// Settings behave as on PVE: network changes wait until applied, a node reboots and comes back
/// (its HA services frozen meanwhile), replication needs storage that can replicate, a subscription
/// key needs PVE's form, and HA groups cannot go while a resource uses them.
#[test]
fn settings_change_as_on_pve() {
    let s = sim(1.0);
    // A new bridge is pending, then applied by a task.
    ok(
        &s,
        "POST",
        "/nodes/pve2/network",
        &[
            ("iface", "vmbr9"),
            ("type", "bridge"),
            ("bridge_vlan_aware", "1"),
        ],
    );
    let pending = ok(&s, "GET", "/nodes/pve2/network", &[("type", "bridge")]);
    let vmbr9 = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["iface"] == "vmbr9")
            .cloned()
    };
    assert!(
        vmbr9(&pending).is_some_and(|i| i.get("active").is_none()),
        "{pending}"
    );
    let (_, msg) = err(
        &s,
        "POST",
        "/nodes/pve2/network",
        &[("iface", "vmbr9"), ("type", "bridge")],
    );
    assert!(msg.contains("Parameter verification failed"), "{msg}");
    let upid = ok(&s, "PUT", "/nodes/pve2/network", &[]);
    assert!(upid.as_str().unwrap().contains(":srvreload:networking:"));
    s.advance(Duration::from_secs(30));
    assert_eq!(task_status(&s, &upid)["exitstatus"], "OK");
    let applied = ok(&s, "GET", "/nodes/pve2/network", &[]);
    assert_eq!(vmbr9(&applied).unwrap()["active"], 1, "{applied}");

    // A VM under HA on a node that reboots: frozen, not fenced, and running again after.
    let upid = clone_vm(&s, "120", "pve3");
    s.advance(Duration::from_secs(60));
    assert_eq!(task_status(&s, &upid)["exitstatus"], "OK");
    ok(&s, "POST", "/cluster/ha/resources", &[("sid", "vm:120")]);
    s.advance(Duration::from_secs(5));
    ok(&s, "POST", "/nodes/pve3/status", &[("command", "reboot")]);
    s.advance(Duration::from_secs(70));
    let status = ok(&s, "GET", "/cluster/ha/status/current", &[]);
    assert!(
        status.to_string().contains("freeze"),
        "a rebooting node's services are frozen: {status}"
    );
    assert_eq!(guest(&s, 120)["node"], "pve3", "not moved");
    s.advance(Duration::from_secs(30));
    let nodes = ok(&s, "GET", "/nodes", &[]);
    assert!(
        nodes
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "online"),
        "back after the reboot: {nodes}"
    );
    s.advance(Duration::from_secs(5));
    assert_eq!(guest(&s, 120)["status"], "running", "HA starts it again");

    // Replication needs ZFS: on Ceph, PVE's refusal.
    let (_, msg) = err(
        &s,
        "POST",
        "/cluster/replication",
        &[("id", "120-0"), ("target", "pve1"), ("type", "local")],
    );
    assert!(msg.contains("missing replicate feature on volume"), "{msg}");
    let (_, msg) = err(
        &s,
        "PUT",
        "/nodes/pve1/subscription",
        &[("key", "not-a-key")],
    );
    assert_eq!(msg, "Wrong subscription key format");
    let (_, msg) = err(
        &s,
        "PUT",
        "/nodes/pve1/subscription",
        &[("key", "pve1c-0123456789")],
    );
    assert!(msg.contains("wrong number of sockets (1 < 2)"), "{msg}");

    // An HA group in use stays.
    ok(
        &s,
        "POST",
        "/cluster/ha/groups",
        &[("group", "edge"), ("nodes", "pve1,pve2")],
    );
    ok(
        &s,
        "PUT",
        "/cluster/ha/resources/vm:120",
        &[("group", "edge")],
    );
    let (_, msg) = err(&s, "DELETE", "/cluster/ha/groups/edge", &[]);
    assert_eq!(msg, "ha group is used by service 'vm:120'");
    let (_, msg) = err(
        &s,
        "PUT",
        "/cluster/ha/resources/vm:120",
        &[("group", "nowhere")],
    );
    assert_eq!(msg, "HA group 'nowhere' does not exist");
}

/// What PVE derives on a write is derived here too: a NIC without a MAC gets one in Proxmox's
/// range (on create and on config updates, synchronous or not), new disks take the lowest free
/// `vm-<id>-disk-<n>` name with their size, a new VM gets PVE's default boot order, and a NIC that
/// is no valid network device is refused naming it.
#[test]
fn derived_values_are_derived_as_pve_does() {
    let s = sim(0.0);
    ok(
        &s,
        "POST",
        "/nodes/pve1/qemu",
        &[
            ("vmid", "150"),
            ("net0", "virtio,bridge=vmbr0"),
            ("scsi0", "ceph-vm:8"),
            ("ide2", "none,media=cdrom"),
        ],
    );
    s.advance(Duration::from_secs(1));
    let config = |path: &str| ok(&s, "GET", path, &[]);
    let vm = config("/nodes/pve1/qemu/150/config");
    let net0 = vm["net0"].as_str().unwrap().to_string();
    assert!(
        net0.starts_with("virtio=BC:24:11:") && net0.ends_with(",bridge=vmbr0"),
        "{vm}"
    );
    assert_eq!(vm["scsi0"], "ceph-vm:vm-150-disk-0,size=8G");
    assert_eq!(vm["boot"], "order=scsi0;ide2;net0");
    ok(
        &s,
        "PUT",
        "/nodes/pve1/qemu/150/config",
        &[("net1", "e1000,bridge=vmbr0,tag=5"), ("scsi1", "ceph-vm:4")],
    );
    let upid = ok(
        &s,
        "POST",
        "/nodes/pve1/qemu/150/config",
        &[("net2", "model=virtio,bridge=vmbr0")],
    );
    s.advance(Duration::from_secs(1));
    assert_eq!(task_status(&s, &upid)["exitstatus"], "OK");
    let vm = config("/nodes/pve1/qemu/150/config");
    assert_eq!(vm["net0"], net0.as_str(), "a NIC keeps its MAC");
    for nic in ["net1", "net2"] {
        assert!(
            vm[nic].as_str().unwrap().contains("=BC:24:11:"),
            "{nic} got a MAC: {vm}"
        );
    }
    assert_eq!(
        vm["scsi1"], "ceph-vm:vm-150-disk-1,size=4G",
        "the lowest free name"
    );
    let (status, _) = err(
        &s,
        "PUT",
        "/nodes/pve1/qemu/150/config",
        &[("net3", "nosuchmodel,bridge=vmbr0")],
    );
    assert_eq!(status, 400);
    // A container: its NIC's MAC, its root disk and the defaults PVE fills in.
    ok(
        &s,
        "POST",
        "/nodes/pve1/lxc",
        &[
            ("vmid", "151"),
            (
                "ostemplate",
                "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
            ),
            ("net0", "name=eth0,bridge=vmbr0,ip=dhcp"),
        ],
    );
    s.advance(Duration::from_secs(1));
    let ct = config("/nodes/pve1/lxc/151/config");
    assert!(
        ct["net0"].as_str().unwrap().contains("hwaddr=BC:24:11:"),
        "{ct}"
    );
    assert_eq!(ct["rootfs"], "ceph-vm:vm-151-disk-0,size=4G");
    assert_eq!(
        (ct["arch"].as_str(), ct["ostype"].as_str()),
        (Some("amd64"), Some("debian"))
    );
    assert_eq!(ct["hostname"], "CT151");
}

/// Recovery follows the placement rules: on PVE 9 a resource kept apart from another is never
/// recovered to that one's node; on PVE 8 a restricted group keeps it on the group's nodes.
#[test]
fn recovery_follows_ha_rules_and_groups() {
    let nine = Simulator::new(SimConfig {
        time_scale: 1.0,
        clock: ClockMode::Explicit,
        password: Some("pw".into()),
        seed: 42,
        release: pve_sim::Release::Pve9,
        ..Default::default()
    })
    .unwrap();
    let eight = sim(1.0);
    for s in [&nine, &eight] {
        clone_vm(s, "100", "pve1");
        clone_vm(s, "101", "pve2");
        s.advance(Duration::from_secs(60));
        for id in ["100", "101"] {
            ok(
                s,
                "POST",
                "/cluster/ha/resources",
                &[("sid", &format!("vm:{id}"))],
            );
        }
    }
    ok(
        &nine,
        "POST",
        "/cluster/ha/rules",
        &[
            ("rule", "apart"),
            ("type", "resource-affinity"),
            ("affinity", "negative"),
            ("resources", "vm:100,vm:101"),
        ],
    );
    ok(
        &eight,
        "POST",
        "/cluster/ha/groups",
        &[
            ("group", "only-pve1"),
            ("nodes", "pve1"),
            ("restricted", "1"),
        ],
    );
    ok(
        &eight,
        "PUT",
        "/cluster/ha/resources/vm:101",
        &[("group", "only-pve1")],
    );
    for s in [&nine, &eight] {
        s.advance(Duration::from_secs(10));
        assert!(s.node_down("pve2"));
        s.advance(Duration::from_secs(130));
    }
    assert_eq!(guest(&nine, 101)["node"], "pve3", "kept apart from vm:100");
    assert_eq!(guest(&eight, 101)["node"], "pve1", "bound to its group");
    assert_eq!(guest(&eight, 101)["status"], "running");
}

/// vzdump locks the guest while it writes, takes time, and leaves an archive; a locked guest or a
/// full storage fails that guest's backup (`job errors`); a restore makes a new guest with fresh
/// MACs, or replaces a stopped one with `force`; a protected backup cannot be deleted.
#[test]
fn backups_are_written_restored_and_protected_as_on_pve() {
    let s = sim(1.0);
    clone_vm(&s, "100", "pve1");
    s.advance(Duration::from_secs(60));
    ok(&s, "POST", "/nodes/pve1/qemu/100/status/start", &[]);
    s.advance(Duration::from_secs(5));
    let upid = ok(
        &s,
        "POST",
        "/nodes/pve1/vzdump",
        &[("vmid", "100"), ("storage", "local"), ("mode", "snapshot")],
    );
    assert_eq!(s.cluster().guests[&100].lock.as_deref(), Some("backup"));
    let (_, msg) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu/100/migrate",
        &[("target", "pve2")],
    );
    assert!(msg.contains("locked (backup)"), "{msg}");
    s.advance(Duration::from_secs(120));
    assert_eq!(task_status(&s, &upid)["exitstatus"], "OK");
    let listed = ok(
        &s,
        "GET",
        "/nodes/pve1/storage/local/content",
        &[("content", "backup"), ("vmid", "100")],
    );
    let volid = listed[0]["volid"].as_str().unwrap().to_string();
    assert!(volid.ends_with(".vma.zst") && listed[0]["size"].as_u64().unwrap() > 0);
    // Locked by another task: that guest's backup fails.
    clone_vm(&s, "101", "pve1");
    let upid = ok(&s, "POST", "/nodes/pve1/vzdump", &[("vmid", "101")]);
    s.advance(Duration::from_secs(120));
    let st = task_status(&s, &upid);
    assert_eq!(st["exitstatus"], "job errors", "{st}");
    // Restore to a new guest: the backup's configuration, its own disks, new MACs.
    let upid = ok(
        &s,
        "POST",
        "/nodes/pve1/qemu",
        &[("vmid", "102"), ("archive", &volid), ("unique", "1")],
    );
    s.advance(Duration::from_secs(60));
    assert_eq!(task_status(&s, &upid)["exitstatus"], "OK");
    let (old, new) = {
        let c = s.cluster();
        (c.guests[&100].config.clone(), c.guests[&102].config.clone())
    };
    assert_eq!(old["memory"], new["memory"]);
    assert_ne!(old["net0"], new["net0"], "fresh MAC addresses");
    assert!(new["scsi0"].contains("vm-102-disk-0"), "{new:?}");
    // A storage without room for it.
    ok(
        &s,
        "PUT",
        "/nodes/pve1/qemu/102/resize",
        &[("disk", "scsi0"), ("size", "+3000G")],
    );
    s.advance(Duration::from_secs(30));
    let upid = ok(
        &s,
        "POST",
        "/nodes/pve1/vzdump",
        &[("vmid", "102"), ("storage", "local")],
    );
    s.advance(Duration::from_secs(600));
    assert_eq!(task_status(&s, &upid)["exitstatus"], "job errors");
    let log = ok(
        &s,
        "GET",
        &format!("/nodes/pve1/tasks/{}/log", upid.as_str().unwrap()),
        &[],
    );
    assert!(log.to_string().contains("No space left on device"), "{log}");
    // In place: only with force, and never over a running guest.
    let (_, msg) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu",
        &[("vmid", "100"), ("archive", &volid)],
    );
    assert!(msg.contains("already exists"), "{msg}");
    let (_, msg) = err(
        &s,
        "POST",
        "/nodes/pve1/qemu",
        &[("vmid", "100"), ("archive", &volid), ("force", "1")],
    );
    assert!(msg.contains("vm is running"), "{msg}");
    // A protected backup stays.
    let path = format!(
        "/nodes/pve1/storage/local/content/{}",
        volid.replace(':', "%3A").replace('/', "%2F")
    );
    ok(&s, "PUT", &path, &[("protected", "1")]);
    let upid = ok(&s, "DELETE", &path, &[]);
    s.advance(Duration::from_secs(5));
    assert!(task_status(&s, &upid)["exitstatus"]
        .as_str()
        .unwrap()
        .contains("protected"));
}
