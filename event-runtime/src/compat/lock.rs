//! The lock file: each contract's exported schema by name and version, committed next to a
//! contracts crate, and the `lock` and `check` operations over it.
//!
//! Policy:
//!
//! - An event must keep the compatibility its attribute names, `full` by default: consumers
//!   replay old messages from streams, and old consumers read new ones.
//! - A service endpoint's request must stay backward compatible and its response and error
//!   forward compatible, unless the service's attribute names one mode for all of them. That keeps a rolling upgrade safe when servers are upgraded before
//!   clients: new servers read requests from old clients, and old clients read replies from
//!   new servers.
//! - A change that breaks this passes only with a version bump (a higher event version; a
//!   higher major service version, or minor for 0.x). The old version stays in the lock as
//!   history.
//! - A subject or event type change is always breaking, and so is a removed endpoint.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::change::{Change, Classification, Rule};
use super::{Compatibility, counted, diff};
use crate::catalog::{Catalog, EventDescriptor};
use crate::export::standalone;
use crate::service::{EndpointDefinition, ServiceDefinition};

/// File name of the lock file.
pub const LOCK_FILE: &str = "contracts.lock.json";

/// Version of the lock file format.
const FORMAT_VERSION: u32 = 1;

/// The lock file's content.
///
/// # Examples
///
/// ```
/// use event_runtime::compat::Lock;
///
/// let lock = Lock::default();
/// assert!(lock.events.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    /// Format version of this file.
    #[serde(default)]
    pub format: u32,
    /// Events by name, then by version.
    #[serde(default)]
    pub events: BTreeMap<String, BTreeMap<String, LockedEvent>>,
    /// Services by name, then by version.
    #[serde(default)]
    pub services: BTreeMap<String, BTreeMap<String, LockedService>>,
}

/// One version of an event as locked.
///
/// # Examples
///
/// ```
/// # fn show(event: &event_runtime::compat::LockedEvent) {
/// println!("{} on {}", event.event_type, event.subject);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockedEvent {
    /// Subject template.
    pub subject: String,
    /// CloudEvents type.
    pub event_type: String,
    /// Compatibility mode at the time of locking.
    pub compatibility: Compatibility,
    /// Fields as written in the source, read by the compile-time guard.
    pub fields: Vec<LockedField>,
    /// The struct's serde attributes, read by the compile-time guard.
    pub container: String,
    /// The event's JSON Schema (draft 2020-12).
    pub schema: Value,
}

/// One field of a locked event, as written in the source.
///
/// # Examples
///
/// ```
/// use event_runtime::compat::LockedField;
///
/// let field = LockedField { name: "email".into(), ty: "String".into(), optional: false, attrs: String::new() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedField {
    /// Field name.
    pub name: String,
    /// The type's tokens.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether a message may omit it.
    pub optional: bool,
    /// Its `#[serde(...)]` attributes.
    pub attrs: String,
}

/// One version of a service as locked.
///
/// # Examples
///
/// ```
/// # fn show(service: &event_runtime::compat::LockedService) {
/// for (name, endpoint) in &service.endpoints {
///     println!("{name} on {}", endpoint.subject);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockedService {
    /// Endpoints by name.
    pub endpoints: BTreeMap<String, LockedEndpoint>,
}

/// One endpoint of a locked service.
///
/// # Examples
///
/// ```
/// # fn show(endpoint: &event_runtime::compat::LockedEndpoint) {
/// println!("{}", endpoint.subject);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockedEndpoint {
    /// Subject.
    pub subject: String,
    /// Request schema.
    pub request: Value,
    /// Response schema.
    pub response: Value,
    /// Typed error schema, when the method has one.
    pub error: Option<Value>,
}

