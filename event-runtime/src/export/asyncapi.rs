//! The AsyncAPI 3.0 document of a catalog.
//!
//! - One channel per event subject template, with a parameter per placeholder, and a `send`
//!   and a `receive` operation per event.
//! - Per service endpoint, a request channel on its subject and a reply channel whose
//!   address is the caller's inbox (`null`, as the specification says for dynamic reply
//!   addresses), and one `receive` operation with a `reply`. The endpoint's queue group is
//!   the operation's NATS binding.
//! - Event messages describe the default structured CloudEvents envelope, with the event
//!   under `data`; `correlationId` points at its `correlationid`. Service messages carry the
//!   request and reply headers, and `correlationId` points at the `Correlation-Id` header.
//! - Schemas are draft-07 under `components/schemas`, because AsyncAPI's default schema
//!   format is a superset of draft-07 and several generators reject 2020-12.

use serde_json::{Map, Value, json};

use super::flatten::fix_flattened_options;
use super::schemas::{Dialect, generator, sort_keys};
use crate::catalog::{Catalog, EventDescriptor};
use crate::service::{
    CORRELATION_ID_HEADER, EndpointDefinition, REQUEST_TIMEOUT_HEADER, ServiceDefinition,
    TYPED_ERROR_HEADER,
    protocol::{ERROR_CODE_HEADER, ERROR_HEADER},
};

/// Title, version and server of the AsyncAPI document.
///
/// # Examples
///
/// ```
/// use event_runtime::export::DocumentInfo;
///
/// let info = DocumentInfo::new("Academy", "1.0.0").server("local", "127.0.0.1:4222");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct DocumentInfo {
    title: String,
    version: String,
    description: Option<String>,
    servers: Vec<(String, String)>,
}

