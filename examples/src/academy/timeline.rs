//! The run's printed timeline: one line per call and event for small scenarios, progress
//! lines for large ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Prints what happens, with the time since the run started.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    started: Instant,
    detailed: bool,
    /// The last tenth printed for each kind of progress.
    printed: Arc<Mutex<HashMap<&'static str, usize>>>,
}

impl Timeline {
    pub(crate) fn new(detailed: bool) -> Self {
        Self {
            started: Instant::now(),
            detailed,
            printed: Arc::default(),
        }
    }

    fn stamp(&self) -> String {
        format!("+{:>8.3}s", self.started.elapsed().as_secs_f64())
    }

    /// Prints a note whatever the scenario's size.
    pub(crate) fn note(&self, text: &str) {
        println!("{}  note   {text}", self.stamp());
    }

    /// Prints a request/reply call.
    pub(crate) fn call(&self, subject: &str, detail: &str, elapsed: Duration) {
        if self.detailed {
            println!(
                "{}  call   {subject:<40} {detail} ({:.2} ms)",
                self.stamp(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }

    /// Prints an event as the driver received it.
    pub(crate) fn event(&self, subject: &str, name: &str, detail: &str) {
        if self.detailed {
            println!("{}  event  {subject:<40} {name} {detail}", self.stamp());
        }
    }

    /// Prints progress at each tenth of `total`, for scenarios too large for a line per
    /// event.
    pub(crate) fn progress(&self, what: &'static str, done: usize, total: usize) {
        if self.detailed || total == 0 || done == 0 {
            return;
        }
        let decile = done * 10 / total;
        let mut printed = self.printed.lock().unwrap_or_else(PoisonError::into_inner);
        if printed.insert(what, decile) != Some(decile) {
            eprintln!(
                "{}  {what}: {done}/{total} ({}%)",
                self.stamp(),
                decile * 10
            );
        }
    }
}
