//! The compile-time guard: an event whose fields changed since its version was locked, in a
//! way its compatibility mode forbids, fails to compile until its version is bumped.
//!
//! The lock file is `contracts.lock.json`, found in the folder of the file that declares the
//! event or in the nearest folder above it, up to the crate root (the first folder with a
//! `Cargo.toml`). The expansion includes the lock's bytes, so cargo recompiles the crate when
//! the lock changes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fingerprint::{FieldPrint, is_optional, readers_fill_in};
use super::model::EventModel;
use crate::errors::Errors;

/// Name of the lock file.
pub(crate) const LOCK_FILE: &str = "contracts.lock.json";

/// Finds the lock file for a source file, searching up to the crate root.
pub(crate) fn find_lock(source_file: Option<&Path>) -> Option<PathBuf> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let start = source_file
        .and_then(|file| {
            // `local_file` may be relative to the manifest folder.
            let file = match &manifest_dir {
                Some(dir) if file.is_relative() => dir.join(file),
                _ => file.to_owned(),
            };
            file.parent().map(Path::to_owned)
        })
        .or_else(|| manifest_dir.clone())?;
    for dir in start.ancestors() {
        let candidate = dir.join(LOCK_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join("Cargo.toml").is_file() {
            break;
        }
    }
    None
}

/// Compares `model` with its locked version and records an error for each change that its
/// compatibility mode forbids.
pub(crate) fn check(
    model: &EventModel<'_>,
    fields: &[FieldPrint],
    container: &str,
    lock_path: &Path,
    errors: &mut Errors,
) {
    if model.compatibility == "none" {
        return;
    }
    let lock_name = lock_path
        .file_name()
        .map_or(LOCK_FILE.into(), |n| n.to_string_lossy());
    let Ok(text) = std::fs::read_to_string(lock_path) else {
        return;
    };
    let lock: Value = match serde_json::from_str(&text) {
        Ok(lock) => lock,
        Err(error) => {
            errors.spanned(
                &model.item.ident,
                format_args!("cannot read {}: {error}", lock_path.display()),
            );
            return;
        }
    };
    let Some(versions) = lock["events"][&model.name].as_object() else {
        return;
    };
    let version = model.version.to_string();
    let Some(locked) = versions.get(&version) else {
        let newest = versions.keys().filter_map(|v| v.parse::<u32>().ok()).max();
        if let Some(newest) = newest.filter(|newest| *newest > model.version) {
            errors.spanned(
                &model.item.ident,
                format_args!(
                    "{} version {} is older than version {newest} in {lock_name}; versions only go up",
                    model.name, model.version
                ),
            );
        }
        return;
    };
    let fix = format!(
        "bump `version` to {} (the old version stays in {lock_name} as history), or undo the change; \
         then run the contracts binary's `lock` command, for example `cargo run -p contracts -- lock`",
        model.version + 1
    );
    let mode = model.compatibility.as_str();
    if locked["subject"].as_str() != Some(model.template.as_str()) {
        errors.spanned(
            &model.item.ident,
            format_args!(
                "the subject of {} changed from `{}` to `{}` since version {version} was locked in {lock_name}; \
                 a routing change always breaks consumers. To release it, {fix}",
                model.name,
                locked["subject"].as_str().unwrap_or_default(),
                model.template.as_str()
            ),
        );
    }
    let locked_container = locked["container"].as_str().unwrap_or_default();
    if locked_container != container {
        errors.spanned(
            &model.item.ident,
            format_args!(
                "the serde attributes of {} changed from `{locked_container}` to `{container}` since version {version} was locked in {lock_name}. To release it, {fix}",
                model.name
            ),
        );
    }
    let denies_unknown = container.contains("deny_unknown_fields");
    let locked_fields: Vec<FieldPrint> = locked["fields"]
        .as_array()
        .map(|fields| fields.iter().filter_map(field_from_json).collect())
        .unwrap_or_default();
    for old in &locked_fields {
        match fields.iter().find(|f| f.name == old.name) {
            None => {
                // Recomputed rather than read from the lock, so that locks written by earlier
                // releases, with another rule, give the same result.
                let breaks = if is_optional(&old.ty, &old.attrs, locked_container) {
                    denies_unknown.then_some("new readers reject it in old messages")
                } else {
                    (mode != "backward").then_some("old readers require it")
                };
                if let Some(reason) = breaks {
                    errors.spanned(
                        &model.item.ident,
                        format_args!(
                            "field `{}` of {} was removed since version {version} was locked in {lock_name}, and {reason} ({mode} compatibility). To release it, {fix}",
                            old.name, model.name
                        ),
                    );
                }
            }
            Some(new) if new.ty != old.ty || new.attrs != old.attrs => {
                if new.attrs == old.attrs && number_change_allowed(&old.ty, &new.ty, mode) {
                    continue;
                }
                let field = model.field(&new.name);
                let message = format!(
                    "field `{}` of {} changed since version {version} was locked in {lock_name}: \
                     `{}` was `{}`; readers of either version would misread the other ({mode} compatibility). To release it, {fix}",
                    new.name,
                    model.name,
                    describe(new),
                    describe(old),
                );
                match field {
                    Some(field) => errors.spanned(field, message),
                    None => errors.spanned(&model.item.ident, message),
                }
            }
            Some(_) => {}
        }
    }
    for new in fields {
        if locked_fields.iter().any(|old| old.name == new.name) {
            continue;
        }
        // A field that is not optional but that readers fill in is one that writers always send.
        let readers_would_fill_in = readers_fill_in(&new.ty, &new.attrs, container);
        let breaks = if new.optional {
            // Deployed readers cannot be changed, so only a new version helps.
            denies_unknown.then_some(("Old readers reject unknown fields", None))
        } else if mode == "forward" {
            None
        } else if readers_would_fill_in {
            Some((
                "Writers always send it, so the exported schema requires it, and readers built from that schema reject old messages, which lack it",
                Some(
                    "let writers omit it with `skip_serializing_if`, for example `#[serde(default, skip_serializing_if = \"Option::is_none\")]`",
                ),
            ))
        } else {
            Some((
                "New readers require it, and old messages lack it",
                Some(
                    "make it an `Option` with `#[serde(default, skip_serializing_if = \"Option::is_none\")]`, so that writers may omit it and readers fill it in",
                ),
            ))
        };
        if let Some((reason, remedy)) = breaks {
            let remedy = remedy
                .map(|remedy| format!("To keep version {version}, {remedy}. Otherwise "))
                .unwrap_or_else(|| "To release it, ".to_owned());
            let message = format!(
                "field `{}` was added to {} since version {version} was locked in {lock_name}. \
                 {reason} ({mode} compatibility). {remedy}{fix}",
                new.name, model.name
            );
            match model.field(&new.name) {
                Some(field) => errors.spanned(field, message),
                None => errors.spanned(&model.item.ident, message),
            }
        }
    }
}

