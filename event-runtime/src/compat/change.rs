//! The changes the checker reports, and what each keeps working.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::Compatibility;

/// Which readers keep working after one change.
///
/// # Examples
///
/// ```
/// use event_runtime::compat::{Classification, Compatibility};
///
/// assert!(Classification::Backward.satisfies(Compatibility::Backward));
/// assert!(!Classification::Backward.satisfies(Compatibility::Full));
/// assert!(Classification::Breaking.satisfies(Compatibility::None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Old and new consumers read old and new messages.
    Full,
    /// Old consumers read new messages; new consumers may fail on old ones.
    Forward,
    /// New consumers read old messages; old consumers may fail on new ones.
    Backward,
    /// Neither holds.
    Breaking,
}

impl Classification {
    /// Returns whether this change is allowed under `mode`.
    #[must_use]
    pub fn satisfies(self, mode: Compatibility) -> bool {
        match mode {
            Compatibility::None => true,
            Compatibility::Full => self == Self::Full,
            Compatibility::Forward => matches!(self, Self::Full | Self::Forward),
            Compatibility::Backward => matches!(self, Self::Full | Self::Backward),
        }
    }

    /// Returns what both changes keep.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::Full, other) | (other, Self::Full) => other,
            (a, b) if a == b => a,
            _ => Self::Breaking,
        }
    }

    /// Returns the lowercase name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Forward => "forward",
            Self::Backward => "backward",
            Self::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rule a change falls under; each has a stable kebab-case id.
///
/// # Examples
///
/// ```
/// use event_runtime::compat::Rule;
///
/// assert_eq!(Rule::FieldAddedRequired.id(), "field-added-required");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// A field that messages may omit was added.
    FieldAddedOptional,
    /// A field that every message must carry was added.
    FieldAddedRequired,
    /// A field that messages could omit was removed.
    FieldRemovedOptional,
    /// A field that every message carried was removed.
    FieldRemovedRequired,
    /// A field was removed and another with the same schema added.
    FieldRenamed,
    /// An optional field became required.
    FieldMadeRequired,
    /// A required field became optional.
    FieldMadeOptional,
    /// `null` became a valid value.
    NullableAdded,
    /// `null` stopped being a valid value.
    NullableRemoved,
    /// The type changed to an unrelated one.
    TypeChanged,
    /// The type now accepts more values, such as integer to number.
    TypeWidened,
    /// The type now accepts fewer values, such as number to integer.
    TypeNarrowed,
    /// A value was added to an `enum`.
    EnumValueAdded,
    /// A value was removed from an `enum`.
    EnumValueRemoved,
    /// A `const` value changed.
    ConstChanged,
    /// A variant of a tagged or untagged enum was added.
    VariantAdded,
    /// A variant was removed.
    VariantRemoved,
    /// A numeric, length or size bound now accepts fewer values.
    BoundTightened,
    /// A bound now accepts more values.
    BoundLoosened,
    /// A `pattern` was added, removed or changed.
    PatternChanged,
    /// A `format` was added, removed or changed.
    FormatChanged,
    /// Unknown properties were allowed and now are not.
    AdditionalPropertiesTightened,
    /// Unknown properties were rejected and now are allowed.
    AdditionalPropertiesLoosened,
    /// The subject template changed: consumers subscribe to the old one.
    SubjectChanged,
    /// The CloudEvents type changed: consumers check it.
    EventTypeChanged,
    /// A service endpoint was removed: clients still call it.
    EndpointRemoved,
}

impl Rule {
    /// Returns the stable id of the rule.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::FieldAddedOptional => "field-added-optional",
            Self::FieldAddedRequired => "field-added-required",
            Self::FieldRemovedOptional => "field-removed-optional",
            Self::FieldRemovedRequired => "field-removed-required",
            Self::FieldRenamed => "field-renamed",
            Self::FieldMadeRequired => "field-made-required",
            Self::FieldMadeOptional => "field-made-optional",
            Self::NullableAdded => "nullable-added",
            Self::NullableRemoved => "nullable-removed",
            Self::TypeChanged => "type-changed",
            Self::TypeWidened => "type-widened",
            Self::TypeNarrowed => "type-narrowed",
            Self::EnumValueAdded => "enum-value-added",
            Self::EnumValueRemoved => "enum-value-removed",
            Self::ConstChanged => "const-changed",
            Self::VariantAdded => "variant-added",
            Self::VariantRemoved => "variant-removed",
            Self::BoundTightened => "bound-tightened",
            Self::BoundLoosened => "bound-loosened",
            Self::PatternChanged => "pattern-changed",
            Self::FormatChanged => "format-changed",
            Self::AdditionalPropertiesTightened => "additional-properties-tightened",
            Self::AdditionalPropertiesLoosened => "additional-properties-loosened",
            Self::SubjectChanged => "subject-changed",
            Self::EventTypeChanged => "event-type-changed",
            Self::EndpointRemoved => "endpoint-removed",
        }
    }
}

/// One difference between two versions of a contract.
///
/// `path` points into the message, as a JSON Pointer with three extensions: `[]` for every
/// item of an array, `*` for every value of a map, and `oneOf[kind=card]` for the variant
/// whose tag `kind` is `card` (or `oneOf[2]` for an untagged variant, by position).
///
/// # Examples
///
/// ```
/// use event_runtime::compat::{Change, Classification, Rule, diff};
/// use event_runtime::serde_json::json;
///
/// let old = json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]});
/// let new = json!({"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]});
/// let changes = diff(&old, &new);
/// assert_eq!(changes[0].rule, Rule::TypeChanged);
/// assert_eq!(changes[0].path, "/id");
/// assert_eq!(changes[0].classification, Classification::Breaking);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Where in the message.
    pub path: String,
    /// The rule.
    pub rule: Rule,
    /// The old value of what changed, or `null` when it was absent.
    pub old: Value,
    /// The new value, or `null` when it is absent.
    pub new: Value,
    /// Which readers keep working.
    pub classification: Classification,
}
