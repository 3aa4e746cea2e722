//! Every method, path and parameter the client can send is checked against the official PVE 8.4 and
//! 9.1 API schemas: the endpoint exists, each parameter is declared there, and each value has the
//! declared type, range and enumeration.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pve_types::api::access;
use pve_types::api::backup::{self, BackupMode, VolumeUpdate, Vzdump};
use pve_types::api::cluster::{self, ResourceFilter};
use pve_types::api::firewall::{self, FirewallOptions, Rule, RuleType};
use pve_types::api::guest::{
    self, GuestClone, GuestConfigUpdate, GuestCreate, GuestDelete, GuestKind, GuestMigrate,
    GuestShutdown, GuestStop, PowerAction, SnapshotCreate,
};
use pve_types::api::ha::{self, HaResourceCreate, HaResourceUpdate, HaState};
use pve_types::api::ha_placement::{
    self, HaAffinity, HaGroupCreate, HaRuleCreate, HaRuleType, HaRuleUpdate,
};
use pve_types::api::nodes::{self, Timeframe};
use pve_types::api::pools::{self, PoolCreate, PoolUpdate};
use pve_types::api::sdn;
use pve_types::api::storage;
use pve_types::api::tasks::{self, TaskListParams};
use pve_types::api::{ENDPOINTS, ENDPOINTS_9};
use pve_types::{ApiRequest, NodeName, PoolId, StorageId, Upid, Vmid};
use serde_json::Value;

fn schema(version: &str) -> BTreeMap<String, Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../../testdata/pve/schema/pve-{version}-api-index.json"
    ));
    serde_json::from_slice(&std::fs::read(path).expect("schema test data")).unwrap()
}

