//! A lease's terms: a `lease` policy's rule checked, the terms it gives a guest admitted at a
//! time, and a guest's lease as the API shows it (what `app::leases` acts on).

use scmp_api::{LeaseRule, LeaseView};
use scmp_common::time::from_ms;
use scmp_common::Error;
use scmp_store::{GuestLease, NewLease};

/// A day, in milliseconds.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// The default days of warning before a lease ends.
pub(crate) const DEFAULT_WARN_DAYS: u32 = 3;
/// The default days between a lease's end (the stop) and the decommissioning.
pub(crate) const DEFAULT_GRACE_DAYS: u32 = 7;

/// A lease rule, checked.
pub(crate) fn check_lease_rule(rule: &LeaseRule) -> Result<(), Error> {
    if !(1..=365).contains(&rule.days) {
        return Err(Error::invalid("lease.days", "between 1 and 365"));
    }
    if rule.max_days.is_some_and(|m| m < rule.days || m > 3650) {
        return Err(Error::invalid(
            "lease.max_days",
            "at least the lease's days, at most 3650",
        ));
    }
    if rule.warn_days.is_some_and(|w| w > rule.days) {
        return Err(Error::invalid(
            "lease.warn_days",
            "at most the lease's days",
        ));
    }
    if rule.grace_days.is_some_and(|g| g > 90) {
        return Err(Error::invalid("lease.grace_days", "at most 90"));
    }
    Ok(())
}

/// The terms a rule gives a guest admitted at `now`.
pub(crate) fn terms(policy: &str, rule: &LeaseRule, now: i64) -> NewLease {
    let days = |d: u32| i64::from(d) * DAY_MS;
    NewLease {
        policy: policy.to_string(),
        expires_at: now + days(rule.days),
        max_until: now + days(rule.max_days.unwrap_or(rule.days.saturating_mul(2))),
        warn_ms: days(rule.warn_days.unwrap_or(DEFAULT_WARN_DAYS).min(rule.days)),
        grace_ms: days(rule.grace_days.unwrap_or(DEFAULT_GRACE_DAYS)),
    }
}

/// A lease as the API shows it.
pub(crate) fn lease_view(l: &GuestLease) -> LeaseView {
    LeaseView {
        policy: l.terms.policy.clone(),
        expires_at: from_ms(l.terms.expires_at),
        max_until: from_ms(l.terms.max_until),
        decommission_at: from_ms(l.terms.expires_at + l.terms.grace_ms),
        state: l.state.as_str().to_string(),
    }
}