impl DocumentInfo {
    /// Creates the document info with a title and the version of the contract set.
    pub fn new(title: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            version: version.into(),
            description: None,
            servers: Vec::new(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a NATS server by name and `host:port`.
    pub fn server(mut self, name: impl Into<String>, host: impl Into<String>) -> Self {
        self.servers.push((name.into(), host.into()));
        self
    }
}

/// Builds the AsyncAPI 3.0 document of `catalog`.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::Catalog;
/// use event_runtime::export::{DocumentInfo, asyncapi_document};
///
/// let document = asyncapi_document(&Catalog::new(), &DocumentInfo::new("Empty", "0.1.0"));
/// assert_eq!(document["asyncapi"], "3.0.0");
/// ```
#[must_use]
pub fn asyncapi_document(catalog: &Catalog, info: &DocumentInfo) -> Value {
    let mut generator = generator(Dialect::Draft07);
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    for event in catalog.events() {
        add_event(
            event,
            &mut generator,
            &mut channels,
            &mut operations,
            &mut messages,
        );
    }
    for service in catalog.services() {
        for endpoint in &service.endpoints {
            add_endpoint(
                service,
                endpoint,
                &mut generator,
                &mut channels,
                &mut operations,
                &mut messages,
            );
        }
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert("CloudEventAttributes".to_owned(), cloudevent_attributes());
    let servers: Map<String, Value> = info
        .servers
        .iter()
        .map(|(name, host)| (name.clone(), json!({ "host": host, "protocol": "nats" })))
        .collect();
    let mut info_object = json!({ "title": info.title, "version": info.version });
    if let Some(description) = &info.description {
        info_object["description"] = description.clone().into();
    }
    let mut document = json!({
        "asyncapi": "3.0.0",
        "info": info_object,
        "defaultContentType": "application/json",
        "servers": servers,
        "channels": channels,
        "operations": operations,
        "components": { "messages": messages, "schemas": schemas },
    });
    fix_flattened_options(&mut document);
    sort_keys(document)
}

fn schema_ref(schema: &schemars::Schema) -> Value {
    schema.as_value().clone()
}

fn add_event(
    event: &EventDescriptor,
    generator: &mut schemars::SchemaGenerator,
    channels: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
    messages: &mut Map<String, Value>,
) {
    let data = schema_ref(&(event.schema)(generator));
    let message_name = format!("{}.v{}", event.name, event.version);
    let parameters: Map<String, Value> = event
        .placeholders
        .iter()
        .map(|name| {
            let description = format!("Value of the event's `{name}` field.");
            (name.clone(), json!({ "description": description }))
        })
        .collect();
    let channel_name = message_name.clone();
    let mut channel = json!({
        "address": event.subject_template,
        "title": event.name,
        "messages": { event.name: { "$ref": format!("#/components/messages/{message_name}") } },
    });
    if !parameters.is_empty() {
        channel["parameters"] = Value::Object(parameters);
    }
    channels.insert(channel_name.clone(), channel);
    messages.insert(
        message_name.clone(),
        json!({
            "name": event.name,
            "title": event.name,
            "summary": format!("Domain event {} version {}, in a structured CloudEvents envelope.", event.name, event.version),
            "contentType": "application/cloudevents+json",
            "correlationId": { "location": "$message.payload#/correlationid" },
            "payload": {
                "allOf": [{ "$ref": "#/components/schemas/CloudEventAttributes" }],
                "type": "object",
                "properties": {
                    "type": { "const": event.event_type, "type": "string" },
                    "data": data,
                },
                "required": ["type", "data"],
            },
            "x-event-type": event.event_type,
            "x-subject": event.subject_template,
            "x-version": event.version,
        }),
    );
    let channel_ref = json!({ "$ref": format!("#/channels/{channel_name}") });
    let message_ref =
        json!({ "$ref": format!("#/channels/{channel_name}/messages/{}", event.name) });
    for (action, verb) in [("send", "publish"), ("receive", "receive")] {
        operations.insert(
            format!("{verb}{}", event.name),
            json!({
                "action": action,
                "channel": channel_ref,
                "messages": [message_ref],
                "summary": format!("{} {} events.", if action == "send" { "Publish" } else { "Receive" }, event.name),
            }),
        );
    }
}

fn add_endpoint(
    service: &ServiceDefinition,
    endpoint: &EndpointDefinition,
    generator: &mut schemars::SchemaGenerator,
    channels: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
    messages: &mut Map<String, Value>,
) {
    let id = format!("{}.{}", service.name, endpoint.name);
    let request_name = format!("{id}.request");
    let response_name = format!("{id}.response");
    let error_name = format!("{id}.error");
    messages.insert(
        request_name.clone(),
        json!({
            "name": request_name,
            "payload": schema_ref(&(endpoint.request_schema)(generator)),
            "headers": request_headers(),
            "correlationId": { "location": format!("$message.header#/{CORRELATION_ID_HEADER}") },
        }),
    );
    messages.insert(
        response_name.clone(),
        json!({ "name": response_name, "payload": schema_ref(&(endpoint.response_schema)(generator)) }),
    );
    let error_payload = match endpoint.error_schema {
        Some(schema) => schema_ref(&schema(generator)),
        None => {
            json!({ "type": "string", "maxLength": 0, "description": "Empty: errors raised by the server itself carry only headers." })
        }
    };
    messages.insert(
        error_name.clone(),
        json!({
            "name": error_name,
            "summary": "Error reply: the NATS services protocol's error headers, and the typed error as JSON when `Service-Error-Body` is set.",
            "payload": error_payload,
            "headers": error_headers(),
        }),
    );
    let request_channel = id.clone();
    let reply_channel = format!("{id}.reply");
    channels.insert(
        request_channel.clone(),
        json!({
            "address": endpoint.subject,
            "title": format!("{} {}", service.name, endpoint.name),
            "messages": { "request": { "$ref": format!("#/components/messages/{request_name}") } },
        }),
    );
    channels.insert(
        reply_channel.clone(),
        json!({
            "address": Value::Null,
            "description": "The caller's reply inbox.",
            "messages": {
                "response": { "$ref": format!("#/components/messages/{response_name}") },
                "error": { "$ref": format!("#/components/messages/{error_name}") },
            },
        }),
    );
    let mut operation = json!({
        "action": "receive",
        "channel": { "$ref": format!("#/channels/{request_channel}") },
        "messages": [{ "$ref": format!("#/channels/{request_channel}/messages/request") }],
        "reply": {
            "channel": { "$ref": format!("#/channels/{reply_channel}") },
            "messages": [
                { "$ref": format!("#/channels/{reply_channel}/messages/response") },
                { "$ref": format!("#/channels/{reply_channel}/messages/error") },
            ],
        },
        "summary": format!("Request/reply endpoint `{}` of service `{}` version {}.", endpoint.name, service.name, service.version),
        "x-service": service.name,
        "x-service-version": service.version,
    });
    if let Some(group) = &endpoint.queue_group {
        operation["bindings"] = json!({ "nats": { "queue": group, "bindingVersion": "0.1.0" } });
    }
    operations.insert(id, operation);
}

fn request_headers() -> Value {
    json!({
        "type": "object",
        "properties": {
            REQUEST_TIMEOUT_HEADER: { "type": "string", "pattern": "^[0-9]+$", "description": "The caller's remaining timeout in milliseconds." },
            CORRELATION_ID_HEADER: { "type": "string", "description": "Correlation id, used as the request id in the server's logs." },
        },
    })
}

fn error_headers() -> Value {
    json!({
        "type": "object",
        "properties": {
            ERROR_CODE_HEADER: { "type": "string", "pattern": "^[0-9]+$" },
            ERROR_HEADER: { "type": "string" },
            TYPED_ERROR_HEADER: { "type": "string", "const": "json" },
        },
        "required": [ERROR_CODE_HEADER, ERROR_HEADER],
    })
}

/// The CloudEvents 1.0 attributes of a structured-mode event.
fn cloudevent_attributes() -> Value {
    json!({
        "type": "object",
        "description": "CloudEvents 1.0 attributes of an event in structured mode.",
        "properties": {
            "specversion": { "const": "1.0", "type": "string" },
            "id": { "type": "string", "description": "UUIDv7 for events published by event-runtime." },
            "source": { "type": "string" },
            "type": { "type": "string" },
            "time": { "type": "string", "format": "date-time" },
            "datacontenttype": { "const": "application/json", "type": "string" },
            "subject": { "type": "string" },
            "correlationid": { "type": "string" },
            "causationid": { "type": "string" },
            "traceparent": { "type": "string" },
            "tracestate": { "type": "string" },
        },
        "required": ["specversion", "id", "source", "type"],
    })
}
