//! How long to wait before connecting again: exponential with full jitter (a random wait up to a
//! doubling ceiling, capped), so that many agents cut off together do not come back together.

use std::time::Duration;

use rand::Rng;

/// The reconnect waits of one agent.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    /// Waits that start below `first` and never exceed `cap`.
    pub fn new(first: Duration, cap: Duration) -> Self {
        Self {
            first,
            cap: cap.max(first),
            attempt: 0,
        }
    }

    /// The next wait: at least a tenth of `first`, at most the ceiling of this attempt.
    pub fn next_wait(&mut self) -> Duration {
        let ceiling = self
            .first
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let floor = self.first / 10;
        if ceiling <= floor {
            return floor;
        }
        rand::thread_rng().gen_range(floor..=ceiling)
    }

    /// A session got going: the next failure starts from the first wait again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_the_cap_and_start_again_after_a_reset() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 0..20u32 {
            let w = b.next_wait();
            let ceiling =
                Duration::from_millis(100 * (1u64 << attempt.min(16))).min(Duration::from_secs(2));
            assert!(
                w >= Duration::from_millis(10) && w <= ceiling,
                "{attempt}: {w:?}"
            );
        }
        b.reset();
        assert!(b.next_wait() <= Duration::from_millis(100));
    }
}
