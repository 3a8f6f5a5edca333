//! A fix for schemars' schema of a flattened `Option` of an enum.
//!
//! schemars 1.2 writes `#[serde(flatten)] payment: Option<Payment>` as
//! `"anyOf": [<the enum's variants>, {}]` on the containing object. The empty schema stands
//! for `None`, but it accepts anything, so an object with an unknown tag (`"kind": "cash"`)
//! validates although the serializer can never write it. When the value is `None` the
//! serializer writes none of the enum's properties, so [`fix_flattened_options`] replaces the
//! empty schema with one that forbids each property the enum's variants define.

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// Rewrites every flattened-`Option` `anyOf` in `document`; references are resolved within
/// `document`, so pass a whole schema document (with its `$defs` or `components`).
///
/// # Examples
///
/// ```
/// use event_runtime::export::fix_flattened_options;
/// use event_runtime::serde_json::json;
///
/// let mut schema = json!({
///     "type": "object",
///     "anyOf": [{ "oneOf": [{ "properties": { "kind": { "const": "free" } } }] }, {}],
/// });
/// fix_flattened_options(&mut schema);
/// assert_eq!(schema["anyOf"][1], json!({ "not": { "anyOf": [{ "required": ["kind"] }] } }));
/// ```
pub fn fix_flattened_options(document: &mut Value) {
    let mut fixes = Vec::new();
    collect_fixes(document, document, "", &mut fixes);
    for (pointer, replacement) in fixes {
        if let Some(slot) = document.pointer_mut(&pointer) {
            *slot = replacement;
        }
    }
}

/// Finds each `anyOf: [variants, {}]` on an object schema and computes the schema that
/// replaces its `{}`, keyed by JSON pointer.
fn collect_fixes(root: &Value, node: &Value, pointer: &str, fixes: &mut Vec<(String, Value)>) {
    match node {
        Value::Object(map) => {
            let is_object_schema = map.contains_key("properties")
                || map.get("type").and_then(Value::as_str) == Some("object");
            if is_object_schema
                && let Some(Value::Array(branches)) = map.get("anyOf")
                && branches.len() == 2
                && let Some(empty) = branches.iter().position(is_empty_schema)
            {
                let variants = &branches[1 - empty];
                let mut properties = BTreeSet::new();
                variant_properties(root, variants, &mut properties, 0);
                if !properties.is_empty() {
                    let forbidden: Vec<Value> = properties
                        .into_iter()
                        .map(|name| json!({ "required": [name] }))
                        .collect();
                    fixes.push((
                        format!("{pointer}/anyOf/{empty}"),
                        json!({ "not": { "anyOf": forbidden } }),
                    ));
                }
            }
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                collect_fixes(root, child, &format!("{pointer}/{escaped}"), fixes);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_fixes(root, child, &format!("{pointer}/{index}"), fixes);
            }
        }
        _ => {}
    }
}

fn is_empty_schema(schema: &Value) -> bool {
    schema.as_object().is_some_and(serde_json::Map::is_empty) || *schema == Value::Bool(true)
}

/// Collects the property names that any variant of `schema` defines, following references
/// and `oneOf`, `anyOf` and `allOf`. `depth` stops reference cycles.
fn variant_properties(root: &Value, schema: &Value, names: &mut BTreeSet<String>, depth: usize) {
    const MAX_DEPTH: usize = 16;
    if depth > MAX_DEPTH {
        return;
    }
    let Some(map) = schema.as_object() else {
        return;
    };
    if let Some(target) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
    {
        variant_properties(root, target, names, depth + 1);
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        names.extend(properties.keys().cloned());
    }
    for keyword in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(branches)) = map.get(keyword) {
            for branch in branches {
                variant_properties(root, branch, names, depth + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_branch_becomes_absence_of_variant_properties() {
        let mut document = json!({
            "type": "object",
            "properties": { "id": { "type": "string" } },
            "anyOf": [{ "$ref": "#/$defs/Payment" }, {}],
            "$defs": {
                "Payment": { "oneOf": [
                    { "properties": { "kind": { "const": "free" } } },
                    { "properties": { "kind": { "const": "card" }, "last4": {} } },
                ] }
            }
        });
        fix_flattened_options(&mut document);
        assert_eq!(
            document["anyOf"][1],
            json!({ "not": { "anyOf": [{ "required": ["kind"] }, { "required": ["last4"] }] } })
        );
    }

    #[test]
    fn other_any_of_is_left_alone() {
        let original = json!({ "anyOf": [{ "type": "string" }, {}] });
        let mut document = original.clone();
        fix_flattened_options(&mut document);
        assert_eq!(document, original);
    }
}
