//! Filling subject templates from field values, with the checks that keep a value from
//! changing the subject's shape.

use std::fmt::{self, Display, Write as _};

use event_core::{MAX_SUBJECT_LEN, SubjectTemplate, TokenError, validate_token_value};

/// Characters of a rejected value shown in error messages; the full value stays available
/// through [`SubjectError::value`].
const SHOWN_VALUE_CHARS: usize = 64;

/// A placeholder value that cannot be part of a subject.
///
/// Nothing is published when a subject cannot be built.
///
/// # Examples
///
/// ```
/// use event_runtime::{DomainEvent, domain_event};
///
/// #[domain_event(subject = "users.{user_id}.registered", version = 1)]
/// struct UserRegistered {
///     user_id: String,
/// }
///
/// let error = UserRegistered { user_id: "a.b".into() }.subject().unwrap_err();
/// assert_eq!(error.field(), "user_id");
/// assert_eq!(error.value(), "a.b");
/// assert_eq!(
///     error.to_string(),
///     "invalid value \"a.b\" for placeholder `{user_id}` of subject `users.{user_id}.registered`: \
///      value contains the token separator `.`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectError {
    template: &'static str,
    field: &'static str,
    value: String,
    kind: SubjectErrorKind,
}

/// Why a placeholder value was rejected.
///
/// # Examples
///
/// ```
/// use event_runtime::SubjectErrorKind;
///
/// let kind = SubjectErrorKind::TooLong { len: 600, max: 512 };
/// assert_eq!(kind.to_string(), "subject would be 600 bytes long, over the limit of 512");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubjectErrorKind {
    /// The value is not a valid subject token.
    InvalidToken(TokenError),
    /// The value fills the first token and starts with `$` or is `_INBOX`, prefixes that NATS
    /// reserves for system subjects and reply inboxes.
    ReservedPrefix,
    /// The filled subject would exceed [`MAX_SUBJECT_LEN`] bytes.
    TooLong {
        /// Length of the subject so far, in bytes.
        len: usize,
        /// The limit, [`MAX_SUBJECT_LEN`].
        max: usize,
    },
}

impl Display for SubjectErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidToken(reason) => write!(f, "value {reason}"),
            Self::ReservedPrefix => {
                f.write_str("value starts the subject with `$` or `_INBOX`, which NATS reserves")
            }
            Self::TooLong { len, max } => {
                write!(
                    f,
                    "subject would be {len} bytes long, over the limit of {max}"
                )
            }
        }
    }
}

impl SubjectError {
    /// Returns the subject template being filled.
    #[must_use]
    pub fn template(&self) -> &'static str {
        self.template
    }

    /// Returns the name of the field whose value was rejected.
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// Returns the rejected value in full.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Returns why the value was rejected.
    #[must_use]
    pub fn kind(&self) -> SubjectErrorKind {
        self.kind
    }
}

impl Display for SubjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.value.chars().take(SHOWN_VALUE_CHARS).collect();
        write!(f, "invalid value {shown:?}")?;
        if shown.len() < self.value.len() {
            write!(f, " (truncated, {} bytes in all)", self.value.len())?;
        }
        write!(
            f,
            " for placeholder `{{{}}}` of subject `{}`: {}",
            self.field, self.template, self.kind
        )
    }
}

impl std::error::Error for SubjectError {}

/// Builds a subject token by token; used by the code that `#[domain_event]` generates.
#[doc(hidden)]
#[derive(Debug)]
pub struct SubjectWriter {
    template: &'static str,
    subject: String,
    tokens: usize,
    /// The longest placeholder value so far, blamed when the subject is too long.
    longest: Option<(&'static str, std::ops::Range<usize>)>,
}

impl SubjectWriter {
    /// Starts an empty subject for `template`.
    #[must_use]
    #[inline]
    pub fn new(template: &'static str) -> Self {
        Self {
            template,
            subject: String::with_capacity(template.len() + 32),
            tokens: 0,
            longest: None,
        }
    }

    #[inline]
    fn separate(&mut self) {
        if self.tokens > 0 {
            self.subject.push('.');
        }
        self.tokens += 1;
    }

    /// Appends a literal token, already validated at compile time.
    #[inline]
    pub fn literal(&mut self, token: &str) {
        self.separate();
        self.subject.push_str(token);
    }

    /// Appends a placeholder's value, formatted with `Display`, and validates it.
    ///
    /// # Errors
    ///
    /// Returns [`SubjectError`] naming `field` when the value cannot be a subject token.
    pub fn placeholder<T: Display + ?Sized>(
        &mut self,
        field: &'static str,
        value: &T,
    ) -> Result<(), SubjectError> {
        self.separate();
        let start = self.subject.len();
        write!(self.subject, "{value}").expect("writing to a String cannot fail");
        self.check_value(field, start)
    }

    /// Appends a filter's placeholder value, or `*` when the filter leaves it unset.
    ///
    /// # Errors
    ///
    /// Returns [`SubjectError`] naming `field` when the value cannot be a subject token.
    pub fn filter_placeholder(
        &mut self,
        field: &'static str,
        value: Option<&str>,
    ) -> Result<(), SubjectError> {
        match value {
            Some(value) => self.placeholder(field, value),
            None => {
                self.literal("*");
                Ok(())
            }
        }
    }

    fn check_value(&mut self, field: &'static str, start: usize) -> Result<(), SubjectError> {
        let value = &self.subject[start..];
        let kind = if let Err(reason) = validate_token_value(value) {
            Some(SubjectErrorKind::InvalidToken(reason))
        } else if self.tokens == 1 && (value.starts_with('$') || value == "_INBOX") {
            Some(SubjectErrorKind::ReservedPrefix)
        } else {
            None
        };
        if let Some(kind) = kind {
            return Err(SubjectError {
                template: self.template,
                field,
                value: value.to_owned(),
                kind,
            });
        }
        let end = self.subject.len();
        if self
            .longest
            .as_ref()
            .is_none_or(|(_, range)| range.len() < end - start)
        {
            self.longest = Some((field, start..end));
        }
        Ok(())
    }

    /// Returns the finished subject.
    ///
    /// # Errors
    ///
    /// Returns [`SubjectErrorKind::TooLong`], naming the longest placeholder value, when the
    /// subject exceeds [`MAX_SUBJECT_LEN`] bytes.
    #[inline]
    pub fn finish(self) -> Result<String, SubjectError> {
        let len = self.subject.len();
        if len <= MAX_SUBJECT_LEN {
            return Ok(self.subject);
        }
        let (field, range) = self.longest.unwrap_or(("", 0..0));
        Err(SubjectError {
            template: self.template,
            field,
            value: self.subject[range].to_owned(),
            kind: SubjectErrorKind::TooLong {
                len,
                max: MAX_SUBJECT_LEN,
            },
        })
    }
}

/// Builds the wildcard subject of a template, for callers that hold a template at run time.
///
/// # Errors
///
/// Returns [`event_core::TemplateError`] when `template` is not a valid subject template.
///
/// # Examples
///
/// ```
/// assert_eq!(event_runtime::wildcard_subject("a.{b}.c")?, "a.*.c");
/// # Ok::<(), event_runtime::TemplateError>(())
/// ```
pub fn wildcard_subject(template: &str) -> Result<String, event_core::TemplateError> {
    SubjectTemplate::parse(template).map(|template| template.wildcard())
}
