//! The academy driver: starts the three services, plays a scenario through them, prints a
//! timeline, and checks that the system did the right thing.
//!
//! The services run as tasks of the driver's process, each with a NATS connection of its
//! own, so the traffic on the server is that of separate processes while the whole run
//! starts in milliseconds and stops together. Each service is also a binary of its own for
//! running them as separate processes.

mod checks;
mod latency;
mod timeline;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use contracts::{
    CourseCompleted, LessonCompleted, ProgressClient, RegisterUser, UserDirectoryClient,
    UserRegistered, WelcomeEmailSent,
};
use event_runtime::testing::NatsServer;
use event_runtime::{DomainEvent, EventBus};
use futures::StreamExt;

pub use checks::Outcome;
pub use latency::Latencies;
use timeline::Timeline;

use crate::scenario::Scenario;
use crate::{email_service, progress_service, runtime, user_service};

/// How long the driver waits for the services to finish reacting to the scenario.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the driver keeps listening after everything expected arrived, to catch
/// duplicates.
const QUIET_PERIOD: Duration = Duration::from_millis(500);

/// Calls in flight at once while registering users and querying progress.
const PARALLEL_CALLS: usize = 32;

/// Scenarios with more users than this print progress instead of a line per event.
const TIMELINE_MAX_USERS: usize = 20;

/// What to run and where.
#[derive(Debug, Clone)]
pub struct Config {
    /// The scenario to play.
    pub scenario: Scenario,
    /// The NATS server or cluster to use; `None` starts a private server.
    pub nats_url: Option<String>,
    /// The folder the email service writes into; emptied first.
    pub outbox: PathBuf,
    /// The folder to write the contracts export into, if any.
    pub contracts_export: Option<PathBuf>,
}

/// Everything the driver saw, for the checks and the summary.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    pub(crate) registered: Vec<UserRegistered>,
    pub(crate) welcomes: Vec<WelcomeEmailSent>,
    pub(crate) courses: Vec<CourseCompleted>,
    pub(crate) lessons: usize,
    pub(crate) undecodable: usize,
}

