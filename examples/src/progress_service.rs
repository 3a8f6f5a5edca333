//! The progress service: records `LessonCompleted`, answers progress queries, and publishes
//! `CourseCompleted` when a learner has completed every lesson of a course.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use contracts::{
    CourseCompleted, CourseProgress, LessonCompleted, Progress, ProgressError, ProgressQuery,
    ProgressServer,
};
use event_runtime::service::{ServeError, ServiceHandle, StopError};
use event_runtime::{EventBus, PublishOptions, SubscribeError};
use futures::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

/// Queue group of the `LessonCompleted` subscription, so that a second instance would share
/// the work rather than double it.
// NOTE: progress lives in each instance's memory, so two instances would each hold part of
// it; a shared store (a JetStream key-value bucket, say) would remove that limit.
pub const QUEUE_GROUP: &str = "progress-service";

/// Completed lessons per learner and course, and the courses already announced as complete.
#[derive(Debug, Default)]
struct Ledger {
    lessons: BTreeMap<(String, String), BTreeSet<u32>>,
    announced: HashSet<(String, String)>,
}

/// The progress service's state, shared by its subscriber and its request handler.
#[derive(Debug, Clone)]
pub struct Tracker {
    catalog: Arc<BTreeMap<String, u32>>,
    ledger: Arc<Mutex<Ledger>>,
}

impl Tracker {
    /// Creates a tracker for a catalog of course ids and their lesson counts.
    #[must_use]
    pub fn new(catalog: BTreeMap<String, u32>) -> Self {
        Self {
            catalog: Arc::new(catalog),
            ledger: Arc::default(),
        }
    }

    /// Records a completed lesson; returns the `CourseCompleted` to publish when this lesson
    /// completes the course for the first time.
    fn record(&self, event: &LessonCompleted) -> Result<Option<CourseCompleted>, String> {
        let Some(total) = self.catalog.get(&event.course_id).copied() else {
            return Err(format!("course {} is not in the catalog", event.course_id));
        };
        if event.lesson_id == 0 || event.lesson_id > total {
            return Err(format!(
                "lesson {} is outside course {}, which has lessons 1 to {total}",
                event.lesson_id, event.course_id
            ));
        }
        let key = (event.user_id.clone(), event.course_id.clone());
        let mut ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        let lessons = ledger.lessons.entry(key.clone()).or_default();
        lessons.insert(event.lesson_id);
        let complete = lessons.len() == total as usize;
        if complete && ledger.announced.insert(key) {
            return Ok(Some(CourseCompleted {
                course_id: event.course_id.clone(),
                user_id: event.user_id.clone(),
                lessons: total,
            }));
        }
        Ok(None)
    }
}

impl Progress for Tracker {
    async fn course_progress(
        &self,
        request: ProgressQuery,
    ) -> Result<CourseProgress, ProgressError> {
        let Some(total) = self.catalog.get(&request.course_id).copied() else {
            return Err(ProgressError::UnknownCourse {
                course_id: request.course_id,
            });
        };
        let ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (request.user_id.clone(), request.course_id.clone());
        let completed_lessons: Vec<u32> = ledger
            .lessons
            .get(&key)
            .map(|lessons| lessons.iter().copied().collect())
            .unwrap_or_default();
        Ok(CourseProgress {
            completed: completed_lessons.len() == total as usize,
            user_id: request.user_id,
            course_id: request.course_id,
            completed_lessons,
            total_lessons: total,
        })
    }
}

/// A running progress service.
#[derive(Debug)]
pub struct ProgressService {
    service: ServiceHandle,
    stop: watch::Sender<bool>,
    listener: JoinHandle<()>,
}

impl ProgressService {
    /// Stops taking lessons and requests, finishing the ones in flight.
    ///
    /// # Errors
    ///
    /// Returns [`StopError`] when the service's subscriptions cannot be drained.
    pub async fn stop(self) -> Result<(), StopError> {
        // The listener ends by itself when the receiver is gone; nothing to report then.
        let _ = self.stop.send(true);
        if let Err(error) = self.listener.await {
            warn!(error = %error, "lesson listener task failed");
        }
        self.service.stop().await
    }
}

/// Why the progress service could not start.
#[derive(Debug)]
pub enum StartError {
    /// Subscribing to `LessonCompleted` failed.
    Subscribe(SubscribeError),
    /// Starting the `Progress` service failed.
    Serve(ServeError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Subscribe(error) => write!(f, "cannot subscribe to LessonCompleted: {error}"),
            Self::Serve(error) => write!(f, "cannot serve Progress: {error}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Subscribes to `LessonCompleted` and serves `Progress` for `catalog`.
///
/// # Errors
///
/// Returns [`StartError`] when a subscription fails.
pub async fn start(
    bus: EventBus,
    catalog: BTreeMap<String, u32>,
) -> Result<ProgressService, StartError> {
    let tracker = Tracker::new(catalog);
    let mut lessons = bus
        .queue_subscribe::<LessonCompleted>(QUEUE_GROUP)
        .await
        .map_err(StartError::Subscribe)?;
    let service = ProgressServer::new(tracker.clone())
        .serve(bus.client().clone())
        .await
        .map_err(StartError::Serve)?;
    let (stop, mut stopping) = watch::channel(false);
    let listener = tokio::spawn(async move {
        loop {
            let item = tokio::select! {
                item = lessons.next() => item,
                _ = stopping.changed() => break,
            };
            let Some(item) = item else { break };
            let received = match item {
                Ok(received) => received,
                // The stream logs undecodable messages, rate-limited, and goes on.
                Err(_) => continue,
            };
            match tracker.record(&received.event) {
                Ok(Some(completed)) => {
                    let options = match &received.metadata.id {
                        Some(id) => PublishOptions::new().causation_id(id.clone()),
                        None => PublishOptions::new(),
                    };
                    match bus.publish_with(&completed, &options).await {
                        Ok(()) => {
                            info!(user_id = %completed.user_id, course_id = %completed.course_id, "course completed");
                        }
                        Err(error) => warn!(error = %error, "publishing CourseCompleted failed"),
                    }
                }
                Ok(None) => debug!(subject = %received.metadata.subject, "lesson recorded"),
                Err(reason) => {
                    warn!(subject = %received.metadata.subject, reason, "lesson rejected");
                }
            }
        }
    });
    Ok(ProgressService {
        service,
        stop,
        listener,
    })
}
