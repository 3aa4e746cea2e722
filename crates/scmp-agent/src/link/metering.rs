//! The site's meter at work: every `every` it looks at the guests the site made and closes the
//! hours they held since the last look, each hour a numbered usage record in the journal; a
//! guest's metering ends when the site deletes it or when the state the centre sends lists it
//! (the centre has taken it in and its allocations are the record from then on). It runs whether
//! or not the link is up: the journal keeps what the centre has not acknowledged.

use std::time::Duration;

use tokio::sync::watch;

use super::outbox::Outbox;
use super::usage::due;
use super::wire::SiteState;

/// Meters the guests the site made, every `every`, until `stop`.
pub async fn run(
    outbox: Outbox,
    site: watch::Receiver<Option<SiteState>>,
    clock: scmp_common::SharedClock,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = look(&outbox, &site, clock.now_ms()) {
            tracing::error!(error = %e, "the site's usage could not be metered; trying again");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One look: the records due at `now_ms`, journaled and queued.
pub fn look(
    outbox: &Outbox,
    site: &watch::Receiver<Option<SiteState>>,
    now_ms: i64,
) -> Result<usize, super::JournalError> {
    let metered = outbox.journal().metered()?;
    let mut n = 0;
    for m in metered {
        let taken_in = site
            .borrow()
            .as_ref()
            .is_some_and(|st| st.guests.iter().any(|g| g.id == m.template.guest));
        let end = m.ended_ms.or(taken_in.then_some(now_ms));
        for u in due(&m, end, now_ms) {
            outbox.push_usage(u)?;
            n += 1;
        }
    }
    Ok(n)
}
