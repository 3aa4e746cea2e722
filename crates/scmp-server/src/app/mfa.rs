//! A user's second factor: TOTP (RFC 6238 as authenticator apps read it: SHA-1, 6 digits, 30 s,
//! 160-bit secrets, one step of clock skew either way), enrolled with an `otpauth://` URI and a QR
//! code, confirmed by a first code; each code taken once (the store keeps the last step taken),
//! and ten single-use recovery codes kept as their hashes. Secrets are sealed at rest and never
//! shown again after enrolment.

use ring::rand::SecureRandom;
use scmp_api::{MfaView, RecoveryCodes, TotpEnrollment};
use scmp_authz::Action;
use scmp_common::{AuditTarget, Error, ResourceKind};
use scmp_store::User;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

use crate::context::{AppState, OpContext};

/// The issuer authenticator apps show beside the account.
const ISSUER: &str = "scmp";
/// How many recovery codes a confirmation issues.
const RECOVERY_CODES: usize = 10;

/// A second factor given at login.
#[derive(Debug, Clone, Default)]
pub struct SecondFactor {
    /// The authenticator's current code.
    pub totp: Option<String>,
    /// One of the user's recovery codes.
    pub recovery_code: Option<String>,
}

/// The name of a session that may only set up a second factor: a password login of a user who
/// must have one and has none.
pub const SETUP_SESSION: &str = "mfa-setup";
/// How long such a session lasts.
pub const SETUP_SESSION_MS: i64 = 15 * 60 * 1000;

impl OpContext {
    /// Whether the request came with a session that may only set up a second factor.
    pub fn setup_only(&self) -> bool {
        is_setup_session(&self.actor.credential)
    }
}

/// Whether a credential is a session that may only set up a second factor.
pub fn is_setup_session(c: &scmp_store::Credential) -> bool {
    c.kind == scmp_store::CredentialKind::Session && c.name == SETUP_SESSION
}

/// What the second factor of a login came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Factor {
    /// The user has none set up.
    NoneSet,
    /// The user gave a good one.
    Passed,
    /// The user has one and gave none.
    Missing,
    /// The code is wrong, used already, or too old.
    Wrong,
}

fn totp_for(secret: Vec<u8>, account: &str) -> Result<Totp, Error> {
    Builder::new()
        .with_secret(Secret::new(secret.into_boxed_slice()))
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(Error::internal)
}

fn unix_s(ms: i64) -> u64 {
    u64::try_from(ms / 1000).unwrap_or_default()
}

fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

fn bad_code(field: &str) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: "the code is wrong or was used already".into(),
    }
}

