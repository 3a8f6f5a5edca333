//! Typed domain events and request/reply services on NATS.
//!
//! Declare an event once with [`#[domain_event]`](domain_event) and get its subject, its JSON
//! encoding, its JSON Schema and typed publish/subscribe through [`EventBus`].
//!
//! # Examples
//!
//! ```no_run
//! use event_runtime::{DomainEvent, EventBus, domain_event};
//! use event_runtime::futures::StreamExt;
//!
//! /// A learner created an account.
//! #[domain_event(subject = "users.{user_id}.registered", version = 1)]
//! #[derive(Debug, Clone)]
//! pub struct UserRegistered {
//!     pub user_id: String,
//!     pub email: String,
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let bus = EventBus::connect("nats://127.0.0.1:4222").await?.with_source("user-service");
//! let mut welcome = bus.queue_subscribe::<UserRegistered>("email-service").await?;
//! bus.publish(&UserRegistered { user_id: "u-1".into(), email: "ada@example.com".into() })
//!     .await?;
//! while let Some(item) = welcome.next().await {
//!     let received = item?;
//!     println!("welcome {} ({})", received.event.email, received.metadata.subject);
//! }
//! # Ok(())
//! # }
//! ```

// Lets the macros' absolute `::event_runtime` paths resolve inside this crate's own tests.
extern crate self as event_runtime;

mod bus;
pub mod catalog;
#[cfg(feature = "cli")]
pub mod cli;
mod codec;
pub mod compat;
mod envelope;
mod erased_schema;
mod event;
pub mod export;
mod flush;
mod ratelimit;
pub mod service;
mod stream;
mod subject;
pub mod testing;
mod timestamp;

pub use bus::{EventBus, PublishError, PublishOptions, SubscribeError};
pub use codec::EncodeError;
pub use envelope::{EnvelopeMode, Metadata, SPEC_VERSION, TraceContext};
pub use event::{DomainEvent, EventFilter};
pub use event_core::{MAX_SUBJECT_LEN, TemplateError, TokenError};
pub use flush::FlushError;
pub use stream::{EventStream, ReceiveError, ReceiveErrorKind, Received};
pub use subject::{SubjectError, SubjectErrorKind, wildcard_subject};

/// Re-exported so that users need no direct dependency on it.
pub use async_nats;
/// Re-exported for `StreamExt`, which reads the streams that subscriptions return.
pub use futures;
/// Re-exported so that users need no direct dependency on it.
pub use schemars;
/// Re-exported so that users need no direct dependency on it.
pub use serde;
/// Re-exported so that users need no direct dependency on it.
pub use serde_json;

/// Declares a domain event.
///
/// ```text
/// #[domain_event(subject = "users.{user_id}.registered", version = 1)]
/// #[domain_event(subject = "...", version = 2, name = "UserSignedUp")]
/// ```
///
/// The attribute goes on a struct with named fields. It keeps the struct as written, derives
/// serde's `Serialize` and `Deserialize` and schemars' `JsonSchema` (honouring the struct's
/// own `#[serde(...)]` attributes), implements [`DomainEvent`], and generates a
/// `{Struct}Filter` type for [`EventBus::subscribe_filtered`].
///
/// - `subject`: a NATS subject whose tokens are literals or `{field}` placeholders. A
///   placeholder is a whole token and names a field whose type implements `Display`. Wildcards,
///   a leading `$` and a leading `_INBOX` are rejected. Raw identifiers are written without
///   `r#`, so field `r#type` is `{type}`.
/// - `version`: a positive integer, raised on every breaking change of the event.
/// - `name`: the event name in its CloudEvents `type`; the struct's name by default.
/// - `compatibility`: what a change must keep working without a version bump: `"full"` (the
///   default: old and new readers read both old and new messages), `"backward"` (new readers
///   read old messages), `"forward"` (old readers read new messages) or `"none"`. The lock
///   file is the `contracts.lock.json` in the declaring file's folder, or in a folder above
///   it up to the crate root. When it records the event, a change of its fields that breaks
///   this mode fails the build (see [`compat`]).
///
/// Enums are not events: an event has one subject, so put an enum in a field of the event
/// struct. Generic structs are rejected for the same reason.
///
/// # Examples
///
/// ```
/// use event_runtime::{DomainEvent, domain_event};
///
/// /// A learner finished one lesson of a course.
/// #[domain_event(subject = "lessons.{course_id}.{lesson_id}.completed", version = 1)]
/// #[serde(rename_all = "camelCase")]
/// pub struct LessonCompleted {
///     pub course_id: String,
///     pub lesson_id: u32,
///     pub user_id: String,
/// }
///
/// let event = LessonCompleted { course_id: "rust".into(), lesson_id: 3, user_id: "u-1".into() };
/// assert_eq!(event.subject()?, "lessons.rust.3.completed");
/// assert_eq!(serde_json::to_string(&event)?, r#"{"courseId":"rust","lessonId":3,"userId":"u-1"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use event_macros::domain_event;

