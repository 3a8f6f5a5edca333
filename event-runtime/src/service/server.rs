//! The server half of a service: endpoint subscriptions, bounded concurrent dispatch with
//! panic isolation and deadlines, error replies, statistics, `$SRV` discovery, and draining.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_nats::{Client, HeaderMap, Message, Subscriber};
use futures::{FutureExt, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinHandle;
use tracing::{Instrument, debug, info, warn};

use super::definition::ServiceDefinition;
use super::discovery::{self, Discovery};
use super::dispatch::{Dispatch, ErrorReply, Reply};
use super::protocol::{ERROR_CODE_HEADER, ERROR_HEADER, EndpointStats};
use super::{
    CORRELATION_ID_HEADER, REQUEST_TIMEOUT_HEADER, ServeError, StopError, TYPED_ERROR_HEADER,
};
use crate::bus::header_wire_len;
use crate::envelope::now_rfc3339;
use crate::ratelimit::WarnLimiter;

/// Requests one instance runs at once unless configured otherwise.
pub const DEFAULT_MAX_CONCURRENCY: usize = 256;

/// Server settings that [`Server`] exposes through its builder methods.
///
/// # Examples
///
/// ```
/// use event_runtime::service::{QueueGroup, ServerConfig};
///
/// let config = ServerConfig::default().max_concurrency(16).queue_group(QueueGroup::None);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ServerConfig {
    max_concurrency: usize,
    prefix: Option<String>,
    queue_group: Option<QueueGroup>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            prefix: None,
            queue_group: None,
        }
    }
}

/// Which queue group the endpoints join.
///
/// # Examples
///
/// ```
/// use event_runtime::service::QueueGroup;
///
/// let group = QueueGroup::Named("directory-workers".into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueGroup {
    /// Join this queue group: each request reaches one instance.
    Named(String),
    /// Join no queue group: every instance receives every request.
    None,
}

impl ServerConfig {
    /// Sets how many requests run at once. Further requests wait in the subscription's buffer.
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.max_concurrency = limit;
        self
    }

    /// Sets the subject prefix of endpoints without a subject of their own.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Overrides the queue group declared on the trait.
    pub fn queue_group(mut self, group: QueueGroup) -> Self {
        self.queue_group = Some(group);
        self
    }
}

/// The dispatcher that `#[nats_service]` generates for a trait: it ties the handler type to
/// the service's definition, so that [`Server`] can serve any generated service.
pub trait ServiceDispatch: Dispatch + Sized {
    /// The type that implements the service trait.
    type Handler;

    /// Wraps the handler that serves every request.
    fn from_handler(handler: Self::Handler) -> Self;

    /// Returns the service's definition with the default subject prefix and queue group.
    fn definition() -> ServiceDefinition;
}

/// A handler waiting to be served as a NATS service, with its settings.
///
/// `#[nats_service]` names it `{Trait}Server<H>` for each trait, so that
/// `GreeterServer::new(handler)` takes any implementation `H` of `Greeter`.
///
/// # Examples
///
/// ```
/// use event_runtime::nats_service;
/// use event_runtime::service::QueueGroup;
///
/// #[nats_service(name = "greeter", version = "1.0.0")]
/// pub trait Greeter {
///     async fn greet(&self, name: String) -> String;
/// }
///
/// struct English;
///
/// impl Greeter for English {
///     async fn greet(&self, name: String) -> String {
///         format!("Hello, {name}!")
///     }
/// }
///
/// let server = GreeterServer::new(English)
///     .max_concurrency(16)
///     .queue_group(QueueGroup::None);
/// // `server.serve(client).await` subscribes and returns a `ServiceHandle`.
/// ```
#[must_use]
pub struct Server<D: ServiceDispatch> {
    handler: D::Handler,
    config: ServerConfig,
}

impl<D: ServiceDispatch> Server<D> {
    /// Wraps a handler with the default settings.
    pub fn new(handler: D::Handler) -> Self {
        Self {
            handler,
            config: ServerConfig::default(),
        }
    }