/// Why the lock file could not be read or written.
///
/// # Examples
///
/// ```
/// use event_runtime::compat::LockError;
///
/// let error = LockError::Invalid { path: "contracts.lock.json".into(), reason: "EOF".into() };
/// assert!(error.to_string().contains("contracts.lock.json"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Reading or writing the file failed.
    #[error("cannot access lock file {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid lock file.
    #[error("invalid lock file {}: {reason}; restore it from version control", path.display())]
    Invalid {
        /// The lock file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl Lock {
    /// Reads a lock file; a missing file is an empty lock.
    ///
    /// # Errors
    ///
    /// Returns [`LockError`] when the file exists but cannot be read or parsed.
    pub fn read(path: &Path) -> Result<Self, LockError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(source) => {
                return Err(LockError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        serde_json::from_str(&text).map_err(|error| LockError::Invalid {
            path: path.to_owned(),
            reason: error.to_string(),
        })
    }

    /// Writes the lock file with sorted keys, so that its diffs stay small.
    ///
    /// # Errors
    ///
    /// Returns [`LockError::Io`] when the file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), LockError> {
        let value = serde_json::to_value(self).map_err(|error| LockError::Invalid {
            path: path.to_owned(),
            reason: error.to_string(),
        })?;
        let mut text =
            serde_json::to_string_pretty(&crate::export::sort_keys(value)).map_err(|error| {
                LockError::Invalid {
                    path: path.to_owned(),
                    reason: error.to_string(),
                }
            })?;
        text.push('\n');
        std::fs::write(path, text).map_err(|source| LockError::Io {
            path: path.to_owned(),
            source,
        })
    }
}

/// What `check` found for one contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractReport {
    /// `event` or `service`.
    pub kind: &'static str,
    /// Contract name.
    pub name: String,
    /// Current version.
    pub version: String,
    /// The locked version compared with, if any.
    pub compared_with: Option<String>,
    /// The mode the changes were held to.
    pub required: String,
    /// Every change found.
    pub changes: Vec<Change>,
    /// Whether the contract passes.
    pub passed: bool,
    /// One sentence on the verdict.
    pub summary: String,
}

/// The result of checking a catalog against a lock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// One report per contract in the catalog or the lock.
    pub contracts: Vec<ContractReport>,
}

impl CheckReport {
    /// Returns whether every contract passes.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.contracts.iter().all(|contract| contract.passed)
    }
}

/// Checks `catalog` against `lock`.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::Catalog;
/// use event_runtime::compat::{Lock, check};
///
/// let report = check(&Catalog::new(), &Lock::default());
/// assert!(report.passed());
/// ```
#[must_use]
pub fn check(catalog: &Catalog, lock: &Lock) -> CheckReport {
    let mut contracts = Vec::new();
    for event in catalog.events() {
        contracts.push(check_event(event, lock.events.get(event.name)));
    }
    for service in catalog.services() {
        contracts.push(check_service(service, lock.services.get(service.name)));
    }
    for (name, versions) in &lock.events {
        if !catalog.events().iter().any(|event| event.name == name) {
            contracts.push(removed("event", name, versions.keys()));
        }
    }
    for (name, versions) in &lock.services {
        if !catalog
            .services()
            .iter()
            .any(|service| service.name == name)
        {
            contracts.push(removed("service", name, versions.keys()));
        }
    }
    CheckReport { contracts }
}

/// Checks `catalog` against `lock` and returns the lock updated with every current
/// contract, or the failing report.
///
/// # Errors
///
/// Returns the [`CheckReport`] when a contract fails the check: its changes need a version
/// bump, or it was removed.
pub fn update(catalog: &Catalog, lock: &Lock) -> Result<Lock, CheckReport> {
    let report = check(catalog, lock);
    if !report.passed() {
        return Err(report);
    }
    let mut updated = lock.clone();
    updated.format = FORMAT_VERSION;
    for event in catalog.events() {
        updated
            .events
            .entry(event.name.to_owned())
            .or_default()
            .insert(event.version.to_string(), locked_event(event));
    }
    for service in catalog.services() {
        updated
            .services
            .entry(service.name.to_owned())
            .or_default()
            .insert(service.version.to_owned(), locked_service(service));
    }
    Ok(updated)
}

/// Locks the contract of `event` as it is now.
#[must_use]
pub fn locked_event(event: &EventDescriptor) -> LockedEvent {
    LockedEvent {
        subject: event.subject_template.to_owned(),
        event_type: event.event_type.to_owned(),
        compatibility: event.compatibility,
        fields: event
            .fields
            .iter()
            .map(|field| LockedField {
                name: field.name.to_owned(),
                ty: field.ty.to_owned(),
                optional: field.optional,
                attrs: field.attrs.to_owned(),
            })
            .collect(),
        container: event.container_attrs.to_owned(),
        schema: standalone(event.schema, &[]),
    }
}

