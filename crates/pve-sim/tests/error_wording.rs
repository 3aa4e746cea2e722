//! The simulator's refusals use PVE's own wording: every error it answers (or ends a task with) in the
//! scenarios below matches a message template that PVE's sources raise for that endpoint, taken from
//! the error catalogue in `testdata/pve/errors`. Messages PVE raises outside the endpoint handlers
//! (quorum, proxying, routing) are listed explicitly.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pve_sim::{ClockMode, SimConfig, Simulator};
use serde_json::Value;

/// Raised by PVE's HTTP server, proxy or cluster file system rather than an endpoint handler.
const CROSS_CUTTING: &[&str] = &[
    "cluster not ready - no quorum?",
    "Method '{method} {path}' not implemented",
    "hostname lookup '{node}' failed - failed to get address info for: {node}: Name or service not known",
];

fn catalog() -> BTreeMap<String, Vec<(u16, String)>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/pve/errors/pve-errors-catalog.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["errors"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, list)| {
            let entries = list
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["status"].as_u64().unwrap() as u16,
                        e["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (k.clone(), entries)
        })
        .collect()
}

/// Whether `message` is an instance of `template` (`{name}` stands for any text).
fn matches(template: &str, message: &str) -> bool {
    let parts: Vec<&str> = template.trim_end().split('{').collect();
    let mut literals = vec![parts[0].to_string()];
    for p in &parts[1..] {
        match p.split_once('}') {
            Some((_, rest)) => literals.push(rest.to_string()),
            None => return template.trim_end() == message,
        }
    }
    let message = message.trim_end();
    let mut pos = 0;
    for (i, lit) in literals.iter().enumerate() {
        if i == 0 {
            if !message.starts_with(lit.as_str()) {
                return false;
            }
            pos = lit.len();
        } else if i == literals.len() - 1 {
            return message.len() >= pos + lit.len() && message.ends_with(lit.as_str());
        } else {
            match message[pos..].find(lit.as_str()) {
                Some(at) => pos += at + lit.len(),
                None => return false,
            }
        }
    }
    pos == message.len()
}

/// The catalogue key of a concrete call.
fn key_of(method: &str, path: &str) -> String {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut out = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let prev = if i > 0 { segs[i - 1] } else { "" };
        out.push(match prev {
            "nodes" => "{node}".to_string(),
            "qemu" | "lxc" if s.parse::<u32>().is_ok() => "{vmid}".to_string(),
            "snapshot" => "{snapname}".to_string(),
            "pools" => "{poolid}".to_string(),
            "resources" => "{sid}".to_string(),
            "tasks" => "{upid}".to_string(),
            "groups" if segs.contains(&"firewall") || segs.contains(&"ha") => "{group}".to_string(),
            "ipset" => "{name}".to_string(),
            "rules" if segs.contains(&"ha") => "{rule}".to_string(),
            "rules" => "{pos}".to_string(),
            _ if i >= 2 && segs[i - 2] == "groups" => "{pos}".to_string(),
            _ if i >= 2 && segs[i - 2] == "ipset" => "{cidr}".to_string(),
            _ => s.to_string(),
        });
    }
    format!("{method} /{}", out.join("/"))
}

struct Checker {
    sim: Simulator,
    catalog: BTreeMap<String, Vec<(u16, String)>>,
    failures: Vec<String>,
    checked: usize,
}

impl Checker {
    /// A simulator of `release` with explicit time, and no refusal checked yet.
    fn of(release: pve_sim::Release) -> Self {
        let sim = Simulator::new(SimConfig {
            time_scale: 0.0,
            clock: ClockMode::Explicit,
            password: Some("pw".into()),
            release,
            ..Default::default()
        })
        .unwrap();
        Self {
            sim,
            catalog: catalog(),
            failures: Vec::new(),
            checked: 0,
        }
    }

