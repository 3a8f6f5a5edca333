//! Rate limiting for warnings about repeated failures, so a flood of bad messages cannot flood
//! the log as well.

use std::time::{Duration, Instant};

/// Shortest time between two warnings from one limiter.
const WARN_INTERVAL: Duration = Duration::from_secs(1);

/// Decides when a repeated warning is logged, and counts the ones it held back.
#[derive(Debug)]
pub(crate) struct WarnLimiter {
    last: Option<Instant>,
    suppressed: u64,
}

impl WarnLimiter {
    pub(crate) const fn new() -> Self {
        Self {
            last: None,
            suppressed: 0,
        }
    }

    /// Returns `Some(n)` when a warning should be logged now, where `n` counts the warnings
    /// suppressed since the last one; returns `None` and counts this one otherwise.
    pub(crate) fn check(&mut self) -> Option<u64> {
        let now = Instant::now();
        match self.last {
            Some(last) if now.duration_since(last) < WARN_INTERVAL => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_logs_first_and_counts_the_rest() {
        let mut limiter = WarnLimiter::new();
        assert_eq!(limiter.check(), Some(0));
        assert_eq!(limiter.check(), None);
        assert_eq!(limiter.check(), None);
        limiter.last = Some(Instant::now() - WARN_INTERVAL);
        assert_eq!(limiter.check(), Some(2));
    }
}
