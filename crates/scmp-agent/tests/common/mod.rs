//! A simulated cluster behind the client trait that counts the changes made to it.
#![allow(clippy::unwrap_used, dead_code)] // Shared by tests; not every test uses every part.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use pve_client::{Error, PveApi};
use pve_types::endpoint::ApiRequest;
use serde_json::Value;

pub struct Counted {
    pub sim: pve_sim::Simulator,
    pub changes: AtomicUsize,
}

impl Counted {
    /// Changes made so far.
    pub fn changes(&self) -> usize {
        self.changes.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl PveApi for Counted {
    async fn execute(&self, req: &ApiRequest) -> Result<Value, Error> {
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
            .map_err(|e| {
                let message = match &e.errors {
                    Some(errors) => format!("{} {errors:?}", e.message),
                    None => e.message,
                };
                if e.status == 400 {
                    Error::Parameter {
                        endpoint: req.endpoint,
                        errors: e.errors.unwrap_or_default(),
                        message,
                    }
                } else {
                    Error::Api {
                        endpoint: req.endpoint,
                        status: e.status,
                        message,
                    }
                }
            })
    }
}

pub fn cluster() -> Arc<Counted> {
    cluster_of(pve_sim::Release::default())
}

/// A cluster presenting Proxmox VE `release`.
pub fn cluster_of(release: pve_sim::Release) -> Arc<Counted> {
    Arc::new(Counted {
        sim: pve_sim::Simulator::new(pve_sim::SimConfig {
            time_scale: 0.0,
            release,
            ..Default::default()
        })
        .unwrap(),
        changes: AtomicUsize::new(0),
    })
}
