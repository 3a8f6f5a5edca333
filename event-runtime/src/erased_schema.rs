//! Schema generation for contract types through one instantiation of schemars' generic code.
//!
//! The catalog stores, for every event and every service request, response and error type, a
//! function that writes the type's schema into a `SchemaGenerator`. Calling
//! `SchemaGenerator::subschema_for::<T>` there would make each contracts crate compile
//! schemars' generic lookup and insertion code once per type: in a debug build of 100 events
//! and 10 services that was about 40% of the generated LLVM IR (measured with
//! `cargo llvm-lines`). Instead each type contributes only its four `JsonSchema` functions,
//! and the runtime runs `subschema_for` once, on [`ErasedType`], which forwards to the
//! functions of the type being generated. The output is the same, because schemars receives the
//! same names and ids and calls the same `json_schema`.

use std::borrow::Cow;
use std::cell::Cell;

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// The `JsonSchema` functions of one type.
#[derive(Clone, Copy)]
struct SchemaFunctions {
    schema_name: fn() -> Cow<'static, str>,
    schema_id: fn() -> Cow<'static, str>,
    inline_schema: fn() -> bool,
    json_schema: fn(&mut SchemaGenerator) -> Schema,
}

thread_local! {
    /// The functions of the type whose schema this thread is generating through
    /// [`ErasedType`].
    static CURRENT: Cell<Option<SchemaFunctions>> = const { Cell::new(None) };
}

/// Writes `T`'s schema into the generator's definitions and returns a reference to it, as
/// `generator.subschema_for::<T>()` does.
pub(crate) fn subschema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    subschema(
        generator,
        SchemaFunctions {
            schema_name: T::schema_name,
            schema_id: T::schema_id,
            inline_schema: T::inline_schema,
            json_schema: T::json_schema,
        },
    )
}

fn subschema(generator: &mut SchemaGenerator, functions: SchemaFunctions) -> Schema {
    /// Guard that restores the outer type's functions when the schema is done, or when
    /// `json_schema` panics.
    struct Restore(Option<SchemaFunctions>);

    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.set(self.0);
        }
    }

    let _restore = Restore(CURRENT.replace(Some(functions)));
    generator.subschema_for::<ErasedType>()
}

fn current() -> SchemaFunctions {
    CURRENT
        .get()
        .expect("ErasedType is used only inside `subschema`, which sets the current type")
}

/// A stand-in type whose `JsonSchema` implementation forwards to the type set in `CURRENT`.
///
/// Schemars calls these functions only from inside `subschema_for::<ErasedType>`. The
/// contract type's own `json_schema` refers to its fields by their real types, so a nested
/// or recursive type never reaches this implementation.
enum ErasedType {}

impl JsonSchema for ErasedType {
    fn schema_name() -> Cow<'static, str> {
        (current().schema_name)()
    }

    fn schema_id() -> Cow<'static, str> {
        (current().schema_id)()
    }

    fn inline_schema() -> bool {
        (current().inline_schema)()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        (current().json_schema)(generator)
    }
}

#[cfg(test)]
mod tests {
    use schemars::generate::SchemaSettings;

    use super::*;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Leaf {
        value: u32,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Tree {
        leaf: Leaf,
        children: Vec<Tree>,
    }

    mod other {
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        pub(super) struct Leaf {
            name: String,
        }
    }

    /// The references a generator returned and the definitions it collected.
    type Generated = (Vec<Schema>, serde_json::Value);

    /// Generates the references and definitions for the three types, once through
    /// `subschema_of` and once through schemars directly.
    fn both_ways() -> (Generated, Generated) {
        let mut erased = SchemaSettings::draft2020_12().into_generator();
        let erased_refs = vec![
            subschema_of::<Tree>(&mut erased),
            subschema_of::<other::Leaf>(&mut erased),
            subschema_of::<Leaf>(&mut erased),
        ];
        let mut direct = SchemaSettings::draft2020_12().into_generator();
        let direct_refs = vec![
            direct.subschema_for::<Tree>(),
            direct.subschema_for::<other::Leaf>(),
            direct.subschema_for::<Leaf>(),
        ];
        (
            (erased_refs, erased.definitions().clone().into()),
            (direct_refs, direct.definitions().clone().into()),
        )
    }

    #[test]
    fn subschema_matches_schemars() {
        let ((erased_refs, erased_definitions), (direct_refs, direct_definitions)) = both_ways();
        assert_eq!(erased_refs, direct_refs);
        assert_eq!(erased_definitions, direct_definitions);
    }

    #[test]
    fn same_name_types_get_distinct_definitions() {
        let ((refs, definitions), _) = both_ways();
        assert_eq!(refs[1].get("$ref").unwrap(), "#/$defs/Leaf2");
        assert!(definitions.get("Leaf").is_some());
        assert!(definitions.get("Leaf2").is_some());
    }

    #[test]
    fn current_type_cleared_after_use() {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        subschema_of::<Tree>(&mut generator);
        assert!(CURRENT.get().is_none());
    }
}
