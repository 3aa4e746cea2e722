//! Proxmox VE API types shared by the client, the simulator and the platform.
//!
//! Everything here is pure data: identifiers (`Vmid`, `NodeName`, `Upid`), the decoding of PVE's Perl
//! typing (booleans as 0/1, numbers as strings), property strings and indexed keys, and the typed requests
//! and responses of every endpoint the platform uses. No IO: a request is built here as an [`ApiRequest`]
//! value and sent by `pve-client`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod endpoint;
pub mod fingerprint;
pub mod ids;
pub mod indexed;
pub mod perl;
pub mod property_string;
#[cfg(feature = "utoipa")]
mod schema;
pub mod upid;

pub use endpoint::{ApiRequest, Endpoint, HttpMethod};
pub use fingerprint::{Fingerprint, FingerprintError};
pub use ids::{Authid, IdError, NodeName, PoolId, StorageId, Vmid};
pub use indexed::IndexedKey;
pub use property_string::{PropertyString, PropertyStringError};
pub use upid::{Upid, UpidError};
