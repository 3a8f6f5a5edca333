//! JSON Schema generation for exported contracts, in the dialect each consumer accepts.
//!
//! Schemas describe what the serializer emits (schemars' serialize contract): a field that
//! `skip_serializing_if` may leave out is optional, and a field that is always written is
//! required even when the deserializer would accept it missing.
//!
//! NOTE: a field skipped when `None` (`skip_serializing_if = "Option::is_none"`) keeps its
//! nullable type, so its schema also accepts `null`, which the serializer never writes;
//! schemars does not expose the predicate, so the generator cannot tell this case apart.

use schemars::generate::{Contract, SchemaSettings};
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value};

use super::flatten::fix_flattened_options;

/// The JSON Schema dialect of an exported schema.
///
/// # Examples
///
/// ```
/// use event_runtime::export::Dialect;
///
/// assert_eq!(Dialect::Draft07.meta_schema(), "http://json-schema.org/draft-07/schema#");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Draft 2020-12, with definitions under `$defs`: the standalone schema files.
    Draft2020_12,
    /// Draft-07, with definitions under `#/components/schemas/`: inside the AsyncAPI
    /// document, whose default schema format is a superset of draft-07.
    Draft07,
}

impl Dialect {
    /// Returns the `$schema` URI of the dialect.
    #[must_use]
    pub fn meta_schema(self) -> &'static str {
        match self {
            Self::Draft2020_12 => "https://json-schema.org/draft/2020-12/schema",
            Self::Draft07 => "http://json-schema.org/draft-07/schema#",
        }
    }
}

/// Returns a generator for `dialect` with the serialize contract and the fixes below.
#[must_use]
pub fn generator(dialect: Dialect) -> SchemaGenerator {
    let settings = match dialect {
        Dialect::Draft2020_12 => SchemaSettings::draft2020_12(),
        Dialect::Draft07 => SchemaSettings::draft07().with(|settings| {
            settings.definitions_path = "#/components/schemas/".into();
        }),
    };
    settings
        .with(|settings| settings.contract = Contract::Serialize)
        .into_generator()
}

/// Builds a standalone schema document for a type: its own schema at the root, the schemas
/// it refers to under `$defs`, and `annotations` (such as `x-subject`) at the root.
#[must_use]
pub fn standalone(
    write_schema: fn(&mut SchemaGenerator) -> Schema,
    annotations: &[(&str, Value)],
) -> Value {
    let mut generator = generator(Dialect::Draft2020_12);
    let reference = write_schema(&mut generator);
    let definitions = generator.take_definitions(true);
    let mut root = match reference.get("$ref").and_then(Value::as_str) {
        // A named type: its definition becomes the root, and stays in `$defs` so that
        // recursive references to it still resolve.
        Some(path) => path
            .strip_prefix("#/$defs/")
            .and_then(|name| definitions.get(name))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        None => reference.as_object().cloned().unwrap_or_default(),
    };
    root.insert(
        "$schema".to_owned(),
        Dialect::Draft2020_12.meta_schema().into(),
    );
    if !definitions.is_empty() {
        root.insert("$defs".to_owned(), Value::Object(definitions));
    }
    for (key, value) in annotations {
        root.insert((*key).to_owned(), value.clone());
    }
    let mut document = Value::Object(root);
    fix_flattened_options(&mut document);
    sort_keys(document)
}

/// Returns `value` with every object's keys in sorted order, so that output is the same
/// whichever map type `serde_json` was built with.
#[must_use]
pub fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}
