//! A Proxmox VE simulator: an in-memory cluster model served over PVE's real `/api2/json` API.
//!
//! It serves HTTPS with a generated certificate, authenticates `root@pam` (ticket + CSRF) and the API
//! token `root@pam!scmp`, verifies parameters with PVE's rules and wording, runs changes as tasks with
//! UPIDs and logs, keeps PVE's locks and refusals, and has an HA manager that fences and recovers.
//! Faults (a node down, a partition, failing tasks, latency, dropped connections) can be injected from
//! a test through [`Simulator`] or at run time under `/sim/` (outside `/api2`). Time is either the wall
//! clock or an explicit clock a test advances; the state can be saved and loaded.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod clock;
pub mod error;
pub mod model;
pub mod params;
mod server;
mod sim_api;
mod simulator;
mod tls;

pub use clock::{Clock, SimTime};
pub use model::{Cluster, Faults, NodeSpec, Release, RunState};
pub use simulator::{write_private, ClockMode, SimConfig, SimError, Simulator};
