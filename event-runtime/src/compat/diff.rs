//! The schema walk: compares an old and a new JSON Schema of one message and lists every
//! change with its rule and classification.
//!
//! Both schemas are read as schemars writes them: `$ref` into `$defs`, `definitions` or
//! `components/schemas` (resolved within each schema's own document), tagged enums as
//! `oneOf`, nullable values as `type: [T, "null"]` or as an `anyOf`/`oneOf` with a null
//! branch (both spellings are the same thing to the checker).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Map, Value, json};

use super::change::{Change, Classification, Rule};
use super::formats::{format_change, is_lower_bound};

/// Compares two schemas of one message and returns every change, in walk order.
///
/// # Examples
///
/// ```
/// use event_runtime::compat::{Classification, diff};
/// use event_runtime::serde_json::json;
///
/// let old = json!({"type": "object", "properties": {"a": {"type": "string"}}});
/// let new = json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}});
/// let changes = diff(&old, &new);
/// assert_eq!(changes.len(), 1);
/// assert_eq!(changes[0].classification, Classification::Full);
/// ```
#[must_use]
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut walk = Walk {
        old_root: old,
        new_root: new,
        visited: HashSet::new(),
        changes: Vec::new(),
    };
    walk.compare(old, new, "", true);
    walk.changes
}

/// Returns what all `changes` keep together; `Full` when there are none.
#[must_use]
pub fn overall(changes: &[Change]) -> Classification {
    changes.iter().fold(Classification::Full, |all, change| {
        all.and(change.classification)
    })
}

struct Walk<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    /// Pairs of references already compared, so that recursive types end.
    visited: HashSet<(String, String)>,
    changes: Vec<Change>,
}

