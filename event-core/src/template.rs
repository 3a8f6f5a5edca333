//! Parsing and validation of subject templates such as `users.{user_id}.registered`.

use std::fmt;

use crate::token::{MAX_SUBJECT_LEN, TokenError, validate_literal_token};

/// One token of a parsed [`SubjectTemplate`].
///
/// # Examples
///
/// ```
/// use event_core::{SubjectTemplate, TemplateToken};
///
/// let template = SubjectTemplate::parse("a.{b}")?;
/// assert_eq!(template.tokens()[1], TemplateToken::Placeholder("b".to_owned()));
/// # Ok::<(), event_core::TemplateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateToken {
    /// A fixed token, copied into every subject.
    Literal(String),
    /// A token filled from the field with this name.
    Placeholder(String),
}

/// A validated subject template.
///
/// # Examples
///
/// ```
/// use event_core::SubjectTemplate;
///
/// let template = SubjectTemplate::parse("lessons.{course_id}.{lesson_id}.completed")?;
/// assert_eq!(template.wildcard(), "lessons.*.*.completed");
/// assert_eq!(template.as_str(), "lessons.{course_id}.{lesson_id}.completed");
/// # Ok::<(), event_core::TemplateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectTemplate {
    source: String,
    tokens: Vec<TemplateToken>,
}

/// Reason a subject template is invalid.
///
/// # Examples
///
/// ```
/// use event_core::{SubjectTemplate, TemplateError};
///
/// let error = SubjectTemplate::parse("users.*.registered").unwrap_err();
/// assert_eq!(error, TemplateError::Wildcard { token: "*".to_owned() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template is empty.
    Empty,
    /// Token number `index` (from 0) is empty, as in `a..b` or a leading or trailing `.`.
    EmptyToken {
        /// Position of the empty token, from 0.
        index: usize,
    },
    /// A token is or contains a wildcard; event subjects name one concrete subject.
    Wildcard {
        /// The offending token.
        token: String,
    },
    /// A literal token breaks the NATS subject grammar.
    InvalidLiteral {
        /// The offending token.
        token: String,
        /// What is wrong with it.
        reason: TokenError,
    },
    /// The subject starts with `$`, which NATS reserves for system subjects
    /// (`$SYS`, `$JS`, `$SRV`).
    ReservedPrefix {
        /// The first token.
        token: String,
    },
    /// The first token is `_INBOX`, which clients use for request/reply inboxes.
    InboxPrefix,
    /// A `{` has no matching `}` in the same token.
    UnclosedBrace {
        /// The offending token.
        token: String,
    },
    /// A `}` has no matching `{`.
    UnopenedBrace {
        /// The offending token.
        token: String,
    },
    /// A placeholder shares its token with other characters, as in `user-{id}`.
    PartialPlaceholder {
        /// The offending token.
        token: String,
    },
    /// A placeholder's name is not a Rust identifier.
    InvalidPlaceholderName {
        /// The name between the braces.
        name: String,
    },
    /// Two placeholders name the same field.
    DuplicatePlaceholder {
        /// The repeated field name.
        name: String,
    },
    /// The literal part of the template alone exceeds [`MAX_SUBJECT_LEN`].
    TooLong {
        /// Length of the template's literal tokens and separators, in bytes.
        len: usize,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("subject template is empty"),
            Self::EmptyToken { index } => write!(
                f,
                "subject token {index} is empty; remove the extra `.` so that tokens are separated by exactly one dot"
            ),
            Self::Wildcard { token } => write!(
                f,
                "subject token `{token}` is a wildcard; an event subject names one concrete subject, and subscribers get wildcards from the event type"
            ),
            Self::InvalidLiteral { token, reason } => {
                write!(f, "subject token `{token}` {reason}")
            }
            Self::ReservedPrefix { token } => write!(
                f,
                "subject starts with `{token}`; the `$` prefix is reserved for NATS system subjects"
            ),
            Self::InboxPrefix => f.write_str(
                "subject starts with `_INBOX`, which is reserved for request/reply inboxes",
            ),
            Self::UnclosedBrace { token } => {
                write!(
                    f,
                    "subject token `{token}` opens a placeholder with `{{` but never closes it with `}}`"
                )
            }
            Self::UnopenedBrace { token } => {
                write!(
                    f,
                    "subject token `{token}` has a `}}` without a matching `{{`"
                )
            }
            Self::PartialPlaceholder { token } => write!(
                f,
                "subject token `{token}` mixes a placeholder with other characters; a placeholder must be a whole token, such as `users.{{user_id}}.registered`"
            ),
            Self::InvalidPlaceholderName { name } => {
                write!(f, "placeholder `{{{name}}}` is not a field name")
            }
            Self::DuplicatePlaceholder { name } => write!(
                f,
                "field `{name}` is used by more than one placeholder; each field may fill one token"
            ),
            Self::TooLong { len } => write!(
                f,
                "subject template is {len} bytes long without its placeholders; the limit for a whole subject is {MAX_SUBJECT_LEN} bytes"
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

impl SubjectTemplate {
    /// Parses and validates a subject template.
    ///
    /// # Errors
    ///
    /// Returns the first [`TemplateError`] found, scanning tokens left to right.
    ///
    /// # Examples
    ///
    /// ```
    /// use event_core::SubjectTemplate;
    ///
    /// assert!(SubjectTemplate::parse("users.{user_id}.registered").is_ok());
    /// assert!(SubjectTemplate::parse("users.{user_id").is_err());
    /// assert!(SubjectTemplate::parse("$SYS.x").is_err());
    /// ```
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        if source.is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut tokens = Vec::new();
        for (index, raw) in source.split('.').enumerate() {
            let token = parse_token(index, raw)?;
            if let TemplateToken::Placeholder(name) = &token {
                let repeated = tokens
                    .iter()
                    .any(|t| matches!(t, TemplateToken::Placeholder(n) if n == name));
                if repeated {
                    return Err(TemplateError::DuplicatePlaceholder { name: name.clone() });
                }
            }
            tokens.push(token);
        }
        check_prefix(&tokens)?;
        let template = Self {
            source: source.to_owned(),
            tokens,
        };
        let literal_len = template.literal_len();
        if literal_len > MAX_SUBJECT_LEN {
            return Err(TemplateError::TooLong { len: literal_len });
        }
        Ok(template)
    }

    /// Returns the template as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Returns the tokens in order.
    #[must_use]
    pub fn tokens(&self) -> &[TemplateToken] {
        &self.tokens
    }

    /// Returns the placeholder names in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().filter_map(|token| match token {
            TemplateToken::Placeholder(name) => Some(name.as_str()),
            TemplateToken::Literal(_) => None,
        })
    }

    /// Builds the subject that matches every instance, with `*` in place of each placeholder.
    #[must_use]
    pub fn wildcard(&self) -> String {
        let parts: Vec<&str> = self
            .tokens
            .iter()
            .map(|token| match token {
                TemplateToken::Literal(text) => text.as_str(),
                TemplateToken::Placeholder(_) => "*",
            })
            .collect();
        parts.join(".")
    }

    /// Returns the length in bytes of the literal tokens and the separators.
    ///
    /// A filled subject is this long plus the lengths of its placeholder values.
    #[must_use]
    pub fn literal_len(&self) -> usize {
        let literals: usize = self
            .tokens
            .iter()
            .map(|token| match token {
                TemplateToken::Literal(text) => text.len(),
                TemplateToken::Placeholder(_) => 0,
            })
            .sum();
        literals + self.tokens.len() - 1
    }
}

