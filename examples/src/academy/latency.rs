//! Request latencies per method, summarised as percentiles.

use std::collections::BTreeMap;
use std::time::Duration;

/// Latencies of the calls the driver made, per method.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    samples: BTreeMap<&'static str, Vec<Duration>>,
}

impl Latencies {
    /// Records one call.
    pub fn record(&mut self, method: &'static str, elapsed: Duration) {
        self.samples.entry(method).or_default().push(elapsed);
    }

    /// Returns `(method, calls, p50, p99)` for each method, by nearest rank.
    #[must_use]
    pub fn summary(&self) -> Vec<(&'static str, usize, Duration, Duration)> {
        self.samples
            .iter()
            .map(|(method, samples)| {
                let mut sorted = samples.clone();
                sorted.sort_unstable();
                (
                    *method,
                    sorted.len(),
                    percentile(&sorted, 50),
                    percentile(&sorted, 99),
                )
            })
            .collect()
    }
}

/// Returns the nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_uses_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99), Duration::from_millis(99));
        assert_eq!(percentile(&samples[..1], 99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }
}
