//! The agent protocol against a simulated cluster: a guest's whole life through commands that cross
//! a JSON wire both ways, and the idempotency key: a command sent again is answered as the first
//! time and carried out once, while a transient failure is not remembered.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use pve_client::{Error, PveApi};
use pve_types::endpoint::ApiRequest;
use scmp_agent::actions::{CloneOutcome, GuestSpec};
use scmp_agent::command::{Power, SnapshotChange};
use scmp_agent::{Agent, AgentError, AgentErrorKind, Command, CommandId, LocalAgent, Reply};
use scmp_common::{GuestId, GuestKind, ProjectId, TenantId};
use serde_json::Value;

/// A simulated cluster that counts the changes asked of it and whose link can be cut.
struct Counted {
    sim: pve_sim::Simulator,
    changes: AtomicUsize,
    cut: AtomicBool,
}

#[async_trait]
impl PveApi for Counted {
    async fn execute(&self, req: &ApiRequest) -> Result<Value, Error> {
        if self.cut.load(Ordering::SeqCst) {
            return Err(Error::Timeout {
                endpoint: req.endpoint,
                timeout_ms: 10,
            });
        }
        if req.endpoint.method.as_str() != "GET" {
            self.changes.fetch_add(1, Ordering::SeqCst);
        }
        let params: Vec<(&str, &str)> = req
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.sim
            .call(req.endpoint.method.as_str(), &req.path, &params)
            .map_err(|e| Error::Api {
                endpoint: req.endpoint,
                status: e.status,
                message: e.message,
            })
    }
}

fn cluster() -> Arc<Counted> {
    Arc::new(Counted {
        sim: pve_sim::Simulator::new(pve_sim::SimConfig {
            time_scale: 0.0,
            ..Default::default()
        })
        .unwrap(),
        changes: AtomicUsize::new(0),
        cut: AtomicBool::new(false),
    })
}

/// An agent whose commands and answers cross a JSON wire, as they do to an agent at the edge.
struct Wire(LocalAgent);

#[async_trait]
impl Agent for Wire {
    async fn call(&self, id: CommandId, command: Command) -> Result<Reply, AgentError> {
        let sent = serde_json::to_string(&(id, &command)).unwrap();
        let (id, command): (CommandId, Command) = serde_json::from_str(&sent).unwrap();
        let answered = self.0.call(id, command).await;
        let back = serde_json::to_string(&answered).unwrap();
        serde_json::from_str(&back).unwrap()
    }
}

fn spec(guest: GuestId) -> GuestSpec {
    GuestSpec {
        nics: Vec::new(),
        guest,
        tenant: TenantId::new(),
        tenant_name: "acme".into(),
        project: ProjectId::new(),
        kind: GuestKind::Vm,
        name: "web-1".into(),
        vcpus: 2,
        memory_mib: 2048,
        disk_gib: 40,
        tags: vec!["web".into()],
        ci_user: Some("debian".into()),
        ssh_keys: vec!["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host".into()],
        ip_config: None,
        bridge: None,
        vlan: None,
    }
}

