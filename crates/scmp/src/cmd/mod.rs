//! The sub-commands.

pub mod agent;
pub mod audit;
pub mod demo;
pub mod pve_sim;
pub mod server;
