//! The checks that decide whether the academy run was right.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use contracts::{GetUser, ListUsers, ProgressClient, ProgressQuery, UserDirectoryClient};

use super::{Latencies, Observed, expected_completions};
use crate::scenario::Scenario;

/// How long progress queries may take to catch up with the lessons published.
const PROGRESS_TIMEOUT: Duration = Duration::from_secs(30);

/// The result of a run: counts, timings, and every check that failed.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Users registered.
    pub users: usize,
    /// `WelcomeEmailSent` events received.
    pub welcome_events: usize,
    /// Emails found in the outbox.
    pub emails_in_outbox: usize,
    /// `LessonCompleted` events published.
    pub lessons_published: usize,
    /// `CourseCompleted` events received.
    pub courses_completed: usize,
    /// Events the driver received, of every type.
    pub events_received: usize,
    /// Messages that the driver's and the services' connections dropped because a
    /// subscriber fell behind.
    pub dropped: u64,
    /// Time from the first registration until every reaction arrived.
    pub elapsed: Duration,
    /// Call latencies per method.
    pub latencies: Latencies,
    /// One line per failed check; empty when the run was right.
    pub failures: Vec<String>,
}

impl Outcome {
    /// Returns whether every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Returns events received per second over the run.
    #[must_use]
    pub fn events_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.events_received as f64 / seconds
        } else {
            0.0
        }
    }
}

/// Returns the (user id, course) pairs that must produce `CourseCompleted`.
pub(super) fn expected_courses(
    scenario: &Scenario,
    user_ids: &BTreeMap<String, String>,
) -> BTreeSet<(String, String)> {
    expected_completions(scenario)
        .into_iter()
        .map(|(email, course)| (user_ids[&email].clone(), course))
        .collect()
}

/// Compares what the driver observed, and the outbox, with the scenario.
pub(super) fn check(
    scenario: &Scenario,
    user_ids: &BTreeMap<String, String>,
    observed: &Observed,
    expected_courses: &BTreeSet<(String, String)>,
    outbox: &Path,
    written: u64,
) -> Outcome {
    let mut failures = Vec::new();
    let catalog = scenario.catalog();

    let registered: BTreeSet<&str> = observed
        .registered
        .iter()
        .map(|e| e.user_id.as_str())
        .collect();
    for (email, user_id) in user_ids {
        if !registered.contains(user_id.as_str()) {
            failures.push(format!("no UserRegistered event for {email} ({user_id})"));
        }
    }

    let mut welcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for event in &observed.welcomes {
        *welcomes.entry(event.user_id.as_str()).or_default() += 1;
    }
    let files = outbox_counts(outbox, &mut failures);
    for (email, user_id) in user_ids {
        let events = welcomes.get(user_id.as_str()).copied().unwrap_or(0);
        if events != 1 {
            failures.push(format!(
                "{email} got {events} WelcomeEmailSent events, expected 1"
            ));
        }
        let emails = files.get(user_id).copied().unwrap_or(0);
        if emails != 1 {
            failures.push(format!(
                "{email} has {emails} emails in the outbox, expected 1"
            ));
        }
    }
    let emails_in_outbox: usize = files.values().sum();
    if u64::try_from(emails_in_outbox).ok() != Some(written) {
        failures.push(format!(
            "the email service reports {written} emails written, the outbox holds {emails_in_outbox}"
        ));
    }

    let mut courses: BTreeMap<(String, String), usize> = BTreeMap::new();
    for event in &observed.courses {
        *courses
            .entry((event.user_id.clone(), event.course_id.clone()))
            .or_default() += 1;
        let expected_lessons = catalog.get(&event.course_id).copied();
        if expected_lessons != Some(event.lessons) {
            failures.push(format!(
                "CourseCompleted for {} in {} says {} lessons, the catalog has {expected_lessons:?}",
                event.user_id, event.course_id, event.lessons
            ));
        }
    }
    for pair in expected_courses {
        let count = courses.get(pair).copied().unwrap_or(0);
        if count != 1 {
            failures.push(format!(
                "user {} completed {} and got {count} CourseCompleted events, expected 1",
                pair.0, pair.1
            ));
        }
    }
    for (pair, count) in &courses {
        if !expected_courses.contains(pair) {
            failures.push(format!(
                "unexpected CourseCompleted ({count}x) for user {} in {}",
                pair.0, pair.1
            ));
        }
    }
    if observed.undecodable > 0 {
        failures.push(format!(
            "{} messages could not be decoded",
            observed.undecodable
        ));
    }

    Outcome {
        users: user_ids.len(),
        welcome_events: observed.welcomes.len(),
        emails_in_outbox,
        courses_completed: observed.courses.len(),
        events_received: observed.registered.len()
            + observed.welcomes.len()
            + observed.courses.len()
            + observed.lessons,
        failures,
        ..Outcome::default()
    }
}

