//! The sub-commands.

pub mod pve_sim;
pub mod server;
