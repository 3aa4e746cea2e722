//! The site agent: everything scmp does to and learns from one Proxmox VE cluster.
//!
//! The server keeps the desired state; the agent reports what it observes ([`protocol`]) and carries
//! out changes ([`actions`]), each written so that running it twice finds its work done. Today the
//! agent runs inside the server and reaches the cluster directly over its REST API; the protocol
//! types are what a remote `scmp agent` will send, so moving it to the edge changes the transport,
//! not this logic.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod actions;
mod connect;
pub mod identity;
mod observe;
pub mod protocol;

pub use connect::{check_privileges, connect, ClusterAccess, REQUIRED_PRIVILEGES};
pub use observe::observe;