fn locked_service(service: &ServiceDefinition) -> LockedService {
    let endpoints = service
        .endpoints
        .iter()
        .map(|endpoint| (endpoint.name.to_owned(), locked_endpoint(endpoint)))
        .collect();
    LockedService { endpoints }
}

fn locked_endpoint(endpoint: &EndpointDefinition) -> LockedEndpoint {
    LockedEndpoint {
        subject: endpoint.subject.clone(),
        request: standalone(endpoint.request_schema, &[]),
        response: standalone(endpoint.response_schema, &[]),
        error: endpoint.error_schema.map(|schema| standalone(schema, &[])),
    }
}

fn removed<'a>(
    kind: &'static str,
    name: &str,
    versions: impl Iterator<Item = &'a String>,
) -> ContractReport {
    let versions: Vec<&String> = versions.collect();
    ContractReport {
        kind,
        name: name.to_owned(),
        version: String::new(),
        compared_with: versions.last().map(|v| (*v).clone()),
        required: "present".to_owned(),
        changes: Vec::new(),
        passed: false,
        summary: format!(
            "{kind} {name} is in the lock but no longer declared; consumers may still depend on it. \
             If the removal is intended, delete its entry from {LOCK_FILE}"
        ),
    }
}

fn routing_change(path: &str, rule: Rule, old: &str, new: &str) -> Option<Change> {
    (old != new).then(|| Change {
        path: path.to_owned(),
        rule,
        old: Value::from(old),
        new: Value::from(new),
        classification: Classification::Breaking,
    })
}

fn check_event(
    event: &EventDescriptor,
    locked: Option<&BTreeMap<String, LockedEvent>>,
) -> ContractReport {
    let current = locked_event(event);
    let mode = event.compatibility;
    let mut report = ContractReport {
        kind: "event",
        name: event.name.to_owned(),
        version: event.version.to_string(),
        compared_with: None,
        required: mode.to_string(),
        changes: Vec::new(),
        passed: true,
        summary: String::new(),
    };
    let Some(versions) = locked else {
        report.summary = "new event; `lock` records it".to_owned();
        return report;
    };
    let newest = versions.keys().filter_map(|v| v.parse::<u32>().ok()).max();
    let (compared, bumped) = match versions.get(&report.version) {
        Some(same) => (same, false),
        None => match newest {
            Some(newest) if newest > event.version => {
                report.passed = false;
                report.summary = format!(
                    "version {} is older than locked version {newest}; versions only go up",
                    event.version
                );
                return report;
            }
            Some(newest) => (&versions[&newest.to_string()], true),
            None => {
                report.summary = "new event; `lock` records it".to_owned();
                return report;
            }
        },
    };
    report.compared_with = versions
        .iter()
        .find(|(_, v)| *v == compared)
        .map(|(k, _)| k.clone());
    report.changes.extend(routing_change(
        "subject",
        Rule::SubjectChanged,
        &compared.subject,
        &current.subject,
    ));
    if !bumped {
        report.changes.extend(routing_change(
            "type",
            Rule::EventTypeChanged,
            &compared.event_type,
            &current.event_type,
        ));
    }
    report
        .changes
        .extend(diff(&compared.schema, &current.schema));
    let breaking: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| !c.classification.satisfies(mode))
        .collect();
    report.passed = bumped || breaking.is_empty();
    report.summary = match (bumped, breaking.len(), report.changes.len()) {
        (true, _, n) => format!(
            "version bumped; {} since version {}",
            counted(n, "change"),
            report.compared_with.clone().unwrap_or_default()
        ),
        (false, 0, 0) => "unchanged".to_owned(),
        (false, 0, n) if mode == Compatibility::None => {
            format!(
                "{}, not checked (compatibility \"none\")",
                counted(n, "change")
            )
        }
        (false, 0, n) => format!("{}, all {mode} compatible", counted(n, "change")),
        (false, n, _) => format!(
            "{} {mode} compatibility; bump the version to {}, or undo {}",
            if n == 1 {
                "1 change breaks".to_owned()
            } else {
                format!("{n} changes break")
            },
            event.version + 1,
            if n == 1 { "it" } else { "them" },
        ),
    };
    report
}