/// Runs the scenario and returns what was checked, and how fast.
///
/// # Errors
///
/// Returns a message when the infrastructure fails: no server, a service that cannot
/// start, a call that cannot be sent. A system that runs but misbehaves is reported in the
/// returned [`Outcome`] instead.
pub async fn run(config: Config) -> Result<Outcome, String> {
    prepare_outbox(&config.outbox)?;
    let server = match &config.nats_url {
        Some(_) => None,
        None => Some(
            NatsServer::start()
                .await
                .map_err(|error| format!("cannot start a private nats-server: {error}"))?,
        ),
    };
    let url = match (&config.nats_url, &server) {
        (Some(url), _) => url.clone(),
        (None, Some(server)) => server.url(),
        (None, None) => unreachable!("a server was started above"),
    };
    let timeline = Timeline::new(config.scenario.users.len() <= TIMELINE_MAX_USERS);
    timeline.note(&format!(
        "NATS at {url}{}",
        if server.is_some() {
            " (private server, stopped on exit)"
        } else {
            ""
        }
    ));

    if let Some(dir) = &config.contracts_export {
        event_runtime::export::Export::new(&contracts::catalog(), &contracts::document_info())
            .write_to(dir)
            .map_err(|error| error.to_string())?;
        timeline.note(&format!(
            "wrote the contracts export (JSON Schemas, AsyncAPI) to {}",
            dir.display()
        ));
    }
    let user_bus = runtime::connect(&url, "user-service").await?;
    let email_bus = runtime::connect(&url, "email-service").await?;
    let progress_bus = runtime::connect(&url, "progress-service").await?;
    let driver = runtime::connect(&url, "academy").await?;
    let connections = [
        ("user-service", user_bus.clone()),
        ("email-service", email_bus.clone()),
        ("progress-service", progress_bus.clone()),
        ("academy", driver.clone()),
    ];

    let users = user_service::start(user_bus)
        .await
        .map_err(|e| e.to_string())?;
    let emails = email_service::start(email_bus, config.outbox.clone())
        .await
        .map_err(|e| e.to_string())?;
    let progress = progress_service::start(progress_bus, config.scenario.catalog())
        .await
        .map_err(|e| e.to_string())?;
    timeline.note("started user-service, email-service (queue group) and progress-service");

    let observed = Arc::new(Mutex::new(Observed::default()));
    let observer = observe(&driver, Arc::clone(&observed), timeline.clone()).await?;
    driver.flush().await.map_err(|e| e.to_string())?;

    let started = Instant::now();
    let directory = UserDirectoryClient::new(driver.client().clone());
    let mut latencies = Latencies::default();
    let user_ids = register_all(&directory, &config.scenario, &timeline, &mut latencies).await?;
    let lessons = publish_lessons(&driver, &config.scenario, &user_ids, &timeline).await?;
    let expected_courses = checks::expected_courses(&config.scenario, &user_ids);
    let elapsed = wait_until_settled(&observed, user_ids.len(), expected_courses.len(), &timeline)
        .await
        .duration_since(started);

    let progress_client = ProgressClient::new(driver.client().clone());
    let progress_report = checks::check_progress(
        &progress_client,
        &config.scenario,
        &user_ids,
        &mut latencies,
    )
    .await;

    let directory_report = checks::check_directory(&directory, &config.scenario, &user_ids).await;
    observer.abort();
    let written = emails.stop().await;
    progress.stop().await.map_err(|e| e.to_string())?;
    users.stop().await.map_err(|e| e.to_string())?;
    let observed = std::mem::take(
        &mut *observed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let mut outcome = checks::check(
        &config.scenario,
        &user_ids,
        &observed,
        &expected_courses,
        &config.outbox,
        written,
    );
    outcome.failures.extend(progress_report);
    outcome.failures.extend(directory_report);
    outcome.lessons_published = lessons;
    outcome.elapsed = elapsed;
    outcome.latencies = latencies;
    for (name, bus) in &connections {
        let dropped = bus.dropped_messages().unwrap_or(0);
        if dropped > 0 {
            outcome.failures.push(format!(
                "{name} dropped {dropped} messages because it fell behind; core NATS does not \
                 redeliver them, so run fewer users or give the subscriber more capacity"
            ));
        }
        outcome.dropped += dropped;
    }
    Ok(outcome)
}

/// Creates the outbox, or empties one that a previous run filled. Only files named as the
/// email service names them are removed: a folder holding anything else is rejected, so that
/// a mistyped `--outbox` never deletes a user's files.
fn prepare_outbox(outbox: &std::path::Path) -> Result<(), String> {
    if outbox.exists() && !outbox.is_dir() {
        return Err(format!(
            "outbox {} exists and is not a folder; pass a folder with --outbox",
            outbox.display()
        ));
    }
    std::fs::create_dir_all(outbox)
        .map_err(|error| format!("cannot create outbox {}: {error}", outbox.display()))?;
    let entries = std::fs::read_dir(outbox)
        .map_err(|error| format!("cannot read outbox {}: {error}", outbox.display()))?;
    let mut emails = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|error| format!("cannot read outbox {}: {error}", outbox.display()))?;
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        let name = entry.file_name();
        if !is_file || !name.to_str().is_some_and(email_service::is_outbox_file) {
            return Err(format!(
                "outbox {} contains {}, which is not an email from an earlier run; \
                 pass an empty or new folder with --outbox",
                outbox.display(),
                name.to_string_lossy()
            ));
        }
        emails.push(entry.path());
    }
    for email in emails {
        std::fs::remove_file(&email)
            .map_err(|error| format!("cannot remove {}: {error}", email.display()))?;
    }
    Ok(())
}

/// Subscribes to the events the checks need and records them, printing the timeline.
async fn observe(
    bus: &EventBus,
    observed: Arc<Mutex<Observed>>,
    timeline: Timeline,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let subscribe_error = |error: event_runtime::SubscribeError| error.to_string();
    let registered = bus
        .subscribe::<UserRegistered>()
        .await
        .map_err(subscribe_error)?;
    let welcomes = bus
        .subscribe::<WelcomeEmailSent>()
        .await
        .map_err(subscribe_error)?;
    let courses = bus
        .subscribe::<CourseCompleted>()
        .await
        .map_err(subscribe_error)?;
    let lessons = bus
        .subscribe::<LessonCompleted>()
        .await
        .map_err(subscribe_error)?;
    // One stream of everything, so that the timeline prints in arrival order.
    let mut all = futures::stream::select_all([
        registered
            .map(|item| item.map(|r| Seen::Registered(r.event, r.metadata.subject)))
            .boxed(),
        welcomes
            .map(|item| item.map(|r| Seen::Welcome(r.event, r.metadata.subject)))
            .boxed(),
        courses
            .map(|item| item.map(|r| Seen::Course(r.event, r.metadata.subject)))
            .boxed(),
        lessons
            .map(|item| item.map(|r| Seen::Lesson(r.event, r.metadata.subject)))
            .boxed(),
    ]);
    Ok(tokio::spawn(async move {
        while let Some(item) = all.next().await {
            let mut observed = observed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match item {
                Ok(Seen::Registered(event, subject)) => {
                    timeline.event(&subject, UserRegistered::NAME, &event.email);
                    observed.registered.push(event);
                }
                Ok(Seen::Welcome(event, subject)) => {
                    timeline.event(&subject, WelcomeEmailSent::NAME, &event.email);
                    observed.welcomes.push(event);
                }
                Ok(Seen::Course(event, subject)) => {
                    timeline.event(&subject, CourseCompleted::NAME, &event.user_id);
                    observed.courses.push(event);
                }
                Ok(Seen::Lesson(event, subject)) => {
                    timeline.event(&subject, LessonCompleted::NAME, &event.user_id);
                    observed.lessons += 1;
                }
                Err(error) => {
                    timeline.note(&format!("undecodable message: {error}"));
                    observed.undecodable += 1;
                }
            }
        }
    }))
}