/// One request per builder, every optional field filled, so that every parameter the client can send
/// is checked.
fn every_request() -> Vec<ApiRequest> {
    let node = NodeName::new("pve1").unwrap();
    let vmid = Vmid::new(100).unwrap();
    let pool = PoolId::new("tenant-a").unwrap();
    let storage_id = StorageId::new("ceph-vm").unwrap();
    let upid: Upid = "UPID:pve1:000A1B2C:0123ABCD:684802A0:qmcreate:100:root@pam:"
        .parse()
        .unwrap();
    let mut out = vec![
        access::version(),
        ApiRequest::new(access::TICKET, &[])
            .param("username", "root@pam")
            .param("password", "x"),
        access::permissions(Some("/vms")),
        cluster::status(),
        cluster::resources(Some(ResourceFilter::Vm)),
        cluster::nextid(Some(vmid)),
        nodes::list(),
        nodes::status(&node),
        nodes::rrddata(&node, Timeframe::Hour),
        nodes::bridges(&node),
        tasks::list(
            &node,
            &TaskListParams {
                limit: Some(10),
                start: Some(0),
                vmid: Some(vmid),
                errors: Some(true),
                source: Some("all".into()),
                typefilter: Some("qmstart".into()),
            },
        )
        .unwrap(),
        tasks::status(&upid),
        tasks::cluster_list(),
        tasks::log(&upid, 0, 50),
        pools::list(),
        pools::create(&PoolCreate {
            poolid: pool.clone(),
            comment: Some("c".into()),
        })
        .unwrap(),
        pools::get(&pool),
        pools::update(
            &pool,
            &PoolUpdate {
                comment: Some("c".into()),
                vms: Some("100,101".into()),
                storage: Some("ceph-vm".into()),
                delete: Some(true),
                allow_move: Some(true),
            },
        )
        .unwrap(),
        pools::delete(&pool),
        storage::list(),
        storage::node_list(&node, Some("images")),
        storage::content(&node, &storage_id, Some("images")),
        ha::list(),
        ha::create(&HaResourceCreate {
            sid: "vm:100".into(),
            state: Some(HaState::Started),
            max_restart: Some(1),
            max_relocate: Some(1),
            comment: Some("c".into()),
            group: Some("scmp-pve1".into()),
        })
        .unwrap(),
        backup::vzdump(
            &node,
            &Vzdump {
                vmid: "100,101".into(),
                storage: "local".into(),
                mode: BackupMode::Snapshot,
                compress: Some("zstd".into()),
                notes_template: Some("{{guestname}}".into()),
                protected: Some(false),
                prune_backups: Some("keep-last=3".into()),
            },
        )
        .unwrap(),
        backup::volume(&node, &storage_id, "local:backup/vzdump-qemu-100.vma.zst"),
        backup::volume_update(
            &node,
            &storage_id,
            "local:backup/vzdump-qemu-100.vma.zst",
            &VolumeUpdate {
                notes: Some("n".into()),
                protected: Some(true),
            },
        )
        .unwrap(),
        backup::volume_delete(&node, &storage_id, "local:backup/vzdump-qemu-100.vma.zst"),
        ha_placement::groups(),
        ha_placement::group_create(&HaGroupCreate {
            group: "scmp-pve1".into(),
            nodes: "pve1:2,pve2:1".into(),
            restricted: false,
            nofailback: true,
            comment: Some("scmp".into()),
        })
        .unwrap(),
        ha_placement::group_delete("scmp-pve1"),
        ha::get("vm:100"),
        ha::update(
            "vm:100",
            &HaResourceUpdate {
                state: Some(HaState::Stopped),
                max_restart: Some(2),
                max_relocate: Some(2),
                comment: Some("c".into()),
                digest: Some("0123456789abcdef0123456789abcdef01234567".into()),
            },
        )
        .unwrap(),
        ha::delete("vm:100"),
        ha::status_current(),
        firewall::groups(),
        firewall::group_create("t1-web", Some("web")),
        firewall::group_rules("t1-web"),
        firewall::group_rule_create(
            "t1-web",
            &Rule {
                pos: None,
                kind: RuleType::In,
                action: "ACCEPT".into(),
                enable: Some(1),
                source: Some("+t1-web-m".into()),
                dest: Some("10.0.0.0/24".into()),
                proto: Some("tcp".into()),
                dport: Some("443".into()),
                sport: Some("1024:65535".into()),
                iface: Some("net0".into()),
                comment: Some("c".into()),
            },
        )
        .unwrap(),
        firewall::group_rule_delete("t1-web", 0, Some("0123")),
        firewall::group_delete("t1-web"),
        firewall::ipsets(),
        firewall::ipset_create("t1-web-m", Some("members")),
        firewall::ipset_entries("t1-web-m"),
        firewall::ipset_add("t1-web-m", "10.0.0.5", Some("guest")),
        firewall::ipset_remove("t1-web-m", "10.0.0.5"),
        firewall::ipset_delete("t1-web-m", true),
        sdn::apply(),
        sdn::zones(sdn::View::Pending),
        sdn::zone_create(&sdn::ZoneCreate {
            zone: "t1".into(),
            kind: sdn::ZoneType::Vxlan,
            bridge: None,
            peers: Some("10.0.0.1,10.0.0.2".into()),
            controller: Some("evpn1".into()),
            vrf_vxlan: Some(4000),
            ipam: Some("pve".into()),
            mtu: Some(1450),
        })
        .unwrap(),
        sdn::zone_get("t1"),
        sdn::zone_update(
            "t1",
            Some(1400),
            Some("0123456789abcdef0123456789abcdef01234567"),
        ),
        sdn::zone_delete("t1"),
        sdn::vnets(sdn::View::Running),
        sdn::vnet_create(&sdn::VnetCreate {
            vnet: "v1".into(),
            zone: "t1".into(),
            tag: Some(100),
            alias: Some("web".into()),
        })
        .unwrap(),
        sdn::vnet_get("v1"),
        sdn::vnet_update(
            "v1",
            &sdn::VnetUpdate {
                alias: Some("web".into()),
                tag: Some(101),
                digest: Some("0123456789abcdef0123456789abcdef01234567".into()),
            },
        )
        .unwrap(),
        sdn::vnet_delete("v1"),
        sdn::subnets("v1", sdn::View::Staged),
        sdn::subnet_create(
            "v1",
            &sdn::SubnetCreate {
                subnet: "10.0.0.0/24".into(),
                kind: "subnet",
                gateway: Some("10.0.0.1".into()),
                snat: Some(true),
                dhcp_range: Some("start-address=10.0.0.100,end-address=10.0.0.200".into()),
            },
        )
        .unwrap(),
        sdn::subnet_update(
            "v1",
            "t1-10.0.0.0-24",
            &sdn::SubnetUpdate {
                gateway: Some("10.0.0.1".into()),
                snat: Some(false),
                dhcp_range: Some("start-address=10.0.0.100,end-address=10.0.0.200".into()),
                delete: Some("snat".into()),
                digest: Some("0123456789abcdef0123456789abcdef01234567".into()),
            },
        )
        .unwrap(),
        sdn::subnet_delete("v1", "t1-10.0.0.0-24"),
        sdn::ip_create(
            "v1",
            &sdn::IpMapping {
                zone: "t1".into(),
                ip: "10.0.0.5".into(),
                mac: Some("BC:24:11:00:00:01".into()),
            },
        )
        .unwrap(),
        sdn::ip_delete(
            "v1",
            &sdn::IpMapping {
                zone: "t1".into(),
                ip: "10.0.0.5".into(),
                mac: None,
            },
        )
        .unwrap(),
    ];
    for kind in [GuestKind::Qemu, GuestKind::Lxc] {
        out.push(firewall::options(kind, &node, vmid));
        out.push(
            firewall::options_set(
                kind,
                &node,
                vmid,
                &FirewallOptions {
                    enable: Some(true),
                    policy_in: Some("DROP".into()),
                    policy_out: Some("ACCEPT".into()),
                    ipfilter: Some(true),
                    macfilter: Some(true),
                    dhcp: Some(true),
                },
            )
            .unwrap(),
        );
        out.push(firewall::rules(kind, &node, vmid));
        out.push(
            firewall::rule_create(kind, &node, vmid, &Rule::new(RuleType::Group, "t1-web"))
                .unwrap(),
        );
        out.push(firewall::rule_delete(kind, &node, vmid, 0, Some("0123")));
    }
    for kind in [GuestKind::Qemu, GuestKind::Lxc] {
        let mut create = GuestCreate {
            vmid: Some(vmid),
            memory: Some(2048),
            cores: Some(2),
            pool: Some("tenant-a".into()),
            tags: Some("scmp;tenant-a".into()),
            description: Some("d".into()),
            start: Some(true),
            ..Default::default()
        };
        match kind {
            GuestKind::Qemu => {
                create.name = Some("web1".into());
                create
                    .extra
                    .insert("net0".into(), "virtio,bridge=vmbr0,tag=10".into());
                create.extra.insert("scsi0".into(), "ceph-vm:32".into());
                create.extra.insert("ipconfig0".into(), "ip=dhcp".into());
                create.extra.insert("ostype".into(), "l26".into());
                create
                    .extra
                    .insert("sshkeys".into(), "ssh-ed25519%20AAAA".into());
                create.extra.insert("ciuser".into(), "debian".into());
            }
            GuestKind::Lxc => {
                create.hostname = Some("ct1".into());
                create.ostemplate =
                    Some("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst".into());
                create.rootfs = Some("ceph-vm:8".into());
                create
                    .extra
                    .insert("net0".into(), "name=eth0,bridge=vmbr0,ip=dhcp".into());
                create
                    .extra
                    .insert("ssh-public-keys".into(), "ssh-ed25519 AAAA".into());
                create.extra.insert("unprivileged".into(), "1".into());
            }
        }
        out.push(guest::list(kind, &node));
        out.push(guest::create(kind, &node, &create).unwrap());
        let (name, hostname) = match kind {
            GuestKind::Qemu => (Some("web2".to_string()), None),
            GuestKind::Lxc => (None, Some("ct2".to_string())),
        };
        out.push(
            guest::clone(
                kind,
                &node,
                vmid,
                &GuestClone {
                    newid: Vmid::new(101).unwrap(),
                    name,
                    hostname,
                    full: Some(true),
                    target: Some(NodeName::new("pve2").unwrap()),
                    storage: Some("ceph-vm".into()),
                    pool: Some("tenant-a".into()),
                    description: Some("d".into()),
                },
            )
            .unwrap(),
        );
        out.push(guest::config_get(kind, &node, vmid));
        let mut update = GuestConfigUpdate {
            delete: Some("description".into()),
            digest: Some("0123456789abcdef0123456789abcdef01234567".into()),
            ..Default::default()
        };
        update.set.insert("memory".into(), "4096".into());
        update.set.insert("cores".into(), "4".into());
        update.set.insert("tags".into(), "scmp".into());
        out.push(guest::config_set(kind, &node, vmid, &update).unwrap());
        if kind == GuestKind::Qemu {
            out.push(guest::qemu_config_set_async(&node, vmid, &update).unwrap());
        }
        out.push(guest::status(kind, &node, vmid));
        out.push(guest::interfaces(kind, &node, vmid));
        for action in [
            PowerAction::Start,
            PowerAction::Reboot,
            PowerAction::Suspend,
            PowerAction::Resume,
        ] {
            out.push(guest::power(kind, &node, vmid, action));
        }
        out.push(
            guest::power_with(
                kind,
                &node,
                vmid,
                PowerAction::Stop,
                &GuestStop {
                    skiplock: Some(true),
                },
            )
            .unwrap(),
        );
        out.push(
            guest::power_with(
                kind,
                &node,
                vmid,
                PowerAction::Shutdown,
                &GuestShutdown {
                    timeout: Some(60),
                    force_stop: Some(true),
                },
            )
            .unwrap(),
        );
        out.push(
            guest::delete(
                kind,
                &node,
                vmid,
                &GuestDelete {
                    purge: Some(true),
                    destroy_unreferenced_disks: Some(true),
                },
            )
            .unwrap(),
        );
        let disk = if kind == GuestKind::Qemu {
            "scsi0"
        } else {
            "rootfs"
        };
        out.push(guest::resize(kind, &node, vmid, disk, "+10G"));
        out.push(
            guest::migrate(
                kind,
                &node,
                vmid,
                &GuestMigrate {
                    target: NodeName::new("pve2").unwrap(),
                    online: Some(true),
                },
            )
            .unwrap(),
        );
        out.push(guest::snapshot_list(kind, &node, vmid));
        out.push(
            guest::snapshot_create(
                kind,
                &node,
                vmid,
                &SnapshotCreate {
                    snapname: "before-upgrade".into(),
                    description: Some("d".into()),
                },
            )
            .unwrap(),
        );
        out.push(guest::snapshot_rollback(
            kind,
            &node,
            vmid,
            "before-upgrade",
        ));
        out.push(guest::snapshot_delete(kind, &node, vmid, "before-upgrade"));
        out.push(guest::template(kind, &node, vmid));
    }
    out
}

