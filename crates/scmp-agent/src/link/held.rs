//! Telling the centre which budgets the site holds: each time the state the centre sends changes
//! the site's budgets, the agent journals them as a numbered message, taken under the lock the
//! site's API holds while it makes or deletes a guest, so the message comes after everything the
//! site did under the budgets before. A cut to a budget takes effect at the centre only then: what
//! a site cut off from the centre may still spend stays reserved.

use std::sync::Arc;

use tokio::sync::watch;

use super::outbox::Outbox;
use super::wire::{SiteGrant, SiteState, UpBody};

/// Held while the site spends of its budgets (a guest made or deleted through its own API).
pub type Spending = Arc<tokio::sync::Mutex<()>>;

/// Journals the site's budgets whenever they change, until `stop`.
pub async fn run(
    outbox: Outbox,
    mut site: watch::Receiver<Option<SiteState>>,
    spending: Spending,
    mut stop: watch::Receiver<bool>,
) {
    let mut told: Option<Vec<SiteGrant>> = None;
    loop {
        {
            let _spending = spending.lock().await;
            let grants: Vec<SiteGrant> = site
                .borrow_and_update()
                .as_ref()
                .map(|s| s.budgets.clone())
                .unwrap_or_default();
            if told.as_ref() != Some(&grants) {
                match outbox.push(UpBody::Held {
                    grants: grants.clone(),
                }) {
                    Ok(_) => told = Some(grants),
                    Err(e) => {
                        tracing::error!(error = %e, "the budgets the site holds could not be journaled")
                    }
                }
            }
        }
        tokio::select! {
            changed = site.changed() => if changed.is_err() { return },
            _ = stop.changed() => return,
        }
    }
}
