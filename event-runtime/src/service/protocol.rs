//! JSON documents of the NATS services protocol (`$SRV.PING`, `$SRV.INFO`, `$SRV.STATS`).
//!
//! The shapes and `type` strings follow the protocol's version 1, as the official NATS
//! service libraries send them. They are written here rather than reused from
//! `async_nats::service`, whose STATS response has no `metadata` member and whose error
//! replies cannot carry a body.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `type` of a PING response.
pub const PING_RESPONSE_TYPE: &str = "io.nats.micro.v1.ping_response";
/// `type` of an INFO response.
pub const INFO_RESPONSE_TYPE: &str = "io.nats.micro.v1.info_response";
/// `type` of a STATS response.
pub const STATS_RESPONSE_TYPE: &str = "io.nats.micro.v1.stats_response";

/// Header with the error code of an error reply.
pub const ERROR_CODE_HEADER: &str = "Nats-Service-Error-Code";
/// Header with the error description of an error reply.
pub const ERROR_HEADER: &str = "Nats-Service-Error";

/// Reply to `$SRV.PING`.
///
/// # Examples
///
/// ```
/// use event_runtime::service::protocol::PingResponse;
///
/// let ping: PingResponse = event_runtime::serde_json::from_str(
///     r#"{"type":"io.nats.micro.v1.ping_response","name":"a","id":"x","version":"1.0.0","metadata":{}}"#,
/// ).unwrap();
/// assert_eq!(ping.name, "a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingResponse {
    /// Always [`PING_RESPONSE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Service name.
    pub name: String,
    /// Id of this instance.
    pub id: String,
    /// Service version.
    pub version: String,
    /// Service metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// Reply to `$SRV.INFO`.
///
/// # Examples
///
/// ```
/// # fn show(info: event_runtime::service::protocol::InfoResponse) {
/// for endpoint in &info.endpoints {
///     println!("{} on {}", endpoint.name, endpoint.subject);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoResponse {
    /// Always [`INFO_RESPONSE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Service name.
    pub name: String,
    /// Id of this instance.
    pub id: String,
    /// Service version.
    pub version: String,
    /// Service description.
    pub description: String,
    /// Service metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// The endpoints.
    pub endpoints: Vec<EndpointInfo>,
}

/// One endpoint in an INFO response.
///
/// # Examples
///
/// ```
/// # fn show(endpoint: event_runtime::service::protocol::EndpointInfo) {
/// println!("{} ({:?})", endpoint.subject, endpoint.queue_group);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointInfo {
    /// Endpoint name.
    pub name: String,
    /// Subject it listens on.
    pub subject: String,
    /// Queue group; absent when the endpoint has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_group: Option<String>,
    /// Endpoint metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// Reply to `$SRV.STATS`.
///
/// # Examples
///
/// ```
/// # fn show(stats: event_runtime::service::protocol::StatsResponse) {
/// let requests: u64 = stats.endpoints.iter().map(|e| e.num_requests).sum();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsResponse {
    /// Always [`STATS_RESPONSE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Service name.
    pub name: String,
    /// Id of this instance.
    pub id: String,
    /// Service version.
    pub version: String,
    /// Service metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// When the instance started, in RFC 3339 form.
    pub started: String,
    /// Statistics per endpoint.
    pub endpoints: Vec<EndpointStats>,
}

/// Statistics of one endpoint.
///
/// # Examples
///
/// ```
/// use event_runtime::service::protocol::EndpointStats;
///
/// let stats = EndpointStats::default();
/// assert_eq!(stats.num_requests, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointStats {
    /// Endpoint name.
    pub name: String,
    /// Subject it listens on.
    pub subject: String,
    /// Queue group; absent when the endpoint has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_group: Option<String>,
    /// Requests handled, errors included.
    pub num_requests: u64,
    /// Requests answered with an error reply.
    pub num_errors: u64,
    /// The last error as `code:description`, or empty.
    pub last_error: String,
    /// Total processing time in nanoseconds.
    pub processing_time: u64,
    /// Average processing time in nanoseconds.
    pub average_processing_time: u64,
}