/// Whether `value` fits the schema's declaration of a parameter; the error says why not.
fn check_value(decl: &Value, value: &str) -> Result<(), String> {
    if let Some(values) = decl.get("enum").and_then(Value::as_array) {
        if !values.iter().any(|v| v.as_str() == Some(value)) {
            return Err(format!("'{value}' is not one of {values:?}"));
        }
    }
    let number = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    match decl.get("type").and_then(Value::as_str) {
        Some("integer") => {
            let n: i64 = value
                .parse()
                .map_err(|_| format!("'{value}' is not an integer"))?;
            if let Some(min) = decl.get("minimum").and_then(number) {
                if (n as f64) < min {
                    return Err(format!("{n} < minimum {min}"));
                }
            }
            if let Some(max) = decl.get("maximum").and_then(number) {
                if (n as f64) > max {
                    return Err(format!("{n} > maximum {max}"));
                }
            }
        }
        Some("number") => {
            value
                .parse::<f64>()
                .map_err(|_| format!("'{value}' is not a number"))?;
        }
        Some("boolean") => {
            if value != "0" && value != "1" {
                return Err(format!("'{value}' is not 0 or 1"));
            }
        }
        _ => {
            if let Some(max) = decl.get("maxLength").and_then(Value::as_u64) {
                if value.chars().count() as u64 > max {
                    return Err(format!("longer than {max}"));
                }
            }
        }
    }
    Ok(())
}

