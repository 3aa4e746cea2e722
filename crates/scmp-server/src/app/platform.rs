//! The platform's own settings: viewed by platform staff, changed by its administrators.

use scmp_api::{PlatformSettingsUpdate, PlatformSettingsView};
use scmp_authz::Action;
use scmp_common::{AuditTarget, Error, ResourceKind};
use scmp_store::PlatformSettings;

use crate::context::{AppState, OpContext};

fn view(s: PlatformSettings) -> PlatformSettingsView {
    PlatformSettingsView {
        require_mfa: s.require_mfa,
        updated_at: scmp_common::time::from_ms_opt(s.updated_at),
    }
}

impl AppState {
    /// The platform's settings.
    pub async fn platform_settings_view(
        &self,
        ctx: &OpContext,
    ) -> Result<PlatformSettingsView, Error> {
        self.authorize_platform(ctx, Action::PlatformSettingsView)?;
        Ok(view(self.store.platform_settings().await?))
    }

    /// Changes the platform's settings.
    pub async fn platform_settings_update(
        &self,
        ctx: &OpContext,
        body: PlatformSettingsUpdate,
    ) -> Result<PlatformSettingsView, Error> {
        self.authorize_platform(ctx, Action::PlatformSettingsUpdate)?;
        let Some(on) = body.require_mfa else {
            return Ok(view(self.store.platform_settings().await?));
        };
        let s = self
            .audited(
                ctx,
                "platform_settings_update",
                AuditTarget::new(ResourceKind::Platform, "settings"),
                None,
                self.store.platform_set_require_mfa(on),
            )
            .await?;
        Ok(view(s))
    }
}