    fn check(&mut self, key: &str, status: u16, message: &str) {
        self.checked += 1;
        if CROSS_CUTTING.iter().any(|t| matches(t, message)) {
            return;
        }
        // PVE 8 serves pools at /pools/{poolid} through the same code that PVE 9's catalogue lists
        // under /pools (poolid as a parameter).
        let alias = key.replace("/pools/{poolid}", "/pools");
        let known = [key, alias.as_str()].iter().any(|k| {
            self.catalog.get(*k).is_some_and(|list| {
                list.iter()
                    .any(|(s, t)| *s == status && matches(t, message))
            })
        });
        if !known {
            self.failures
                .push(format!("{key}: {status} {message:?} is not PVE's wording"));
        }
    }

    /// A call that must be refused (directly or by its task failing).
    fn refused(&mut self, method: &str, path: &str, params: &[(&str, &str)]) {
        let key = key_of(method, path);
        match self.sim.call(method, path, params) {
            Err(e) if e.status == 400 => {}
            Err(e) => self.check(&key, e.status, &e.message),
            Ok(Value::String(upid)) if upid.starts_with("UPID:") => {
                let node = upid.split(':').nth(1).unwrap().to_string();
                let st = self
                    .sim
                    .call("GET", &format!("/nodes/{node}/tasks/{upid}/status"), &[])
                    .unwrap();
                let exit = st["exitstatus"].as_str().unwrap_or_default().to_string();
                if exit == "OK" {
                    self.failures
                        .push(format!("{key}: task succeeded, a refusal was expected"));
                } else {
                    self.check(&key, 500, &exit);
                }
            }
            Ok(v) => self
                .failures
                .push(format!("{key}: succeeded with {v}, a refusal was expected")),
        }
    }

    /// At least `at_least` refusals were checked, each in PVE's wording.
    fn finish(&self, at_least: usize) {
        assert!(
            self.checked >= at_least,
            "only {} refusals checked",
            self.checked
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} refusals:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
    }

    fn ok(&self, method: &str, path: &str, params: &[(&str, &str)]) {
        self.sim
            .call(method, path, params)
            .unwrap_or_else(|e| panic!("{method} {path}: {}", e.message));
    }
}

