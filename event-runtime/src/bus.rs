//! [`EventBus`]: typed publish and subscribe over one NATS connection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_nats::{Client, ConnectOptions, HeaderMap, ToServerAddrs};
use bytes::Bytes;
use tracing::{debug, info, warn};

use crate::codec::{EncodeError, to_vec_strict};
use crate::envelope::{self, EnvelopeMode, Outgoing, TraceContext};
use crate::flush::{FlushError, round_trip};
use crate::ratelimit::WarnLimiter;
use crate::stream::EventStream;
use crate::timestamp::Timestamp;
use crate::{DomainEvent, EventFilter, SubjectError};

/// Publishes and subscribes to domain events over one NATS connection.
///
/// Cloning is cheap and shares the connection.
///
/// # Examples
///
/// ```no_run
/// use event_runtime::{DomainEvent, EventBus, domain_event};
/// use event_runtime::futures::StreamExt;
///
/// #[domain_event(subject = "users.{user_id}.registered", version = 1)]
/// struct UserRegistered {
///     user_id: String,
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let bus = EventBus::connect("nats://127.0.0.1:4222").await?.with_source("user-service");
/// let mut registrations = bus.subscribe::<UserRegistered>().await?;
/// bus.publish(&UserRegistered { user_id: "u-1".into() }).await?;
/// let received = registrations.next().await.expect("subscription is open")?;
/// assert_eq!(received.event.user_id, "u-1");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EventBus {
    client: Client,
    source: Arc<str>,
    mode: EnvelopeMode,
    dropped: Option<Arc<DropCounter>>,
}

/// Counts messages the client dropped because a subscriber did not keep up.
#[derive(Debug, Default)]
struct DropCounter {
    count: AtomicU64,
    limiter: Mutex<WarnLimiter>,
}

impl DropCounter {
    fn record(&self, sid: u64) {
        let total = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        let mut limiter = self
            .limiter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(suppressed) = limiter.check() {
            warn!(
                sid,
                total_dropped = total,
                suppressed,
                "slow consumer: the client dropped a message because a subscriber did not keep up"
            );
        }
    }
}

impl Default for WarnLimiter {
    fn default() -> Self {
        Self::new()
    }
}

/// Options for one publish.
///
/// # Examples
///
/// ```
/// use event_runtime::{EnvelopeMode, PublishOptions};
///
/// let options = PublishOptions::new()
///     .correlation_id("order-17")
///     .causation_id("0190c2a4-6d2f-7a35-9d8e-2b1c3f4e5a6b")
///     .mode(EnvelopeMode::Binary);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct PublishOptions {
    id: Option<String>,
    correlation_id: Option<String>,
    causation_id: Option<String>,
    trace_context: Option<TraceContext>,
    mode: Option<EnvelopeMode>,
}

impl PublishOptions {
    /// Creates options that change nothing: a new UUIDv7 id and the bus's envelope mode.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the event id instead of generating a UUIDv7, for example to republish an event.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the correlation id shared by every message of one workflow.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }

    /// Sets the id of the message that caused this event.
    pub fn causation_id(mut self, id: impl Into<String>) -> Self {
        self.causation_id = Some(id.into());
        self
    }

    /// Sets the W3C trace context.
    pub fn trace_context(mut self, trace: TraceContext) -> Self {
        self.trace_context = Some(trace);
        self
    }

    /// Sets the envelope mode for this publish only.
    pub fn mode(mut self, mode: EnvelopeMode) -> Self {
        self.mode = Some(mode);
        self
    }
}

