//! Waiting for a PVE task: poll its status with backoff until it stops, then judge its exit status.

use std::time::Duration;

/// How to wait for a task.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// The first pause between polls.
    pub first_poll: Duration,
    /// The longest pause between polls.
    pub max_poll: Duration,
    /// Give up after this long.
    pub deadline: Duration,
    /// How many log lines a failure carries.
    pub log_tail_lines: u64,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            first_poll: Duration::from_millis(50),
            max_poll: Duration::from_secs(2),
            deadline: Duration::from_secs(15 * 60),
            log_tail_lines: 20,
        }
    }
}

impl WaitOptions {
    /// The pause after `polls` polls: grows by half each time, up to `max_poll`.
    pub fn pause(&self, polls: u32) -> Duration {
        let factor = 1.5f64.powi(polls.min(30) as i32);
        self.first_poll.mul_f64(factor).min(self.max_poll)
    }
}
