//! The site agent: everything scmp does to and learns from one Proxmox VE cluster.
//!
//! The server keeps the desired state; the agent reports what it observes ([`protocol`]) and carries
//! out changes ([`actions`]), each written so that running it twice finds its work done. The centre
//! asks an agent through one typed protocol ([`command`]: [`Agent::call`] with a [`Command`] and its
//! idempotency key), answered by a [`LocalAgent`] that reaches the cluster's REST API itself; an
//! agent at the edge answers the same commands over its link, so nothing above the transport knows
//! which one it is.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod actions;
pub mod backup;
pub mod command;
mod connect;
pub mod console;
pub mod enroll;
pub mod firewall;
pub mod ha;
pub mod identity;
pub mod link;
mod local;
pub mod network;
mod observe;
pub mod protocol;
pub mod site_api;
pub mod site_link;

pub use command::{Agent, AgentError, AgentErrorKind, Answer, Command, CommandId, Reply};
pub use connect::{check_privileges, connect, ClusterAccess, REQUIRED_PRIVILEGES};
pub use local::LocalAgent;
pub use observe::observe;