    /// Sets how many requests run at once. Further requests wait in the subscription's buffer.
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.config = self.config.max_concurrency(limit);
        self
    }

    /// Sets the subject prefix of endpoints without a subject of their own.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.config = self.config.prefix(prefix);
        self
    }

    /// Overrides the queue group declared on the trait.
    pub fn queue_group(mut self, group: QueueGroup) -> Self {
        self.config = self.config.queue_group(group);
        self
    }

    /// Subscribes to every endpoint and to `$SRV` discovery, and serves until the returned
    /// handle is stopped.
    ///
    /// # Errors
    ///
    /// Returns [`ServeError::InvalidConfig`] for a concurrency limit of 0,
    /// [`ServeError::Subscribe`] when a subscription fails, and [`ServeError::Flush`] when the
    /// connection fails before the server confirms the subscriptions.
    pub async fn serve(self, client: Client) -> Result<ServiceHandle, ServeError> {
        let dispatch = D::from_handler(self.handler);
        serve(client, D::definition(), Arc::new(dispatch), self.config).await
    }
}

/// Runtime state of one endpoint.
#[derive(Debug)]
pub(super) struct EndpointState {
    pub(super) name: &'static str,
    pub(super) subject: String,
    pub(super) queue_group: Option<String>,
    pub(super) metadata: std::collections::BTreeMap<String, String>,
    pub(super) stats: Mutex<EndpointStats>,
    warnings: Mutex<WarnLimiter>,
}

impl EndpointState {
    fn record(&self, elapsed: Duration, error: Option<&ErrorReply>) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        stats.num_requests += 1;
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        stats.processing_time = stats.processing_time.saturating_add(nanos);
        stats.average_processing_time = stats.processing_time / stats.num_requests;
        if let Some(error) = error {
            stats.num_errors += 1;
            stats.last_error = format!("{}:{}", error.code, error.description);
        }
    }

    /// Returns `Some(suppressed)` when a warning may be logged now; see [`WarnLimiter`].
    fn warn_allowed(&self) -> Option<u64> {
        self.warnings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .check()
    }

    pub(super) fn stats(&self) -> EndpointStats {
        self.stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What the request tasks of one instance share.
struct Shared {
    client: Client,
    dispatch: Arc<dyn Dispatch>,
    endpoints: Vec<EndpointState>,
    semaphore: Arc<Semaphore>,
    max_concurrency: usize,
    service: &'static str,
}

/// A running service instance.
///
/// Dropping the handle leaves the service running until the connection closes; call
/// [`stop`](Self::stop) to drain it.
///
/// # Examples
///
/// ```no_run
/// # async fn run(handle: event_runtime::service::ServiceHandle) -> Result<(), event_runtime::service::StopError> {
/// println!("instance {} handled {} requests", handle.id(),
///     handle.stats().iter().map(|e| e.num_requests).sum::<u64>());
/// handle.stop().await?;
/// # Ok(())
/// # }
/// ```
pub struct ServiceHandle {
    shared: Arc<Shared>,
    discovery: Arc<Discovery>,
    stop: watch::Sender<bool>,
    endpoint_tasks: Vec<JoinHandle<Result<(), StopError>>>,
    discovery_task: JoinHandle<()>,
}

impl std::fmt::Debug for ServiceHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceHandle")
            .field("service", &self.shared.service)
            .field("id", &self.discovery.id)
            .finish_non_exhaustive()
    }
}

