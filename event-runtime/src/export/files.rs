//! The files of an export: schemas, the AsyncAPI document and the index, written to a
//! folder with stable bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::asyncapi::{DocumentInfo, asyncapi_document};
use super::schemas::{Dialect, sort_keys, standalone};
use crate::catalog::Catalog;
use crate::service::SchemaFn;

/// Name of the index file, which lists every other file of the export.
pub const INDEX_FILE: &str = "index.json";

/// Name of the AsyncAPI document.
pub const ASYNCAPI_FILE: &str = "asyncapi.json";

/// Why an export could not be written.
///
/// # Examples
///
/// ```
/// use event_runtime::export::ExportError;
///
/// let error = ExportError::Write { path: "out/index.json".into(), source: std::io::Error::other("disk full") };
/// assert_eq!(error.to_string(), "cannot write out/index.json: disk full");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Creating, writing or removing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The export path names something other than a folder, such as a file.
    #[error("cannot export to {}: it exists and is not a folder; pass a folder path", path.display())]
    NotAFolder {
        /// The path given as the export folder.
        path: PathBuf,
    },
}

/// The files of one export, by path relative to the export folder.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::Catalog;
/// use event_runtime::export::{DocumentInfo, Export};
///
/// let export = Export::new(&Catalog::new(), &DocumentInfo::new("Empty", "0.1.0"));
/// assert!(export.files().contains_key("asyncapi.json"));
/// assert!(export.files().contains_key("index.json"));
/// ```
#[derive(Debug, Clone)]
pub struct Export {
    files: BTreeMap<String, Value>,
}

impl Export {
    /// Builds every file for `catalog`.
    #[must_use]
    pub fn new(catalog: &Catalog, info: &DocumentInfo) -> Self {
        let mut files = BTreeMap::new();
        let mut events = Vec::new();
        for event in catalog.events() {
            let path = format!("schemas/events/{}.v{}.json", event.name, event.version);
            let wildcard = crate::wildcard_subject(event.subject_template).unwrap_or_default();
            let annotations = [
                ("title", json!(event.name)),
                ("x-event-type", json!(event.event_type)),
                ("x-subject", json!(event.subject_template)),
                ("x-version", json!(event.version)),
            ];
            files.insert(path.clone(), standalone(event.schema, &annotations));
            events.push(json!({
                "name": event.name,
                "version": event.version,
                "type": event.event_type,
                "subject": event.subject_template,
                "wildcard": wildcard,
                "schema": path,
            }));
        }
        let mut services = Vec::new();
        for service in catalog.services() {
            let mut endpoints = Vec::new();
            for endpoint in &service.endpoints {
                let base = format!("schemas/services/{}/{}", service.name, endpoint.name);
                let mut write = |kind: &str, title: &str, schema: SchemaFn| {
                    let path = format!("{base}.{kind}.json");
                    let annotations = [
                        ("title", json!(title)),
                        ("x-service", json!(service.name)),
                        ("x-service-version", json!(service.version)),
                        ("x-endpoint", json!(endpoint.name)),
                        ("x-subject", json!(endpoint.subject)),
                    ];
                    files.insert(path.clone(), standalone(schema, &annotations));
                    path
                };
                let request = write("request", &endpoint.request_type, endpoint.request_schema);
                let response = write(
                    "response",
                    &endpoint.response_type,
                    endpoint.response_schema,
                );
                let error = endpoint
                    .error_schema
                    .zip(endpoint.error_type.as_deref())
                    .map(|(schema, title)| write("error", title, schema));
                endpoints.push(json!({
                    "name": endpoint.name,
                    "subject": endpoint.subject,
                    "queue_group": endpoint.queue_group,
                    "request": request,
                    "response": response,
                    "error": error,
                }));
            }
            services.push(json!({
                "name": service.name,
                "version": service.version,
                "description": service.description,
                "endpoints": endpoints,
            }));
        }
        files.insert(ASYNCAPI_FILE.to_owned(), asyncapi_document(catalog, info));
        let index = json!({
            "asyncapi": ASYNCAPI_FILE,
            "dialects": {
                "schemas": Dialect::Draft2020_12.meta_schema(),
                "asyncapi": format!("{} (definitions under #/components/schemas/)", Dialect::Draft07.meta_schema()),
            },
            "events": events,
            "services": services,
        });
        files.insert(INDEX_FILE.to_owned(), sort_keys(index));
        Self { files }
    }

    /// Returns the files by relative path.
    #[must_use]
    pub fn files(&self) -> &BTreeMap<String, Value> {
        &self.files
    }

    /// Writes every file under `dir`, as pretty-printed JSON ending in a newline.
    ///
    /// The files an earlier export listed in its index are removed first, so a contract that
    /// no longer exists leaves no stale schema; other files in `dir` are kept.
    ///
    /// # Errors
    ///
    /// Returns [`ExportError::NotAFolder`] when `dir` exists and is not a folder, and
    /// [`ExportError::Write`] naming the file that could not be written or removed.
    pub fn write_to(&self, dir: &Path) -> Result<(), ExportError> {
        if dir.exists() && !dir.is_dir() {
            return Err(ExportError::NotAFolder {
                path: dir.to_owned(),
            });
        }
        remove_previous(dir)?;
        for (relative, value) in &self.files {
            let path = dir.join(relative);
            let write_error = |source| ExportError::Write {
                path: path.clone(),
                source,
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(write_error)?;
            }
            let mut text = serde_json::to_string_pretty(value)
                .map_err(|error| write_error(std::io::Error::other(error)))?;
            text.push('\n');
            std::fs::write(&path, text).map_err(write_error)?;
        }
        Ok(())
    }
}

/// Removes the files listed in an existing index under `dir`.
fn remove_previous(dir: &Path) -> Result<(), ExportError> {
    let Ok(text) = std::fs::read_to_string(dir.join(INDEX_FILE)) else {
        return Ok(());
    };
    let Ok(index) = serde_json::from_str::<Value>(&text) else {
        return Ok(());
    };
    let mut listed = vec![ASYNCAPI_FILE.to_owned(), INDEX_FILE.to_owned()];
    let paths =
        |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    for event in index["events"].as_array().into_iter().flatten() {
        listed.extend(paths(event, "schema"));
    }
    for service in index["services"].as_array().into_iter().flatten() {
        for endpoint in service["endpoints"].as_array().into_iter().flatten() {
            for key in ["request", "response", "error"] {
                listed.extend(paths(endpoint, key));
            }
        }
    }
    for relative in listed {
        // Only paths inside the export folder: an index is input, not to be trusted.
        if relative
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            continue;
        }
        let path = dir.join(&relative);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ExportError::Write { path, source }),
        }
    }
    Ok(())
}
