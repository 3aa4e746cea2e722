//! Which Proxmox VE release the simulated cluster runs. Most of the API is the same in 8.4 and 9.1;
//! what differs (HA rules replacing HA groups, new parameters) follows the release.

use serde::{Deserialize, Serialize};

/// A Proxmox VE release the simulator can present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Release {
    /// Proxmox VE 8.4: HA groups.
    #[default]
    Pve8,
    /// Proxmox VE 9.1: HA rules (groups are migrated to rules).
    Pve9,
}

impl Release {
    /// The full version `/version` reports.
    pub fn version(self) -> &'static str {
        match self {
            Release::Pve8 => "8.4.14",
            Release::Pve9 => "9.1.1",
        }
    }

    /// The point release `/version` reports.
    pub fn release(self) -> &'static str {
        match self {
            Release::Pve8 => "8.4",
            Release::Pve9 => "9.1",
        }
    }

    /// The pve-manager git revision `/version` reports.
    pub fn repoid(self) -> &'static str {
        match self {
            Release::Pve8 => "b502d23c55afcba1",
            Release::Pve9 => "42fc6ed6d2a6be11",
        }
    }

    /// Reads `8`, `8.4`, `9` or `9.1`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "8" | "8.4" => Some(Release::Pve8),
            "9" | "9.1" => Some(Release::Pve9),
            _ => None,
        }
    }

    /// Whether HA placement is done with rules rather than groups.
    pub fn has_ha_rules(self) -> bool {
        self == Release::Pve9
    }
}
