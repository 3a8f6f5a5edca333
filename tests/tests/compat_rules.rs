//! The compatibility checker, rule by rule: each case is a schema before and after a change,
//! in the shape schemars writes, with the changes the checker must report.

use event_runtime::compat::{Classification, Rule, diff};
use event_runtime::export::standalone;
use event_runtime::schemars::{JsonSchema, Schema, SchemaGenerator};
use event_runtime::serde_json::{Value, json};
use event_runtime::{schemars, serde};

use Classification::{Backward, Breaking, Forward, Full};

fn object(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required })
}

struct Case {
    name: &'static str,
    old: Value,
    new: Value,
    expected: Vec<(&'static str, Rule, Classification)>,
}

fn cases() -> Vec<Case> {
    let id = json!({ "type": "string" });
    let base = object(
        json!({ "id": id, "note": { "type": ["string", "null"] } }),
        &["id"],
    );
    let closed = |mut schema: Value| {
        schema["additionalProperties"] = json!(false);
        schema
    };
    let payment = |variants: Value| {
        json!({
            "type": "object",
            "properties": { "id": id, "payment": { "$ref": "#/$defs/Payment" } },
            "required": ["id", "payment"],
            "$defs": { "Payment": { "oneOf": variants } },
        })
    };
    let free = json!({ "type": "object", "properties": { "kind": { "type": "string", "const": "free" } }, "required": ["kind"] });
    let card = |last4: Value| json!({ "type": "object", "properties": { "kind": { "type": "string", "const": "card" }, "last4": last4 }, "required": ["kind", "last4"] });
    vec![
        Case {
            name: "identical schemas",
            old: base.clone(),
            new: base.clone(),
            expected: vec![],
        },
        Case {
            name: "add an optional field",
            old: base.clone(),
            new: object(
                json!({ "id": id, "note": { "type": ["string", "null"] }, "age": { "type": ["integer", "null"] } }),
                &["id"],
            ),
            expected: vec![("/age", Rule::FieldAddedOptional, Full)],
        },
        Case {
            name: "add an optional field to a closed object",
            old: closed(base.clone()),
            new: closed(object(
                json!({ "id": id, "note": { "type": ["string", "null"] }, "age": { "type": "integer" } }),
                &["id"],
            )),
            expected: vec![("/age", Rule::FieldAddedOptional, Backward)],
        },
        Case {
            name: "add a required field",
            old: base.clone(),
            new: object(
                json!({ "id": id, "note": { "type": ["string", "null"] }, "email": id }),
                &["id", "email"],
            ),
            expected: vec![("/email", Rule::FieldAddedRequired, Forward)],
        },
        Case {
            name: "remove an optional field",
            old: base.clone(),
            new: object(json!({ "id": id }), &["id"]),
            expected: vec![("/note", Rule::FieldRemovedOptional, Full)],
        },
        Case {
            name: "remove a required field",
            old: object(json!({ "id": id, "email": id }), &["id", "email"]),
            new: object(json!({ "id": id }), &["id"]),
            expected: vec![("/email", Rule::FieldRemovedRequired, Backward)],
        },
        Case {
            name: "rename a field",
            old: object(json!({ "id": id, "email": id }), &["id", "email"]),
            new: object(json!({ "id": id, "mail": id }), &["id", "mail"]),
            expected: vec![("/email", Rule::FieldRenamed, Breaking)],
        },
        Case {
            name: "optional to required",
            old: object(json!({ "id": id, "email": id }), &["id"]),
            new: object(json!({ "id": id, "email": id }), &["id", "email"]),
            expected: vec![("/email", Rule::FieldMadeRequired, Forward)],
        },
        Case {
            name: "required to optional",
            old: object(json!({ "id": id, "email": id }), &["id", "email"]),
            new: object(json!({ "id": id, "email": id }), &["id"]),
            expected: vec![("/email", Rule::FieldMadeOptional, Backward)],
        },
        Case {
            name: "nullable added",
            old: object(json!({ "id": id }), &["id"]),
            new: object(json!({ "id": { "type": ["string", "null"] } }), &["id"]),
            expected: vec![("/id", Rule::NullableAdded, Backward)],
        },
        Case {
            name: "nullable removed",
            old: object(
                json!({ "id": { "anyOf": [{ "type": "string" }, { "type": "null" }] } }),
                &["id"],
            ),
            new: object(json!({ "id": id }), &["id"]),
            expected: vec![("/id", Rule::NullableRemoved, Forward)],
        },
        Case {
            name: "nullable spelled two ways is no change",
            old: object(json!({ "id": { "type": ["string", "null"] } }), &["id"]),
            new: object(
                json!({ "id": { "anyOf": [{ "type": "string" }, { "type": "null" }] } }),
                &["id"],
            ),
            expected: vec![],
        },
        Case {
            name: "type change",
            old: object(json!({ "id": id }), &["id"]),
            new: object(json!({ "id": { "type": "integer" } }), &["id"]),
            expected: vec![("/id", Rule::TypeChanged, Breaking)],
        },
        Case {
            name: "type widened from integer to number",
            old: object(json!({ "score": { "type": "integer" } }), &["score"]),
            new: object(json!({ "score": { "type": "number" } }), &["score"]),
            expected: vec![("/score", Rule::TypeWidened, Backward)],
        },
        Case {
            name: "enum value added",
            old: object(
                json!({ "level": { "type": "string", "enum": ["low", "high"] } }),
                &["level"],
            ),
            new: object(
                json!({ "level": { "type": "string", "enum": ["low", "high", "max"] } }),
                &["level"],
            ),
            expected: vec![("/level", Rule::EnumValueAdded, Backward)],
        },
        Case {
            name: "enum value removed",
            old: object(
                json!({ "level": { "type": "string", "enum": ["low", "high"] } }),
                &["level"],
            ),
            new: object(
                json!({ "level": { "type": "string", "enum": ["low"] } }),
                &["level"],
            ),
            expected: vec![("/level", Rule::EnumValueRemoved, Forward)],
        },
        Case {
            name: "tagged variant added",
            old: payment(json!([free])),
            new: payment(json!([free, card(id.clone())])),
            expected: vec![("/payment/oneOf[kind=card]", Rule::VariantAdded, Backward)],
        },
        Case {
            name: "variant added next to a catch-all",
            old: payment(json!([free, true])),
            new: payment(json!([free, true, card(id.clone())])),
            expected: vec![("/payment/oneOf[kind=card]", Rule::VariantAdded, Full)],
        },
        Case {
            name: "tagged variant removed",
            old: payment(json!([free, card(id.clone())])),
            new: payment(json!([free])),
            expected: vec![("/payment/oneOf[kind=card]", Rule::VariantRemoved, Forward)],
        },
        Case {
            name: "field type changed inside a oneOf variant",
            old: payment(json!([free, card(id.clone())])),
            new: payment(json!([free, card(json!({ "type": "integer" }))])),
            expected: vec![(
                "/payment/oneOf[kind=card]/last4",
                Rule::TypeChanged,
                Breaking,
            )],
        },
        Case {
            name: "bound tightened",
            old: object(
                json!({ "age": { "type": "integer", "minimum": 0 } }),
                &["age"],
            ),
            new: object(
                json!({ "age": { "type": "integer", "minimum": 18 } }),
                &["age"],
            ),
            expected: vec![("/age#minimum", Rule::BoundTightened, Forward)],
        },
        Case {
            name: "bound loosened",
            old: object(
                json!({ "name": { "type": "string", "maxLength": 10 } }),
                &["name"],
            ),
            new: object(
                json!({ "name": { "type": "string", "maxLength": 100 } }),
                &["name"],
            ),
            expected: vec![("/name#maxLength", Rule::BoundLoosened, Backward)],
        },
        Case {
            name: "pattern added",
            old: object(json!({ "code": { "type": "string" } }), &["code"]),
            new: object(
                json!({ "code": { "type": "string", "pattern": "^[A-Z]{3}$" } }),
                &["code"],
            ),
            expected: vec![("/code", Rule::PatternChanged, Forward)],
        },
        Case {
            name: "pattern removed",
            old: object(
                json!({ "code": { "type": "string", "pattern": "^[A-Z]{3}$" } }),
                &["code"],
            ),
            new: object(json!({ "code": { "type": "string" } }), &["code"]),
            expected: vec![("/code", Rule::PatternChanged, Backward)],
        },
        Case {
            name: "format widened",
            old: object(
                json!({ "n": { "type": "integer", "format": "uint8", "minimum": 0, "maximum": 255 } }),
                &["n"],
            ),
            new: object(
                json!({ "n": { "type": "integer", "format": "uint16", "minimum": 0, "maximum": 65535 } }),
                &["n"],
            ),
            expected: vec![
                ("/n", Rule::FormatChanged, Backward),
                ("/n#maximum", Rule::BoundLoosened, Backward),
            ],
        },
        Case {
            name: "format tightened",
            old: object(json!({ "when": { "type": "string" } }), &["when"]),
            new: object(
                json!({ "when": { "type": "string", "format": "date-time" } }),
                &["when"],
            ),
            expected: vec![("/when", Rule::FormatChanged, Forward)],
        },
        Case {
            name: "additionalProperties tightened",
            old: base.clone(),
            new: closed(base.clone()),
            expected: vec![("/", Rule::AdditionalPropertiesTightened, Forward)],
        },
        Case {
            name: "additionalProperties loosened",
            old: closed(base.clone()),
            new: base.clone(),
            expected: vec![("/", Rule::AdditionalPropertiesLoosened, Backward)],
        },
        Case {
            name: "map value type changed",
            old: object(
                json!({ "scores": { "type": "object", "additionalProperties": { "type": "integer" } } }),
                &["scores"],
            ),
            new: object(
                json!({ "scores": { "type": "object", "additionalProperties": { "type": "string" } } }),
                &["scores"],
            ),
            expected: vec![("/scores/*", Rule::TypeChanged, Breaking)],
        },
        Case {
            name: "array item type changed",
            old: object(
                json!({ "tags": { "type": "array", "items": { "type": "string" } } }),
                &["tags"],
            ),
            new: object(
                json!({ "tags": { "type": "array", "items": { "type": "integer" } } }),
                &["tags"],
            ),
            expected: vec![("/tags/[]", Rule::TypeChanged, Breaking)],
        },
    ]
}

#[test]
fn every_rule_is_reported_with_path_and_classification() {
    for case in cases() {
        let changes = diff(&case.old, &case.new);
        let found: Vec<(String, Rule, Classification)> = changes
            .iter()
            .map(|c| (c.path.clone(), c.rule, c.classification))
            .collect();
        let expected: Vec<(String, Rule, Classification)> = case
            .expected
            .iter()
            .map(|(p, r, c)| ((*p).to_owned(), *r, *c))
            .collect();
        assert_eq!(found, expected, "case: {}", case.name);
    }
}

// The same checks on schemas that schemars writes for real types.

#[allow(dead_code, reason = "only the schemas of these types are compared")]
mod v1 {
    use super::{schemars, serde};

