//! The client half of a service: encoding a request, sending it with a deadline, and turning
//! the reply into the method's response or a [`CallError`].

use std::marker::PhantomData;
use std::time::Duration;

use async_nats::{Client, HeaderMap};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::definition::DEFAULT_TIMEOUT;
use super::protocol::{ERROR_CODE_HEADER, ERROR_HEADER};
use super::{
    CORRELATION_ID_HEADER, CallError, NoError, REQUEST_TIMEOUT_HEADER, ServiceError,
    TYPED_ERROR_HEADER,
};
use crate::bus::header_wire_len;
use crate::codec::{EncodeError, to_vec_strict};

/// Options for one call.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use event_runtime::service::CallOptions;
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_millis(250))
///     .correlation_id("signup-7")
///     .header("Tenant", "acme");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CallOptions {
    timeout: Option<Duration>,
    correlation_id: Option<String>,
    headers: Vec<(String, String)>,
}

impl CallOptions {
    /// Creates options that change nothing.
    pub const fn new() -> Self {
        Self {
            timeout: None,
            correlation_id: None,
            headers: Vec::new(),
        }
    }

    /// Sets the timeout of this call, overriding the method's and the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `Correlation-Id` header; the server uses it as the request id in its logs.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }

    /// Adds a request header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Options that change nothing, shared by every call made without options.
#[doc(hidden)]
pub static NO_OPTIONS: CallOptions = CallOptions::new();

/// The client state shared by every generated `{Trait}Client`: the connection, the subject
/// prefix and the default timeout.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use event_runtime::service::ServiceClient;
///
/// let client = ServiceClient::new(async_nats::connect("nats://127.0.0.1:4222").await?, "user-directory");
/// assert_eq!(client.prefix(), "user-directory");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ServiceClient {
    client: Client,
    prefix: String,
    timeout: Option<Duration>,
}

impl ServiceClient {
    /// Creates a client for the service whose subjects start with `prefix`.
    #[must_use]
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            client,
            prefix: prefix.into(),
            timeout: None,
        }
    }

    /// Returns the subject prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Returns the underlying async-nats client.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends `request` to a method and decodes the reply.
    ///
    /// `method` is the method's name, used for its subject `{prefix}.{method}` unless
    /// `subject` overrides it. The timeout is the first set of: `options`, the method's declared
    /// timeout, the client's default, and [`DEFAULT_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// Returns a [`CallError`] variant for each way the call can fail; see its documentation.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: event_runtime::service::ServiceClient) -> Result<(), event_runtime::service::CallError<event_runtime::service::NoError>> {
    /// use event_runtime::service::{CallOptions, NoError};
    ///
    /// let users: Vec<String> = client.call::<_, _, NoError>("list_users", None, None, &(), &CallOptions::new()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call<Req, Resp, E>(
        &self,
        method: &str,
        subject: Option<&str>,
        method_timeout: Option<Duration>,
        request: &Req,
        options: &CallOptions,
    ) -> Result<Resp, CallError<E>>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
        E: ServiceError,
    {
        let encoded = to_vec_strict(request);
        let (subject, reply) = self
            .send(method, subject, method_timeout, encoded, options)
            .await
            .map_err(CallError::widen)?;
        decode_reply(&subject, &reply)
    }

    /// Sends an encoded request and waits for the reply. Not generic, so that each service
    /// method compiles only its own encoding and decoding.
    async fn send(
        &self,
        method: &str,
        subject: Option<&str>,
        method_timeout: Option<Duration>,
        encoded: Result<Vec<u8>, EncodeError>,
        options: &CallOptions,
    ) -> Result<(String, async_nats::Message), CallError<NoError>> {
        let subject = match subject {
            Some(subject) => subject.to_owned(),
            None => format!("{}.{method}", self.prefix),
        };
        let timeout = options
            .timeout
            .or(method_timeout)
            .or(self.timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        let payload = match encoded {
            Ok(payload) => payload,
            Err(source) => return Err(CallError::Encode { subject, source }),
        };
        let headers = request_headers(timeout, options);
        let size = payload.len() + header_wire_len(&headers);
        let max_payload = self.client.max_payload();
        if size > max_payload {
            return Err(CallError::PayloadTooLarge {
                subject,
                size,
                max_payload,
            });
        }
        let request = async_nats::Request::new()
            .payload(payload.into())
            .headers(headers)
            .timeout(Some(timeout));
        match self.client.send_request(subject.clone(), request).await {
            Ok(reply) => Ok((subject, reply)),
            Err(error) => Err(request_error(subject, timeout, &error)),
        }
    }
}

