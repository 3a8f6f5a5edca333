//! Medians, percentiles and the result table.

use std::time::Duration;

/// Returns the median of `values`; 0 for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        f64::midpoint(sorted[middle - 1], sorted[middle])
    } else {
        sorted[middle]
    }
}

/// Returns the nearest-rank percentile of `samples`.
pub(crate) fn percentile(samples: &mut [Duration], percent: usize) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = (percent * samples.len()).div_ceil(100).max(1);
    samples[rank - 1]
}

/// One line of the result table: a toolkit figure against a hand-written one.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) benchmark: String,
    pub(crate) unit: &'static str,
    pub(crate) toolkit: f64,
    pub(crate) baseline_name: String,
    pub(crate) baseline: f64,
    /// Whether a larger value is better (throughput) or worse (latency, time, memory).
    pub(crate) higher_is_better: bool,
    pub(crate) target: Option<f64>,
    pub(crate) note: String,
}

impl Row {
    /// Returns toolkit / baseline.
    pub(crate) fn ratio(&self) -> f64 {
        if self.baseline == 0.0 {
            0.0
        } else {
            self.toolkit / self.baseline
        }
    }

    /// Returns whether the ratio meets the target, if there is one.
    pub(crate) fn meets_target(&self) -> Option<bool> {
        self.target.map(|target| {
            if self.higher_is_better {
                self.ratio() >= target
            } else {
                self.ratio() <= target
            }
        })
    }
}

/// Prints the rows as a Markdown table.
pub(crate) fn print_table(rows: &[Row]) {
    println!();
    println!("| benchmark | toolkit | hand-written | ratio | target | |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        let target = match row.target {
            Some(target) if row.higher_is_better => format!(">= {target:.2}x"),
            Some(target) => format!("<= {target:.2}x"),
            None => String::new(),
        };
        let verdict = match row.meets_target() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "| {} | {} {} | {} ({}) | {:.3}x | {target} | {verdict} {} |",
            row.benchmark,
            format_value(row.toolkit),
            row.unit,
            format_value(row.baseline),
            row.baseline_name,
            row.ratio(),
            row.note
        );
    }
}

fn format_value(value: f64) -> String {
    if value >= 1000.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}