/// The schema's declaration of `name`, resolving indexed keys (`net0` is `net[n]`).
fn declaration<'a>(props: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(d) = props.get(name) {
        return Some(d);
    }
    let digits = name.find(|c: char| c.is_ascii_digit())?;
    props.get(&format!("{}[n]", &name[..digits]))
}

/// The requests only PVE 9 serves, every optional field filled.
fn every_request_9() -> Vec<ApiRequest> {
    vec![
        ha_placement::rules(),
        ha_placement::rule_create(&HaRuleCreate {
            rule: "scmp-100".into(),
            kind: HaRuleType::NodeAffinity,
            resources: "vm:100".into(),
            nodes: Some("pve1:2,pve2".into()),
            strict: Some(false),
            affinity: Some(HaAffinity::Negative),
            comment: Some("scmp".into()),
        })
        .unwrap(),
        ha_placement::rule_update(
            "scmp-100",
            &HaRuleUpdate {
                kind: HaRuleType::ResourceAffinity,
                resources: Some("vm:100,vm:101".into()),
                nodes: Some("pve1".into()),
                digest: Some("0123456789abcdef".into()),
            },
        )
        .unwrap(),
        ha_placement::rule_delete("scmp-100"),
    ]
}

fn check_against(version: &str) {
    let mut requests = every_request();
    if version.starts_with('9') {
        requests.extend(every_request_9());
    }
    check_requests(version, requests);
}

