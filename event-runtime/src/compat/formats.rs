//! Classification of `format` changes and bound directions.

use serde_json::Value;

use super::change::Classification;

/// Returns whether a bound keyword limits values from below, so that raising it tightens.
pub(crate) fn is_lower_bound(keyword: &str) -> bool {
    keyword.starts_with("min") || keyword == "exclusiveMinimum"
}

/// The range of an integer format, as (signed, bits).
fn integer_format(format: &str) -> Option<(bool, u32)> {
    let (signed, bits) = match format.strip_prefix('u') {
        Some(rest) => (false, rest.strip_prefix("int")?),
        None => (true, format.strip_prefix("int")?),
    };
    Some((signed, bits.parse().ok()?))
}

/// Whether every value of integer format `inner` fits integer format `outer`.
fn integer_fits(inner: (bool, u32), outer: (bool, u32)) -> bool {
    match (inner.0, outer.0) {
        (false, false) | (true, true) => inner.1 <= outer.1,
        (false, true) => inner.1 < outer.1,
        (true, false) => false,
    }
}

/// Classifies a `format` change, or returns `None` when there is none.
///
/// Integer formats compare by range (`uint8` to `uint16` widens) and `float` to `double`
/// widens; adding a format tightens, removing one loosens, any other change breaks.
pub(crate) fn format_change(old: Option<&Value>, new: Option<&Value>) -> Option<Classification> {
    let old = old.and_then(Value::as_str);
    let new = new.and_then(Value::as_str);
    if old == new {
        return None;
    }
    Some(match (old, new) {
        (None, Some(_)) => Classification::Forward,
        (Some(_), None) => Classification::Backward,
        (Some(old), Some(new)) => match (integer_format(old), integer_format(new)) {
            (Some(a), Some(b)) if integer_fits(a, b) => Classification::Backward,
            (Some(a), Some(b)) if integer_fits(b, a) => Classification::Forward,
            _ => match (old, new) {
                ("float", "double") => Classification::Backward,
                ("double", "float") => Classification::Forward,
                _ => Classification::Breaking,
            },
        },
        (None, None) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integer_formats_compare_by_range() {
        let change = |a: &str, b: &str| format_change(Some(&json!(a)), Some(&json!(b)));
        assert_eq!(change("uint8", "uint16"), Some(Classification::Backward));
        assert_eq!(change("uint32", "int64"), Some(Classification::Backward));
        assert_eq!(change("int64", "int32"), Some(Classification::Forward));
        assert_eq!(change("int32", "uint32"), Some(Classification::Breaking));
        assert_eq!(change("date-time", "date"), Some(Classification::Breaking));
        assert_eq!(change("float", "double"), Some(Classification::Backward));
        assert_eq!(
            format_change(None, Some(&json!("email"))),
            Some(Classification::Forward)
        );
        assert_eq!(
            format_change(Some(&json!("int8")), Some(&json!("int8"))),
            None
        );
    }
}
