//! `scmp mfa ...`: the caller's second factor (an authenticator app, TOTP): view, enrol, confirm
//! with a first code (printing the recovery codes once), remove; and `scmp platform-settings`,
//! where the platform requires one of its staff.

use reqwest::Method;
use scmp_api::{MfaView, RecoveryCodes, TotpConfirm, TotpDisable, TotpEnrollment};

use super::output::print;
use super::{api, Global};

/// `scmp mfa ...`
#[derive(Debug, clap::Subcommand)]
pub enum MfaCmd {
    /// `me_mfa_view`: whether an authenticator is set up, and the recovery codes left.
    View,
    /// `mfa_totp_enroll`: a new authenticator secret and its `otpauth://` URI (shown once).
    Enroll,
    /// `mfa_totp_confirm`: confirm with the authenticator's current code; prints the recovery
    /// codes, once.
    Confirm {
        /// The 6-digit code.
        #[arg(long)]
        code: String,
    },
    /// `mfa_totp_disable`: remove the second factor, with a current code or a recovery code.
    Disable {
        /// A current code.
        #[arg(
            long,
            conflicts_with = "recovery_code",
            required_unless_present = "recovery_code"
        )]
        code: Option<String>,
        /// Or a recovery code.
        #[arg(long)]
        recovery_code: Option<String>,
    },
}

/// Runs `scmp mfa ...`.
pub async fn mfa(cmd: MfaCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        MfaCmd::View => print(&a.get::<MfaView>("/me/mfa").await?, g.output, &[]),
        MfaCmd::Enroll => {
            let e: TotpEnrollment = a.post("/me/mfa/totp").await?;
            println!("Add this to your authenticator app, then run `scmp mfa confirm --code ...`:");
            println!("  key: {}", e.secret);
            println!("  URI: {}", e.otpauth_uri);
            Ok(())
        }
        MfaCmd::Confirm { code } => {
            let r: RecoveryCodes = a
                .call(Method::POST, "/me/mfa/totp/confirm", &TotpConfirm { code })
                .await?;
            println!("Confirmed. Keep these recovery codes safe; each logs you in once:");
            for c in r.codes {
                println!("  {c}");
            }
            Ok(())
        }
        MfaCmd::Disable {
            code,
            recovery_code,
        } => {
            let body = TotpDisable {
                code,
                recovery_code,
            };
            a.call_done(Method::POST, "/me/mfa/totp/disable", &body)
                .await?;
            println!("The second factor is removed.");
            Ok(())
        }
    }
}

/// `scmp platform-settings ...`: the platform's own settings.
#[derive(Debug, clap::Subcommand)]
pub enum PlatformSettingsCmd {
    /// `platform_settings_view`.
    View,
    /// `platform_settings_update`.
    Update {
        /// Require a second factor of platform staff (`true` or `false`).
        #[arg(long)]
        require_mfa: Option<bool>,
    },
}

/// Runs `scmp platform-settings ...`.
pub async fn platform_settings(cmd: PlatformSettingsCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let s: scmp_api::PlatformSettingsView = match cmd {
        PlatformSettingsCmd::View => a.get("/platform/settings").await?,
        PlatformSettingsCmd::Update { require_mfa } => {
            let body = scmp_api::PlatformSettingsUpdate { require_mfa };
            a.call(Method::PUT, "/platform/settings", &body).await?
        }
    };
    print(&s, g.output, &[])
}
