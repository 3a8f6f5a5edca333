//! The bridge between the server loop and a generated `{Trait}Server`: the generated code
//! decodes the request, calls the handler and encodes the reply; the runtime does the rest.

use bytes::Bytes;
use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ServiceError;
use crate::codec::to_vec_strict;

/// A handler's reply, ready to send.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The encoded response.
    Ok(Bytes),
    /// An error reply.
    Err(ErrorReply),
}

/// An error reply: the two protocol headers and, for a typed error, its JSON body.
#[derive(Debug, Clone)]
pub struct ErrorReply {
    /// The `Nats-Service-Error-Code` value.
    pub code: u16,
    /// The `Nats-Service-Error` value.
    pub description: String,
    /// The typed error as JSON, or `None` for an error raised by the runtime itself.
    pub body: Option<Bytes>,
}

impl ErrorReply {
    /// Creates an error raised by the runtime, with no typed body.
    #[must_use]
    pub fn server(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            body: None,
        }
    }
}

/// Routes requests to a handler; implemented by the code `#[nats_service]` generates.
pub trait Dispatch: Send + Sync + 'static {
    /// Decodes `payload`, runs the method named `endpoint` and encodes its reply.
    fn dispatch(&self, endpoint: &str, payload: Bytes) -> BoxFuture<'static, Reply>;

    /// Creates the tracing span of one request, named `{Trait}.{method}`, with the fields
    /// `request_id`, `subject` and an empty `outcome` that the server records.
    fn span(&self, endpoint: &str, request_id: &str, subject: &str) -> tracing::Span;
}

/// Decodes a request body, or returns the 400 reply that explains why it cannot.
///
/// # Errors
///
/// Returns a 400 [`ErrorReply`] naming the JSON error.
pub fn decode_request<Req: DeserializeOwned>(payload: &[u8]) -> Result<Req, ErrorReply> {
    serde_json::from_slice(payload)
        .map_err(|error| ErrorReply::server(400, format!("invalid request: {error}")))
}

/// Encodes a method's `Result` as a reply.
pub fn reply_result<Resp: Serialize, E: ServiceError>(result: Result<Resp, E>) -> Reply {
    match result {
        Ok(response) => reply_value(&response),
        Err(error) => match to_vec_strict(&error) {
            Ok(body) => Reply::Err(ErrorReply {
                code: error.code(),
                description: error.description(),
                body: Some(body.into()),
            }),
            Err(encode) => Reply::Err(ErrorReply::server(
                500,
                format!("cannot encode the service error ({error}): {encode}"),
            )),
        },
    }
}

/// Encodes a response as a reply.
pub fn reply_value<Resp: Serialize + ?Sized>(response: &Resp) -> Reply {
    match to_vec_strict(response) {
        Ok(body) => Reply::Ok(body.into()),
        Err(error) => Reply::Err(ErrorReply::server(
            500,
            format!("cannot encode response: {error}"),
        )),
    }
}
