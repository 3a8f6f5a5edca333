//! The CloudEvents 1.0 envelope around an event's JSON, in three modes.
//!
//! | mode | metadata | when to use |
//! |---|---|---|
//! | [`Structured`](EnvelopeMode::Structured) (default) | in the JSON body: `{"specversion":"1.0",…,"data":{…}}` | services built with this toolkit, and CloudEvents consumers that read the released NATS binding |
//! | [`Binary`](EnvelopeMode::Binary) | `ce-` headers, body is the event alone | consumers that route on headers |
//! | [`Bare`](EnvelopeMode::Bare) | none, body is the event alone | foreign consumers that expect plain JSON |
//!
//! Structured is the default because NATS headers are expensive for the client to write: on
//! a 2-core machine, hand-written async-nats code published a small JSON event at about 1.1M
//! messages/s without headers, 0.2-0.35M with the six CloudEvents headers and 0.7-0.8M with
//! the same metadata in the body. `docs/benchmarks.md` records the toolkit's own figures.
//!
//! Subscribers read every mode: `ce-specversion` in the headers means binary mode, a JSON
//! object with a `specversion` member means structured mode, and anything else is decoded
//! as a bare event.

use std::time::SystemTime;

use async_nats::HeaderMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::DomainEvent;
use crate::codec::{EncodeError, to_writer_strict};

/// The CloudEvents specification version this toolkit writes and reads.
pub const SPEC_VERSION: &str = "1.0";

const CONTENT_TYPE_JSON: &str = "application/json";

/// How an event's metadata travels with it.
///
/// # Examples
///
/// ```
/// use event_runtime::EnvelopeMode;
///
/// assert_eq!(EnvelopeMode::default(), EnvelopeMode::Structured);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum EnvelopeMode {
    /// CloudEvents structured mode: metadata and `data` in one JSON object, no headers.
    #[default]
    Structured,
    /// CloudEvents binary mode: metadata in `ce-` headers, the event as the body.
    Binary,
    /// The event's JSON alone, with no metadata.
    Bare,
}

/// W3C trace context carried with an event, as the CloudEvents distributed tracing
/// extension defines it.
///
/// # Examples
///
/// ```
/// use event_runtime::TraceContext;
///
/// let trace = TraceContext::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
/// assert_eq!(trace.tracestate, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TraceContext {
    /// The `traceparent` value.
    pub traceparent: String,
    /// The `tracestate` value, if any.
    pub tracestate: Option<String>,
}

impl TraceContext {
    /// Creates a trace context from a `traceparent` value.
    #[must_use]
    pub fn new(traceparent: impl Into<String>) -> Self {
        Self {
            traceparent: traceparent.into(),
            tracestate: None,
        }
    }

    /// Sets the `tracestate` value.
    #[must_use]
    pub fn with_tracestate(mut self, tracestate: impl Into<String>) -> Self {
        self.tracestate = Some(tracestate.into());
        self
    }
}

/// Metadata of a received event.
///
/// Every field but `subject` and `mode` is `None` for an event published in bare mode, which
/// carries no metadata.
///
/// # Examples
///
/// ```
/// # fn show(metadata: &event_runtime::Metadata) {
/// if let Some(id) = &metadata.id {
///     println!("event {id} on {}", metadata.subject);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metadata {
    /// CloudEvents `id`: a UUIDv7 for events this toolkit publishes, so ids sort by time.
    pub id: Option<String>,
    /// CloudEvents `time`.
    pub time: Option<SystemTime>,
    /// CloudEvents `source`: the publishing service.
    pub source: Option<String>,
    /// CloudEvents `type`, such as `UserRegistered.v1`.
    pub event_type: Option<String>,
    /// The version from `event_type`.
    pub version: Option<u32>,
    /// The NATS subject the event arrived on.
    pub subject: String,
    /// The `correlationid` extension: the id shared by every message of one workflow.
    pub correlation_id: Option<String>,
    /// The `causationid` extension: the id of the message that caused this one.
    pub causation_id: Option<String>,
    /// The W3C trace context, when the publisher sent one.
    pub trace_context: Option<TraceContext>,
    /// The envelope mode the event arrived in.
    pub mode: EnvelopeMode,
}

/// Metadata of an event about to be published.
pub(crate) struct Outgoing<'a> {
    pub(crate) id: &'a str,
    pub(crate) source: &'a str,
    pub(crate) event_type: &'a str,
    pub(crate) time: &'a str,
    pub(crate) subject: &'a str,
    pub(crate) correlation_id: Option<&'a str>,
    pub(crate) causation_id: Option<&'a str>,
    pub(crate) trace_context: Option<&'a TraceContext>,
}

/// Returns the current time in RFC 3339 form, as CloudEvents `time` requires.
pub(crate) fn now_rfc3339() -> String {
    crate::timestamp::Timestamp::now().as_str().to_owned()
}