/// Returns whether changing a field between two number types keeps the mode's readers working. A
/// widening (`u32` to `u64`, an integer to `f64`) lets new readers read old messages, as
/// backward compatibility requires. A narrowing lets old readers read new messages, as
/// forward compatibility requires. Full compatibility allows neither.
fn number_change_allowed(old: &str, new: &str, mode: &str) -> bool {
    match mode {
        "backward" => widens(old, new),
        "forward" => widens(new, old),
        _ => false,
    }
}

/// Returns whether every value of number type `from` is a value of number type `to`, as JSON readers
/// decode it. Integers into floats count, because JSON has one number type.
fn widens(from: &str, to: &str) -> bool {
    /// Smallest and largest values of the integer types, as `i128` bounds where they fit.
    fn integer_range(ty: &str) -> Option<(i128, u128)> {
        Some(match ty {
            "u8" => (0, u8::MAX.into()),
            "u16" => (0, u16::MAX.into()),
            "u32" => (0, u32::MAX.into()),
            "u64" => (0, u64::MAX.into()),
            "u128" => (0, u128::MAX),
            "i8" => (i8::MIN.into(), i8::MAX.unsigned_abs().into()),
            "i16" => (i16::MIN.into(), i16::MAX.unsigned_abs().into()),
            "i32" => (i32::MIN.into(), i32::MAX.unsigned_abs().into()),
            "i64" => (i64::MIN.into(), i64::MAX.unsigned_abs().into()),
            "i128" => (i128::MIN, i128::MAX.unsigned_abs()),
            _ => return None,
        })
    }
    let is_float = |ty: &str| ty == "f32" || ty == "f64";
    match (integer_range(from), integer_range(to)) {
        (Some((from_min, from_max)), Some((to_min, to_max))) => {
            to_min <= from_min && from_max <= to_max
        }
        (Some(_), None) => is_float(to),
        (None, None) => from == "f32" && to == "f64",
        (None, Some(_)) => false,
    }
}

fn describe(field: &FieldPrint) -> String {
    if field.attrs.is_empty() {
        format!("{}: {}", field.name, field.ty)
    } else {
        format!("{} {}: {}", field.attrs, field.name, field.ty)
    }
}

fn field_from_json(value: &Value) -> Option<FieldPrint> {
    Some(FieldPrint {
        name: value["name"].as_str()?.to_owned(),
        ty: value["type"].as_str()?.to_owned(),
        optional: value["optional"].as_bool()?,
        attrs: value["attrs"].as_str().unwrap_or_default().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_table() {
        assert!(widens("u32", "u64"));
        assert!(widens("u32", "i64"));
        assert!(widens("i8", "i16"));
        assert!(widens("u64", "f64"));
        assert!(widens("f32", "f64"));
        assert!(!widens("u64", "u32"));
        assert!(!widens("u32", "i32"));
        assert!(!widens("i32", "u64"));
        assert!(!widens("f64", "i64"));
        assert!(!widens("String", "u64"));
    }

    #[test]
    fn number_change_by_mode() {
        assert!(number_change_allowed("u32", "u64", "backward"));
        assert!(!number_change_allowed("u32", "u64", "forward"));
        assert!(number_change_allowed("u64", "u32", "forward"));
        assert!(!number_change_allowed("u32", "u64", "full"));
    }
}