fn parse_token(index: usize, raw: &str) -> Result<TemplateToken, TemplateError> {
    if raw.is_empty() {
        return Err(TemplateError::EmptyToken { index });
    }
    let token = || raw.to_owned();
    let opens = raw.contains('{');
    let closes = raw.contains('}');
    if opens && !closes {
        return Err(TemplateError::UnclosedBrace { token: token() });
    }
    if closes && !opens {
        return Err(TemplateError::UnopenedBrace { token: token() });
    }
    if opens {
        let Some(name) = raw
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
        else {
            return Err(TemplateError::PartialPlaceholder { token: token() });
        };
        if name.contains(['{', '}']) {
            return Err(TemplateError::PartialPlaceholder { token: token() });
        }
        if !is_identifier(name) {
            return Err(TemplateError::InvalidPlaceholderName {
                name: name.to_owned(),
            });
        }
        return Ok(TemplateToken::Placeholder(name.to_owned()));
    }
    if raw.contains(['*', '>']) {
        return Err(TemplateError::Wildcard { token: token() });
    }
    validate_literal_token(raw).map_err(|reason| TemplateError::InvalidLiteral {
        token: token(),
        reason,
    })?;
    Ok(TemplateToken::Literal(raw.to_owned()))
}

fn check_prefix(tokens: &[TemplateToken]) -> Result<(), TemplateError> {
    match tokens.first() {
        Some(TemplateToken::Literal(first)) if first.starts_with('$') => {
            Err(TemplateError::ReservedPrefix {
                token: first.clone(),
            })
        }
        Some(TemplateToken::Literal(first)) if first == "_INBOX" => Err(TemplateError::InboxPrefix),
        _ => Ok(()),
    }
}