#[test]
fn refusals_use_pve_wording() {
    let mut c = Checker::of(pve_sim::Release::Pve8);
    c.ok("POST", "/nodes/pve1/qemu/9000/clone", &[("newid", "100")]);
    c.ok("POST", "/nodes/pve1/lxc/9001/clone", &[("newid", "101")]);
    c.ok("POST", "/pools", &[("poolid", "p1")]);
    c.ok("PUT", "/pools/p1", &[("vms", "100")]);

    // Guests that do not exist or are elsewhere.
    for k in ["qemu", "lxc"] {
        for (m, p) in [
            ("GET", "config"),
            ("PUT", "config"),
            ("GET", "status/current"),
            ("POST", "status/start"),
            ("POST", "status/stop"),
            ("POST", "clone"),
            ("POST", "migrate"),
            ("PUT", "resize"),
            ("POST", "snapshot"),
            ("POST", "template"),
            ("DELETE", ""),
        ] {
            let path = format!("/nodes/pve2/{k}/999/{p}")
                .trim_end_matches('/')
                .to_string();
            let params: &[(&str, &str)] = match p {
                "clone" => &[("newid", "500")],
                "migrate" => &[("target", "pve3")],
                "resize" => &[("disk", "scsi0"), ("size", "+1G")],
                "snapshot" => &[("snapname", "s1")],
                _ => &[],
            };
            c.refused(m, &path, params);
        }
    }
    // States and locks.
    c.refused("POST", "/nodes/pve1/qemu/9000/clone", &[("newid", "100")]);
    c.refused("POST", "/nodes/pve1/qemu/9000/status/start", &[]);
    c.refused("POST", "/nodes/pve1/lxc/9001/status/start", &[]);
    c.refused("POST", "/nodes/pve1/qemu/9000/template", &[]);
    c.refused("POST", "/nodes/pve1/lxc/9001/template", &[]);
    c.refused(
        "POST",
        "/nodes/pve1/qemu/9000/snapshot",
        &[("snapname", "s1")],
    );
    c.ok("POST", "/nodes/pve1/qemu/100/status/start", &[]);
    c.ok("POST", "/nodes/pve1/lxc/101/status/start", &[]);
    c.refused("POST", "/nodes/pve1/qemu/100/status/start", &[]);
    c.refused("POST", "/nodes/pve1/lxc/101/status/start", &[]);
    c.refused("DELETE", "/nodes/pve1/qemu/100", &[]);
    c.refused(
        "POST",
        "/nodes/pve1/qemu/100/migrate",
        &[("target", "pve2")],
    );
    c.refused("POST", "/nodes/pve1/qemu/100/template", &[]);
    c.refused("POST", "/nodes/pve1/lxc/101/template", &[]);
    c.refused(
        "PUT",
        "/nodes/pve1/qemu/100/resize",
        &[("disk", "scsi0"), ("size", "1G")],
    );
    c.refused(
        "PUT",
        "/nodes/pve1/qemu/100/resize",
        &[("disk", "scsi5"), ("size", "+1G")],
    );
    c.refused(
        "PUT",
        "/nodes/pve1/qemu/100/resize",
        &[("disk", "ide2"), ("size", "+1G")],
    );
    c.refused(
        "PUT",
        "/nodes/pve1/qemu/100/config",
        &[
            ("memory", "4096"),
            ("digest", "0000000000000000000000000000000000000000"),
        ],
    );
    c.refused("PUT", "/nodes/pve1/lxc/101/config", &[("template", "1")]);
    c.refused(
        "PUT",
        "/nodes/pve1/qemu/100/config",
        &[("memory", "4096"), ("delete", "memory")],
    );
    c.refused(
        "POST",
        "/nodes/pve1/qemu/100/snapshot",
        &[("snapname", "current")],
    );
    c.ok(
        "POST",
        "/nodes/pve1/qemu/100/snapshot",
        &[("snapname", "s1")],
    );
    c.refused(
        "POST",
        "/nodes/pve1/qemu/100/snapshot",
        &[("snapname", "s1")],
    );
    c.refused("DELETE", "/nodes/pve1/qemu/100/snapshot/nope", &[]);
    c.refused("POST", "/nodes/pve1/qemu/100/snapshot/nope/rollback", &[]);
    c.refused("POST", "/nodes/pve1/qemu/100/template", &[]);
    c.ok("POST", "/nodes/pve1/qemu/100/status/stop", &[]);
    c.ok("POST", "/nodes/pve1/lxc/101/status/stop", &[]);
    c.refused("POST", "/nodes/pve1/lxc/101/status/stop", &[]);
    c.refused("POST", "/nodes/pve1/lxc/101/status/shutdown", &[]);
    c.refused("POST", "/nodes/pve1/qemu/100/status/reboot", &[]);
    c.refused("POST", "/nodes/pve1/qemu/100/status/suspend", &[]);
    // Pools.
    c.refused("POST", "/pools", &[("poolid", "p1")]);
    c.refused("POST", "/pools", &[("poolid", "nope/child")]);
    c.refused("GET", "/pools/nope", &[]);
    c.refused("PUT", "/pools/nope", &[("comment", "x")]);
    c.refused("DELETE", "/pools/nope", &[]);
    c.refused("DELETE", "/pools/p1", &[]);
    c.ok("POST", "/pools", &[("poolid", "p2")]);
    c.refused("PUT", "/pools/p2", &[("vms", "100")]);
    // HA.
    c.ok(
        "POST",
        "/cluster/ha/resources",
        &[("sid", "vm:100"), ("state", "stopped")],
    );
    c.refused("POST", "/cluster/ha/resources", &[("sid", "vm:100")]);
    c.refused("POST", "/cluster/ha/resources", &[("sid", "999")]);
    c.refused("POST", "/cluster/ha/resources", &[("sid", "ct:100")]);
    c.refused("POST", "/cluster/ha/resources", &[("sid", "xx:100")]);
    c.refused("DELETE", "/cluster/ha/resources/vm:101", &[]);
    c.refused("GET", "/cluster/ha/resources/vm:102", &[]);
    c.refused("DELETE", "/nodes/pve1/qemu/100", &[]);
    // The firewall: unknown groups and rules, non-empty groups and sets, bad rules.
    c.refused("DELETE", "/cluster/firewall/groups/nogroup", &[]);
    c.ok("POST", "/cluster/firewall/groups", &[("group", "g1")]);
    c.refused("POST", "/cluster/firewall/groups", &[("group", "g1")]);
    c.refused("DELETE", "/cluster/firewall/groups/g1/3", &[]);
    c.refused(
        "POST",
        "/cluster/firewall/groups/g1",
        &[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("source", "10.0.0.1"),
            ("dest", "fd00::1"),
        ],
    );
    c.ok(
        "POST",
        "/cluster/firewall/groups/g1",
        &[("type", "in"), ("action", "DROP")],
    );
    c.refused("DELETE", "/cluster/firewall/groups/g1", &[]);
    c.refused("PUT", "/cluster/firewall/groups/g1/5", &[("comment", "x")]);
    c.ok("POST", "/cluster/firewall/ipset", &[("name", "s1")]);
    c.ok(
        "POST",
        "/cluster/firewall/ipset/s1",
        &[("cidr", "10.0.0.1")],
    );
    c.refused("DELETE", "/cluster/firewall/ipset/s1", &[]);
    c.refused(
        "POST",
        "/cluster/firewall/ipset/s1",
        &[("cidr", "nosuchalias")],
    );
    c.refused("GET", "/nodes/pve1/qemu/100/firewall/rules/4", &[]);
    // Routing, nodes and quorum.
    c.refused("GET", "/nodes/pve9/status", &[]);
    c.refused("GET", "/nodes/pve1/qemu/100/nothing", &[]);
    c.sim.node_down("pve2");
    c.sim.node_down("pve3");
    c.refused("POST", "/pools", &[("poolid", "p3")]);

    c.finish(60);
}

