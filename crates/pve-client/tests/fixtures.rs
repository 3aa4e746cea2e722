//! Every response fixture (real PVE captures and source-derived shapes) decodes into the client's types,
//! and every error fixture becomes the error kind a caller can act on.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::path::PathBuf;

use pve_client::{Error, ErrorKind};
use pve_types::api::access::{Ticket, TokenInfo, VersionInfo};
use pve_types::api::cluster::{ClusterResource, ClusterStatusItem, ResourceType};
use pve_types::api::guest::{GuestState, GuestStatus};
use pve_types::api::ha::{HaResource, HaStatusEntry};
use pve_types::api::nodes::{NodeListItem, NodeStatus};
use pve_types::api::storage::{StorageConfig, StorageContent};
use pve_types::api::tasks::{TaskOutcome, TaskRunState, TaskStatus};
use pve_types::{Endpoint, HttpMethod, Upid, Vmid};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pve/fixtures")
}

struct Fixture {
    name: String,
    status: u16,
    reason: Option<String>,
    body: Vec<u8>,
    data: Value,
}

fn load_all() -> Vec<Fixture> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir()).expect("fixture directory") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let resp = &v["response"];
        let body = match resp.get("body_text").and_then(Value::as_str) {
            Some(t) => t.as_bytes().to_vec(),
            None if resp["body"].is_null() => Vec::new(),
            None => serde_json::to_vec(&resp["body"]).unwrap(),
        };
        out.push(Fixture {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            status: resp["status"].as_u64().unwrap() as u16,
            reason: resp["reason"].as_str().map(str::to_string),
            data: resp["body"].get("data").cloned().unwrap_or(Value::Null),
            body,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn decode<T: DeserializeOwned>(f: &Fixture) -> T {
    serde_json::from_value(f.data.clone()).unwrap_or_else(|e| panic!("{}: {e}", f.name))
}

const E: Endpoint = Endpoint::new(HttpMethod::Get, "/fixture");

fn error_of(f: &Fixture) -> Error {
    Error::from_response(E, f.status, f.reason.as_deref(), &f.body)
}

#[test]
fn every_fixture_decodes() {
    let fixtures = load_all();
    assert!(fixtures.len() >= 34, "fixtures missing: {}", fixtures.len());
    for f in &fixtures {
        let n = f.name.as_str();
        match n.split("__").next().unwrap() {
            "access_ticket" => {
                let t: Ticket = decode(f);
                assert!(t.ticket.unwrap().starts_with("PVE:"));
                assert!(t.csrf_token.is_some());
            }
            "access_users_user_token" => {
                let t: Vec<TokenInfo> = decode(f);
                assert!(!t.is_empty());
            }
            "cluster_ha_resources" => {
                let r: Vec<HaResource> = decode(f);
                assert!(r.iter().all(|x| x.sid.contains(':')));
            }
            "cluster_ha_status_current" => {
                let s: Vec<HaStatusEntry> = decode(f);
                assert!(s.iter().any(|e| e.quorate == Some(true)));
            }
            "cluster_nextid" => {
                let id: Vmid = decode(f);
                assert!(id.get() >= 100);
            }
            "cluster_nextid_taken" => {
                let e = error_of(f);
                assert_eq!(
                    e.parameter_errors().unwrap()["vmid"],
                    "VM 200 already exists"
                );
            }
            "cluster_resources" | "cluster_resources_offline_node" => {
                let r: Vec<ClusterResource> = decode(f);
                assert!(r.iter().any(|x| x.kind == Some(ResourceType::Node)));
                assert!(r.iter().all(|x| !x.id.is_empty()));
            }
            "cluster_status" => {
                let s: Vec<ClusterStatusItem> = decode(f);
                assert!(s.iter().any(|x| x.quorate.is_some()));
            }
            "create_returns_upid" => {
                let u: Upid = decode(f);
                assert_eq!(u.worker_type(), "qmcreate");
            }
            "error_400_param"
            | "error_400_param_format_multi"
            | "error_400_param_minlength"
            | "error_400_param_not_in_schema" => {
                let e = error_of(f);
                assert_eq!(e.kind(), ErrorKind::Parameter, "{n}: {e}");
                let errors = e.parameter_errors().unwrap();
                assert!(!errors.is_empty());
                assert!(
                    errors.values().all(|m| !m.ends_with('\n')),
                    "{n}: messages are trimmed"
                );
            }
            "error_401_invalid_ticket" | "error_401_no_ticket" => {
                let e = error_of(f);
                assert_eq!(e.kind(), ErrorKind::Authentication, "{n}");
                assert!(e.to_string().contains(f.reason.as_deref().unwrap()));
            }
            "error_500_no_such_user" => assert_eq!(error_of(f).kind(), ErrorKind::NotFound),
            "error_501_head" => {
                assert!(matches!(error_of(f), Error::Api { status: 501, .. }));
            }
            "error_595_proxy_connect" | "error_596_broken_pipe" => {
                assert_eq!(error_of(f).kind(), ErrorKind::NodeUnreachable, "{n}");
            }
            "lxc_list" | "qemu_list" => {
                let g: Vec<GuestStatus> = decode(f);
                assert!(g.iter().all(|x| x.status != GuestState::Unknown));
            }
            "nodes" => {
                let nodes: Vec<NodeListItem> = decode(f);
                assert!(!nodes.is_empty());
            }
            "nodes_node_status" => {
                let s: NodeStatus = decode(f);
                assert!(s.memory.total > 0 && s.cpuinfo.cpus > 0);
                assert_eq!(s.loadavg.len(), 3);
            }
            "qemu_status_current" => {
                let s: GuestStatus = decode(f);
                assert_eq!(s.status, GuestState::Running);
                assert!(s.extra.contains_key("blockstat"), "unknown keys are kept");
            }
            "storage" => {
                let s: Vec<StorageConfig> = decode(f);
                assert!(s.iter().any(|x| x.extra.contains_key("digest")));
            }
            "storage_content" => {
                let c: Vec<StorageContent> = decode(f);
                assert!(c.iter().any(|x| x.protected == Some(true)));
            }
            "tasks_status_running_apitoken" => {
                let t: TaskStatus = decode(f);
                assert_eq!(t.status, TaskRunState::Running);
                assert!(t.upid.user().contains('!'));
            }
            "tasks_status_stopped_ok"
            | "tasks_status_stopped_warnings"
            | "tasks_status_stopped_error" => {
                let t: TaskStatus = decode(f);
                assert_eq!(t.status, TaskRunState::Stopped);
                let outcome = TaskOutcome::from_exitstatus(t.exitstatus.as_deref().unwrap());
                assert_eq!(outcome.is_success(), !n.contains("error"), "{n}");
                assert_eq!(
                    t.upid.to_string(),
                    f.data["upid"].as_str().unwrap(),
                    "UPIDs print back exactly"
                );
            }
            "version" => {
                let v: VersionInfo = decode(f);
                assert!(v.version.starts_with("8.4"));
            }
            other => panic!("fixture {n} ({other}) has no decoding test: add one"),
        }
    }
}
