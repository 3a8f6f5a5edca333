//! Error types of request/reply services: the typed error a handler returns, and what a
//! client call or a server start can fail with.

use std::fmt::Display;
use std::time::Duration;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::codec::EncodeError;

/// The typed error of a service method, sent back to the caller.
///
/// An error reply carries `Nats-Service-Error-Code` (from [`code`](Self::code)) and
/// `Nats-Service-Error` (from [`description`](Self::description)), as the NATS services
/// protocol requires, and the error serialized as JSON in the body, so a client built with
/// this toolkit gets the typed value back and any other client can read the headers.
///
/// # Examples
///
/// ```
/// use event_runtime::service::ServiceError;
/// use event_runtime::{schemars, serde};
///
/// #[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// #[serde(crate = "event_runtime::serde", tag = "error", rename_all = "snake_case")]
/// #[schemars(crate = "event_runtime::schemars")]
/// enum DirectoryError {
///     NotFound { user_id: String },
///     EmailTaken,
/// }
///
/// impl std::fmt::Display for DirectoryError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         match self {
///             Self::NotFound { user_id } => write!(f, "user {user_id} not found"),
///             Self::EmailTaken => f.write_str("email address already registered"),
///         }
///     }
/// }
///
/// impl ServiceError for DirectoryError {
///     fn code(&self) -> u16 {
///         match self {
///             Self::NotFound { .. } => 404,
///             Self::EmailTaken => 409,
///         }
///     }
/// }
///
/// assert_eq!(DirectoryError::EmailTaken.description(), "email address already registered");
/// ```
///
/// # Deriving
///
/// `#[derive(ServiceError)]` writes `code` from a `#[service_error(code = N)]` attribute on
/// each variant. An attribute on the enum sets the code of variants without one, and a struct
/// needs one on the struct. `description` stays the `Display` output, which a crate such as
/// thiserror can derive next to it.
///
/// ```
/// use event_runtime::service::ServiceError;
/// use event_runtime::{schemars, serde};
///
/// #[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema, ServiceError)]
/// #[serde(crate = "event_runtime::serde", tag = "error", rename_all = "snake_case")]
/// #[schemars(crate = "event_runtime::schemars")]
/// #[service_error(code = 500)]
/// enum DirectoryError {
///     #[service_error(code = 404)]
///     NotFound { user_id: String },
///     #[service_error(code = 409)]
///     EmailTaken,
///     Unavailable,
/// }
///
/// impl std::fmt::Display for DirectoryError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("directory error")
///     }
/// }
///
/// assert_eq!(DirectoryError::NotFound { user_id: "u-1".into() }.code(), 404);
/// assert_eq!(DirectoryError::EmailTaken.code(), 409);
/// assert_eq!(DirectoryError::Unavailable.code(), 500);
/// ```
pub trait ServiceError:
    Display + Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static
{
    /// Returns the numeric code for `Nats-Service-Error-Code`, conventionally an HTTP status
    /// such as 400, 404 or 409.
    fn code(&self) -> u16;

    /// Returns the text for `Nats-Service-Error`; the `Display` output by default.
    fn description(&self) -> String {
        self.to_string()
    }
}

/// The error type of a method declared as `-> Resp` rather than `-> Result<Resp, Err>`: it
/// has no values, so such a method never returns a typed error.
///
/// # Examples
///
/// ```
/// use event_runtime::service::{CallError, NoError};
///
/// fn describe(error: CallError<NoError>) -> String {
///     error.to_string()
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NoError {}