/// A schema with its nullability split off and its variants listed.
struct Shape<'a> {
    schema: &'a Map<String, Value>,
    nullable: bool,
    types: BTreeSet<String>,
    /// Branches of `oneOf` or `anyOf` other than the null branch.
    variants: Vec<&'a Value>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Walk<'a> {
    fn push(
        &mut self,
        path: &str,
        rule: Rule,
        old: Value,
        new: Value,
        classification: Classification,
    ) {
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        };
        self.changes.push(Change {
            path,
            rule,
            old,
            new,
            classification,
        });
    }

    /// Follows `$ref` chains within `root`.
    fn resolve(root: &'a Value, mut schema: &'a Value) -> (&'a Value, Option<String>) {
        let mut reference = None;
        for _ in 0..32 {
            let Some(target) = schema
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|r| r.starts_with('#'))
            else {
                break;
            };
            match root.pointer(&target[1..]) {
                Some(resolved) => {
                    reference = Some(target.to_owned());
                    schema = resolved;
                }
                None => break,
            }
        }
        (schema, reference)
    }

    fn shape(root: &'a Value, schema: &'a Value) -> Shape<'a> {
        let (schema, _) = Self::resolve(root, schema);
        let map = schema.as_object().unwrap_or(&EMPTY);
        let mut types: BTreeSet<String> = match map.get("type") {
            Some(Value::String(name)) => BTreeSet::from([name.clone()]),
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => BTreeSet::new(),
        };
        let mut nullable = types.remove("null");
        let mut variants = Vec::new();
        for keyword in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = map.get(keyword) {
                for branch in branches {
                    let (resolved, _) = Self::resolve(root, branch);
                    if resolved.get("type").and_then(Value::as_str) == Some("null") {
                        nullable = true;
                    } else {
                        variants.push(branch);
                    }
                }
            }
        }
        if map.get("const") == Some(&Value::Null) {
            nullable = true;
        }
        Shape {
            schema: map,
            nullable,
            types,
            variants,
        }
    }

    /// Compares two schemas at `path`. `with_nullability` is false when a caller already
    /// compared the nullability of a wrapper around these schemas.
    fn compare(&mut self, old: &'a Value, new: &'a Value, path: &str, with_nullability: bool) {
        let (_, old_ref) = Self::resolve(self.old_root, old);
        let (_, new_ref) = Self::resolve(self.new_root, new);
        if let (Some(a), Some(b)) = (&old_ref, &new_ref)
            && !self.visited.insert((a.clone(), b.clone()))
        {
            return;
        }
        let old_shape = Self::shape(self.old_root, old);
        let new_shape = Self::shape(self.new_root, new);
        match (old_shape.nullable, new_shape.nullable) {
            _ if !with_nullability => {}
            (false, true) => self.push(
                path,
                Rule::NullableAdded,
                json!(false),
                json!(true),
                Classification::Backward,
            ),
            (true, false) => self.push(
                path,
                Rule::NullableRemoved,
                json!(true),
                json!(false),
                Classification::Forward,
            ),
            _ => {}
        }
        // A nullable wrapper around one variant (`anyOf: [X, null]`) is X itself.
        if old_shape.variants.len() == 1
            && new_shape.variants.len() == 1
            && old_shape.types.is_empty()
            && new_shape.types.is_empty()
        {
            return self.compare(old_shape.variants[0], new_shape.variants[0], path, false);
        }
        if old_shape.variants.len() == 1
            && new_shape.variants.is_empty()
            && old_shape.types.is_empty()
        {
            return self.compare(old_shape.variants[0], new, path, false);
        }
        if new_shape.variants.len() == 1
            && old_shape.variants.is_empty()
            && new_shape.types.is_empty()
        {
            return self.compare(old, new_shape.variants[0], path, false);
        }
        if !old_shape.variants.is_empty() || !new_shape.variants.is_empty() {
            self.compare_variants(&old_shape, &new_shape, path);
        }
        self.compare_types(&old_shape, &new_shape, path);
        self.compare_values(&old_shape, &new_shape, path);
        self.compare_bounds(&old_shape, &new_shape, path);
        if old_shape.types.contains("object")
            || new_shape.types.contains("object")
            || old_shape.schema.contains_key("properties")
            || new_shape.schema.contains_key("properties")
        {
            self.compare_objects(&old_shape, &new_shape, path);
        }
        if old_shape.types.contains("array") && new_shape.types.contains("array") {
            self.compare_arrays(&old_shape, &new_shape, path);
        }
        if let (Some(Value::Array(a)), Some(Value::Array(b))) =
            (old_shape.schema.get("allOf"), new_shape.schema.get("allOf"))
        {
            for (old_branch, new_branch) in a.iter().zip(b) {
                self.compare(old_branch, new_branch, path, true);
            }
        }
    }

    fn compare_types(&mut self, old: &Shape<'a>, new: &Shape<'a>, path: &str) {
        if old.types.is_empty() || new.types.is_empty() || old.types == new.types {
            return;
        }
        let widen = |types: &BTreeSet<String>| -> BTreeSet<String> {
            let mut widened = types.clone();
            if widened.contains("number") {
                widened.insert("integer".to_owned());
            }
            widened
        };
        let old_accepts = widen(&old.types);
        let new_accepts = widen(&new.types);
        let (rule, classification) = if new_accepts.is_superset(&old_accepts) {
            let integer_to_number = old.types.contains("integer") && new.types.contains("number");
            (
                if integer_to_number {
                    Rule::TypeWidened
                } else {
                    Rule::TypeChanged
                },
                Classification::Backward,
            )
        } else if old_accepts.is_superset(&new_accepts) {
            let number_to_integer = old.types.contains("number") && new.types.contains("integer");
            (
                if number_to_integer {
                    Rule::TypeNarrowed
                } else {
                    Rule::TypeChanged
                },
                Classification::Forward,
            )
        } else {
            (Rule::TypeChanged, Classification::Breaking)
        };
        self.push(
            path,
            rule,
            types_value(&old.types),
            types_value(&new.types),
            classification,
        );
    }

    fn compare_values(&mut self, old: &Shape<'a>, new: &Shape<'a>, path: &str) {
        let old_const = old.schema.get("const");
        let new_const = new.schema.get("const");
        if old_const.is_some() && new_const.is_some() && old_const != new_const {
            self.push(
                path,
                Rule::ConstChanged,
                old_const.cloned().unwrap_or_default(),
                new_const.cloned().unwrap_or_default(),
                Classification::Breaking,
            );
        }
        let values = |shape: &Shape<'_>| -> Option<Vec<Value>> {
            shape
                .schema
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| values.iter().filter(|v| !v.is_null()).cloned().collect())
        };
        if let (Some(old_values), Some(new_values)) = (values(old), values(new)) {
            for value in new_values.iter().filter(|v| !old_values.contains(v)) {
                self.push(
                    path,
                    Rule::EnumValueAdded,
                    Value::Null,
                    value.clone(),
                    Classification::Backward,
                );
            }
            for value in old_values.iter().filter(|v| !new_values.contains(v)) {
                self.push(
                    path,
                    Rule::EnumValueRemoved,
                    value.clone(),
                    Value::Null,
                    Classification::Forward,
                );
            }
        }
        if let Some(change) = format_change(old.schema.get("format"), new.schema.get("format")) {
            self.push(
                path,
                Rule::FormatChanged,
                old.schema.get("format").cloned().unwrap_or_default(),
                new.schema.get("format").cloned().unwrap_or_default(),
                change,
            );
        }
        let old_pattern = old.schema.get("pattern");
        let new_pattern = new.schema.get("pattern");
        if old_pattern != new_pattern {
            let classification = match (old_pattern, new_pattern) {
                (None, Some(_)) => Classification::Forward,
                (Some(_), None) => Classification::Backward,
                _ => Classification::Breaking,
            };
            self.push(
                path,
                Rule::PatternChanged,
                old_pattern.cloned().unwrap_or_default(),
                new_pattern.cloned().unwrap_or_default(),
                classification,
            );
        }
    }

    fn compare_bounds(&mut self, old: &Shape<'a>, new: &Shape<'a>, path: &str) {
        const BOUNDS: [&str; 10] = [
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
        ];
        for bound in BOUNDS {
            let old_value = old.schema.get(bound).and_then(Value::as_f64);
            let new_value = new.schema.get(bound).and_then(Value::as_f64);
            let tightened = match (old_value, new_value) {
                (None, None) => continue,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) if (a - b).abs() < f64::EPSILON => continue,
                (Some(a), Some(b)) => (b > a) == is_lower_bound(bound),
            };
            let (rule, classification) = if tightened {
                (Rule::BoundTightened, Classification::Forward)
            } else {
                (Rule::BoundLoosened, Classification::Backward)
            };
            let at = format!("{path}#{bound}");
            self.push(
                &at,
                rule,
                old.schema.get(bound).cloned().unwrap_or_default(),
                new.schema.get(bound).cloned().unwrap_or_default(),
                classification,
            );
        }
    }

    fn compare_objects(&mut self, old: &Shape<'a>, new: &Shape<'a>, path: &str) {
        let properties = |shape: &Shape<'a>| -> BTreeMap<String, &'a Value> {
            shape
                .schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v)).collect())
                .unwrap_or_default()
        };
        let required = |shape: &Shape<'a>| -> BTreeSet<String> {
            shape
                .schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (old_properties, new_properties) = (properties(old), properties(new));
        let (old_required, new_required) = (required(old), required(new));
        let old_open = allows_unknown(old.schema);
        let new_open = allows_unknown(new.schema);

        let added: Vec<&String> = new_properties
            .keys()
            .filter(|k| !old_properties.contains_key(*k))
            .collect();
        let removed: Vec<&String> = old_properties
            .keys()
            .filter(|k| !new_properties.contains_key(*k))
            .collect();
        let mut renamed = BTreeSet::new();
        for old_name in &removed {
            let twin = added.iter().find(|new_name| {
                !renamed.contains(**new_name)
                    && Self::resolve(self.old_root, old_properties[*old_name]).0
                        == Self::resolve(self.new_root, new_properties[**new_name]).0
            });
            if let Some(new_name) = twin {
                renamed.insert((*new_name).clone());
                renamed.insert((*old_name).clone());
                let removal = removal_classification(old_required.contains(*old_name), new_open);
                let addition = addition_classification(new_required.contains(*new_name), old_open);
                self.push(
                    &format!("{path}/{}", escape(old_name)),
                    Rule::FieldRenamed,
                    json!(old_name),
                    json!(new_name),
                    removal.and(addition),
                );
            }
        }
        for name in added.into_iter().filter(|name| !renamed.contains(*name)) {
            let is_required = new_required.contains(name);
            let rule = if is_required {
                Rule::FieldAddedRequired
            } else {
                Rule::FieldAddedOptional
            };
            self.push(
                &format!("{path}/{}", escape(name)),
                rule,
                Value::Null,
                new_properties[name].clone(),
                addition_classification(is_required, old_open),
            );
        }
        for name in removed.into_iter().filter(|name| !renamed.contains(*name)) {
            let was_required = old_required.contains(name);
            let rule = if was_required {
                Rule::FieldRemovedRequired
            } else {
                Rule::FieldRemovedOptional
            };
            self.push(
                &format!("{path}/{}", escape(name)),
                rule,
                old_properties[name].clone(),
                Value::Null,
                removal_classification(was_required, new_open),
            );
        }
        for (name, old_schema) in &old_properties {
            let Some(new_schema) = new_properties.get(name) else {
                continue;
            };
            let field_path = format!("{path}/{}", escape(name));
            match (old_required.contains(name), new_required.contains(name)) {
                (false, true) => self.push(
                    &field_path,
                    Rule::FieldMadeRequired,
                    json!(false),
                    json!(true),
                    Classification::Forward,
                ),
                (true, false) => self.push(
                    &field_path,
                    Rule::FieldMadeOptional,
                    json!(true),
                    json!(false),
                    Classification::Backward,
                ),
                _ => {}
            }
            self.compare(old_schema, new_schema, &field_path, true);
        }
        match (
            old.schema.get("additionalProperties"),
            new.schema.get("additionalProperties"),
        ) {
            (Some(old_values @ Value::Object(_)), Some(new_values @ Value::Object(_))) => {
                self.compare(old_values, new_values, &format!("{path}/*"), true);
            }
            _ if old_open && !new_open => self.push(
                path,
                Rule::AdditionalPropertiesTightened,
                json!(true),
                json!(false),
                Classification::Forward,
            ),
            _ if !old_open && new_open => self.push(
                path,
                Rule::AdditionalPropertiesLoosened,
                json!(false),
                json!(true),
                Classification::Backward,
            ),
            _ => {}
        }
    }

    fn compare_arrays(&mut self, old: &Shape<'a>, new: &Shape<'a>, path: &str) {
        if let (Some(old_items), Some(new_items)) =
            (old.schema.get("items"), new.schema.get("items"))
            && old_items.is_object()
            && new_items.is_object()
        {
            self.compare(old_items, new_items, &format!("{path}/[]"), true);
        }
        if let (Some(Value::Array(a)), Some(Value::Array(b))) =
            (old.schema.get("prefixItems"), new.schema.get("prefixItems"))
        {
            for (index, (old_item, new_item)) in a.iter().zip(b).enumerate() {
                self.compare(old_item, new_item, &format!("{path}/[{index}]"), true);
            }
        }
    }

    fn compare_variants(&mut self, old: &Shape<'a>, new: &Shape<'a>, path: &str) {
        let old_keys = variant_keys(self.old_root, &old.variants);
        let new_keys = variant_keys(self.new_root, &new.variants);
        // A branch that accepts anything, such as `#[serde(untagged)] Other(Value)`, lets
        // old readers take a new variant, so adding one keeps full compatibility.
        // NOTE: schemars writes a `#[serde(other)]` unit variant like any other variant, so
        // that catch-all cannot be seen in the schema, and adding a variant next to it is
        // still reported as backward only.
        let old_catch_all = old
            .variants
            .iter()
            .any(|branch| is_catch_all(self.old_root, branch));
        let added = if old_catch_all {
            Classification::Full
        } else {
            Classification::Backward
        };
        for (key, new_variant) in &new_keys {
            match old_keys.iter().find(|(old_key, _)| old_key == key) {
                Some((_, old_variant)) => self.compare(
                    old_variant,
                    new_variant,
                    &format!("{path}/oneOf[{key}]"),
                    true,
                ),
                None => self.push(
                    &format!("{path}/oneOf[{key}]"),
                    Rule::VariantAdded,
                    Value::Null,
                    (*new_variant).clone(),
                    added,
                ),
            }
        }
        for (key, old_variant) in &old_keys {
            if !new_keys.iter().any(|(new_key, _)| new_key == key) {
                self.push(
                    &format!("{path}/oneOf[{key}]"),
                    Rule::VariantRemoved,
                    (*old_variant).clone(),
                    Value::Null,
                    Classification::Forward,
                );
            }
        }
    }
}