/// Counts the `.eml` files per user id.
fn outbox_counts(outbox: &Path, failures: &mut Vec<String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let entries = match std::fs::read_dir(outbox) {
        Ok(entries) => entries,
        Err(error) => {
            failures.push(format!("cannot read outbox {}: {error}", outbox.display()));
            return counts;
        }
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `{user_id}.{email_id}.eml`, where the user id, a subject token, has no `.`.
        let Some((user_id, _)) = name
            .strip_suffix(".eml")
            .and_then(|stem| stem.split_once('.'))
        else {
            failures.push(format!("unexpected file in outbox: {name}"));
            continue;
        };
        *counts.entry(user_id.to_owned()).or_default() += 1;
    }
    counts
}

/// Queries each user's progress in each course of the scenario until it matches the
/// lessons published, or reports the difference after [`PROGRESS_TIMEOUT`].
pub(super) async fn check_progress(
    client: &ProgressClient,
    scenario: &Scenario,
    user_ids: &BTreeMap<String, String>,
    latencies: &mut Latencies,
) -> Vec<String> {
    let catalog = scenario.catalog();
    let mut failures = Vec::new();
    let deadline = Instant::now() + PROGRESS_TIMEOUT;
    for user in &scenario.users {
        let user_id = &user_ids[&user.email];
        for (course_id, total) in &catalog {
            let expected: Vec<u32> = user
                .completes
                .iter()
                .filter(|c| &c.course_id == course_id)
                .flat_map(|c| c.lessons.iter().copied())
                .collect::<BTreeSet<u32>>()
                .into_iter()
                .collect();
            let query = ProgressQuery {
                user_id: user_id.clone(),
                course_id: course_id.clone(),
            };
            loop {
                let started = Instant::now();
                let result = client.course_progress(&query).await;
                latencies.record("course_progress", started.elapsed());
                let mismatch = match result {
                    Ok(progress) => {
                        let right = progress.completed_lessons == expected
                            && progress.total_lessons == *total
                            && progress.completed == (expected.len() == *total as usize);
                        (!right).then(|| format!(
                            "progress of {} in {course_id} is {:?} of {}, expected {expected:?}",
                            user.email, progress.completed_lessons, progress.total_lessons
                        ))
                    }
                    Err(error) => Some(format!(
                        "progress query for {} in {course_id} failed: {error}",
                        user.email
                    )),
                };
                match mismatch {
                    None => break,
                    Some(message) if Instant::now() >= deadline => {
                        failures.push(message);
                        break;
                    }
                    Some(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
    }
    failures
}

/// Checks lookups and listing against the registered users.
pub(super) async fn check_directory(
    client: &UserDirectoryClient,
    scenario: &Scenario,
    user_ids: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for user in scenario.users.iter().take(5) {
        let user_id = &user_ids[&user.email];
        match client
            .get_user(&GetUser {
                user_id: user_id.clone(),
            })
            .await
        {
            Ok(found) if found.email == user.email && found.display_name == user.display_name => {}
            Ok(found) => failures.push(format!("get_user {user_id} returned {found:?}")),
            Err(error) => failures.push(format!("get_user {user_id} failed: {error}")),
        }
    }
    match client
        .list_users(&ListUsers {
            offset: 0,
            limit: 1,
        })
        .await
    {
        Ok(page) if page.total as usize == user_ids.len() => {}
        Ok(page) => failures.push(format!(
            "list_users reports {} users, {} were registered",
            page.total,
            user_ids.len()
        )),
        Err(error) => failures.push(format!("list_users failed: {error}")),
    }
    failures
}