fn request_headers(timeout: Duration, options: &CallOptions) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    headers.insert(REQUEST_TIMEOUT_HEADER, millis.to_string().as_str());
    if let Some(id) = &options.correlation_id {
        headers.insert(CORRELATION_ID_HEADER, id.as_str());
    }
    for (name, value) in &options.headers {
        headers.append(name.as_str(), value.as_str());
    }
    headers
}

fn request_error<E>(
    subject: String,
    timeout: Duration,
    error: &async_nats::RequestError,
) -> CallError<E> {
    use async_nats::RequestErrorKind;
    match error.kind() {
        RequestErrorKind::TimedOut => CallError::Timeout { subject, timeout },
        RequestErrorKind::NoResponders => CallError::NoResponders { subject },
        _ => CallError::Transport {
            subject,
            reason: error.to_string(),
        },
    }
}

/// Turns a reply into the response, the typed error, or the server's own error.
fn decode_reply<Resp, E>(subject: &str, reply: &async_nats::Message) -> Result<Resp, CallError<E>>
where
    Resp: DeserializeOwned,
    E: ServiceError,
{
    let decode_error = |what: &'static str, reason: String| CallError::Decode {
        subject: subject.to_owned(),
        what,
        reason,
    };
    if let Some(headers) = &reply.headers
        && let Some(code) = headers.get(ERROR_CODE_HEADER)
    {
        let code: u16 = code.as_str().parse().map_err(|_| {
            decode_error(
                "error code",
                format!("{ERROR_CODE_HEADER} is {:?}", code.as_str()),
            )
        })?;
        let description = headers
            .get(ERROR_HEADER)
            .map(|value| value.as_str().to_owned())
            .unwrap_or_default();
        if headers.get(TYPED_ERROR_HEADER).is_some() {
            let error = serde_json::from_slice::<E>(&reply.payload)
                .map_err(|error| decode_error("error", error.to_string()))?;
            return Err(CallError::Service(error));
        }
        return Err(CallError::Server { code, description });
    }
    serde_json::from_slice(&reply.payload)
        .map_err(|error| decode_error("response", error.to_string()))
}

/// Builds a generated `{Trait}Client` with a non-default timeout or subject prefix.
///
/// # Examples
///
/// ```no_run
/// # async fn run(nats: async_nats::Client) {
/// use std::time::Duration;
/// use event_runtime::service::{ClientBuilder, ServiceClient};
///
/// let client: ServiceClient = ClientBuilder::new(nats, "user-directory")
///     .timeout(Duration::from_secs(1))
///     .prefix("staging.user-directory")
///     .build();
/// # }
/// ```
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder<C> {
    inner: ServiceClient,
    client_type: PhantomData<fn() -> C>,
}

impl<C: From<ServiceClient>> ClientBuilder<C> {
    /// Starts a builder for a service whose default subject prefix is `prefix`.
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            inner: ServiceClient::new(client, prefix),
            client_type: PhantomData,
        }
    }

    /// Sets the timeout of calls to methods that declare none and calls that set none.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.inner.timeout = Some(timeout);
        self
    }

    /// Sets the subject prefix, for a server started with the same prefix. Methods with a
    /// subject of their own keep it.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.inner.prefix = prefix.into();
        self
    }

    /// Builds the client.
    #[must_use]
    pub fn build(self) -> C {
        C::from(self.inner)
    }
}

/// Returns the schema name of `T`, for endpoint metadata.
#[doc(hidden)]
#[must_use]
pub fn schema_name<T: JsonSchema + ?Sized>() -> String {
    T::schema_name().into_owned()
}
