//! Request/reply services on the NATS services protocol.
//!
//! `#[nats_service]` on a trait generates a typed `{Trait}Client`, a `{Trait}Server` and a
//! `{Trait}Contract`; this module holds what they share. A server is a NATS service in the
//! protocol's sense: it answers `$SRV.PING`, `$SRV.INFO` and `$SRV.STATS`, and error
//! replies carry the `Nats-Service-Error` and `Nats-Service-Error-Code` headers.
//!
//! The server is written on the async-nats client rather than on `async_nats::service`,
//! which cannot leave an endpoint out of a queue group, reports no metadata in STATS, sends
//! error replies without a body and does not drain on stop. The JSON documents it sends are
//! the protocol's own, in [`protocol`].
//!
//! Beyond the protocol, a request carries the caller's remaining timeout in milliseconds in
//! the [`REQUEST_TIMEOUT_HEADER`]; the server skips a request whose deadline passed while it
//! waited, and cancels a handler when the deadline passes.

mod client;
mod definition;
mod discovery;
mod dispatch;
mod error;
pub mod protocol;
mod server;

pub use client::{CallOptions, ClientBuilder, ServiceClient};
pub use definition::{
    DEFAULT_QUEUE_GROUP, DEFAULT_TIMEOUT, EndpointDefinition, SchemaFn, ServiceContract,
    ServiceDefinition,
};
pub use dispatch::{Dispatch, ErrorReply, Reply};
pub use error::{CallError, NoError, ServeError, ServiceError, StopError};
/// Derives [`ServiceError`](trait@ServiceError) from `#[service_error(code = N)]` attributes;
/// the trait's documentation shows them.
pub use event_macros::ServiceError;
pub use server::{
    DEFAULT_MAX_CONCURRENCY, QueueGroup, Server, ServerConfig, ServiceDispatch, ServiceHandle,
    serve,
};

/// Request header with the caller's remaining timeout, in whole milliseconds.
pub const REQUEST_TIMEOUT_HEADER: &str = "Request-Timeout-Ms";

/// Request header with the caller's correlation id, used as the request id in server logs.
pub const CORRELATION_ID_HEADER: &str = "Correlation-Id";

/// Reply header set on an error reply whose body is the method's typed error as JSON.
pub const TYPED_ERROR_HEADER: &str = "Service-Error-Body";

/// Items used by the code `#[nats_service]` generates. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use super::client::{NO_OPTIONS, schema_name};
    pub use super::definition::{endpoint, service};
    pub use super::dispatch::{decode_request, reply_result, reply_value};
}
