//! Simulated time. Automatic: wall-clock time (the demo). Explicit: time stands still until a test
//! advances it, so every run is the same.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix time in seconds, with fractions.
pub type SimTime = f64;

/// Where the simulator's "now" comes from.
#[derive(Debug)]
pub enum Clock {
    /// Wall-clock time.
    Automatic,
    /// A time that only moves when [`Clock::advance`] is called.
    Explicit(Mutex<SimTime>),
}

impl Clock {
    /// An explicit clock starting at a fixed, realistic date (2025-06-10 UTC).
    pub fn explicit() -> Self {
        Clock::Explicit(Mutex::new(1_749_549_744.0))
    }

    /// The current simulated time.
    // The simulator stands for a Proxmox host: its automatic clock is that host's wall clock.
    #[allow(clippy::disallowed_methods)]
    pub fn now(&self) -> SimTime {
        match self {
            Clock::Automatic => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or_default(),
            Clock::Explicit(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves an explicit clock forward; an automatic clock ignores it.
    pub fn advance(&self, by: Duration) {
        if let Clock::Explicit(t) = self {
            *t.lock().unwrap_or_else(|e| e.into_inner()) += by.as_secs_f64();
        }
    }

    /// Whether time moves by itself.
    pub fn is_automatic(&self) -> bool {
        matches!(self, Clock::Automatic)
    }
}
