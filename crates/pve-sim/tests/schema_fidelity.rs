//! The simulator against the official schemas: every parameter it verifies is declared exactly as in
//! PVE 8.4 (type, optionality, range, enumeration), or as in 9.1 for what 9.1 serves beyond 8.4 or
//! declares differently; every endpoint it serves exists in PVE 8.4 and 9.1 (9.1's own ones in
//! 9.1), and every answer it gives has the shape the schema declares for that endpoint.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pve_sim::api::{dispatch, routed_endpoints, served_endpoints, served_endpoints_of};
use pve_sim::auth::{AuthState, Caller};
use pve_sim::params::{specs, specs_9, EndpointSpec, ParamType};
use pve_sim::{Cluster, NodeSpec, Release};
use serde_json::Value;

fn schema(version: &str) -> BTreeMap<String, Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../../testdata/pve/schema/pve-{version}-api-index.json"
    ));
    serde_json::from_slice(&std::fs::read(path).expect("schema test data")).unwrap()
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn type_matches(ty: &ParamType, decl: &Value) -> Result<(), String> {
    let t = decl.get("type").and_then(Value::as_str).unwrap_or("string");
    let format = decl.get("format").and_then(Value::as_str);
    let ok = match ty {
        ParamType::Str { max_len } => {
            t == "string"
                && decl
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .map(|m| m as usize)
                    == *max_len
        }
        ParamType::Int { min, max } => {
            t == "integer"
                && decl.get("minimum").and_then(num).map(|m| m as i64) == *min
                && decl.get("maximum").and_then(num).map(|m| m as i64) == *max
        }
        ParamType::Num { min, max } => {
            t == "number"
                && decl.get("minimum").and_then(num) == *min
                && decl.get("maximum").and_then(num) == *max
        }
        ParamType::Bool => t == "boolean",
        ParamType::Enum(values) => {
            let declared: Vec<String> = decl
                .get("enum")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            &declared == values
        }
        ParamType::Node => format == Some("pve-node"),
        ParamType::Vmid => format == Some("pve-vmid"),
        ParamType::Storage => format == Some("pve-storage-id"),
        ParamType::Pool => format == Some("pve-poolid"),
        ParamType::ConfigId => format == Some("pve-configid"),
        ParamType::DnsName => format == Some("dns-name"),
        ParamType::SdnZoneId => format == Some("pve-sdn-zone-id"),
        ParamType::SdnVnetId => format == Some("pve-sdn-vnet-id"),
        ParamType::SdnSubnetId => format == Some("pve-sdn-subnet-id"),
        ParamType::Ip => format == Some("ip"),
        ParamType::Mac => format == Some("mac-addr"),
        ParamType::List => t == "array",
        ParamType::FwName { max_len } => {
            t == "string"
                && decl.get("pattern").and_then(Value::as_str) == Some("[A-Za-z][A-Za-z0-9\\-\\_]+")
                && decl.get("maxLength").and_then(Value::as_u64) == Some(*max_len as u64)
        }
        ParamType::FwAddr => {
            format == Some("pve-fw-addr-spec")
                && decl.get("maxLength").and_then(Value::as_u64) == Some(512)
        }
        ParamType::FwDport => format == Some("pve-fw-dport-spec"),
        ParamType::FwSport => format == Some("pve-fw-sport-spec"),
        ParamType::FwProto => format == Some("pve-fw-protocol-spec"),
        ParamType::FwIcmpType => format == Some("pve-fw-icmp-type-spec"),
        ParamType::Iface => {
            format == Some("pve-iface") && decl.get("maxLength").and_then(Value::as_u64) == Some(20)
        }
        ParamType::IpOrCidrOrAlias => format == Some("IPorCIDRorAlias"),
        ParamType::ConfigIdList => format == Some("pve-configid-list"),
        ParamType::QemuDisk => decl
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "scsi0")),
        ParamType::CtDisk => decl
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "rootfs")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("declared {ty:?}, schema says {decl}"))
    }
}

#[test]
fn parameters_are_declared_as_in_pve_8_4() {
    check_declarations("8.4.0", specs());
}

#[test]
fn parameters_new_or_changed_in_pve_9_are_declared_as_in_pve_9_1() {
    check_declarations("9.1", specs_9());
}