/// PVE 9's HA refusals: groups migrated to rules, rules over unmanaged resources or unknown nodes.
#[test]
fn pve_9_ha_refusals_use_pve_wording() {
    let mut c = Checker::of(pve_sim::Release::Pve9);
    c.ok("POST", "/nodes/pve1/qemu/9000/clone", &[("newid", "100")]);
    c.ok("POST", "/cluster/ha/resources", &[("sid", "vm:100")]);
    c.refused("GET", "/cluster/ha/groups", &[]);
    c.refused("GET", "/cluster/ha/groups/g1", &[]);
    c.refused(
        "POST",
        "/cluster/ha/groups",
        &[("group", "g1"), ("nodes", "pve1")],
    );
    c.refused("PUT", "/cluster/ha/groups/g1", &[("comment", "x")]);
    c.refused("DELETE", "/cluster/ha/groups/g1", &[]);
    c.refused(
        "POST",
        "/cluster/ha/resources",
        &[("sid", "vm:9000"), ("group", "g1")],
    );
    c.refused("PUT", "/cluster/ha/resources/vm:100", &[("group", "g1")]);
    let rule = |id: &'static str, resources: &'static str, nodes: &'static str| {
        [
            ("rule", id),
            ("type", "node-affinity"),
            ("resources", resources),
            ("nodes", nodes),
        ]
    };
    c.refused("POST", "/cluster/ha/rules", &rule("r1", "vm:101", "pve1"));
    c.refused("POST", "/cluster/ha/rules", &rule("r1", "vm:100", "pve7"));
    c.ok("POST", "/cluster/ha/rules", &rule("r1", "vm:100", "pve1"));
    c.refused("POST", "/cluster/ha/rules", &rule("r1", "vm:100", "pve2"));
    c.refused("GET", "/cluster/ha/rules/r9", &[]);
    c.refused(
        "PUT",
        "/cluster/ha/rules/r9",
        &[("type", "node-affinity"), ("comment", "x")],
    );
    c.finish(12);
}

#[test]
fn template_matching() {
    assert!(matches(
        "VM {vmid} already running",
        "VM 100 already running"
    ));
    assert!(matches(
        "{guest_type} is locked ({lock})",
        "VM is locked (clone)"
    ));
    assert!(!matches("VM {vmid} already running", "VM 100 is running"));
    assert!(matches(
        "Configuration file '{cfspath}' does not exist",
        "Configuration file 'nodes/pve1/qemu-server/1.conf' does not exist"
    ));
}