#[tokio::test]
async fn a_guests_whole_life_goes_through_commands_on_a_wire() {
    let c = cluster();
    let agent = Wire(LocalAgent::new(c.clone()));
    let obs = agent
        .ask(Command::Observe { with_bridges: true })
        .await
        .unwrap()
        .observation()
        .unwrap();
    let template = obs
        .templates
        .iter()
        .find(|t| t.kind == "qemu")
        .unwrap()
        .clone();
    let vmid = agent.ask(Command::NextVmid).await.unwrap().vmid().unwrap();
    let made = agent
        .ask(Command::EnsurePool {
            tenant_name: "acme".into(),
        })
        .await
        .unwrap();
    assert!(made.made().unwrap());
    let guest = GuestId::new();
    let node = obs.hosts[1].name.clone();
    let cloned = agent
        .ask(Command::EnsureClone {
            spec: spec(guest),
            template_vmid: template.vmid,
            template_node: template.node.clone(),
            target: node.clone(),
            vmid,
        })
        .await
        .unwrap();
    assert_eq!(cloned.upids.len(), 1, "the clone's task: {cloned:?}");
    assert_eq!(cloned.clone_outcome().unwrap(), CloneOutcome::Done);
    let configured = agent
        .ask(Command::Configure {
            spec: spec(guest),
            node: node.clone(),
            vmid,
            clone_disk_gib: Some(template.disk_gib),
        })
        .await
        .unwrap();
    assert_eq!(configured.upids.len(), 1, "the disk grown to 40 GiB");
    let kind = GuestKind::Vm;
    agent
        .ask(Command::EnsureHa {
            kind,
            vmid,
            nodes: obs.hosts.iter().map(|h| h.name.clone()).collect(),
            apart: None,
        })
        .await
        .unwrap()
        .done()
        .unwrap();
    let start = Command::Power {
        kind,
        node: node.clone(),
        vmid,
        action: Power::Start,
    };
    agent.ask(start).await.unwrap().done().unwrap();
    let running = Command::IsRunning {
        kind,
        node: node.clone(),
        vmid,
    };
    assert!(agent.ask(running).await.unwrap().running().unwrap());
    let snapshot = Command::Snapshot {
        kind,
        node: node.clone(),
        vmid,
        change: SnapshotChange::Create {
            name: "before".into(),
        },
    };
    agent.ask(snapshot).await.unwrap().done().unwrap();
    let snapshots = agent
        .ask(Command::Snapshots {
            kind,
            node: node.clone(),
            vmid,
        })
        .await
        .unwrap()
        .snapshots()
        .unwrap();
    assert!(
        snapshots.iter().any(|s| s.name == "before"),
        "{snapshots:?}"
    );
    let destroyed = agent
        .ask(Command::Destroy { guest, kind, vmid })
        .await
        .unwrap();
    assert!(!destroyed.upids.is_empty());
    let after = agent
        .ask(Command::Observe {
            with_bridges: false,
        })
        .await
        .unwrap()
        .observation()
        .unwrap();
    assert!(after.guests.iter().all(|g| g.vmid != vmid), "destroyed");
    // A failure crosses the wire with its kind.
    let missing = Command::Snapshots { kind, node, vmid };
    let e = agent.ask(missing).await.unwrap_err();
    assert!(!e.is_transient(), "{e:?}");
}

#[tokio::test]
async fn a_command_sent_again_is_answered_once_and_carried_out_once() {
    let c = cluster();
    let agent = Arc::new(LocalAgent::new(c.clone()));
    let id = CommandId::new();
    let pool = || Command::EnsurePool {
        tenant_name: "acme".into(),
    };
    // Two sends of one command at once, then a third later: one pool made, one answer.
    let (a, b) = tokio::join!(agent.call(id, pool()), agent.call(id, pool()));
    let again = agent.call(id, pool()).await.unwrap();
    assert!(a.unwrap().made().unwrap());
    assert!(b.unwrap().made().unwrap());
    assert!(again.made().unwrap(), "the first answer, not a new look");
    assert_eq!(c.changes.load(Ordering::SeqCst), 1, "made once");
    // A new command finds the pool there.
    let fresh = agent.ask(pool()).await.unwrap();
    assert!(!fresh.made().unwrap());
}

#[tokio::test]
async fn a_transient_failure_is_not_remembered() {
    let c = cluster();
    let agent = LocalAgent::new(c.clone());
    let id = CommandId::new();
    let pool = || Command::EnsurePool {
        tenant_name: "acme".into(),
    };
    c.cut.store(true, Ordering::SeqCst);
    let e = agent.call(id, pool()).await.unwrap_err();
    assert_eq!(e.kind, AgentErrorKind::Timeout);
    assert!(e.is_transient());
    c.cut.store(false, Ordering::SeqCst);
    let r = agent.call(id, pool()).await.unwrap();
    assert!(r.made().unwrap(), "carried out when sent again");
}
