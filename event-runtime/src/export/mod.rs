//! Export of a catalog as files other languages can use.
//!
//! | file | content | dialect |
//! |---|---|---|
//! | `schemas/events/{Name}.v{N}.json` | an event's JSON (the `data` of its envelope) | JSON Schema 2020-12 |
//! | `schemas/services/{service}/{endpoint}.{request,response,error}.json` | a service endpoint's messages | JSON Schema 2020-12 |
//! | `asyncapi.json` | channels, operations and messages of every event and endpoint | AsyncAPI 3.0, schemas in draft-07 |
//! | `index.json` | the list of everything above | |
//!
//! Output is deterministic: keys are sorted and two exports of the same catalog are
//! byte-identical.
//!
//! Schemas describe what the serializer writes. Integers are exact JSON numbers, including
//! `u64` and `i128` values beyond 2^53, and keep their `format` (`uint64`, `int128`).
//! JavaScript's `JSON.parse` rounds such values, so consumers in JavaScript need a
//! big-number-aware parser for those fields, or the contract should carry them as strings.
//!
//! # Examples
//!
//! ```no_run
//! use event_runtime::catalog::Catalog;
//! use event_runtime::export::{DocumentInfo, Export};
//!
//! let catalog = Catalog::registered_in("contracts");
//! let info = DocumentInfo::new("Academy", "1.0.0").server("local", "127.0.0.1:4222");
//! Export::new(&catalog, &info).write_to("target/contracts".as_ref())?;
//! # Ok::<(), event_runtime::export::ExportError>(())
//! ```

mod asyncapi;
mod files;
mod flatten;
mod schemas;

pub use asyncapi::{DocumentInfo, asyncapi_document};
pub use files::{ASYNCAPI_FILE, Export, ExportError, INDEX_FILE};
pub use flatten::fix_flattened_options;
pub use schemas::{Dialect, generator, sort_keys, standalone};
