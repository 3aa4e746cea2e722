//! Leases: a `lease` policy that holds a guest's creation gives the guest an expiry (the shortest,
//! when several do). Its owners are warned before the end (an event on the guest), may extend it
//! up to the policy's limit, and at the end the guest is stopped; after the grace it is
//! decommissioned through the normal deletion saga. Both are the platform's own operations,
//! audited as such.

use scmp_api::{LeaseExtend, LeaseView};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{Error, GuestEventKind, GuestState, OperationKind};
use scmp_store::{GuestLease, LeaseState};

use super::guests::changes::Change;
use crate::context::{AppState, OpContext};

use super::lease_terms::{lease_view, DAY_MS};

impl AppState {
    /// Extends a guest's lease by `days` (up to its policy's limit); a guest stopped at its end
    /// is not decommissioned then (start it again when needed).
    pub async fn guest_lease_extend(
        &self,
        ctx: &OpContext,
        key: &str,
        body: LeaseExtend,
    ) -> Result<LeaseView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let Some(l) = self.store.lease_get(g.id).await? else {
            return Err(Error::Conflict(format!("guest '{}' has no lease", g.name)));
        };
        if !(1..=365).contains(&body.days) {
            return Err(Error::invalid("days", "between 1 and 365"));
        }
        // From its end, or from now when it has ended already.
        let from = l.terms.expires_at.max(self.clock.now_ms());
        let until = from + i64::from(body.days) * DAY_MS;
        if until > l.terms.max_until {
            return Err(Error::invalid(
                "days",
                format!(
                    "the lease can be extended to {} at the latest",
                    from_ms(l.terms.max_until)
                ),
            ));
        }
        let extended = self
            .audited(
                ctx,
                "guest_lease_extend",
                scmp_common::AuditTarget::new(scmp_common::ResourceKind::Guest, g.id),
                Some(g.tenant_id),
                self.store.lease_extend(g.id, until),
            )
            .await?;
        if !extended {
            return Err(Error::Conflict(
                "the guest is being decommissioned at the end of its lease".into(),
            ));
        }
        self.store
            .guest_event_add(
                g.id,
                GuestEventKind::LeaseExtended,
                &format!(
                    "lease extended to {} by {}",
                    from_ms(until),
                    ctx.actor.user.name
                ),
            )
            .await?;
        let l = self
            .store
            .lease_get(g.id)
            .await?
            .ok_or_else(|| Error::internal("the lease vanished"))?;
        Ok(lease_view(&l))
    }

    /// Moves every lease with something due: warns, stops, decommissions.
    pub(crate) async fn leases_due(&self) -> Result<(), Error> {
        let now = self.clock.now_ms();
        for l in self.store.leases_due(now, 100).await? {
            let Some(to) = l.due(now) else { continue };
            if let Err(e) = self.lease_step(&l, to).await {
                tracing::warn!(guest = %l.guest_id, error = %e.chain(), "lease: cannot act; tried again");
            }
        }
        Ok(())
    }

    async fn lease_step(&self, l: &GuestLease, to: LeaseState) -> Result<(), Error> {
        let g = match self.store.guest_get(l.guest_id).await {
            Ok(g) => g,
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let end = from_ms(l.terms.expires_at);
        match to {
            LeaseState::Warned => {
                if self.store.lease_move(g.id, l.state, to).await? {
                    self.store
                        .guest_event_add(
                            g.id,
                            GuestEventKind::LeaseWarning,
                            &format!(
                                "the lease ends at {end}: the guest is stopped then, and decommissioned at {}; extend it up to {}",
                                from_ms(l.terms.expires_at + l.terms.grace_ms),
                                from_ms(l.terms.max_until)
                            ),
                        )
                        .await?;
                }
            }
            LeaseState::Stopped => {
                if g.state == GuestState::Running {
                    let change = Change::update(OperationKind::GuestStop, serde_json::json!({}));
                    self.guest_begin_by_platform(&g, change, "lease").await?;
                } else if !matches!(
                    g.state,
                    GuestState::Stopped | GuestState::Failed | GuestState::Missing
                ) {
                    // Busy: tried again at the next look.
                    return Ok(());
                }
                if self.store.lease_move(g.id, l.state, to).await? {
                    self.store
                        .guest_event_add(
                            g.id,
                            GuestEventKind::LeaseEnded,
                            &format!("the lease ended at {end}: the guest is stopped"),
                        )
                        .await?;
                }
            }
            LeaseState::Ending => {
                if !self.store.lease_move(g.id, l.state, to).await? {
                    return Ok(());
                }
                let change = Change::delete();
                if let Err(e) = self.guest_begin_by_platform(&g, change, "lease").await {
                    // Not decommissioned now: the next look tries again.
                    self.store.lease_move(g.id, to, l.state).await?;
                    return Err(e);
                }
            }
            LeaseState::Active => {}
        }
        Ok(())
    }
}