/// Writes a structured-mode envelope with `event` as its `data` into `buffer`.
pub(crate) fn write_structured<E: DomainEvent>(
    buffer: &mut Vec<u8>,
    meta: &Outgoing<'_>,
    event: &E,
) -> Result<(), EncodeError> {
    buffer.extend_from_slice(b"{\"specversion\":\"1.0\",\"id\":");
    serde_json::to_writer(&mut *buffer, meta.id)?;
    buffer.extend_from_slice(b",\"source\":");
    serde_json::to_writer(&mut *buffer, meta.source)?;
    // The event type is a validated name plus `.vN`, and the time is digits and separators:
    // neither needs JSON escaping, which is a measurable share of the encoding cost.
    buffer.extend_from_slice(b",\"type\":\"");
    buffer.extend_from_slice(meta.event_type.as_bytes());
    buffer.extend_from_slice(b"\",\"time\":\"");
    buffer.extend_from_slice(meta.time.as_bytes());
    buffer.extend_from_slice(b"\",\"datacontenttype\":\"application/json\",\"subject\":");
    serde_json::to_writer(&mut *buffer, meta.subject)?;
    let extensions = [
        ("correlationid", meta.correlation_id),
        ("causationid", meta.causation_id),
        (
            "traceparent",
            meta.trace_context.map(|t| t.traceparent.as_str()),
        ),
        (
            "tracestate",
            meta.trace_context.and_then(|t| t.tracestate.as_deref()),
        ),
    ];
    for (name, value) in extensions {
        if let Some(value) = value {
            buffer.extend_from_slice(b",\"");
            buffer.extend_from_slice(name.as_bytes());
            buffer.extend_from_slice(b"\":");
            serde_json::to_writer(&mut *buffer, value)?;
        }
    }
    buffer.extend_from_slice(b",\"data\":");
    to_writer_strict(buffer, event)?;
    buffer.push(b'}');
    Ok(())
}

/// Builds the `ce-` headers of a binary-mode message.
pub(crate) fn binary_headers(meta: &Outgoing<'_>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("ce-specversion", SPEC_VERSION);
    headers.insert("ce-id", meta.id);
    headers.insert("ce-source", meta.source);
    headers.insert("ce-type", meta.event_type);
    headers.insert("ce-time", meta.time);
    headers.insert("ce-subject", meta.subject);
    headers.insert("content-type", CONTENT_TYPE_JSON);
    if let Some(value) = meta.correlation_id {
        headers.insert("ce-correlationid", value);
    }
    if let Some(value) = meta.causation_id {
        headers.insert("ce-causationid", value);
    }
    if let Some(trace) = meta.trace_context {
        headers.insert("ce-traceparent", trace.traceparent.as_str());
        if let Some(state) = &trace.tracestate {
            headers.insert("ce-tracestate", state.as_str());
        }
    }
    headers
}

/// Why a message could not be decoded into the expected event.
#[derive(Debug)]
pub(crate) enum DecodeFailure {
    /// The body is not JSON.
    InvalidJson(serde_json::Error),
    /// The JSON does not match the event's type.
    Mismatch(serde_json::Error),
    /// The envelope names another event type.
    WrongType(String),
    /// The envelope names the same event with another version.
    WrongVersion(u32),
    /// The envelope is malformed.
    InvalidEnvelope(String),
}

impl DecodeFailure {
    fn from_json(error: serde_json::Error) -> Self {
        if error.is_data() {
            Self::Mismatch(error)
        } else {
            Self::InvalidJson(error)
        }
    }
}

#[derive(Deserialize)]
struct StructuredEnvelope<'a> {
    specversion: &'a str,
    id: Option<String>,
    source: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    time: Option<String>,
    datacontenttype: Option<String>,
    correlationid: Option<String>,
    causationid: Option<String>,
    traceparent: Option<String>,
    tracestate: Option<String>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

/// Searches for the `specversion` member that marks structured mode; built once because
/// building a searcher costs more than a search.
static SPECVERSION_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"specversion\""));

/// Decodes a message in any mode into `E` and its metadata.
pub(crate) fn decode<E: DomainEvent>(
    subject: &str,
    headers: Option<&HeaderMap>,
    payload: &[u8],
) -> Result<(E, Metadata), DecodeFailure> {
    if let Some(headers) = headers.filter(|h| h.get("ce-specversion").is_some()) {
        return decode_binary(subject, headers, payload);
    }
    let looks_structured =
        payload.first() == Some(&b'{') && SPECVERSION_FINDER.find(payload).is_some();
    if looks_structured {
        return decode_structured(subject, payload);
    }
    let event = serde_json::from_slice(payload).map_err(DecodeFailure::from_json)?;
    Ok((event, bare_metadata(subject)))
}

fn bare_metadata(subject: &str) -> Metadata {
    Metadata {
        id: None,
        time: None,
        source: None,
        event_type: None,
        version: None,
        subject: subject.to_owned(),
        correlation_id: None,
        causation_id: None,
        trace_context: None,
        mode: EnvelopeMode::Bare,
    }
}