impl Display for NoError {
    fn fmt(&self, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

impl ServiceError for NoError {
    fn code(&self) -> u16 {
        match *self {}
    }
}

/// Why a call to a service method failed.
///
/// # Examples
///
/// ```
/// use event_runtime::service::{CallError, NoError};
///
/// let error: CallError<NoError> = CallError::NoResponders { subject: "user-directory.get_user".into() };
/// assert_eq!(error.to_string(), "no service is listening on user-directory.get_user");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError<E> {
    /// The method returned its typed error.
    #[error("service returned an error: {0}")]
    Service(E),
    /// The server replied with an error of its own rather than the method's typed error:
    /// 400 for a request it could not decode, 500 for a handler that panicked, 413 for a
    /// response over the server's `max_payload`, 504 for a handler that ran past the deadline.
    #[error("service failed with code {code}: {description}")]
    Server {
        /// The `Nats-Service-Error-Code` value.
        code: u16,
        /// The `Nats-Service-Error` value.
        description: String,
    },
    /// No server subscribes to the method's subject. Returned at once, without waiting for
    /// the timeout.
    #[error("no service is listening on {subject}")]
    NoResponders {
        /// The method's subject.
        subject: String,
    },
    /// No reply arrived within the timeout.
    #[error("no reply on {subject} within {timeout:?}")]
    Timeout {
        /// The method's subject.
        subject: String,
        /// The timeout that passed.
        timeout: Duration,
    },
    /// The connection failed while sending the request.
    #[error("request on {subject} failed: {reason}")]
    Transport {
        /// The method's subject.
        subject: String,
        /// What failed.
        reason: String,
    },
    /// The request could not be encoded as JSON.
    #[error("cannot encode request for {subject}: {source}")]
    Encode {
        /// The method's subject.
        subject: String,
        /// What failed.
        source: EncodeError,
    },
    /// The reply could not be decoded.
    #[error("cannot decode {what} from {subject}: {reason}")]
    Decode {
        /// The method's subject.
        subject: String,
        /// What was being decoded: `response`, `error` or `error code`.
        what: &'static str,
        /// What failed.
        reason: String,
    },
    /// The request exceeds the server's `max_payload`; checked before sending.
    #[error(
        "request on {subject} is {size} bytes, over the server's max_payload of {max_payload} bytes"
    )]
    PayloadTooLarge {
        /// The method's subject.
        subject: String,
        /// Size of the request, headers included, in bytes.
        size: usize,
        /// The server's limit, in bytes.
        max_payload: usize,
    },
}

impl CallError<NoError> {
    /// Converts an error that cannot hold a typed error into one for any error type.
    pub(crate) fn widen<E>(self) -> CallError<E> {
        match self {
            Self::Service(never) => match never {},
            Self::Server { code, description } => CallError::Server { code, description },
            Self::NoResponders { subject } => CallError::NoResponders { subject },
            Self::Timeout { subject, timeout } => CallError::Timeout { subject, timeout },
            Self::Transport { subject, reason } => CallError::Transport { subject, reason },
            Self::Encode { subject, source } => CallError::Encode { subject, source },
            Self::Decode {
                subject,
                what,
                reason,
            } => CallError::Decode {
                subject,
                what,
                reason,
            },
            Self::PayloadTooLarge {
                subject,
                size,
                max_payload,
            } => CallError::PayloadTooLarge {
                subject,
                size,
                max_payload,
            },
        }
    }
}

/// Why a service could not start.
///
/// # Examples
///
/// ```
/// use event_runtime::service::ServeError;
///
/// let error = ServeError::InvalidConfig("max_concurrency must be at least 1".into());
/// assert_eq!(error.to_string(), "invalid service configuration: max_concurrency must be at least 1");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A setting is out of range.
    #[error("invalid service configuration: {0}")]
    InvalidConfig(String),
    /// Subscribing to an endpoint or a `$SRV` subject failed.
    #[error("failed to subscribe to {subject}: {source}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// The error from async-nats.
        source: async_nats::SubscribeError,
    },
    /// The server did not confirm the subscriptions, because the connection failed.
    #[error("failed to confirm the service's subscriptions with the server: {0}")]
    Flush(#[source] crate::FlushError),
}

/// Why [`ServiceHandle::stop`](super::ServiceHandle::stop) could not stop cleanly.
///
/// # Examples
///
/// ```
/// use event_runtime::service::StopError;
///
/// let error = StopError::Unsubscribe { subject: "a.b".into(), reason: "connection closed".into() };
/// assert_eq!(error.to_string(), "failed to unsubscribe from a.b: connection closed");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StopError {
    /// Draining a subscription failed; requests it had buffered may be lost.
    #[error("failed to unsubscribe from {subject}: {reason}")]
    Unsubscribe {
        /// The subject.
        subject: String,
        /// What failed.
        reason: String,
    },
}