/// Returns whether a union branch accepts any value: `true`, `{}`, or a schema with no
/// constraint.
fn is_catch_all(root: &Value, branch: &Value) -> bool {
    let (resolved, _) = Walk::resolve(root, branch);
    match resolved {
        Value::Bool(true) => true,
        Value::Object(map) => map.keys().all(|key| {
            matches!(
                key.as_str(),
                "title" | "description" | "default" | "examples"
            )
        }),
        _ => false,
    }
}

/// Names each variant by its tag: the `const` of a property (internally or adjacently tagged,
/// `kind=card`), its own `const` or single `enum` value (a unit variant), or its single
/// required property (externally tagged); otherwise by position.
fn variant_keys<'a>(root: &'a Value, variants: &[&'a Value]) -> Vec<(String, &'a Value)> {
    variants
        .iter()
        .enumerate()
        .map(|(index, variant)| {
            let (resolved, _) = Walk::resolve(root, variant);
            let key = variant_tag(resolved).unwrap_or_else(|| index.to_string());
            (key, *variant)
        })
        .collect()
}

fn variant_tag(variant: &Value) -> Option<String> {
    if let Some(value) = variant.get("const") {
        return Some(display(value));
    }
    if let Some(Value::Array(values)) = variant.get("enum")
        && let [value] = values.as_slice()
    {
        return Some(display(value));
    }
    let properties = variant.get("properties").and_then(Value::as_object)?;
    let mut tags: Vec<String> = properties
        .iter()
        .filter_map(|(name, schema)| {
            schema
                .get("const")
                .map(|value| format!("{name}={}", display(value)))
        })
        .collect();
    tags.sort();
    if !tags.is_empty() {
        return Some(tags.join(","));
    }
    match variant
        .get("required")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([Value::String(name)]) if properties.len() == 1 => Some(name.clone()),
        _ => None,
    }
}

fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Whether an object schema accepts properties it does not list; schemars writes
/// `additionalProperties: false` only for `deny_unknown_fields`.
fn allows_unknown(schema: &Map<String, Value>) -> bool {
    !matches!(schema.get("additionalProperties"), Some(Value::Bool(false)))
        && !matches!(
            schema.get("unevaluatedProperties"),
            Some(Value::Bool(false))
        )
}

/// A new field: old readers see it as unknown; new readers miss it in old messages when it
/// is required.
fn addition_classification(required: bool, old_allows_unknown: bool) -> Classification {
    match (required, old_allows_unknown) {
        (false, true) => Classification::Full,
        (false, false) => Classification::Backward,
        (true, true) => Classification::Forward,
        (true, false) => Classification::Breaking,
    }
}

/// A removed field: old readers miss it in new messages when it was required; new readers
/// see it as unknown in old messages.
fn removal_classification(required: bool, new_allows_unknown: bool) -> Classification {
    match (required, new_allows_unknown) {
        (false, true) => Classification::Full,
        (false, false) => Classification::Forward,
        (true, true) => Classification::Backward,
        (true, false) => Classification::Breaking,
    }
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn types_value(types: &BTreeSet<String>) -> Value {
    match types.len() {
        1 => json!(types.iter().next()),
        _ => json!(types),
    }
}
