//! The sub-commands.

pub mod agent;
pub mod agent_identity;
pub mod agent_run;
pub mod agent_site;
pub mod audit;
pub mod demo;
pub mod pve_sim;
pub mod server;