/// Why an event was not published. Nothing was sent in any of these cases.
///
/// # Examples
///
/// ```
/// # async fn run(bus: event_runtime::EventBus, event: impl event_runtime::DomainEvent) {
/// use event_runtime::PublishError;
///
/// match bus.publish(&event).await {
///     Ok(()) => {}
///     Err(PublishError::Subject { source, .. }) => eprintln!("bad field {}: {source}", source.field()),
///     Err(other) => eprintln!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// A placeholder value cannot be part of the subject.
    #[error("cannot publish {event_type}: {source}")]
    Subject {
        /// CloudEvents type of the event.
        event_type: &'static str,
        /// The rejected value and why.
        source: SubjectError,
    },
    /// The event cannot be encoded as JSON.
    #[error("cannot publish {event_type} on {subject}: {source}")]
    Encode {
        /// CloudEvents type of the event.
        event_type: &'static str,
        /// The subject the event would have been published on.
        subject: String,
        /// What failed.
        source: EncodeError,
    },
    /// The encoded message exceeds the server's `max_payload`.
    #[error(
        "cannot publish {event_type} on {subject}: the message is {size} bytes, over the server's max_payload of {max_payload} bytes"
    )]
    PayloadTooLarge {
        /// CloudEvents type of the event.
        event_type: &'static str,
        /// The subject the event would have been published on.
        subject: String,
        /// Size of the encoded message, headers included, in bytes.
        size: usize,
        /// The server's limit, in bytes.
        max_payload: usize,
    },
    /// The client could not hand the message to the connection.
    #[error("failed to publish {event_type} on {subject}: {source}")]
    Transport {
        /// CloudEvents type of the event.
        event_type: &'static str,
        /// The subject of the message.
        subject: String,
        /// The error from async-nats.
        source: async_nats::PublishError,
    },
}

/// Why a subscription could not be created.
///
/// # Examples
///
/// ```
/// # async fn run(bus: event_runtime::EventBus) {
/// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
/// use event_runtime::{DomainEvent, SubscribeError};
///
/// let filter = A::filter().id("not.valid");
/// let error = bus.subscribe_filtered(&filter).await.unwrap_err();
/// assert!(matches!(error, SubscribeError::Filter(_)));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubscribeError {
    /// A filter value is not a valid subject token.
    #[error("invalid subscription filter: {0}")]
    Filter(#[from] SubjectError),
    /// The client could not subscribe.
    #[error("failed to subscribe to {subject}: {source}")]
    Transport {
        /// The subject of the subscription.
        subject: String,
        /// The error from async-nats.
        source: async_nats::SubscribeError,
    },
}