fn check_requests(version: &str, requests: Vec<ApiRequest>) {
    let schema = schema(version);
    let mut failures = Vec::new();
    for req in requests {
        let key = format!("{} {}", req.endpoint.method, req.endpoint.path);
        let Some(method) = schema.get(&key) else {
            failures.push(format!("{version}: {key} is not in the schema"));
            continue;
        };
        let empty = serde_json::Map::new();
        let props = method["parameters"]["properties"]
            .as_object()
            .unwrap_or(&empty);
        for (name, value) in &req.path_params {
            match props.get(*name) {
                // PVE declares the VNet of a subnet update, a firewall rule's position, the node
                // of a vzdump and the storage of a volume optional although the path holds them.
                Some(d)
                    if d.get("optional").and_then(Value::as_u64) != Some(1)
                        || (key == "PUT /cluster/sdn/vnets/{vnet}/subnets/{subnet}"
                            && *name == "vnet")
                        || (key.contains("/firewall/") && *name == "pos")
                        || (key.ends_with("/vzdump") && *name == "node")
                        || (key.ends_with("/content/{volume}") && *name == "storage") =>
                {
                    if let Err(e) = check_value(d, value) {
                        failures.push(format!("{version}: {key} path {name}: {e}"));
                    }
                }
                _ => failures.push(format!(
                    "{version}: {key}: path parameter {name} is not a required parameter"
                )),
            }
        }
        let sent: BTreeSet<&str> = req.params.iter().map(|(k, _)| k.as_str()).collect();
        for (name, value) in &req.params {
            match declaration(props, name) {
                Some(d) => {
                    if let Err(e) = check_value(d, value) {
                        failures.push(format!("{version}: {key} {name}: {e}"));
                    }
                }
                None => failures.push(format!("{version}: {key}: {name} is not a parameter")),
            }
        }
        for (name, d) in props {
            let required =
                d.get("optional").and_then(Value::as_u64) != Some(1) && !name.ends_with("[n]");
            let in_path = req.path_params.iter().any(|(p, _)| p == name);
            if required && !in_path && !sent.contains(name.as_str()) {
                failures.push(format!(
                    "{version}: {key}: required parameter {name} is never sent"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_request_is_covered() {
    let sent: BTreeSet<String> = every_request()
        .iter()
        .chain(&every_request_9())
        .map(|r| format!("{} {}", r.endpoint.method, r.endpoint.path))
        .collect();
    let declared: BTreeSet<String> = ENDPOINTS
        .iter()
        .chain(ENDPOINTS_9)
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    let missing: Vec<_> = declared.difference(&sent).collect();
    assert!(
        missing.is_empty(),
        "endpoints without a schema check: {missing:?}"
    );
}

#[test]
fn requests_match_pve_8_4_schema() {
    check_against("8.4.0");
}

#[test]
fn requests_match_pve_9_1_schema() {
    check_against("9.1");
}
