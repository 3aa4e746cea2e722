//! Errors as PVE sends them: the status, the message in the status line and in `message`, and for
//! parameter errors the per-parameter `errors` map.

use std::collections::BTreeMap;

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The message (the die text, without the trailing newline).
    pub message: String,
    /// Per-parameter messages (400 only).
    pub errors: Option<BTreeMap<String, String>>,
}

impl ApiError {
    /// A plain error with a status.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: None,
        }
    }

    /// PVE's usual failure: a 500 with the die text.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }

    /// `400 Parameter verification failed.` with per-parameter messages.
    pub fn params(errors: BTreeMap<String, String>) -> Self {
        Self {
            status: 400,
            message: "Parameter verification failed.".into(),
            errors: Some(errors),
        }
    }

    /// One parameter's error.
    pub fn param(name: &str, message: impl Into<String>) -> Self {
        let mut m = BTreeMap::new();
        m.insert(name.to_string(), message.into());
        Self::params(m)
    }

    /// 401 with the reason in the status line.
    pub fn unauthorized(reason: &str) -> Self {
        Self::new(401, reason)
    }

    /// 595: the node is unreachable behind the proxy.
    pub fn node_unreachable() -> Self {
        Self::new(
            595,
            "Errors during connection establishment, proxy handshake: No route to host",
        )
    }

    /// A guest config that is not on this node (or nowhere).
    pub fn no_config(kind: pve_types::api::guest::GuestKind, node: &str, vmid: u32) -> Self {
        let dir = match kind {
            pve_types::api::guest::GuestKind::Qemu => "qemu-server",
            pve_types::api::guest::GuestKind::Lxc => "lxc",
        };
        Self::fail(format!(
            "Configuration file 'nodes/{node}/{dir}/{vmid}.conf' does not exist"
        ))
    }

    /// Writes need quorum.
    pub fn no_quorum() -> Self {
        Self::fail("cluster not ready - no quorum?")
    }
}
