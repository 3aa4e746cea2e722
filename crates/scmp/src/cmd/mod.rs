//! The sub-commands.

pub mod pve_sim;
