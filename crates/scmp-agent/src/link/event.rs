//! What a site saw happen to one of its guests while its link was down, as it travels up.

use scmp_common::GuestId;
use serde::{Deserialize, Serialize};

/// Something the site saw happen to one of its scmp guests while cut off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEvent {
    /// When it was seen (ms, the site's clock).
    pub at_ms: i64,
    /// The guest.
    pub guest: GuestId,
    /// Its VMID.
    pub vmid: u32,
    /// What happened, as one line (`stopped (was running) on pve1`).
    pub detail: String,
}