enum Seen {
    Registered(UserRegistered, String),
    Welcome(WelcomeEmailSent, String),
    Course(CourseCompleted, String),
    Lesson(LessonCompleted, String),
}

/// Registers every user of the scenario; returns the user id for each email address.
async fn register_all(
    directory: &UserDirectoryClient,
    scenario: &Scenario,
    timeline: &Timeline,
    latencies: &mut Latencies,
) -> Result<BTreeMap<String, String>, String> {
    let total = scenario.users.len();
    let calls = scenario.users.iter().map(|user| {
        let request = RegisterUser {
            email: user.email.clone(),
            display_name: user.display_name.clone(),
        };
        async move {
            let started = Instant::now();
            let result = directory.register(&request).await;
            (request.email, started.elapsed(), result)
        }
    });
    let mut results = futures::stream::iter(calls).buffer_unordered(PARALLEL_CALLS);
    let mut user_ids = BTreeMap::new();
    while let Some((email, elapsed, result)) = results.next().await {
        latencies.record("register", elapsed);
        let user = result.map_err(|error| format!("registering {email} failed: {error}"))?;
        timeline.call(
            "user-directory.register",
            &format!("{email} -> {}", user.user_id),
            elapsed,
        );
        user_ids.insert(email, user.user_id);
        timeline.progress("registered", user_ids.len(), total);
    }
    Ok(user_ids)
}

/// Publishes every lesson completion of the scenario; returns how many.
async fn publish_lessons(
    bus: &EventBus,
    scenario: &Scenario,
    user_ids: &BTreeMap<String, String>,
    timeline: &Timeline,
) -> Result<usize, String> {
    let total: usize = scenario
        .users
        .iter()
        .flat_map(|user| user.completes.iter())
        .map(|completion| completion.lessons.len())
        .sum();
    let mut published = 0;
    for user in &scenario.users {
        let user_id = &user_ids[&user.email];
        for completion in &user.completes {
            for lesson in &completion.lessons {
                let event = LessonCompleted {
                    course_id: completion.course_id.clone(),
                    lesson_id: *lesson,
                    user_id: user_id.clone(),
                    score: None,
                };
                bus.publish(&event)
                    .await
                    .map_err(|error| format!("publishing a lesson failed: {error}"))?;
                published += 1;
                timeline.progress("lessons published", published, total);
            }
        }
    }
    bus.flush().await.map_err(|error| error.to_string())?;
    Ok(published)
}

/// Waits until every welcome email and completed course has arrived, then a quiet period
/// longer so that duplicates would show; gives up after [`SETTLE_TIMEOUT`]. Returns when
/// the last expected event arrived, or the timeout.
async fn wait_until_settled(
    observed: &Mutex<Observed>,
    users: usize,
    courses: usize,
    timeline: &Timeline,
) -> Instant {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        let (welcomes, completed) = {
            let observed = observed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (observed.welcomes.len(), observed.courses.len())
        };
        timeline.progress("welcome emails", welcomes, users);
        if (welcomes >= users && completed >= courses) || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let settled = Instant::now();
    tokio::time::sleep(QUIET_PERIOD).await;
    settled
}

/// Returns the expected set of completed (user, course) pairs; exposed for tests.
#[must_use]
pub fn expected_completions(scenario: &Scenario) -> BTreeSet<(String, String)> {
    let catalog = scenario.catalog();
    scenario
        .users
        .iter()
        .flat_map(|user| {
            user.completes.iter().filter_map(|completion| {
                let distinct: BTreeSet<u32> = completion.lessons.iter().copied().collect();
                (distinct.len() == catalog[&completion.course_id] as usize)
                    .then(|| (user.email.clone(), completion.course_id.clone()))
            })
        })
        .collect()
}
