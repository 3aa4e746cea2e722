//! The Proxmox VE REST client.
//!
//! [`PveApi`] has one method per endpoint the platform uses, each built on [`PveApi::execute`], so a
//! fake implements `execute` (or overrides single methods) and the platform stays testable without a
//! network. [`PveClient`] is the real implementation: HTTPS with rustls, the server certificate pinned
//! by fingerprint or verified against a CA, API-token or ticket authentication, typed errors, retries
//! only where repeating is safe, and a timeout on every call.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod auth;
mod client;
mod error;
mod retry;
mod tls;
mod wait;

pub use api::PveApi;
pub use auth::Credentials;
pub use client::{answer_data, decode_answer, decode_data, ClientConfig, PveClient};
pub use error::{Error, ErrorKind};
pub use retry::RetryPolicy;
pub use tls::{Fingerprint, FingerprintError, Trust};
pub use wait::WaitOptions;

pub use pve_types as types;
