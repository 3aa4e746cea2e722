//! The sub-commands.

pub mod audit;
pub mod pve_sim;
pub mod server;