impl EventBus {
    /// Wraps an existing connection.
    ///
    /// A bus built this way cannot count slow-consumer drops, because async-nats reports them
    /// only to the connection's event callback; [`dropped_messages`](Self::dropped_messages)
    /// returns `None`. Use [`connect`](Self::connect) to have them counted.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), async_nats::ConnectError> {
    /// let client = async_nats::connect("nats://127.0.0.1:4222").await?;
    /// let bus = event_runtime::EventBus::new(client);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn new(client: Client) -> Self {
        Self {
            client,
            source: default_source().into(),
            mode: EnvelopeMode::default(),
            dropped: None,
        }
    }

    /// Connects to NATS with default options and counts slow-consumer drops.
    ///
    /// # Errors
    ///
    /// Returns the async-nats [`ConnectError`](async_nats::ConnectError) when no server in
    /// `addrs` accepts the connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), async_nats::ConnectError> {
    /// let bus = event_runtime::EventBus::connect("nats://127.0.0.1:4222").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(addrs: impl ToServerAddrs) -> Result<Self, async_nats::ConnectError> {
        Self::connect_with_options(addrs, ConnectOptions::new()).await
    }

    /// Connects to NATS with `options` and counts slow-consumer drops.
    ///
    /// The bus installs its own event callback on `options`, which replaces one set before:
    /// it counts slow-consumer drops and logs connection events with tracing.
    ///
    /// # Errors
    ///
    /// Returns the async-nats [`ConnectError`](async_nats::ConnectError) when no server in
    /// `addrs` accepts the connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), async_nats::ConnectError> {
    /// let options = async_nats::ConnectOptions::new().name("email-service");
    /// let bus = event_runtime::EventBus::connect_with_options("nats://127.0.0.1:4222", options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with_options(
        addrs: impl ToServerAddrs,
        options: ConnectOptions,
    ) -> Result<Self, async_nats::ConnectError> {
        let dropped = Arc::new(DropCounter::default());
        let counter = Arc::clone(&dropped);
        let options = options.event_callback(move |event| {
            let counter = Arc::clone(&counter);
            async move { log_connection_event(&counter, event) }
        });
        let client = options.connect(addrs).await?;
        let mut bus = Self::new(client);
        bus.dropped = Some(dropped);
        Ok(bus)
    }

    /// Sets the CloudEvents `source` of published events, usually the service's name.
    ///
    /// The default is the name of the running executable.
    #[must_use]
    pub fn with_source(mut self, source: impl AsRef<str>) -> Self {
        self.source = source.as_ref().into();
        self
    }

    /// Sets the envelope mode of published events; the default is
    /// [`EnvelopeMode::Structured`].
    #[must_use]
    pub fn with_mode(mut self, mode: EnvelopeMode) -> Self {
        self.mode = mode;
        self
    }

    /// Returns the underlying async-nats client.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Returns the CloudEvents `source` of published events.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Returns how many messages the client dropped because a subscriber did not keep up,
    /// or `None` for a bus built with [`new`](Self::new).
    ///
    /// The count covers every subscription of the connection.
    // NOTE: async-nats reports a drop through a bounded event channel and discards the report
    // when that channel is full, so under a long flood this count is a lower bound.
    #[must_use]
    pub fn dropped_messages(&self) -> Option<u64> {
        self.dropped
            .as_ref()
            .map(|counter| counter.count.load(Ordering::Relaxed))
    }

    /// Publishes `event` on its subject with the bus's envelope mode.
    ///
    /// # Errors
    ///
    /// See [`publish_with`](Self::publish_with).
    pub async fn publish<E: DomainEvent>(&self, event: &E) -> Result<(), PublishError> {
        self.publish_with(event, &PublishOptions::new()).await
    }

    /// Publishes `event` with per-message options.
    ///
    /// The subject is filled and validated and the JSON encoded before anything is sent.
    /// The message then waits in the client's write buffer; call [`flush`](Self::flush)
    /// before exiting to be sure it was written.
    ///
    /// # Errors
    ///
    /// Returns [`PublishError::Subject`] for an invalid placeholder value,
    /// [`PublishError::Encode`] for a value JSON cannot carry (such as a NaN float),
    /// [`PublishError::PayloadTooLarge`] when the message exceeds the server's `max_payload`,
    /// and [`PublishError::Transport`] when the client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(bus: event_runtime::EventBus, event: impl event_runtime::DomainEvent, received_id: String) -> Result<(), event_runtime::PublishError> {
    /// use event_runtime::PublishOptions;
    ///
    /// bus.publish_with(&event, &PublishOptions::new().causation_id(received_id)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn publish_with<E: DomainEvent>(
        &self,
        event: &E,
        options: &PublishOptions,
    ) -> Result<(), PublishError> {
        let subject = event.subject().map_err(|source| PublishError::Subject {
            event_type: E::EVENT_TYPE,
            source,
        })?;
        let mode = options.mode.unwrap_or(self.mode);
        let (id, headers, payload) = match self.encode(event, &subject, mode, options) {
            Ok(encoded) => encoded,
            Err(source) => {
                return Err(PublishError::Encode {
                    event_type: E::EVENT_TYPE,
                    subject,
                    source,
                });
            }
        };
        let max_payload = self.client.max_payload();
        let size = payload.len() + headers.as_ref().map_or(0, header_wire_len);
        if size > max_payload {
            return Err(PublishError::PayloadTooLarge {
                event_type: E::EVENT_TYPE,
                subject,
                size,
                max_payload,
            });
        }
        // The subject moves into the client; it is copied for the log only when debug logging
        // is on, and rebuilt for an error message only when publishing fails.
        let logged_subject = tracing::enabled!(tracing::Level::DEBUG).then(|| subject.clone());
        let result = match headers {
            None => self.client.publish(subject, payload).await,
            Some(headers) => {
                self.client
                    .publish_with_headers(subject, headers, payload)
                    .await
            }
        };
        if let Err(source) = result {
            return Err(PublishError::Transport {
                event_type: E::EVENT_TYPE,
                subject: event.subject().unwrap_or_default(),
                source,
            });
        }
        if let Some(subject) = logged_subject {
            debug!(
                subject,
                event_id = id.as_ref().map(EventId::as_str),
                event_type = E::EVENT_TYPE,
                "published event"
            );
        }
        Ok(())
    }

    fn encode<E: DomainEvent>(
        &self,
        event: &E,
        subject: &str,
        mode: EnvelopeMode,
        options: &PublishOptions,
    ) -> Result<(Option<EventId>, Option<HeaderMap>, Bytes), EncodeError> {
        if mode == EnvelopeMode::Bare {
            return Ok((None, None, to_vec_strict(event)?.into()));
        }
        let id = match &options.id {
            Some(id) => EventId::Given(id.clone()),
            None => EventId::generate(),
        };
        let time = Timestamp::now();
        let meta = Outgoing {
            id: id.as_str(),
            source: &self.source,
            event_type: E::EVENT_TYPE,
            time: time.as_str(),
            subject,
            correlation_id: options.correlation_id.as_deref(),
            causation_id: options.causation_id.as_deref(),
            trace_context: options.trace_context.as_ref(),
        };
        let (headers, payload) = if mode == EnvelopeMode::Binary {
            (Some(envelope::binary_headers(&meta)), to_vec_strict(event)?)
        } else {
            let mut buffer = Vec::with_capacity(384);
            envelope::write_structured(&mut buffer, &meta, event)?;
            (None, buffer)
        };
        Ok((Some(id), headers, payload.into()))
    }

    /// Subscribes to every instance of `E`.
    ///
    /// The server registers the subscription shortly after this returns; call
    /// [`flush`](Self::flush) before relying on it for events that other connections publish.
    ///
    /// # Errors
    ///
    /// Returns [`SubscribeError::Transport`] when the client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
    /// # async fn run(bus: event_runtime::EventBus) -> Result<(), event_runtime::SubscribeError> {
    /// use event_runtime::futures::StreamExt;
    ///
    /// let mut events = bus.subscribe::<A>().await?;
    /// while let Some(item) = events.next().await {
    ///     match item {
    ///         Ok(received) => println!("{}", received.event.id),
    ///         Err(error) => eprintln!("skipped a message: {error}"),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn subscribe<E: DomainEvent>(&self) -> Result<EventStream<E>, SubscribeError> {
        self.subscribe_to(E::WILDCARD_SUBJECT.to_owned(), None)
            .await
    }

    /// Subscribes to every instance of `E` as a member of queue group `group`: each event
    /// reaches one member of the group.
    ///
    /// # Errors
    ///
    /// Returns [`SubscribeError::Transport`] when the client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
    /// # async fn run(bus: event_runtime::EventBus) -> Result<(), event_runtime::SubscribeError> {
    /// let workers = bus.queue_subscribe::<A>("email-workers").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn queue_subscribe<E: DomainEvent>(
        &self,
        group: impl Into<String>,
    ) -> Result<EventStream<E>, SubscribeError> {
        self.subscribe_to(E::WILDCARD_SUBJECT.to_owned(), Some(group.into()))
            .await
    }

    /// Subscribes to the instances of an event that `filter` selects.
    ///
    /// # Errors
    ///
    /// Returns [`SubscribeError::Filter`] when a filter value is not a valid subject token,
    /// and [`SubscribeError::Transport`] when the client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "users.{user_id}.registered", version = 1)] struct UserRegistered { user_id: String }
    /// # async fn run(bus: event_runtime::EventBus) -> Result<(), event_runtime::SubscribeError> {
    /// use event_runtime::DomainEvent;
    ///
    /// let one_user = bus.subscribe_filtered(&UserRegistered::filter().user_id("u-1")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn subscribe_filtered<F: EventFilter>(
        &self,
        filter: &F,
    ) -> Result<EventStream<F::Event>, SubscribeError> {
        self.subscribe_to(filter.subject()?, None).await
    }

    /// Subscribes to the instances that `filter` selects as a member of queue group `group`.
    ///
    /// # Errors
    ///
    /// Returns [`SubscribeError::Filter`] when a filter value is not a valid subject token,
    /// and [`SubscribeError::Transport`] when the client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "users.{user_id}.registered", version = 1)] struct UserRegistered { user_id: String }
    /// # async fn run(bus: event_runtime::EventBus) -> Result<(), event_runtime::SubscribeError> {
    /// use event_runtime::DomainEvent;
    ///
    /// let filter = UserRegistered::filter().user_id("u-1");
    /// let workers = bus.queue_subscribe_filtered(&filter, "auditors").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn queue_subscribe_filtered<F: EventFilter>(
        &self,
        filter: &F,
        group: impl Into<String>,
    ) -> Result<EventStream<F::Event>, SubscribeError> {
        self.subscribe_to(filter.subject()?, Some(group.into()))
            .await
    }

    async fn subscribe_to<E: DomainEvent>(
        &self,
        subject: String,
        group: Option<String>,
    ) -> Result<EventStream<E>, SubscribeError> {
        let result = match &group {
            Some(group) => {
                self.client
                    .queue_subscribe(subject.clone(), group.clone())
                    .await
            }
            None => self.client.subscribe(subject.clone()).await,
        };
        let subscriber = result.map_err(|source| SubscribeError::Transport {
            subject: subject.clone(),
            source,
        })?;
        debug!(
            subject,
            queue_group = group.as_deref(),
            event_type = E::EVENT_TYPE,
            "subscribed"
        );
        Ok(EventStream::new(subscriber, subject))
    }

    /// Waits until the server has processed everything sent so far on this connection.
    ///
    /// After it returns, every subscription made before is registered, so an event that
    /// another connection publishes next reaches it, and every event published before has
    /// been routed. This is a round trip to the server, as `Flush` is in the Go client;
    /// `async_nats::Client::flush` only writes the client's buffer to the socket. The probe
    /// is an empty message on a new `_INBOX.` subject, which a subscriber to `>` receives like
    /// any reply.
    ///
    /// # Errors
    ///
    /// Returns a [`FlushError`] when the connection is closed or the probe does not return
    /// within the client's request timeout.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
    /// # async fn run(bus: event_runtime::EventBus) -> Result<(), Box<dyn std::error::Error>> {
    /// let events = bus.subscribe::<A>().await?;
    /// // Events that other services publish from now on reach `events`.
    /// bus.flush().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn flush(&self) -> Result<(), FlushError> {
        round_trip(&self.client).await
    }
}

