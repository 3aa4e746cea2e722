//! A `require_approval` policy's rule, checked before it is kept: approvers that exist where the
//! policy applies (a role that can be bound there, a group of its tenant or of the platform), a
//! sane count and deadline, and an ITSM webhook over TLS (or to loopback) with a secret worth the
//! name, sealed at rest and never shown.

use scmp_api::{ApprovalRule, Approver};
use scmp_authz::Role;
use scmp_common::Error;

use super::governance::PolicyScope;
use crate::context::AppState;

/// The most approvers a rule names.
const MAX_APPROVERS: usize = 8;

/// The default hours to decide.
pub(crate) const DEFAULT_DEADLINE_HOURS: u32 = 72;

/// A checked rule: as kept (without the secret), and the secret to seal, if one was given.
pub(crate) struct CheckedRule {
    pub stored: String,
    pub secret: Option<String>,
}

/// Whether a webhook may go to `url`: HTTPS, or plain HTTP to a loopback address.
pub(crate) fn webhook_allowed(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => match u.host() {
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        },
        _ => false,
    }
}

impl AppState {
    /// Checks a policy's approval rule for a policy of `scope`; `had_secret` says whether the
    /// policy already has an ITSM secret (an update may leave it out).
    pub(crate) async fn check_approval_rule(
        &self,
        scope: PolicyScope,
        rule: &ApprovalRule,
        had_secret: bool,
    ) -> Result<CheckedRule, Error> {
        if rule.approvers.is_empty() || rule.approvers.len() > MAX_APPROVERS {
            return Err(Error::invalid(
                "approval.approvers",
                format!("name 1 to {MAX_APPROVERS} approvers"),
            ));
        }
        for (i, a) in rule.approvers.iter().enumerate() {
            self.check_approver(scope, a)
                .await
                .map_err(|m| Error::invalid(format!("approval.approvers[{i}]"), m))?;
        }
        if rule.required.is_some_and(|n| !(1..=10).contains(&n)) {
            return Err(Error::invalid("approval.required", "between 1 and 10"));
        }
        if rule.deadline_hours.is_some_and(|h| !(1..=720).contains(&h)) {
            return Err(Error::invalid(
                "approval.deadline_hours",
                "between 1 and 720 hours",
            ));
        }
        let mut kept = rule.clone();
        let mut secret = None;
        if let Some(hook) = &mut kept.itsm {
            if !webhook_allowed(&hook.url) || hook.url.len() > 2048 {
                return Err(Error::invalid(
                    "approval.itsm.url",
                    "must be an https:// URL (or http:// to a loopback address)",
                ));
            }
            match hook.secret.take() {
                Some(s) if s.len() < 16 || s.len() > 256 => {
                    return Err(Error::invalid(
                        "approval.itsm.secret",
                        "between 16 and 256 characters",
                    ))
                }
                Some(s) => secret = Some(s),
                None if had_secret => {}
                None => {
                    return Err(Error::invalid(
                        "approval.itsm.secret",
                        "give the secret that signs the webhook and its callbacks",
                    ))
                }
            }
        }
        Ok(CheckedRule {
            stored: serde_json::to_string(&kept).map_err(Error::internal)?,
            secret,
        })
    }

    async fn check_approver(&self, scope: PolicyScope, a: &Approver) -> Result<(), String> {
        match a {
            Approver::Role { role, .. } => {
                if role.parse::<Role>().is_ok() {
                    return Ok(());
                }
                match self.store.custom_role_lookup(role).await {
                    Ok(r) if r.tenant_id.is_none() || r.tenant_id == scope.0 => Ok(()),
                    Ok(_) | Err(Error::NotFound { .. }) => Err(format!("no role '{role}' here")),
                    Err(e) => Err(e.to_string()),
                }
            }
            Approver::Group { group } => match self.store.group_lookup(group).await {
                Ok(g) if g.tenant_id.is_none() || (scope.0.is_some() && g.tenant_id == scope.0) => {
                    Ok(())
                }
                Ok(_) | Err(Error::NotFound { .. }) => Err(format!(
                    "no group '{group}' of the policy's tenant or the platform"
                )),
                Err(e) => Err(e.to_string()),
            },
        }
    }
}