fn decode_structured<E: DomainEvent>(
    subject: &str,
    payload: &[u8],
) -> Result<(E, Metadata), DecodeFailure> {
    let envelope: StructuredEnvelope<'_> =
        serde_json::from_slice(payload).map_err(DecodeFailure::from_json)?;
    if envelope.specversion != SPEC_VERSION {
        return Err(DecodeFailure::InvalidEnvelope(format!(
            "unsupported CloudEvents specversion {:?}, expected \"{SPEC_VERSION}\"",
            envelope.specversion
        )));
    }
    if let Some(content_type) = &envelope.datacontenttype {
        check_content_type(content_type)?;
    }
    let version = check_type::<E>(envelope.event_type.as_deref())?;
    let data = envelope.data.ok_or_else(|| {
        DecodeFailure::InvalidEnvelope("structured CloudEvent has no `data` member".to_owned())
    })?;
    let event = serde_json::from_str(data.get()).map_err(DecodeFailure::from_json)?;
    let metadata = Metadata {
        id: envelope.id,
        time: parse_time(envelope.time.as_deref())?,
        source: envelope.source,
        event_type: envelope.event_type,
        version,
        subject: subject.to_owned(),
        correlation_id: envelope.correlationid,
        causation_id: envelope.causationid,
        trace_context: envelope.traceparent.map(|traceparent| TraceContext {
            traceparent,
            tracestate: envelope.tracestate,
        }),
        mode: EnvelopeMode::Structured,
    };
    Ok((event, metadata))
}

fn decode_binary<E: DomainEvent>(
    subject: &str,
    headers: &HeaderMap,
    payload: &[u8],
) -> Result<(E, Metadata), DecodeFailure> {
    let header = |name: &str| headers.get(name).map(|value| value.as_str().to_owned());
    let spec_version = header("ce-specversion").unwrap_or_default();
    if spec_version != SPEC_VERSION {
        return Err(DecodeFailure::InvalidEnvelope(format!(
            "unsupported CloudEvents specversion {spec_version:?} in header ce-specversion, expected \"{SPEC_VERSION}\""
        )));
    }
    if let Some(content_type) = header("content-type") {
        check_content_type(&content_type)?;
    }
    let event_type = header("ce-type");
    let version = check_type::<E>(event_type.as_deref())?;
    let event = serde_json::from_slice(payload).map_err(DecodeFailure::from_json)?;
    let metadata = Metadata {
        id: header("ce-id"),
        time: parse_time(header("ce-time").as_deref())?,
        source: header("ce-source"),
        event_type,
        version,
        subject: subject.to_owned(),
        correlation_id: header("ce-correlationid"),
        causation_id: header("ce-causationid"),
        trace_context: header("ce-traceparent").map(|traceparent| TraceContext {
            traceparent,
            tracestate: header("ce-tracestate"),
        }),
        mode: EnvelopeMode::Binary,
    };
    Ok((event, metadata))
}

fn check_content_type(content_type: &str) -> Result<(), DecodeFailure> {
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if media_type.eq_ignore_ascii_case(CONTENT_TYPE_JSON) {
        Ok(())
    } else {
        Err(DecodeFailure::InvalidEnvelope(format!(
            "data content type is {content_type:?}, expected \"{CONTENT_TYPE_JSON}\""
        )))
    }
}

/// Checks a CloudEvents `type` against `E` and returns the version it names.
fn check_type<E: DomainEvent>(event_type: Option<&str>) -> Result<Option<u32>, DecodeFailure> {
    let Some(event_type) = event_type else {
        return Err(DecodeFailure::InvalidEnvelope(
            "CloudEvent has no `type`".to_owned(),
        ));
    };
    if event_type == E::EVENT_TYPE {
        return Ok(Some(E::VERSION));
    }
    let (name, version) = split_event_type(event_type);
    match version {
        Some(version) if name == E::NAME => Err(DecodeFailure::WrongVersion(version)),
        _ => Err(DecodeFailure::WrongType(event_type.to_owned())),
    }
}

/// Splits `Name.vN` into its name and version.
fn split_event_type(event_type: &str) -> (&str, Option<u32>) {
    match event_type.rsplit_once(".v") {
        Some((name, version)) => match version.parse() {
            Ok(version) => (name, Some(version)),
            Err(_) => (event_type, None),
        },
        None => (event_type, None),
    }
}

fn parse_time(time: Option<&str>) -> Result<Option<SystemTime>, DecodeFailure> {
    let Some(time) = time else {
        return Ok(None);
    };
    OffsetDateTime::parse(time, &Rfc3339)
        .map(|time| Some(time.into()))
        .map_err(|error| {
            DecodeFailure::InvalidEnvelope(format!(
                "CloudEvents time {time:?} is not RFC 3339: {error}"
            ))
        })
}
