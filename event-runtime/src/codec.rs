//! JSON encoding that rejects values JSON cannot carry.
//!
//! `serde_json` writes a NaN or infinite float as `null`, which the toolkit's own subscriber
//! then fails to decode into an `f64` field. [`to_writer_strict`] encodes with `serde_json` and,
//! when the output contains `null`, walks the value once more with a serializer that writes
//! nothing and fails on a non-finite float. Values without `null` in their JSON skip that walk.

use std::fmt::Display;

use serde::Serialize;
use serde::ser;

/// Why a value could not be encoded as JSON.
///
/// # Examples
///
/// ```
/// use event_runtime::EncodeError;
///
/// let error = EncodeError::NonFiniteFloat { value: "NaN".into() };
/// assert!(error.to_string().starts_with("cannot encode non-finite float NaN"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A float is NaN or infinite; JSON has no representation for it.
    #[error(
        "cannot encode non-finite float {value} as JSON; use a finite number, or an Option set to None"
    )]
    NonFiniteFloat {
        /// The float as Rust prints it: `NaN`, `inf` or `-inf`.
        value: String,
    },
    /// `serde_json` or the type's `Serialize` implementation failed.
    #[error("cannot encode value as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Searches for `null`, built once because building a searcher costs more than a search.
static NULL_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"null"));

/// Appends `value` as compact JSON to `buffer`, rejecting non-finite floats.
///
/// On error `buffer` may hold a partial encoding; callers discard it.
pub(crate) fn to_writer_strict<T: Serialize + ?Sized>(
    buffer: &mut Vec<u8>,
    value: &T,
) -> Result<(), EncodeError> {
    let start = buffer.len();
    serde_json::to_writer(&mut *buffer, value)?;
    if NULL_FINDER.find(&buffer[start..]).is_some() {
        check_floats(value)?;
    }
    Ok(())
}

/// Encodes `value` as a JSON byte vector, rejecting non-finite floats.
pub(crate) fn to_vec_strict<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, EncodeError> {
    // Room for a typical small event, so that encoding rarely reallocates.
    let mut buffer = Vec::with_capacity(256);
    to_writer_strict(&mut buffer, value)?;
    Ok(buffer)
}

fn check_floats<T: Serialize + ?Sized>(value: &T) -> Result<(), EncodeError> {
    match value.serialize(FloatCheck) {
        Ok(()) => Ok(()),
        Err(FloatCheckError::NonFinite(value)) => Err(EncodeError::NonFiniteFloat { value }),
        // serde_json already serialized this value successfully.
        Err(FloatCheckError::Custom(_)) => Ok(()),
    }
}

#[derive(Debug)]
enum FloatCheckError {
    NonFinite(String),
    Custom(String),
}

impl Display for FloatCheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NonFinite(value) => write!(f, "non-finite float {value}"),
            Self::Custom(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FloatCheckError {}

impl ser::Error for FloatCheckError {
    fn custom<T: Display>(message: T) -> Self {
        Self::Custom(message.to_string())
    }
}

/// A serializer that writes nothing and fails on the first non-finite float.
struct FloatCheck;

macro_rules! accept_scalars {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _value: $ty) -> Result<(), FloatCheckError> {
            Ok(())
        })*
    };
}

fn check_float(value: f64) -> Result<(), FloatCheckError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(FloatCheckError::NonFinite(value.to_string()))
    }
}

impl ser::Serializer for FloatCheck {
    type Ok = ();
    type Error = FloatCheckError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    accept_scalars! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_char(char),
        serialize_str(&str), serialize_bytes(&[u8]), serialize_unit_struct(&'static str),
    }

    fn serialize_f32(self, value: f32) -> Result<(), FloatCheckError> {
        check_float(f64::from(value))
    }

    fn serialize_f64(self, value: f64) -> Result<(), FloatCheckError> {
        check_float(value)
    }

    fn serialize_none(self) -> Result<(), FloatCheckError> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), FloatCheckError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), FloatCheckError> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), FloatCheckError> {
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), FloatCheckError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), FloatCheckError> {
        value.serialize(self)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, FloatCheckError> {
        Ok(self)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self, FloatCheckError> {
        Ok(self)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self, FloatCheckError> {
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self, FloatCheckError> {
        Ok(self)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self, FloatCheckError> {
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, FloatCheckError> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self, FloatCheckError> {
        Ok(self)
    }
}

macro_rules! check_compound {
    ($trait:ident, $method:ident $(, $key:ident)?) => {
        impl ser::$trait for FloatCheck {
            type Ok = ();
            type Error = FloatCheckError;

            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: &'static str,)?
                value: &T,
            ) -> Result<(), FloatCheckError> {
                $(let _ = $key;)?
                value.serialize(FloatCheck)
            }

            fn end(self) -> Result<(), FloatCheckError> {
                Ok(())
            }
        }
    };
}

check_compound!(SerializeSeq, serialize_element);
check_compound!(SerializeTuple, serialize_element);
check_compound!(SerializeTupleStruct, serialize_field);
check_compound!(SerializeTupleVariant, serialize_field);
check_compound!(SerializeStruct, serialize_field, key);
check_compound!(SerializeStructVariant, serialize_field, key);

impl ser::SerializeMap for FloatCheck {
    type Ok = ();
    type Error = FloatCheckError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FloatCheckError> {
        key.serialize(FloatCheck)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FloatCheckError> {
        value.serialize(FloatCheck)
    }

    fn end(self) -> Result<(), FloatCheckError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Serialize)]
    struct Reading {
        label: Option<String>,
        values: Vec<f64>,
        by_name: BTreeMap<String, f32>,
    }

    fn reading(values: Vec<f64>, named: f32) -> Reading {
        Reading {
            label: None,
            values,
            by_name: BTreeMap::from([("x".to_owned(), named)]),
        }
    }

    #[test]
    fn strict_encoding_rejects_nested_non_finite_floats() {
        for (value, named) in [
            (f64::NAN, 1.0),
            (f64::INFINITY, 1.0),
            (1.0, f32::NEG_INFINITY),
        ] {
            let error = to_vec_strict(&reading(vec![0.5, value], named)).unwrap_err();
            assert!(
                matches!(error, EncodeError::NonFiniteFloat { .. }),
                "values {value} and {named}: {error}"
            );
        }
    }

    #[test]
    fn strict_encoding_keeps_real_nulls() {
        let bytes = to_vec_strict(&reading(vec![0.5, -2.0], 3.0)).unwrap();
        assert_eq!(
            bytes,
            br#"{"label":null,"values":[0.5,-2.0],"by_name":{"x":3.0}}"#
        );
    }

    #[test]
    fn strict_encoding_appends_to_buffer() {
        let mut buffer = b"prefix:".to_vec();
        to_writer_strict(&mut buffer, &[1_u64 << 60]).unwrap();
        assert_eq!(buffer, b"prefix:[1152921504606846976]");
    }
}