impl ServiceHandle {
    /// Returns the id of this instance, as `$SRV` responses report it.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.discovery.id
    }

    /// Returns the statistics of each endpoint, as `$SRV.STATS` reports them.
    #[must_use]
    pub fn stats(&self) -> Vec<EndpointStats> {
        self.shared
            .endpoints
            .iter()
            .map(EndpointState::stats)
            .collect()
    }

    /// Stops the instance after draining it: endpoints stop taking requests, requests already
    /// received run to completion and get their replies, then the instance leaves `$SRV`
    /// discovery.
    ///
    /// # Errors
    ///
    /// Returns [`StopError::Unsubscribe`] when an endpoint's subscription cannot be drained,
    /// for example because the connection is closed; the instance stops either way.
    pub async fn stop(self) -> Result<(), StopError> {
        info!(service = self.shared.service, id = %self.discovery.id, "draining service");
        // Receivers exist as long as the endpoint tasks run; a send error means they ended.
        let _ = self.stop.send(true);
        let mut result = Ok(());
        for task in self.endpoint_tasks {
            match task.await {
                Ok(Err(error)) => result = Err(error),
                Ok(Ok(())) => {}
                Err(join_error) => warn!(error = %join_error, "endpoint task failed"),
            }
        }
        // Every permit back means every request task has replied.
        let permits = u32::try_from(self.shared.max_concurrency).unwrap_or(u32::MAX);
        let _all = self.shared.semaphore.acquire_many(permits).await;
        self.discovery_task.abort();
        if let Err(error) = self.shared.client.flush().await {
            warn!(error = %error, "flushing replies while stopping failed");
        }
        info!(service = self.shared.service, id = %self.discovery.id, "service stopped");
        result
    }
}

/// Starts serving `definition` on `client`, dispatching requests to `dispatch`.
///
/// Called by [`Server::serve`].
///
/// # Errors
///
/// Returns [`ServeError::InvalidConfig`] for a concurrency limit of 0,
/// [`ServeError::Subscribe`] when a subscription fails, and [`ServeError::Flush`] when the
/// connection fails before the server confirms the subscriptions.
pub async fn serve(
    client: Client,
    definition: ServiceDefinition,
    dispatch: Arc<dyn Dispatch>,
    config: ServerConfig,
) -> Result<ServiceHandle, ServeError> {
    if config.max_concurrency == 0 {
        return Err(ServeError::InvalidConfig(
            "max_concurrency must be at least 1".to_owned(),
        ));
    }
    let endpoints = endpoint_states(&definition, &config);
    let shared = Arc::new(Shared {
        client: client.clone(),
        dispatch,
        endpoints,
        semaphore: Arc::new(Semaphore::new(config.max_concurrency)),
        max_concurrency: config.max_concurrency,
        service: definition.name,
    });
    let discovery = Arc::new(Discovery {
        id: nuid::next().to_string(),
        name: definition.name,
        version: definition.version,
        description: definition.description,
        metadata: definition.metadata.clone(),
        started: now_rfc3339(),
        shared_endpoints: Arc::clone(&shared) as Arc<dyn discovery::EndpointSource>,
    });
    // Every subscription is made before any task starts, so that an error here drops the
    // subscribers (which unsubscribes them) and leaves nothing running.
    let mut subscribers = Vec::with_capacity(shared.endpoints.len());
    for endpoint in &shared.endpoints {
        let subject = endpoint.subject.clone();
        let subscribed = match &endpoint.queue_group {
            Some(group) => client.queue_subscribe(subject.clone(), group.clone()).await,
            None => client.subscribe(subject.clone()).await,
        };
        subscribers.push(subscribed.map_err(|source| ServeError::Subscribe { subject, source })?);
    }
    let discovery_task = discovery::start(&client, Arc::clone(&discovery)).await?;
    // Once the round trip returns, nats-server has processed every SUB sent before it, so a
    // request from any connection now finds the endpoints.
    if let Err(error) = crate::flush::round_trip(&client).await {
        discovery_task.abort();
        return Err(ServeError::Flush(error));
    }
    let (stop, stop_rx) = watch::channel(false);
    let endpoint_tasks = subscribers
        .into_iter()
        .enumerate()
        .map(|(index, subscriber)| {
            tokio::spawn(endpoint_loop(
                Arc::clone(&shared),
                index,
                subscriber,
                stop_rx.clone(),
            ))
        })
        .collect();
    info!(
        service = definition.name,
        version = definition.version,
        id = %discovery.id,
        endpoints = shared.endpoints.len(),
        "service started"
    );
    Ok(ServiceHandle {
        shared,
        discovery,
        stop,
        endpoint_tasks,
        discovery_task,
    })
}