/// Declares a request/reply service on the NATS services protocol.
///
/// ```text
/// #[nats_service(name = "user-directory", version = "1.2.0")]
/// #[nats_service(name = "...", version = "...", description = "...", prefix = "directory",
///                queue_group = "workers", metadata(team = "accounts"))]
/// #[nats_service(name = "...", version = "...", no_queue_group)]
/// ```
///
/// The attribute goes on a trait whose methods are `async fn m(&self, request: Req) ->
/// Result<Resp, Err>` or `-> Resp`. `Req` and `Resp` are serde and schemars types; `Err`
/// implements [`service::ServiceError`], by hand or with `#[derive(ServiceError)]` and a
/// `#[service_error(code = 404)]` per variant. A method may carry
/// `#[endpoint(subject = "users.lookup", timeout_ms = 500)]`.
///
/// - `name`: ASCII letters, digits, `-` and `_`; `version`: SemVer, checked at compile time.
/// - `description`: defaults to the trait's doc comment.
/// - `prefix`: subjects are `{prefix}.{method}`; the prefix defaults to the name.
/// - `queue_group`: defaults to `q`, as in the protocol; `no_queue_group` makes every
///   instance receive every request.
/// - `metadata(key = "value", ...)`: reported by `$SRV` discovery.
/// - `compatibility`: one mode (`"full"`, `"backward"`, `"forward"`, `"none"`) for every
///   request, response and error type, which the `check` command enforces. By default
///   requests must stay backward compatible and responses and errors forward compatible.
///
/// It generates, next to the trait (whose methods now return `Send` futures, so
/// implementations still write `async fn`):
///
/// - `{Trait}Client`, with `new(async_nats::Client)`, `builder(..)` for the default timeout
///   and prefix, and per method `m(&Req)` and `m_with(&Req, &CallOptions)` returning
///   `Result<Resp, CallError<Err>>`;
/// - `{Trait}Server<H>`, an alias of [`service::Server`] for handlers `H` of the trait, with
///   `new(handler)`, `max_concurrency`, `prefix`, `queue_group` and `serve(client)`
///   returning a [`service::ServiceHandle`];
/// - `{Trait}Contract`, implementing [`service::ServiceContract`].
///
/// # Examples
///
/// ```no_run
/// use event_runtime::nats_service;
/// use event_runtime::service::ServiceContract;
///
/// /// Greets people.
/// #[nats_service(name = "greeter", version = "1.0.0")]
/// pub trait Greeter {
///     /// Returns a greeting for `name`.
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
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let nats = async_nats::connect("nats://127.0.0.1:4222").await?;
/// let handle = GreeterServer::new(English).serve(nats.clone()).await?;
/// let greeting = GreeterClient::new(nats).greet(&"Ada".to_owned()).await?;
/// assert_eq!(greeting, "Hello, Ada!");
/// assert_eq!(GreeterContract::definition().endpoints[0].subject, "greeter.greet");
/// handle.stop().await?;
/// # Ok(())
/// # }
/// ```
pub use event_macros::nats_service;

/// Items used by the code the macros generate. Not public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::service::__private::*;
    pub use crate::subject::SubjectWriter;
    pub use bytes::Bytes;
    pub use futures::future::BoxFuture;
    pub use inventory;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use tracing;
}
