//! The traits that `#[domain_event]` implements.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::SubjectError;

/// A domain event: a struct with a subject template, a version and a JSON encoding.
///
/// Implemented by [`#[domain_event]`](crate::domain_event); write the attribute rather than
/// implementing this trait by hand, because the constants must agree with the subject code the
/// macro generates.
///
/// # Examples
///
/// ```
/// use event_runtime::{DomainEvent, EventFilter, domain_event};
///
/// #[domain_event(subject = "users.{user_id}.registered", version = 1)]
/// struct UserRegistered {
///     user_id: String,
///     email: String,
/// }
///
/// let event = UserRegistered { user_id: "u-1".into(), email: "ada@example.com".into() };
/// assert_eq!(UserRegistered::NAME, "UserRegistered");
/// assert_eq!(UserRegistered::EVENT_TYPE, "UserRegistered.v1");
/// assert_eq!(event.subject()?, "users.u-1.registered");
/// assert_eq!(UserRegistered::WILDCARD_SUBJECT, "users.*.registered");
/// assert_eq!(UserRegistered::filter().user_id("u-1").subject()?, "users.u-1.registered");
/// # Ok::<(), event_runtime::SubjectError>(())
/// ```
pub trait DomainEvent: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static {
    /// Event name, the struct's name unless the attribute sets `name`.
    const NAME: &'static str;
    /// Contract version, a positive integer raised on every breaking change.
    const VERSION: u32;
    /// CloudEvents `type` of the event: `{NAME}.v{VERSION}`.
    const EVENT_TYPE: &'static str;
    /// Subject template as written in the attribute, such as `users.{user_id}.registered`.
    const SUBJECT_TEMPLATE: &'static str;
    /// Subject that matches every instance, with `*` for each placeholder.
    const WILDCARD_SUBJECT: &'static str;
    /// Number of tokens in every subject of this event.
    const SUBJECT_TOKENS: usize;
    /// Which readers a change of this event must keep working; `full` unless the attribute
    /// sets `compatibility`.
    const COMPATIBILITY: crate::compat::Compatibility;
    /// The fields as written, for the lock file's compile-time guard.
    #[doc(hidden)]
    const FIELDS: &'static [crate::compat::FieldPrint];
    /// The struct's `#[serde(...)]` attributes, for the lock file's compile-time guard.
    #[doc(hidden)]
    const CONTAINER_ATTRS: &'static str;
    /// Typed filter that selects events by placeholder value.
    type Filter: EventFilter<Event = Self>;

    /// Fills the subject template from this value's fields.
    ///
    /// # Errors
    ///
    /// Returns [`SubjectError`] when a placeholder value is empty, contains `.`, `*`, `>`,
    /// whitespace or a control character, or makes the subject longer than
    /// [`MAX_SUBJECT_LEN`](crate::MAX_SUBJECT_LEN) bytes.
    fn subject(&self) -> Result<String, SubjectError>;

    /// Returns a filter that matches every instance; narrow it with its placeholder methods.
    fn filter() -> Self::Filter;
}

/// A subscription filter generated for each event, one method per placeholder.
///
/// # Examples
///
/// ```
/// use event_runtime::{DomainEvent, EventFilter, domain_event};
///
/// #[domain_event(subject = "lessons.{course_id}.{lesson_id}.completed", version = 1)]
/// struct LessonCompleted {
///     course_id: String,
///     lesson_id: u32,
///     user_id: String,
/// }
///
/// let one_course = LessonCompleted::filter().course_id("rust-101");
/// assert_eq!(one_course.subject()?, "lessons.rust-101.*.completed");
/// # Ok::<(), event_runtime::SubjectError>(())
/// ```
pub trait EventFilter: Clone + Send + Sync + 'static {
    /// The event this filter selects.
    type Event: DomainEvent;

    /// Builds the subscription subject, with `*` for each unset placeholder.
    ///
    /// # Errors
    ///
    /// Returns [`SubjectError`] when a value set on the filter is not a valid subject token.
    fn subject(&self) -> Result<String, SubjectError>;
}
