//! A look at a cluster that answers some sections in a way scmp cannot read: those sections are
//! left out and named, the rest is still taken, and only a failed connection fails the whole look.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use async_trait::async_trait;
use pve_client::{Error, PveApi};
use pve_types::endpoint::ApiRequest;
use serde_json::{json, Value};

/// A simulated cluster whose answers to some paths are spoiled.
struct Spoiled {
    sim: pve_sim::Simulator,
    /// Paths answered with something of the wrong shape.
    garbled: &'static [&'static str],
    /// Paths whose connection fails.
    cut: &'static [&'static str],
}

#[async_trait]
impl PveApi for Spoiled {
    async fn execute(&self, req: &ApiRequest) -> Result<Value, Error> {
        if self.cut.contains(&req.endpoint.path) {
            return Err(Error::Timeout {
                endpoint: req.endpoint,
                timeout_ms: 10,
            });
        }
        if self.garbled.contains(&req.endpoint.path) {
            return Ok(json!([{"upid": 42, "node": ["not", "a", "name"]}]));
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

fn spoiled(garbled: &'static [&'static str], cut: &'static [&'static str]) -> Spoiled {
    Spoiled {
        sim: pve_sim::Simulator::new(pve_sim::SimConfig {
            time_scale: 0.0,
            ..Default::default()
        })
        .unwrap(),
        garbled,
        cut,
    }
}

#[tokio::test]
async fn an_unreadable_section_is_named_and_the_rest_is_taken() {
    let obs = scmp_agent::observe(&spoiled(&["/cluster/tasks"], &[]), true)
        .await
        .unwrap();
    assert_eq!(obs.health(), scmp_common::ClusterState::Degraded);
    assert!(
        obs.problems[0].starts_with("recent tasks: "),
        "{:?}",
        obs.problems
    );
    assert!(obs.tasks.is_none(), "not taken for empty");
    assert!(obs.resources_read);
    assert_eq!(obs.hosts.len(), 3, "the rest is read");
    assert!(!obs.templates.is_empty());
    assert!(obs.bridges.as_ref().is_some_and(|b| !b.is_empty()));
    assert_eq!(obs.version, "8.4.14");
}

#[tokio::test]
async fn unreadable_resources_say_nothing_of_what_runs() {
    let obs = scmp_agent::observe(&spoiled(&["/cluster/resources"], &[]), true)
        .await
        .unwrap();
    assert!(!obs.resources_read);
    assert_eq!(obs.health(), scmp_common::ClusterState::Degraded);
    assert!(obs
        .problems
        .iter()
        .any(|p| p.starts_with("cluster resources: ")));
    assert!(obs.bridges.is_none(), "no nodes to ask");
    assert!(obs.tasks.is_some(), "other sections are still read");
}

#[tokio::test]
async fn only_a_failed_connection_fails_the_look() {
    let e = scmp_agent::observe(&spoiled(&[], &["/cluster/tasks"]), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), pve_client::ErrorKind::Timeout);
    let obs = scmp_agent::observe(&spoiled(&[], &[]), false)
        .await
        .unwrap();
    assert_eq!(obs.health(), scmp_common::ClusterState::Online);
    assert!(obs.problems.is_empty());
}