fn check_declarations(version: &str, specs: &std::collections::HashMap<String, EndpointSpec>) {
    let schema = schema(version);
    let mut failures = Vec::new();
    for (key, spec) in specs {
        let Some(method) = schema.get(key) else {
            failures.push(format!("{key}: not in the schema"));
            continue;
        };
        let empty = serde_json::Map::new();
        let props = method["parameters"]["properties"]
            .as_object()
            .unwrap_or(&empty);
        let mut seen = BTreeSet::new();
        for p in &spec.params {
            let name = if p.indexed {
                format!("{}[n]", p.name)
            } else {
                p.name.clone()
            };
            seen.insert(name.clone());
            let Some(decl) = props.get(&name) else {
                failures.push(format!("{key}: {name} is not a parameter"));
                continue;
            };
            let optional = decl.get("optional").and_then(Value::as_u64) == Some(1);
            if optional != p.optional {
                failures.push(format!(
                    "{key}: {name}: optional is {optional} in the schema"
                ));
            }
            if let Err(e) = type_matches(&p.ty, decl) {
                failures.push(format!("{key}: {name}: {e}"));
            }
        }
        for name in props.keys() {
            if !seen.contains(name) {
                failures.push(format!(
                    "{key}: schema parameter {name} is refused by the simulator"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn served_endpoints_exist_in_both_schemas_and_have_parameters() {
    let routed: BTreeSet<String> = routed_endpoints().into_iter().collect();
    let declared: BTreeSet<String> = specs().keys().chain(specs_9().keys()).cloned().collect();
    assert_eq!(
        routed, declared,
        "every route needs its parameter declaration and vice versa"
    );
    let served: BTreeSet<String> = served_endpoints().into_iter().collect();
    for version in ["8.4.0", "9.1"] {
        let schema = schema(version);
        let missing: Vec<_> = served.iter().filter(|k| !schema.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{version}: {missing:?}");
    }
    let schema = schema("9.1");
    let missing: Vec<_> = served_endpoints_of(Release::Pve9)
        .into_iter()
        .filter(|k| !schema.contains_key(k))
        .collect();
    assert!(missing.is_empty(), "9.1: {missing:?}");
}

/// A path served at all is served with every method the release defines on it: a client that finds
/// the path must find its other methods too (not a 501).
#[test]
fn served_paths_have_every_method_of_pve_8_4() {
    every_method_of("8.4.0", Release::Pve8);
}

#[test]
fn served_paths_have_every_method_of_pve_9_1() {
    every_method_of("9.1", Release::Pve9);
}

fn every_method_of(version: &str, release: Release) {
    let schema = schema(version);
    let served: BTreeSet<String> = served_endpoints_of(release).into_iter().collect();
    let paths: BTreeSet<&str> = served
        .iter()
        .filter_map(|k| k.split_once(' ').map(|(_, p)| p))
        .collect();
    let mut missing = Vec::new();
    for key in schema.keys() {
        let Some((_, path)) = key.split_once(' ') else {
            continue;
        };
        if paths.contains(path) && !served.contains(key) {
            missing.push(key.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "served paths lack methods: {missing:#?}"
    );
}

/// Checks `value` against a schema `returns` declaration; PVE booleans are 0/1.
fn check_shape(path: &str, decl: &Value, value: &Value, out: &mut Vec<String>) {
    let optional = decl.get("optional").and_then(Value::as_u64) == Some(1);
    if value.is_null() && (optional || decl.get("type").and_then(Value::as_str) == Some("null")) {
        return;
    }
    let ty = decl.get("type").and_then(Value::as_str);
    let ok = match ty {
        None | Some("any") => true,
        Some("null") => value.is_null(),
        Some("string") => value.is_string(),
        // Perl sends some numbers as strings (`/cluster/nextid` is "100"), as real PVE does.
        Some("integer") => {
            value.is_i64()
                || value.is_u64()
                || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
        }
        Some("number") => {
            value.is_number() || value.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
        }
        Some("boolean") => value.is_boolean() || value.as_u64().is_some_and(|n| n <= 1),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        Some(other) => {
            out.push(format!("{path}: unknown schema type {other}"));
            true
        }
    };
    if !ok {
        out.push(format!(
            "{path}: expected {}, got {value}",
            ty.unwrap_or("?")
        ));
        return;
    }
    if let (Some("array"), Some(items), Some(arr)) = (ty, decl.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check_shape(&format!("{path}[{i}]"), items, v, out);
        }
    }
    if let (Some("object"), Some(obj)) = (ty, value.as_object()) {
        let props = decl.get("properties").and_then(Value::as_object);
        if let Some(props) = props {
            for (k, d) in props {
                let opt = d.get("optional").and_then(Value::as_u64) == Some(1);
                match obj.get(k) {
                    Some(v) => check_shape(&format!("{path}.{k}"), d, v, out),
                    None if !opt => out.push(format!("{path}: required member {k} missing")),
                    None => {}
                }
            }
            let closed = decl.get("additionalProperties").and_then(Value::as_u64) == Some(0);
            if closed {
                for k in obj.keys() {
                    if !props.contains_key(k) {
                        out.push(format!("{path}: member {k} is not declared"));
                    }
                }
            }
        }
    }
}

struct Harness {
    cluster: Cluster,
    auth: AuthState,
    caller: Caller,
    now: f64,
}

impl Harness {
    fn new() -> Self {
        Self::of(Release::Pve8)
    }

    fn of(release: Release) -> Self {
        let now = 1_749_549_744.0;
        let mut cluster = Cluster::new("edge", 3, NodeSpec::default(), 7, now, 0.0);
        cluster.release = release;
        Self {
            cluster,
            auth: AuthState {
                root_password: "pw".into(),
                token_secret: "s".into(),
                ticket_key: "k".into(),
            },
            caller: Caller {
                authid: "root@pam".into(),
                ticket: true,
            },
            now,
        }
    }

    fn call(&mut self, method: &str, path: &str, params: &[(&str, &str)]) -> Result<Value, String> {
        self.now += 1.0;
        let params: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        dispatch(
            &mut self.cluster,
            &self.auth,
            &self.caller,
            method,
            path,
            params,
            self.now,
        )
        .map(pve_sim::api::Reply::into_value)
        .map_err(|e| format!("{method} {path}: {} {} {:?}", e.status, e.message, e.errors))
    }
}

/// Turns a concrete call into its schema key (`GET /nodes/{node}/qemu/{vmid}/config`).
fn template_of(method: &str, path: &str) -> String {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut out = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let prev = if i > 0 { segs[i - 1] } else { "" };
        let t = match prev {
            "nodes" => "{node}",
            "qemu" | "lxc" if s.parse::<u32>().is_ok() => "{vmid}",
            "snapshot" => "{snapname}",
            "tasks" => "{upid}",
            "storage" if segs.first() == Some(&"nodes") => "{storage}",
            "pools" => "{poolid}",
            "resources" => "{sid}",
            "groups" if segs.contains(&"ha") || segs.contains(&"firewall") => "{group}",
            "ipset" => "{name}",
            "rules" if segs.contains(&"ha") => "{rule}",
            "content" if segs.contains(&"storage") => "{volume}",
            "rules" => "{pos}",
            _ if i >= 2 && segs[i - 2] == "groups" && segs.contains(&"firewall") => "{pos}",
            _ if i >= 2 && segs[i - 2] == "ipset" => "{cidr}",
            "replication" if segs.first() == Some(&"nodes") => "{id}",
            "zones" if segs.contains(&"sdn") => "{zone}",
            "vnets" if segs.contains(&"sdn") => "{vnet}",
            "subnets" if segs.contains(&"sdn") => "{subnet}",
            _ => s,
        };
        out.push(t.to_string());
    }
    format!("{method} /{}", out.join("/"))
}

/// Calls checked against a schema's answer shapes, and the endpoints they covered.
struct Shapes {
    schema: BTreeMap<String, Value>,
    covered: BTreeSet<String>,
    failures: Vec<String>,
}

impl Shapes {
    fn of(version: &str) -> Self {
        Self {
            schema: schema(version),
            covered: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// Makes the call (which must succeed) and checks its answer's shape.
    fn run(&mut self, h: &mut Harness, method: &str, path: &str, params: &[(&str, &str)]) -> Value {
        let v = h
            .call(method, path, params)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let key = template_of(method, path);
        let decl = self
            .schema
            .get(&key)
            .unwrap_or_else(|| panic!("{key} not in schema"));
        check_shape(&key, &decl["returns"], &v, &mut self.failures);
        self.covered.insert(key);
        v
    }
}

#[test]
fn answers_have_the_schema_shapes() {
    let mut h = Harness::new();
    let mut shapes = Shapes::of("8.4.0");
    let mut run = |h: &mut Harness, method: &str, path: &str, params: &[(&str, &str)]| {
        shapes.run(h, method, path, params)
    };
    run(
        &mut h,
        "POST",
        "/pools",
        &[("poolid", "tenant-a"), ("comment", "Tenant A")],
    );
    let upid = run(
        &mut h,
        "POST",
        "/nodes/pve1/qemu/9000/clone",
        &[
            ("newid", "100"),
            ("name", "web1"),
            ("pool", "tenant-a"),
            ("full", "0"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve1/lxc/9001/clone",
        &[("newid", "101"), ("hostname", "ct1"), ("full", "1")],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve2/qemu",
        &[
            ("vmid", "102"),
            ("name", "db1"),
            ("memory", "4096"),
            ("cores", "2"),
            ("scsi0", "ceph-vm:16"),
            ("net0", "virtio,bridge=vmbr0,tag=20"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve2/lxc",
        &[
            ("vmid", "103"),
            ("hostname", "ct3"),
            (
                "ostemplate",
                "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
            ),
            ("rootfs", "ceph-vm:8"),
            ("net0", "name=eth0,bridge=vmbr0,ip=dhcp"),
        ],
    );
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/qemu/100/config",
        &[("memory", "4096"), ("tags", "scmp;web")],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve1/qemu/100/config",
        &[("cores", "4")],
    );
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/lxc/101/config",
        &[("memory", "1024")],
    );
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/qemu/100/resize",
        &[("disk", "scsi0"), ("size", "+10G")],
    );
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/lxc/101/resize",
        &[("disk", "rootfs"), ("size", "16G")],
    );
    // Firewall: a group with rules, an IP set, and guests' options and rules.
    run(
        &mut h,
        "POST",
        "/cluster/firewall/groups",
        &[("group", "t1-web"), ("comment", "web")],
    );
    run(&mut h, "GET", "/cluster/firewall/groups", &[]);
    run(
        &mut h,
        "POST",
        "/cluster/firewall/ipset",
        &[("name", "t1-web-m")],
    );
    run(&mut h, "GET", "/cluster/firewall/ipset", &[]);
    run(
        &mut h,
        "POST",
        "/cluster/firewall/ipset/t1-web-m",
        &[("cidr", "10.0.0.5")],
    );
    run(&mut h, "GET", "/cluster/firewall/ipset/t1-web-m", &[]);
    run(
        &mut h,
        "GET",
        "/cluster/firewall/ipset/t1-web-m/10.0.0.5",
        &[],
    );
    run(
        &mut h,
        "PUT",
        "/cluster/firewall/ipset/t1-web-m/10.0.0.5",
        &[("comment", "vm 100")],
    );
    run(
        &mut h,
        "POST",
        "/cluster/firewall/groups/t1-web",
        &[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("source", "+t1-web-m"),
            ("enable", "1"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/cluster/firewall/groups/t1-web",
        &[
            ("type", "in"),
            ("action", "ACCEPT"),
            ("proto", "tcp"),
            ("dport", "443"),
        ],
    );
    run(&mut h, "GET", "/cluster/firewall/groups/t1-web", &[]);
    run(&mut h, "GET", "/cluster/firewall/groups/t1-web/0", &[]);
    run(
        &mut h,
        "PUT",
        "/cluster/firewall/groups/t1-web/0",
        &[("enable", "1")],
    );
    for kind_vmid in [("qemu", "100"), ("lxc", "101")] {
        let (k, id) = kind_vmid;
        let fw = format!("/nodes/pve1/{k}/{id}/firewall");
        run(
            &mut h,
            "PUT",
            &format!("{fw}/options"),
            &[("enable", "1"), ("policy_in", "DROP")],
        );
        run(&mut h, "GET", &format!("{fw}/options"), &[]);
        run(
            &mut h,
            "POST",
            &format!("{fw}/rules"),
            &[("type", "group"), ("action", "t1-web"), ("enable", "1")],
        );
        run(&mut h, "GET", &format!("{fw}/rules"), &[]);
        run(&mut h, "GET", &format!("{fw}/rules/0"), &[]);
        run(
            &mut h,
            "PUT",
            &format!("{fw}/rules/0"),
            &[("comment", "scmp")],
        );
        run(&mut h, "DELETE", &format!("{fw}/rules/0"), &[]);
    }
    run(&mut h, "DELETE", "/cluster/firewall/groups/t1-web/1", &[]);
    run(&mut h, "DELETE", "/cluster/firewall/groups/t1-web/0", &[]);
    run(&mut h, "DELETE", "/cluster/firewall/groups/t1-web", &[]);
    run(
        &mut h,
        "DELETE",
        "/cluster/firewall/ipset/t1-web-m/10.0.0.5",
        &[],
    );
    run(&mut h, "DELETE", "/cluster/firewall/ipset/t1-web-m", &[]);
    for kind_vmid in [("qemu", "100"), ("lxc", "101")] {
        let (k, id) = kind_vmid;
        let base = format!("/nodes/pve1/{k}/{id}");
        run(&mut h, "POST", &format!("{base}/status/start"), &[]);
        run(&mut h, "GET", &format!("{base}/status/current"), &[]);
        let interfaces = if k == "qemu" {
            "agent/network-get-interfaces"
        } else {
            "interfaces"
        };
        run(&mut h, "GET", &format!("{base}/{interfaces}"), &[]);
        run(&mut h, "POST", &format!("{base}/status/suspend"), &[]);
        run(&mut h, "POST", &format!("{base}/status/resume"), &[]);
        run(&mut h, "POST", &format!("{base}/status/reboot"), &[]);
        run(
            &mut h,
            "POST",
            &format!("{base}/snapshot"),
            &[("snapname", "snap1"), ("description", "before")],
        );
        run(&mut h, "GET", &format!("{base}/snapshot"), &[]);
        run(&mut h, "GET", &format!("{base}/snapshot/snap1"), &[]);
        run(&mut h, "GET", &base, &[]);
        if k == "qemu" {
            run(
                &mut h,
                "GET",
                &format!("{base}/migrate"),
                &[("target", "pve2")],
            );
        }
        run(&mut h, "GET", &format!("{base}/config"), &[]);
        run(
            &mut h,
            "GET",
            &format!("{base}/rrddata"),
            &[("timeframe", "hour")],
        );
        run(&mut h, "GET", &format!("/nodes/pve1/{k}"), &[]);
        run(&mut h, "POST", &format!("{base}/status/shutdown"), &[]);
        run(
            &mut h,
            "POST",
            &format!("{base}/snapshot/snap1/rollback"),
            &[("start", "1")],
        );
        run(
            &mut h,
            "POST",
            &format!("{base}/status/stop"),
            &[("skiplock", "1")],
        );
        run(&mut h, "DELETE", &format!("{base}/snapshot/snap1"), &[]);
        run(
            &mut h,
            "POST",
            &format!("{base}/migrate"),
            &[("target", "pve3")],
        );
        let base3 = format!("/nodes/pve3/{k}/{id}");
        run(&mut h, "POST", &format!("{base3}/template"), &[]);
        run(
            &mut h,
            "DELETE",
            &base3,
            &[("purge", "1"), ("destroy-unreferenced-disks", "1")],
        );
    }
    run(&mut h, "POST", "/nodes/pve2/qemu/102/status/start", &[]);
    run(
        &mut h,
        "POST",
        "/cluster/ha/resources",
        &[
            ("sid", "vm:102"),
            ("state", "started"),
            ("max_restart", "2"),
        ],
    );
    run(&mut h, "GET", "/cluster/ha/resources", &[]);
    run(&mut h, "GET", "/cluster/ha/resources/vm:102", &[]);
    run(
        &mut h,
        "PUT",
        "/cluster/ha/resources/vm:102",
        &[("comment", "db")],
    );
    run(&mut h, "GET", "/cluster/ha/status/current", &[]);
    run(&mut h, "PUT", "/pools/tenant-a", &[("vms", "102,103")]);
    run(&mut h, "GET", "/pools", &[]);
    run(&mut h, "GET", "/pools/tenant-a", &[]);
    run(
        &mut h,
        "PUT",
        "/pools/tenant-a",
        &[("vms", "102,103"), ("delete", "1")],
    );
    run(&mut h, "DELETE", "/pools/tenant-a", &[]);
    run(&mut h, "DELETE", "/cluster/ha/resources/vm:102", &[]);
    let tasks = run(
        &mut h,
        "GET",
        "/nodes/pve1/tasks",
        &[("source", "all"), ("limit", "500")],
    );
    assert!(tasks.as_array().is_some_and(|t| t.len() >= 10));
    let upid = upid.as_str().unwrap().to_string();
    run(
        &mut h,
        "GET",
        &format!("/nodes/pve1/tasks/{upid}/status"),
        &[],
    );
    run(&mut h, "GET", &format!("/nodes/pve1/tasks/{upid}/log"), &[]);
    for p in [
        "/version",
        "/cluster/status",
        "/cluster/resources",
        "/cluster/nextid",
        "/cluster/tasks",
        "/cluster/options",
        "/cluster/replication",
        "/cluster/ha/groups",
        "/nodes",
        "/nodes/pve1/status",
        "/nodes/pve1/version",
        "/nodes/pve1/network",
        "/nodes/pve1/dns",
        "/nodes/pve1/time",
        "/nodes/pve1/subscription",
        "/nodes/pve1/storage",
        "/nodes/pve1/storage/ceph-vm/status",
        "/nodes/pve1/storage/ceph-vm/content",
        "/nodes/pve1/storage/local/content",
        "/storage",
        "/access/permissions",
    ] {
        run(&mut h, "GET", p, &[]);
    }
    run(
        &mut h,
        "GET",
        "/nodes/pve1/rrddata",
        &[("timeframe", "day")],
    );
    run(
        &mut h,
        "POST",
        "/access/ticket",
        &[("username", "root@pam"), ("password", "pw")],
    );
    // Settings, HA groups, storage, replication, and the PVE 8 way of changing pools.
    run(&mut h, "GET", "/access/ticket", &[]);
    run(&mut h, "GET", "/cluster/backup-info/not-backed-up", &[]);
    run(&mut h, "GET", "/cluster/config/qdevice", &[]);
    run(
        &mut h,
        "PUT",
        "/cluster/options",
        &[("keyboard", "de"), ("delete", "console")],
    );
    run(
        &mut h,
        "POST",
        "/cluster/ha/groups",
        &[
            ("group", "prefer-pve1"),
            ("nodes", "pve1:2,pve2:1"),
            ("restricted", "1"),
        ],
    );
    run(&mut h, "GET", "/cluster/ha/groups/prefer-pve1", &[]);
    run(
        &mut h,
        "PUT",
        "/cluster/ha/groups/prefer-pve1",
        &[("comment", "edge"), ("delete", "restricted")],
    );
    run(&mut h, "DELETE", "/cluster/ha/groups/prefer-pve1", &[]);
    run(
        &mut h,
        "POST",
        "/storage",
        &[
            ("storage", "zfs-local"),
            ("type", "zfspool"),
            ("pool", "rpool/data"),
            ("content", "images,rootdir"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve1/storage/zfs-local/content",
        &[
            ("vmid", "104"),
            ("filename", "vm-104-disk-1"),
            ("size", "4G"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve1/qemu",
        &[
            ("vmid", "104"),
            ("scsi0", "zfs-local:4"),
            ("net0", "virtio,bridge=vmbr0"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/cluster/replication",
        &[
            ("id", "104-0"),
            ("target", "pve2"),
            ("type", "local"),
            ("schedule", "*/30"),
        ],
    );
    run(&mut h, "GET", "/nodes/pve1/replication", &[]);
    run(&mut h, "GET", "/nodes/pve1/replication/104-0/status", &[]);
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/dns",
        &[("search", "fra.example"), ("dns1", "10.0.0.53")],
    );
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/time",
        &[("timezone", "Europe/Berlin")],
    );
    run(
        &mut h,
        "PUT",
        "/nodes/pve1/subscription",
        &[("key", "pve2c-0123456789")],
    );
    run(
        &mut h,
        "POST",
        "/nodes/pve1/subscription",
        &[("force", "1")],
    );
    run(&mut h, "GET", "/nodes/pve1/subscription", &[]);
    run(&mut h, "DELETE", "/nodes/pve1/subscription", &[]);
    run(
        &mut h,
        "POST",
        "/nodes/pve1/network",
        &[
            ("iface", "vmbr1"),
            ("type", "bridge"),
            ("autostart", "1"),
            ("bridge_vlan_aware", "1"),
        ],
    );
    run(&mut h, "DELETE", "/nodes/pve1/network", &[]);
    run(
        &mut h,
        "POST",
        "/nodes/pve1/network",
        &[
            ("iface", "vmbr1"),
            ("type", "bridge"),
            ("cidr", "10.1.0.1/24"),
        ],
    );
    run(&mut h, "PUT", "/nodes/pve1/network", &[]);
    run(&mut h, "POST", "/pools", &[("poolid", "tenant-b")]);
    run(
        &mut h,
        "PUT",
        "/pools",
        &[("poolid", "tenant-b"), ("comment", "B")],
    );
    run(&mut h, "DELETE", "/pools", &[("poolid", "tenant-b")]);
    run(
        &mut h,
        "POST",
        "/nodes/pve3/status",
        &[("command", "reboot")],
    );
    // SDN: staged, listed three ways, applied, mapped, and taken down again.
    run(&mut h, "GET", "/cluster/sdn", &[]);
    run(
        &mut h,
        "POST",
        "/cluster/sdn/zones",
        &[
            ("zone", "t1"),
            ("type", "vlan"),
            ("bridge", "vmbr0"),
            ("ipam", "pve"),
        ],
    );
    run(&mut h, "PUT", "/cluster/sdn/zones/t1", &[("mtu", "1500")]);
    run(
        &mut h,
        "POST",
        "/cluster/sdn/vnets",
        &[("vnet", "v1"), ("zone", "t1"), ("tag", "100")],
    );
    run(&mut h, "PUT", "/cluster/sdn/vnets/v1", &[("alias", "web")]);
    run(
        &mut h,
        "POST",
        "/cluster/sdn/vnets/v1/subnets",
        &[
            ("subnet", "10.9.0.0/24"),
            ("type", "subnet"),
            ("gateway", "10.9.0.1"),
            ("snat", "1"),
            (
                "dhcp-range",
                "start-address=10.9.0.100,end-address=10.9.0.200",
            ),
        ],
    );
    run(
        &mut h,
        "PUT",
        "/cluster/sdn/vnets/v1/subnets/t1-10.9.0.0-24",
        &[("snat", "0")],
    );
    for view in [&[][..], &[("pending", "1")][..], &[("running", "1")][..]] {
        run(&mut h, "GET", "/cluster/sdn/zones", view);
        run(&mut h, "GET", "/cluster/sdn/vnets", view);
        run(&mut h, "GET", "/cluster/sdn/vnets/v1/subnets", view);
    }
    run(&mut h, "GET", "/cluster/sdn/zones/t1", &[]);
    run(&mut h, "GET", "/cluster/sdn/vnets/v1", &[]);
    run(
        &mut h,
        "GET",
        "/cluster/sdn/vnets/v1/subnets/t1-10.9.0.0-24",
        &[],
    );
    run(&mut h, "PUT", "/cluster/sdn", &[]);
    h.now += 10.0;
    let ip = [
        ("zone", "t1"),
        ("ip", "10.9.0.5"),
        ("mac", "BC:24:11:00:00:05"),
    ];
    run(&mut h, "POST", "/cluster/sdn/vnets/v1/ips", &ip);
    run(
        &mut h,
        "PUT",
        "/cluster/sdn/vnets/v1/ips",
        &[("zone", "t1"), ("ip", "10.9.0.5"), ("vmid", "100")],
    );
    run(&mut h, "DELETE", "/cluster/sdn/vnets/v1/ips", &ip);
    run(
        &mut h,
        "DELETE",
        "/cluster/sdn/vnets/v1/subnets/t1-10.9.0.0-24",
        &[],
    );
    run(&mut h, "DELETE", "/cluster/sdn/vnets/v1", &[]);
    run(&mut h, "DELETE", "/cluster/sdn/zones/t1", &[]);
    // A backup of a guest, its volume read, annotated, copied and deleted.
    let node = "pve1";
    run(
        &mut h,
        "POST",
        "/nodes/pve1/qemu",
        &[
            ("vmid", "120"),
            ("name", "web1"),
            ("memory", "1024"),
            ("scsi0", "ceph-vm:4"),
        ],
    );
    let upid = run(
        &mut h,
        "POST",
        &format!("/nodes/{node}/vzdump"),
        &[
            ("vmid", "120"),
            ("storage", "local"),
            ("mode", "snapshot"),
            ("notes-template", "{{guestname}} on {{node}}"),
        ],
    );
    assert!(upid.as_str().unwrap().contains(":vzdump:120:"), "{upid}");
    let listed = run(
        &mut h,
        "GET",
        &format!("/nodes/{node}/storage/local/content"),
        &[("content", "backup")],
    );
    let volid = listed[0]["volid"].as_str().unwrap().to_string();
    assert!(
        volid.starts_with("local:backup/vzdump-qemu-120-"),
        "{listed}"
    );
    let path = format!(
        "/nodes/{node}/storage/local/content/{}",
        volid.replace(':', "%3A").replace('/', "%2F")
    );
    let info = run(&mut h, "GET", &path, &[]);
    assert_eq!(info["notes"], format!("web1 on {node}"), "{info}");
    run(&mut h, "PUT", &path, &[("protected", "1")]);
    run(&mut h, "POST", &path, &[("target", "local")]);
    run(&mut h, "PUT", &path, &[("protected", "0")]);
    run(&mut h, "DELETE", &path, &[]);
    assert!(shapes.failures.is_empty(), "{}", shapes.failures.join("\n"));
    let served: BTreeSet<String> = served_endpoints().into_iter().collect();
    let missing: Vec<_> = served.difference(&shapes.covered).collect();
    assert!(
        missing.is_empty(),
        "served endpoints without a shape check: {missing:?}"
    );
}

/// What PVE 9.1 serves beyond 8.4 (HA rules, resources with `failback` and `purge`) answers in 9.1's
/// shapes, and PVE 9's refusals: groups migrated to rules, infeasible rules.
#[test]
fn answers_of_pve_9_have_the_schema_shapes() {
    let mut h = Harness::of(Release::Pve9);
    let mut shapes = Shapes::of("9.1");
    let mut run = |h: &mut Harness, method: &str, path: &str, params: &[(&str, &str)]| {
        shapes.run(h, method, path, params)
    };
    for vmid in ["102", "103"] {
        run(
            &mut h,
            "POST",
            "/nodes/pve2/qemu",
            &[("vmid", vmid), ("memory", "1024"), ("scsi0", "ceph-vm:4")],
        );
        let sid = format!("vm:{vmid}");
        run(
            &mut h,
            "POST",
            "/cluster/ha/resources",
            &[("sid", &sid), ("failback", "0")],
        );
    }
    run(
        &mut h,
        "PUT",
        "/cluster/ha/resources/vm:103",
        &[("failback", "1")],
    );
    run(
        &mut h,
        "POST",
        "/cluster/ha/rules",
        &[
            ("rule", "prefer-pve1"),
            ("type", "node-affinity"),
            ("resources", "vm:102"),
            ("nodes", "pve1,pve2"),
        ],
    );
    run(
        &mut h,
        "POST",
        "/cluster/ha/rules",
        &[
            ("rule", "apart"),
            ("type", "resource-affinity"),
            ("resources", "vm:102,vm:103"),
            ("affinity", "negative"),
        ],
    );
    let rules = run(&mut h, "GET", "/cluster/ha/rules", &[]);
    assert_eq!(rules.as_array().unwrap().len(), 2, "{rules}");
    let rule = run(&mut h, "GET", "/cluster/ha/rules/apart", &[]);
    run(
        &mut h,
        "PUT",
        "/cluster/ha/rules/apart",
        &[
            ("type", "resource-affinity"),
            ("comment", "kept apart"),
            ("digest", rule["digest"].as_str().unwrap()),
        ],
    );
    // A resource in two node affinity rules is infeasible, blamed on the resources.
    let e = h
        .call(
            "POST",
            "/cluster/ha/rules",
            &[
                ("rule", "again"),
                ("type", "node-affinity"),
                ("resources", "vm:102"),
                ("nodes", "pve3"),
            ],
        )
        .unwrap_err();
    assert!(e.contains("Rule 'again' is invalid"), "{e}");
    assert!(
        e.contains("already used in another node affinity rule"),
        "{e}"
    );
    // Rules with priorities cannot hold resources kept apart.
    let e = h
        .call(
            "PUT",
            "/cluster/ha/rules/prefer-pve1",
            &[("type", "node-affinity"), ("nodes", "pve1:2,pve2:1")],
        )
        .unwrap_err();
    assert!(e.contains("multiple priorities"), "{e}");
    let e = h
        .call(
            "POST",
            "/cluster/ha/groups",
            &[("group", "g"), ("nodes", "pve1")],
        )
        .unwrap_err();
    assert!(e.contains("ha groups have been migrated to rules"), "{e}");
    // Deleting a resource purges it from the rules; a rule left without resources goes.
    run(
        &mut h,
        "DELETE",
        "/cluster/ha/resources/vm:102",
        &[("purge", "1")],
    );
    let rules = run(&mut h, "GET", "/cluster/ha/rules", &[]);
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["apart"], "{rules}");
    run(&mut h, "DELETE", "/cluster/ha/rules/apart", &[]);
    run(
        &mut h,
        "POST",
        "/nodes/pve2/lxc",
        &[
            ("vmid", "104"),
            ("hostname", "ct4"),
            (
                "ostemplate",
                "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
            ),
            ("rootfs", "ceph-vm:8"),
        ],
    );
    let pre = run(&mut h, "GET", "/nodes/pve2/lxc/104/migrate", &[]);
    assert_eq!(
        pre["allowed-nodes"],
        serde_json::json!(["pve1", "pve3"]),
        "{pre}"
    );
    assert!(shapes.failures.is_empty(), "{}", shapes.failures.join("\n"));
    let only_9: BTreeSet<String> = specs_9().keys().cloned().collect();
    let missing: Vec<_> = only_9.difference(&shapes.covered).collect();
    assert!(
        missing.is_empty(),
        "9.1 endpoints without a shape check: {missing:?}"
    );
}

/// A PVE 8.4 cluster has no HA rules: the endpoint is not there, as on a real 8.4 node.
#[test]
fn pve_8_has_no_ha_rules() {
    let mut h = Harness::new();
    let e = h.call("GET", "/cluster/ha/rules", &[]).unwrap_err();
    assert!(e.contains("not implemented"), "{e}");
}
