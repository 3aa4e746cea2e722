//! The one test harness of the workspace.
//!
//! - [`TestContext`]: a server in process on port 0 with its own database (SQLite in its own
//!   directory, or a fresh database on the PostgreSQL `scripts/test.sh` starts), N simulated
//!   sites registered, and a ready [`Client`] of the API crate's types for the administrator; its
//!   directory is kept (and named) when the test fails.
//! - [`helpers`]: calls that read like the API (`create_project(&client, "acme", "web")`).
//! - [`SimSite`]: a simulated Proxmox VE cluster on loopback.
//! - [`store`]: a fresh store on SQLite or PostgreSQL, for the store's own tests.
//! - [`external`]: the independent peers (fakepve, the Python tools) and the rule that a missing
//!   peer skips a test only when the run does not require them (`SCMP_REQUIRE_EXTERNAL`).
//! - [`process`]: `scmp server` as a process of its own, for what only a process shows.
//! - [`agent_process`]: `scmp agent run` as a process next to a simulated cluster, and
//!   [`link_proxy`]: a proxy that cuts or delays its link.
//! - [`slapd`]: a real OpenLDAP server on loopback with a seeded directory; [`samba_ad`]: Samba's
//!   Active Directory domain controller, where it can run (root).
//! - [`oidc`]: OpenID providers on loopback: the independent `oidc-provider-mock`, and a small one
//!   of the tests' own whose ID tokens can be made wrong on purpose.
//! - [`module_graph`]: the module dependency graph of a crate's sources, to keep it free of cycles.
// A harness that cannot do what a test asked fails that test: panicking is its way to say so.
#![allow(clippy::unwrap_used)]

pub mod agent_process;
pub mod client;
pub mod context;
pub mod edge_site;
pub mod external;
pub mod helpers;
pub mod link_proxy;
pub mod module_graph;
pub mod oidc;
pub mod postgres;
pub mod process;
pub mod samba_ad;
pub mod sim;
pub mod slapd;
pub mod store;
pub mod wireguard;

pub use client::{Answer, Client};
pub use context::{TestContext, TestContextBuilder};
pub use sim::SimSite;