/// Checks for a plain Rust identifier; raw identifiers are written without `r#` in templates.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && name != "_"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(source: &str) -> TemplateError {
        SubjectTemplate::parse(source).expect_err(source)
    }

    #[test]
    fn parse_splits_literals_and_placeholders() {
        let template = SubjectTemplate::parse("lessons.{course_id}.{lesson_id}.completed").unwrap();
        assert_eq!(
            template.tokens(),
            [
                TemplateToken::Literal("lessons".into()),
                TemplateToken::Placeholder("course_id".into()),
                TemplateToken::Placeholder("lesson_id".into()),
                TemplateToken::Literal("completed".into()),
            ]
        );
        assert_eq!(template.wildcard(), "lessons.*.*.completed");
        assert_eq!(template.literal_len(), "lessons...completed".len());
    }

    #[test]
    fn parse_accepts_single_token_and_leading_placeholder() {
        assert_eq!(
            SubjectTemplate::parse("events").unwrap().wildcard(),
            "events"
        );
        assert_eq!(
            SubjectTemplate::parse("{tenant}.x").unwrap().wildcard(),
            "*.x"
        );
    }

    #[test]
    fn parse_rejects_malformed_templates() {
        let cases: &[(&str, TemplateError)] = &[
            ("", TemplateError::Empty),
            ("a..b", TemplateError::EmptyToken { index: 1 }),
            (".a", TemplateError::EmptyToken { index: 0 }),
            ("a.", TemplateError::EmptyToken { index: 1 }),
            ("a.*.b", TemplateError::Wildcard { token: "*".into() }),
            ("a.>", TemplateError::Wildcard { token: ">".into() }),
            ("a.b*", TemplateError::Wildcard { token: "b*".into() }),
            (
                "$SYS.a",
                TemplateError::ReservedPrefix {
                    token: "$SYS".into(),
                },
            ),
            ("_INBOX.a", TemplateError::InboxPrefix),
            (
                "a.{id",
                TemplateError::UnclosedBrace {
                    token: "{id".into(),
                },
            ),
            (
                "a.id}",
                TemplateError::UnopenedBrace {
                    token: "id}".into(),
                },
            ),
            (
                "a.x{id}",
                TemplateError::PartialPlaceholder {
                    token: "x{id}".into(),
                },
            ),
            (
                "a.{id}x",
                TemplateError::PartialPlaceholder {
                    token: "{id}x".into(),
                },
            ),
            (
                "a.{{id}}",
                TemplateError::PartialPlaceholder {
                    token: "{{id}}".into(),
                },
            ),
            (
                "a.{}",
                TemplateError::InvalidPlaceholderName {
                    name: String::new(),
                },
            ),
            (
                "a.{1x}",
                TemplateError::InvalidPlaceholderName { name: "1x".into() },
            ),
            (
                "a.{_}",
                TemplateError::InvalidPlaceholderName { name: "_".into() },
            ),
            (
                "a.{id}.{id}",
                TemplateError::DuplicatePlaceholder { name: "id".into() },
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(&error_of(source), expected, "template {source:?}");
        }
    }

    #[test]
    fn parse_rejects_invalid_literal_characters() {
        let error = error_of("users.new user");
        assert_eq!(
            error,
            TemplateError::InvalidLiteral {
                token: "new user".into(),
                reason: TokenError::Whitespace
            }
        );
        assert!(matches!(
            error_of("users.ünï"),
            TemplateError::InvalidLiteral {
                reason: TokenError::NonAscii,
                ..
            }
        ));
    }

    #[test]
    fn parse_rejects_overlong_template() {
        let source = format!("a.{}", "x".repeat(MAX_SUBJECT_LEN));
        assert_eq!(
            error_of(&source),
            TemplateError::TooLong {
                len: MAX_SUBJECT_LEN + 2
            }
        );
    }

    #[test]
    fn error_messages_name_the_token() {
        assert_eq!(
            error_of("a.{id").to_string(),
            "subject token `{id` opens a placeholder with `{` but never closes it with `}`"
        );
        assert_eq!(
            error_of("a.x{id}").to_string(),
            "subject token `x{id}` mixes a placeholder with other characters; a placeholder must be a whole token, such as `users.{user_id}.registered`"
        );
        assert_eq!(
            error_of("$JS.a").to_string(),
            "subject starts with `$JS`; the `$` prefix is reserved for NATS system subjects"
        );
    }
}