impl AppState {
    fn random(&self, n: usize) -> Result<Vec<u8>, Error> {
        let mut bytes = vec![0u8; n];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| Error::internal("the system's random source failed"))?;
        Ok(bytes)
    }

    /// A user's TOTP, if they have one (confirmed or not), with the step last taken.
    async fn totp_of(&self, user: &User) -> Result<Option<(Totp, scmp_store::Totp)>, Error> {
        let Some(kept) = self.store.totp_get(user.id).await? else {
            return Ok(None);
        };
        let secret =
            hex::decode(self.sealer.open(&kept.secret_sealed)?).map_err(Error::internal)?;
        Ok(Some((totp_for(secret, user.name.as_str())?, kept)))
    }

    /// The step of a good code of `totp` now, if it is one.
    fn step_of(&self, totp: &Totp, code: &str) -> Option<i64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        totp.check(code, unix_s(self.clock.now_ms()))
            .and_then(|s| i64::try_from(s).ok())
    }

    /// The second factor of a login of `user`, taken once if good.
    pub(crate) async fn second_factor(
        &self,
        user: &User,
        given: &SecondFactor,
    ) -> Result<Factor, Error> {
        let Some((totp, kept)) = self.totp_of(user).await? else {
            return Ok(Factor::NoneSet);
        };
        if kept.confirmed_at.is_none() {
            return Ok(Factor::NoneSet);
        }
        if let Some(code) = &given.totp {
            let taken = match self.step_of(&totp, code) {
                Some(step) => self.store.totp_take_step(user.id, step).await?,
                None => false,
            };
            return Ok(if taken { Factor::Passed } else { Factor::Wrong });
        }
        if let Some(code) = &given.recovery_code {
            let taken = self
                .store
                .recovery_code_take(user.id, &code_hash(code))
                .await?;
            return Ok(if taken { Factor::Passed } else { Factor::Wrong });
        }
        Ok(Factor::Missing)
    }

    /// `me_mfa_view`: the caller's second factor.
    pub async fn me_mfa_view(&self, ctx: &OpContext) -> Result<MfaView, Error> {
        self.authorize_platform(ctx, Action::MfaManageOwn)?;
        let user = &ctx.actor.user;
        let kept = self.store.totp_get(user.id).await?;
        Ok(MfaView {
            totp: kept.as_ref().is_some_and(|k| k.confirmed_at.is_some()),
            enrolling: kept.as_ref().is_some_and(|k| k.confirmed_at.is_none()),
            recovery_codes_left: u64::try_from(self.store.recovery_codes_left(user.id).await?)
                .unwrap_or_default(),
        })
    }

    /// `mfa_totp_enroll`: a new secret for the caller's authenticator (shown this once), to be
    /// confirmed with a first code; refused while one is confirmed.
    pub async fn mfa_totp_enroll(&self, ctx: &OpContext) -> Result<TotpEnrollment, Error> {
        self.authorize_platform(ctx, Action::MfaManageOwn)?;
        let user = ctx.actor.user.clone();
        let secret = self.random(20)?;
        let totp = totp_for(secret.clone(), user.name.as_str())?;
        let sealed = self.sealer.seal(&hex::encode(&secret))?;
        let target = AuditTarget::new(ResourceKind::User, user.id);
        self.audited(
            ctx,
            "mfa_totp_enroll",
            target,
            user.tenant_id,
            self.store.totp_begin(user.id, &sealed),
        )
        .await?;
        let uri = totp.to_url().map_err(Error::internal)?;
        let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(Error::internal)?;
        let qr_svg = qr
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build();
        Ok(TotpEnrollment {
            secret: totp.secret().to_base32(),
            otpauth_uri: uri,
            qr_svg,
        })
    }

    /// `mfa_totp_confirm`: the first code of the caller's authenticator confirms it; answers
    /// the recovery codes (shown this once). A session that could only set it up ends: the next
    /// login, with a code, has the user's rights.
    pub async fn mfa_totp_confirm(
        &self,
        ctx: &OpContext,
        code: &str,
    ) -> Result<RecoveryCodes, Error> {
        self.authorize_platform(ctx, Action::MfaManageOwn)?;
        let user = ctx.actor.user.clone();
        let Some((totp, kept)) = self.totp_of(&user).await? else {
            return Err(Error::Conflict(
                "no authenticator is being enrolled: start with mfa_totp_enroll".into(),
            ));
        };
        if kept.confirmed_at.is_some() {
            return Err(Error::Conflict("TOTP is confirmed already".into()));
        }
        let step = self.step_of(&totp, code).ok_or_else(|| bad_code("code"))?;
        let mut codes = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let raw = data_encoding::BASE32_NOPAD.encode(&self.random(10)?);
            let raw = raw.to_ascii_lowercase();
            codes.push(format!("{}-{}", &raw[..8], &raw[8..]));
        }
        let hashes: Vec<String> = codes.iter().map(|c| code_hash(c)).collect();
        let target = AuditTarget::new(ResourceKind::User, user.id);
        let confirmed = self
            .audited(
                ctx,
                "mfa_totp_confirm",
                target,
                user.tenant_id,
                self.store.totp_confirm(user.id, step, &hashes),
            )
            .await?;
        if !confirmed {
            return Err(Error::Conflict("TOTP is confirmed already".into()));
        }
        if ctx.setup_only() {
            self.store
                .credential_revoke(user.id, ctx.actor.credential.id)
                .await?;
        }
        Ok(RecoveryCodes { codes })
    }

    /// `mfa_totp_disable`: removes the caller's second factor, proved with a current code or a
    /// recovery code.
    pub async fn mfa_totp_disable(
        &self,
        ctx: &OpContext,
        given: &SecondFactor,
    ) -> Result<(), Error> {
        self.authorize_platform(ctx, Action::MfaManageOwn)?;
        let user = ctx.actor.user.clone();
        match self.second_factor(&user, given).await? {
            Factor::Passed => {}
            Factor::NoneSet => return Err(Error::Conflict("no second factor is set up".into())),
            Factor::Missing => {
                return Err(Error::InvalidValue {
                    field: "code".into(),
                    message: "give a current code or a recovery code".into(),
                })
            }
            Factor::Wrong => return Err(bad_code("code")),
        }
        let target = AuditTarget::new(ResourceKind::User, user.id);
        self.audited(
            ctx,
            "mfa_totp_disable",
            target,
            user.tenant_id,
            self.store.totp_remove(user.id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, truncated to 6 digits.
        let totp = totp_for(b"12345678901234567890".to_vec(), "alice").unwrap();
        assert_eq!(totp.generate(59).to_string(), "287082");
        assert_eq!(totp.generate(1_111_111_109).to_string(), "081804");
        // One step either way is accepted, two are not.
        assert_eq!(totp.check("081804", 1_111_111_109 + 30), Some(37_037_036));
        assert_eq!(totp.check("081804", 1_111_111_109 + 60), None);
    }

    #[test]
    fn recovery_codes_are_hashed_as_typed_loosely() {
        assert_eq!(
            code_hash("abcd1234-efgh5678"),
            code_hash("ABCD1234EFGH5678 ")
        );
        assert_ne!(
            code_hash("abcd1234-efgh5678"),
            code_hash("abcd1234-efgh5679")
        );
    }
}