fn check_service(
    service: &ServiceDefinition,
    locked: Option<&BTreeMap<String, LockedService>>,
) -> ContractReport {
    let mut report = ContractReport {
        kind: "service",
        name: service.name.to_owned(),
        version: service.version.to_owned(),
        compared_with: None,
        required: service.compatibility.map_or_else(
            || "requests backward, responses and errors forward".to_owned(),
            |mode| mode.to_string(),
        ),
        changes: Vec::new(),
        passed: true,
        summary: String::new(),
    };
    let Some(versions) = locked else {
        report.summary = "new service; `lock` records it".to_owned();
        return report;
    };
    let current_version = semver::Version::parse(service.version).ok();
    let mut parsed: Vec<(semver::Version, &String)> = versions
        .keys()
        .filter_map(|k| semver::Version::parse(k).ok().map(|v| (v, k)))
        .collect();
    parsed.sort();
    let (compared_key, bumped_major) = match (versions.get(service.version), &current_version) {
        (Some(_), _) => (service.version.to_owned(), false),
        (None, Some(current)) => {
            let older: Vec<&(semver::Version, &String)> =
                parsed.iter().filter(|(v, _)| v < current).collect();
            if parsed.iter().any(|(v, _)| v > current) {
                report.passed = false;
                report.summary = format!(
                    "version {current} is older than a locked version; versions only go up"
                );
                return report;
            }
            match older.last() {
                Some((previous, key)) => ((*key).clone(), breaking_bump(previous, current)),
                None => {
                    report.summary = "new service; `lock` records it".to_owned();
                    return report;
                }
            }
        }
        (None, None) => {
            report.passed = false;
            report.summary = format!("version {} is not SemVer", service.version);
            return report;
        }
    };
    let compared = &versions[&compared_key];
    report.compared_with = Some(compared_key);
    let mut breaking = 0;
    for (name, old) in &compared.endpoints {
        let Some(endpoint) = service.endpoints.iter().find(|e| e.name == name) else {
            report.changes.push(Change {
                path: name.clone(),
                rule: Rule::EndpointRemoved,
                old: Value::from(old.subject.clone()),
                new: Value::Null,
                classification: Classification::Breaking,
            });
            breaking += 1;
            continue;
        };
        let new = locked_endpoint(endpoint);
        let mut endpoint_changes: Vec<(Change, Compatibility)> = Vec::new();
        let (request_mode, reply_mode) = service
            .compatibility
            .map_or((Compatibility::Backward, Compatibility::Forward), |mode| {
                (mode, mode)
            });
        endpoint_changes.extend(
            routing_change(
                &format!("{name} subject"),
                Rule::SubjectChanged,
                &old.subject,
                &new.subject,
            )
            .map(|c| (c, Compatibility::Full)),
        );
        for mut change in diff(&old.request, &new.request) {
            change.path = format!("{name} request {}", change.path);
            endpoint_changes.push((change, request_mode));
        }
        for mut change in diff(&old.response, &new.response) {
            change.path = format!("{name} response {}", change.path);
            endpoint_changes.push((change, reply_mode));
        }
        if let (Some(old_error), Some(new_error)) = (&old.error, &new.error) {
            for mut change in diff(old_error, new_error) {
                change.path = format!("{name} error {}", change.path);
                endpoint_changes.push((change, reply_mode));
            }
        }
        for (change, required) in endpoint_changes {
            if !change.classification.satisfies(required) {
                breaking += 1;
            }
            report.changes.push(change);
        }
    }
    report.passed = breaking == 0 || bumped_major;
    report.summary = match (breaking, bumped_major, report.changes.len()) {
        (_, true, n) => format!("major version bumped; {}", counted(n, "change")),
        (0, false, 0) => "unchanged".to_owned(),
        (0, false, n) => format!("{}, all safe for a rolling upgrade", counted(n, "change")),
        (n, false, _) => format!(
            "{} clients or servers in a rolling upgrade; raise the major version (minor for 0.x), or undo {}",
            if n == 1 {
                "1 change breaks".to_owned()
            } else {
                format!("{n} changes break")
            },
            if n == 1 { "it" } else { "them" },
        ),
    };
    report
}

/// Whether going from `previous` to `current` is a bump that may break: a higher major
/// version, or a higher minor version while the major is 0.
fn breaking_bump(previous: &semver::Version, current: &semver::Version) -> bool {
    current.major > previous.major
        || (current.major == 0 && previous.major == 0 && current.minor > previous.minor)
}