    /// A recursive comment thread with a tagged enum inside.
    #[derive(serde::Serialize, schemars::JsonSchema)]
    #[serde(crate = "event_runtime::serde")]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) struct Thread {
        pub(crate) author: String,
        pub(crate) replies: Vec<Thread>,
        pub(crate) reaction: Reaction,
    }

    #[derive(serde::Serialize, schemars::JsonSchema)]
    #[serde(
        crate = "event_runtime::serde",
        tag = "kind",
        rename_all = "snake_case"
    )]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) enum Reaction {
        Like,
        Emoji { code: String },
    }
}

#[allow(dead_code, reason = "only the schemas of these types are compared")]
mod v2 {
    use super::{schemars, serde};

    /// The thread after a change deep inside the recursion and the enum.
    #[derive(serde::Serialize, schemars::JsonSchema)]
    #[serde(crate = "event_runtime::serde")]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) struct Thread {
        pub(crate) author: String,
        pub(crate) replies: Vec<Thread>,
        pub(crate) reaction: Reaction,
        pub(crate) pinned: Option<bool>,
    }

    #[derive(serde::Serialize, schemars::JsonSchema)]
    #[serde(
        crate = "event_runtime::serde",
        tag = "kind",
        rename_all = "snake_case"
    )]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) enum Reaction {
        Like,
        Emoji { code: u32 },
        Sticker { id: String },
    }
}

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

#[test]
fn changes_inside_recursive_types_and_one_of_are_found() {
    let old = standalone(schema_of::<v1::Thread>, &[]);
    let new = standalone(schema_of::<v2::Thread>, &[]);
    let mut found: Vec<(String, &str, &str)> = diff(&old, &new)
        .iter()
        .map(|c| (c.path.clone(), c.rule.id(), c.classification.as_str()))
        .collect();
    found.sort_unstable();
    let code = "/reaction/oneOf[kind=emoji]/code";
    let expected = vec![
        // An `Option` without `skip_serializing_if` is always written, so it is required.
        ("/pinned".to_owned(), "field-added-required", "forward"),
        (code.to_owned(), "format-changed", "forward"),
        (code.to_owned(), "type-changed", "breaking"),
        (format!("{code}#minimum"), "bound-tightened", "forward"),
        (
            "/reaction/oneOf[kind=sticker]".to_owned(),
            "variant-added",
            "backward",
        ),
        // The nested replies are threads too, and the checker follows the recursion once.
        (
            "/replies/[]/pinned".to_owned(),
            "field-added-required",
            "forward",
        ),
    ];
    assert_eq!(found, expected);
}