impl discovery::EndpointSource for Shared {
    fn endpoints(&self) -> &[EndpointState] {
        &self.endpoints
    }
}

fn endpoint_states(definition: &ServiceDefinition, config: &ServerConfig) -> Vec<EndpointState> {
    definition
        .endpoints
        .iter()
        .map(|endpoint| {
            let subject = match (&config.prefix, endpoint.custom_subject) {
                (Some(prefix), false) => format!("{prefix}.{}", endpoint.name),
                _ => endpoint.subject.clone(),
            };
            let queue_group = match &config.queue_group {
                Some(QueueGroup::Named(group)) => Some(group.clone()),
                Some(QueueGroup::None) => None,
                None => endpoint.queue_group.clone(),
            };
            EndpointState {
                name: endpoint.name,
                stats: Mutex::new(EndpointStats {
                    name: endpoint.name.to_owned(),
                    subject: subject.clone(),
                    queue_group: queue_group.clone(),
                    ..EndpointStats::default()
                }),
                subject,
                queue_group,
                metadata: endpoint.metadata.clone(),
                warnings: Mutex::new(WarnLimiter::new()),
            }
        })
        .collect()
}

/// Reads one endpoint's requests and runs each in a task of its own, at most
/// `max_concurrency` at once across the instance. On stop it drains the subscription, so
/// requests the server already delivered are still handled.
async fn endpoint_loop(
    shared: Arc<Shared>,
    index: usize,
    mut subscriber: Subscriber,
    mut stop: watch::Receiver<bool>,
) -> Result<(), StopError> {
    let mut draining = false;
    let mut result = Ok(());
    loop {
        let message = if draining {
            subscriber.next().await
        } else {
            tokio::select! {
                message = subscriber.next() => message,
                _ = stop.changed() => {
                    draining = true;
                    if let Err(error) = subscriber.drain().await {
                        result = Err(StopError::Unsubscribe {
                            subject: shared.endpoints[index].subject.clone(),
                            reason: error.to_string(),
                        });
                        break;
                    }
                    continue;
                }
            }
        };
        let Some(message) = message else { break };
        let received = Instant::now();
        let permit = Arc::clone(&shared.semaphore)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        tokio::spawn(handle_request(
            Arc::clone(&shared),
            index,
            message,
            received,
            permit,
        ));
    }
    result
}

/// Handles one request and replies; the permit is released when it returns.
async fn handle_request(
    shared: Arc<Shared>,
    index: usize,
    message: Message,
    received: Instant,
    _permit: OwnedSemaphorePermit,
) {
    let endpoint = &shared.endpoints[index];
    let Some(reply_to) = message.reply.clone() else {
        if let Some(suppressed) = endpoint.warn_allowed() {
            warn!(subject = %message.subject, endpoint = endpoint.name, suppressed, "request has no reply subject; skipped");
        }
        endpoint.record(
            received.elapsed(),
            Some(&ErrorReply::server(400, "request has no reply subject")),
        );
        return;
    };
    let headers = message.headers.as_ref();
    // Without a correlation id, the reply inbox names the request: it is unique per request
    // and costs nothing to produce.
    let request_id = headers
        .and_then(|h| h.get(CORRELATION_ID_HEADER))
        .map_or_else(|| reply_to.to_string(), |id| id.as_str().to_owned());
    let span = shared
        .dispatch
        .span(endpoint.name, &request_id, &message.subject);
    let deadline = headers
        .and_then(request_deadline)
        .map(|timeout| received + timeout);
    if deadline.is_some_and(|deadline| deadline <= Instant::now()) {
        let error = ErrorReply::server(504, "deadline passed before the request was handled");
        span.record("outcome", "skipped");
        if let Some(suppressed) = endpoint.warn_allowed() {
            span.in_scope(|| {
                warn!(
                    suppressed,
                    "deadline passed while the request waited; the caller has given up"
                );
            });
        }
        endpoint.record(received.elapsed(), Some(&error));
        return;
    }
    let reply = run_handler(&shared, endpoint.name, message.payload, deadline)
        .instrument(span.clone())
        .await;
    let reply = enforce_max_payload(&shared.client, reply);
    let error = match &reply {
        Reply::Ok(_) => None,
        Reply::Err(error) => Some(error.clone()),
    };
    let outcome = error
        .as_ref()
        .map_or_else(|| "ok".to_owned(), |e| format!("error {}", e.code));
    span.record("outcome", outcome.as_str());
    let sent = send_reply(&shared.client, reply_to, reply).await;
    endpoint.record(received.elapsed(), error.as_ref());
    log_result(endpoint, &span, error.as_ref(), sent);
}

