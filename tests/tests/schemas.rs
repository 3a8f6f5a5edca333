//! Exported schemas accept exactly what the serializer emits: sample values of many serde
//! shapes are serialized and validated against the schemas in both exported dialects.

use std::collections::{BTreeMap, HashMap};

use event_runtime::export::{Dialect, fix_flattened_options, generator, standalone};
use event_runtime::schemars::{JsonSchema, SchemaGenerator};
use event_runtime::serde::Serialize;
use event_runtime::{schemars, serde_json};
use serde_json::{Value, json};

#[derive(Serialize, schemars::JsonSchema)]
#[serde(
    crate = "event_runtime::serde",
    tag = "kind",
    rename_all = "snake_case"
)]
#[schemars(crate = "event_runtime::schemars")]
enum Internal {
    Free,
    Card { last4: String },
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde", tag = "t", content = "c")]
#[schemars(crate = "event_runtime::schemars")]
enum Adjacent {
    Unit,
    Number(i32),
    Pair(u8, u8),
    Named { a: bool },
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde", untagged)]
#[schemars(crate = "event_runtime::schemars")]
enum Untagged {
    Text(String),
    Count(u64),
    Shape { w: f64, h: f64 },
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
enum External {
    Plain,
    Wrapped(String),
    Struct { x: i64 },
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
struct Extra {
    note: String,
}

/// A tree of nodes, to check recursive types.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
struct Node {
    label: String,
    children: Vec<Node>,
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde", rename_all = "camelCase")]
#[schemars(crate = "event_runtime::schemars")]
struct Everything {
    user_id: String,
    #[serde(flatten)]
    extra: Extra,
    #[serde(flatten)]
    payment: Option<Internal>,
    adjacent: Adjacent,
    untagged: Untagged,
    external: External,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped_when_none: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped_when_empty: Vec<u8>,
    #[serde(default)]
    defaulted: u16,
    maybe: Option<i32>,
    big: u64,
    huge: i128,
    by_name: BTreeMap<String, u32>,
    by_key: HashMap<String, Option<bool>>,
    tree: Node,
    ratio: f32,
}

fn sample(payment: Option<Internal>, maybe: Option<i32>, skipped: Option<String>) -> Everything {
    Everything {
        user_id: "u-1".into(),
        extra: Extra {
            note: "flattened".into(),
        },
        payment,
        adjacent: Adjacent::Pair(1, 2),
        untagged: Untagged::Shape { w: 1.5, h: 2.0 },
        external: External::Struct { x: -4 },
        skipped_when_none: skipped,
        skipped_when_empty: vec![],
        defaulted: 0,
        maybe,
        big: u64::MAX,
        huge: i128::MIN,
        by_name: BTreeMap::from([("a".into(), 1)]),
        by_key: HashMap::from([("b".into(), None)]),
        tree: Node {
            label: "root".into(),
            children: vec![Node {
                label: "leaf".into(),
                children: vec![],
            }],
        },
        ratio: 0.25,
    }
}

fn samples() -> Vec<Everything> {
    let mut second = sample(Some(Internal::Free), Some(3), Some("x".into()));
    second.adjacent = Adjacent::Unit;
    second.untagged = Untagged::Text("t".into());
    second.external = External::Plain;
    second.skipped_when_empty = vec![7];
    let card = Internal::Card {
        last4: "4242".into(),
    };
    let mut third = sample(Some(card), None, Some(String::new()));
    third.adjacent = Adjacent::Number(-1);
    third.untagged = Untagged::Count(u64::MAX);
    third.external = External::Wrapped("w".into());
    let mut fourth = sample(None, Some(i32::MIN), None);
    fourth.adjacent = Adjacent::Named { a: true };
    vec![sample(None, None, None), second, third, fourth]
}

fn write_everything(generator: &mut SchemaGenerator) -> event_runtime::schemars::Schema {
    generator.subschema_for::<Everything>()
}

/// The AsyncAPI dialect keeps definitions under `#/components/schemas/`; this builds a
/// document in which those references resolve.
fn draft07_document<T: JsonSchema>() -> Value {
    let mut generator = generator(Dialect::Draft07);
    let root = generator.subschema_for::<T>();
    let definitions = generator.take_definitions(true);
    let mut document = json!({
        "$schema": Dialect::Draft07.meta_schema(),
        "allOf": [root],
        "components": { "schemas": definitions },
    });
    fix_flattened_options(&mut document);
    document
}

/// Serializes to text and parses it back, as a consumer receives it: integers beyond 64 bits
/// become floats.
fn to_instance<T: Serialize>(value: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn assert_valid(schema: &Value, instance: &Value, label: &str) {
    let validator = jsonschema::validator_for(schema)
        .unwrap_or_else(|error| panic!("{label}: invalid schema: {error}\n{schema:#}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{label}: {instance} rejected:\n{}\nschema: {schema:#}",
        errors.join("\n")
    );
}

#[test]
fn schemas_accept_every_serialized_sample() {
    let draft2020 = standalone(write_everything, &[]);
    let draft07 = draft07_document::<Everything>();
    for (index, value) in samples().iter().enumerate() {
        let instance = to_instance(value);
        assert_valid(&draft2020, &instance, &format!("2020-12 sample {index}"));
        assert_valid(&draft07, &instance, &format!("draft-07 sample {index}"));
    }
}

#[test]
fn schemas_reject_wrong_shapes() {
    let draft2020 = standalone(write_everything, &[]);
    let good = to_instance(&sample(None, None, None));
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 4] = [
        ("missing userId", |v| {
            v.as_object_mut().unwrap().remove("userId");
        }),
        ("string as big", |v| v["big"] = json!("1")),
        ("unknown internal tag", |v| v["kind"] = json!("cash")),
        ("null as ratio", |v| v["ratio"] = Value::Null),
    ];
    for (label, mutate) in mutations {
        let mut instance = good.clone();
        mutate(&mut instance);
        let validator = jsonschema::validator_for(&draft2020).unwrap();
        assert!(
            !validator.is_valid(&instance),
            "{label}: accepted {instance}"
        );
    }
}
