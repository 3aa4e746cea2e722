//! The platform's own settings.

use scmp_common::time::Time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The platform's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlatformSettingsView {
    /// Platform staff (users of no tenant) must have a second factor: a password login of one
    /// who has none gets a session that may only set one up.
    pub require_mfa: bool,
    /// Last changed (absent when never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Time>,
}

/// `platform_settings_update`: what is given changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformSettingsUpdate {
    /// Require a second factor of platform staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_mfa: Option<bool>,
}