/// Logs a handled request: at debug when it succeeded, at warn (rate-limited per endpoint)
/// when the handler failed or the reply could not be sent.
fn log_result(
    endpoint: &EndpointState,
    span: &tracing::Span,
    error: Option<&ErrorReply>,
    sent: Result<(), async_nats::PublishError>,
) {
    if error.is_none() && sent.is_ok() {
        span.in_scope(|| debug!("request handled"));
        return;
    }
    let Some(suppressed) = endpoint.warn_allowed() else {
        return;
    };
    span.in_scope(|| match (error, sent) {
        (_, Err(send_error)) => warn!(suppressed, error = %send_error, "failed to send reply"),
        (Some(error), Ok(())) => {
            warn!(suppressed, code = error.code, error = %error.description, "request failed");
        }
        (None, Ok(())) => {}
    });
}

/// Runs the handler with panic isolation and, when the caller sent one, a deadline.
async fn run_handler(
    shared: &Shared,
    endpoint: &str,
    payload: bytes::Bytes,
    deadline: Option<Instant>,
) -> Reply {
    let handler = AssertUnwindSafe(shared.dispatch.dispatch(endpoint, payload)).catch_unwind();
    let outcome = match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline.into(), handler).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return Reply::Err(ErrorReply::server(
                    504,
                    "handler did not finish before the caller's deadline and was cancelled",
                ));
            }
        },
        None => handler.await,
    };
    outcome.unwrap_or_else(|panic| {
        Reply::Err(ErrorReply::server(
            500,
            format!("handler panicked: {}", panic_message(&*panic)),
        ))
    })
}

/// Replaces a reply that the server would reject for its size with a 413 error reply.
fn enforce_max_payload(client: &Client, reply: Reply) -> Reply {
    let max_payload = client.max_payload();
    let size = match &reply {
        Reply::Ok(body) => body.len(),
        Reply::Err(error) => {
            error.body.as_ref().map_or(0, bytes::Bytes::len)
                + header_wire_len(&error_headers(error))
        }
    };
    if size <= max_payload {
        return reply;
    }
    Reply::Err(ErrorReply::server(
        413,
        format!("response is {size} bytes, over the server's max_payload of {max_payload} bytes"),
    ))
}

fn error_headers(error: &ErrorReply) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ERROR_CODE_HEADER, error.code.to_string().as_str());
    headers.insert(ERROR_HEADER, error.description.as_str());
    if error.body.is_some() {
        headers.insert(TYPED_ERROR_HEADER, "json");
    }
    headers
}

async fn send_reply(
    client: &Client,
    reply_to: async_nats::Subject,
    reply: Reply,
) -> Result<(), async_nats::PublishError> {
    match reply {
        Reply::Ok(body) => client.publish(reply_to, body).await,
        Reply::Err(error) => {
            let headers = error_headers(&error);
            let body = error.body.unwrap_or_default();
            client.publish_with_headers(reply_to, headers, body).await
        }
    }
}

/// Reads the caller's remaining timeout from the request headers.
fn request_deadline(headers: &HeaderMap) -> Option<Duration> {
    let millis: u64 = headers.get(REQUEST_TIMEOUT_HEADER)?.as_str().parse().ok()?;
    Some(Duration::from_millis(millis))
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(message) = panic.downcast_ref::<&str>() {
        message
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message
    } else {
        "non-string panic payload"
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}
