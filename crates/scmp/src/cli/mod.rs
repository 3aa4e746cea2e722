//! The `scmp` client: log in to a server, keep named contexts, and call the API with sub-commands named
//! after its operations (`scmp tenant create` is `tenant_create`), printing tables, JSON or YAML.

pub mod client;
pub mod commands;
pub mod config;
pub mod guests;
pub mod identity;
pub mod output;
pub mod platform;
