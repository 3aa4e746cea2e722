//! What runs at the site beside its link: the watcher that journals what the site sees while cut
//! off ([`super::watch`]), the meter of the guests it made ([`super::metering`]), and the message
//! that tells the centre which budgets it holds ([`super::held`]), all stopping with `stop`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::client::LinkState;
use super::held::Spending;
use super::outbox::Outbox;
use super::wire::SiteState;
use crate::command::Agent;

/// How often the site's tasks look.
#[derive(Debug, Clone, Copy)]
pub struct SiteTaskPeriods {
    /// The watcher, while the link is down.
    pub watch: Duration,
    /// The meter.
    pub meter: Duration,
}

impl Default for SiteTaskPeriods {
    fn default() -> Self {
        Self {
            watch: Duration::from_secs(5),
            meter: Duration::from_secs(60),
        }
    }
}

/// Starts the site's tasks; answers the lock its own API must hold while it spends of a budget.
pub fn spawn_site_tasks(
    (agent, outbox): (Arc<dyn Agent>, Outbox),
    (site, link): (
        watch::Receiver<Option<SiteState>>,
        watch::Receiver<LinkState>,
    ),
    clock: scmp_common::SharedClock,
    periods: SiteTaskPeriods,
    stop: watch::Receiver<bool>,
) -> Spending {
    let spending = Spending::default();
    tokio::spawn(super::watch::run(
        agent,
        outbox.clone(),
        link,
        clock.clone(),
        periods.watch,
        stop.clone(),
    ));
    tokio::spawn(super::metering::run(
        outbox.clone(),
        site.clone(),
        clock,
        periods.meter,
        stop.clone(),
    ));
    tokio::spawn(super::held::run(outbox, site, spending.clone(), stop));
    spending
}
