//! Output of a check: lines for people (coloured on a terminal), JSON for CI, and a panic
//! message for tests.

use std::fmt::Write as _;
use std::path::Path;

use super::change::Classification;
use super::counted;
use super::lock::{CheckReport, Lock, check};
use crate::catalog::Catalog;

const RED: &str = "\u{1b}[31m";
const GREEN: &str = "\u{1b}[32m";
const YELLOW: &str = "\u{1b}[33m";
const RESET: &str = "\u{1b}[0m";

/// Renders a report with one line per contract and one per change:
/// `<classification> <rule> <path>: <old> -> <new>`. With `colour`, breaking lines are red,
/// one-way compatible lines yellow and fully compatible lines green.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::Catalog;
/// use event_runtime::compat::{Lock, check, render_text};
///
/// let text = render_text(&check(&Catalog::new(), &Lock::default()), false);
/// assert_eq!(text, "0 contracts checked, all pass\n");
/// ```
#[must_use]
pub fn render_text(report: &CheckReport, colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for contract in &report.contracts {
        let mark = if contract.passed {
            paint(GREEN, "ok  ")
        } else {
            paint(RED, "FAIL")
        };
        let compared = contract
            .compared_with
            .as_ref()
            .map(|v| format!(" (against locked {v})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{mark} {} {} {}{compared}: {}",
            contract.kind, contract.name, contract.version, contract.summary
        );
        for change in &contract.changes {
            let code = match change.classification {
                Classification::Breaking => RED,
                Classification::Full => GREEN,
                Classification::Forward | Classification::Backward => YELLOW,
            };
            let _ = writeln!(
                out,
                "     {} {} {}: {} -> {}",
                paint(code, &format!("{:<8}", change.classification.as_str())),
                change.rule.id(),
                change.path,
                change.old,
                change.new
            );
        }
    }
    let failed = report.contracts.iter().filter(|c| !c.passed).count();
    let total = report.contracts.len();
    let checked = counted(total, "contract");
    if failed == 0 {
        let _ = writeln!(out, "{checked} checked, all pass");
    } else {
        let _ = writeln!(out, "{checked} checked, {failed} failed");
    }
    out
}

/// Renders a report as pretty JSON, for CI.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::Catalog;
/// use event_runtime::compat::{Lock, check, render_json};
///
/// let json = render_json(&check(&Catalog::new(), &Lock::default()));
/// assert!(json.contains("\"contracts\": []"));
/// ```
#[must_use]
pub fn render_json(report: &CheckReport) -> String {
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// Panics with a readable report unless `catalog` matches the lock file at `lock_path`;
/// the one line a contracts crate's own tests need.
///
/// A contract missing from the lock passes, so that a new contract does not fail the build
/// before it is locked.
///
/// # Panics
///
/// Panics when the lock file cannot be read or a contract fails the check.
///
/// # Examples
///
/// ```no_run
/// #[test]
/// fn contracts_match_lock() {
///     event_runtime::compat::assert_locked(
///         &event_runtime::catalog::Catalog::registered_in("contracts"),
///         concat!(env!("CARGO_MANIFEST_DIR"), "/contracts.lock.json").as_ref(),
///     );
/// }
/// ```
pub fn assert_locked(catalog: &Catalog, lock_path: &Path) {
    let lock = match Lock::read(lock_path) {
        Ok(lock) => lock,
        Err(error) => panic!("{error}"),
    };
    let report = check(catalog, &lock);
    assert!(
        report.passed(),
        "contracts do not match {}:\n{}",
        lock_path.display(),
        render_text(&report, false)
    );
}