/// Returns the size of a header block on the wire, which counts towards `max_payload`:
/// `NATS/1.0\r\n`, a `name: value\r\n` line per value, and a closing `\r\n`.
pub(crate) fn header_wire_len(headers: &HeaderMap) -> usize {
    let lines: usize = headers
        .iter()
        .map(|(name, values)| {
            let name: &str = name.as_ref();
            values
                .iter()
                .map(|value| name.len() + value.as_str().len() + 4)
                .sum::<usize>()
        })
        .sum();
    "NATS/1.0\r\n\r\n".len() + lines
}

/// An event id: a UUIDv7 formatted on the stack, or one the caller set.
enum EventId {
    Generated([u8; uuid::fmt::Hyphenated::LENGTH]),
    Given(String),
}

impl EventId {
    /// Generates a UUIDv7, unique and sortable by creation time.
    fn generate() -> Self {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        uuid::Uuid::now_v7().hyphenated().encode_lower(&mut text);
        Self::Generated(text)
    }

    fn as_str(&self) -> &str {
        match self {
            Self::Generated(text) => std::str::from_utf8(text).expect("a formatted UUID is ASCII"),
            Self::Given(id) => id,
        }
    }
}

fn default_source() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "event-runtime".to_owned())
}

fn log_connection_event(counter: &DropCounter, event: async_nats::Event) {
    match event {
        async_nats::Event::SlowConsumer(sid) => counter.record(sid),
        async_nats::Event::Connected => info!("connected to NATS"),
        async_nats::Event::Disconnected => warn!("disconnected from NATS; reconnecting"),
        async_nats::Event::ClientError(error) => warn!(error = %error, "NATS client error"),
        async_nats::Event::ServerError(error) => warn!(error = %error, "NATS server error"),
        other => debug!(event = %other, "NATS connection event"),
    }
}
