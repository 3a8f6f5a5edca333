//! [`EventStream`]: a subscription that decodes each message into a typed event.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_nats::Subscriber;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tracing::{trace, warn};

use crate::DomainEvent;
use crate::envelope::{self, DecodeFailure, Metadata};
use crate::ratelimit::WarnLimiter;

/// A decoded event and its metadata.
///
/// # Examples
///
/// ```no_run
/// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
/// # async fn run(mut events: event_runtime::EventStream<A>) {
/// use event_runtime::futures::StreamExt;
///
/// if let Some(Ok(received)) = events.next().await {
///     println!("{} from {:?}", received.event.id, received.metadata.source);
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Received<E> {
    /// The event.
    pub event: E,
    /// Its metadata: id, time, source, type, subject, correlation and trace context.
    pub metadata: Metadata,
}

/// A message on an event's subject that could not be decoded as that event.
///
/// The stream yields it as an `Err` item and goes on with the next message. The raw payload
/// is kept, so a consumer can forward it to a dead-letter subject.
///
/// # Examples
///
/// ```
/// # fn handle(error: event_runtime::ReceiveError) {
/// use event_runtime::ReceiveErrorKind;
///
/// if let ReceiveErrorKind::WrongVersion { found, .. } = error.kind() {
///     eprintln!("{} sent version {found}", error.subject());
/// }
/// # }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot decode message on subject {subject} as {expected}: {kind}")]
pub struct ReceiveError {
    subject: String,
    expected: &'static str,
    kind: ReceiveErrorKind,
    payload: Bytes,
}

/// Why a message could not be decoded.
///
/// # Examples
///
/// ```
/// use event_runtime::ReceiveErrorKind;
///
/// let kind = ReceiveErrorKind::WrongVersion { expected: 2, found: 1 };
/// assert_eq!(kind.to_string(), "the message has version 1, but this subscriber reads version 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveErrorKind {
    /// The body is not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The JSON does not match the event's fields.
    #[error("JSON does not match the event type: {0}")]
    Mismatch(String),
    /// The envelope names another event type.
    #[error("the message is a {found} event")]
    WrongType {
        /// The CloudEvents `type` of the message.
        found: String,
    },
    /// The envelope names this event with another version.
    #[error("the message has version {found}, but this subscriber reads version {expected}")]
    WrongVersion {
        /// The version the subscriber reads.
        expected: u32,
        /// The version in the message.
        found: u32,
    },
    /// The CloudEvents envelope is malformed.
    #[error("invalid CloudEvents envelope: {0}")]
    InvalidEnvelope(String),
}

impl ReceiveError {
    /// Returns the subject the message arrived on.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Returns the CloudEvents type the subscriber expected.
    #[must_use]
    pub fn expected_type(&self) -> &'static str {
        self.expected
    }

    /// Returns why decoding failed.
    #[must_use]
    pub fn kind(&self) -> &ReceiveErrorKind {
        &self.kind
    }

    /// Returns the message body as received.
    #[must_use]
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }
}

/// A typed subscription: a [`Stream`] of `Result<Received<E>, ReceiveError>`.
///
/// The stream never ends because of a bad message; it ends when the subscription is closed.
/// Dropping it unsubscribes.
///
/// # Examples
///
/// ```no_run
/// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
/// # async fn run(bus: event_runtime::EventBus) -> Result<(), event_runtime::SubscribeError> {
/// use event_runtime::futures::StreamExt;
///
/// let events = bus.subscribe::<A>().await?;
/// let first_ten: Vec<_> = events.take(10).collect().await;
/// # Ok(())
/// # }
/// ```
pub struct EventStream<E> {
    subscriber: Subscriber,
    subject: String,
    failures: u64,
    limiter: WarnLimiter,
    event: PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("subject", &self.subject)
            .field("event_type", &std::any::type_name::<E>())
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl<E: DomainEvent> EventStream<E> {
    pub(crate) fn new(subscriber: Subscriber, subject: String) -> Self {
        Self {
            subscriber,
            subject,
            failures: 0,
            limiter: WarnLimiter::new(),
            event: PhantomData,
        }
    }

    /// Returns the subscription subject, possibly with wildcards.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Returns how many messages this stream could not decode.
    #[must_use]
    pub fn decode_failures(&self) -> u64 {
        self.failures
    }

    /// Unsubscribes; messages already buffered are still yielded.
    ///
    /// # Errors
    ///
    /// Returns the async-nats [`UnsubscribeError`](async_nats::UnsubscribeError) when the
    /// client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
    /// # async fn run(mut events: event_runtime::EventStream<A>) -> Result<(), async_nats::UnsubscribeError> {
    /// events.unsubscribe().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unsubscribe(&mut self) -> Result<(), async_nats::UnsubscribeError> {
        self.subscriber.unsubscribe().await
    }

    /// Unsubscribes but keeps yielding the messages the server already sent, then ends;
    /// use it to stop a consumer without losing what it had been given.
    ///
    /// # Errors
    ///
    /// Returns the async-nats [`UnsubscribeError`](async_nats::UnsubscribeError) when the
    /// client is closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # #[event_runtime::domain_event(subject = "a.{id}", version = 1)] struct A { id: String }
    /// # async fn run(mut events: event_runtime::EventStream<A>) -> Result<(), async_nats::UnsubscribeError> {
    /// use event_runtime::futures::StreamExt;
    ///
    /// events.drain().await?;
    /// while let Some(item) = events.next().await {
    ///     // handle what was still in flight
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drain(&mut self) -> Result<(), async_nats::UnsubscribeError> {
        self.subscriber.drain().await
    }

    fn decode(&mut self, message: &async_nats::Message) -> Result<Received<E>, ReceiveError> {
        match envelope::decode::<E>(&message.subject, message.headers.as_ref(), &message.payload) {
            Ok((event, metadata)) => {
                trace!(
                    subject = %message.subject,
                    event_id = metadata.id.as_deref(),
                    "received event"
                );
                Ok(Received { event, metadata })
            }
            Err(failure) => {
                let error = ReceiveError {
                    subject: message.subject.to_string(),
                    expected: E::EVENT_TYPE,
                    kind: failure_kind::<E>(failure),
                    payload: message.payload.clone(),
                };
                self.failures += 1;
                if let Some(suppressed) = self.limiter.check() {
                    warn!(
                        subject = %error.subject,
                        expected = E::EVENT_TYPE,
                        failures = self.failures,
                        suppressed,
                        error = %error.kind,
                        "cannot decode message"
                    );
                }
                Err(error)
            }
        }
    }
}

fn failure_kind<E: DomainEvent>(failure: DecodeFailure) -> ReceiveErrorKind {
    match failure {
        DecodeFailure::InvalidJson(error) => ReceiveErrorKind::InvalidJson(error.to_string()),
        DecodeFailure::Mismatch(error) => ReceiveErrorKind::Mismatch(error.to_string()),
        DecodeFailure::WrongType(found) => ReceiveErrorKind::WrongType { found },
        DecodeFailure::WrongVersion(found) => ReceiveErrorKind::WrongVersion {
            expected: E::VERSION,
            found,
        },
        DecodeFailure::InvalidEnvelope(reason) => ReceiveErrorKind::InvalidEnvelope(reason),
    }
}

impl<E: DomainEvent> Stream for EventStream<E> {
    type Item = Result<Received<E>, ReceiveError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.subscriber.poll_next_unpin(cx) {
            Poll::Ready(Some(message)) => Poll::Ready(Some(self.decode(&message))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
