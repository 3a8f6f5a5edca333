//! Rules for single subject tokens.

use std::fmt;

/// Maximum length, in bytes, of a filled event subject.
///
/// The NATS server reads a message's subject, reply subject and sizes as one protocol line
/// whose default limit (`max_control_line`) is 4 KiB. Subjects this toolkit builds stay far
/// below that, so a placeholder value cannot push a publish over the server's limit.
pub const MAX_SUBJECT_LEN: usize = 512;

/// Reason a subject token, literal or placeholder value, is invalid.
///
/// # Examples
///
/// ```
/// use event_core::{TokenError, validate_token_value};
///
/// assert_eq!(validate_token_value("a.b"), Err(TokenError::Separator));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is empty, which would produce `a..b`.
    Empty,
    /// The token contains `.`, which would split it into two tokens.
    Separator,
    /// The token contains `*` or `>`, which would turn the subject into a wildcard.
    Wildcard,
    /// The token contains a space, tab or other whitespace character.
    Whitespace,
    /// The token contains a control character.
    Control,
    /// A literal token contains a character outside printable ASCII.
    NonAscii,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "is empty",
            Self::Separator => "contains the token separator `.`",
            Self::Wildcard => "contains a wildcard character (`*` or `>`)",
            Self::Whitespace => "contains whitespace",
            Self::Control => "contains a control character",
            Self::NonAscii => "contains a character outside printable ASCII",
        })
    }
}

impl std::error::Error for TokenError {}

/// Checks a value that fills a placeholder.
///
/// Values may hold any Unicode text except the characters that change the shape of a
/// subject: `.`, `*`, `>`, whitespace and control characters. An empty value is rejected.
///
/// # Errors
///
/// Returns the first [`TokenError`] found, scanning left to right.
///
/// # Examples
///
/// ```
/// use event_core::{TokenError, validate_token_value};
///
/// assert!(validate_token_value("user-42").is_ok());
/// assert!(validate_token_value("Zoë").is_ok());
/// assert_eq!(validate_token_value(">"), Err(TokenError::Wildcard));
/// assert_eq!(validate_token_value(""), Err(TokenError::Empty));
/// ```
pub fn validate_token_value(value: &str) -> Result<(), TokenError> {
    if value.is_empty() {
        return Err(TokenError::Empty);
    }
    // Fast path for the common ASCII value: one comparison per byte instead of a Unicode
    // lookup per character. Any doubt falls through to the full check below.
    let plain_ascii = value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'.' | b'*' | b'>'));
    if plain_ascii {
        return Ok(());
    }
    for c in value.chars() {
        match c {
            '.' => return Err(TokenError::Separator),
            '*' | '>' => return Err(TokenError::Wildcard),
            c if c.is_control() => return Err(TokenError::Control),
            c if c.is_whitespace() => return Err(TokenError::Whitespace),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a literal token of a subject template.
///
/// Literal tokens follow the NATS subject grammar strictly: printable ASCII without `.`,
/// `*`, `>` or whitespace, and not empty.
///
/// # Errors
///
/// Returns the first [`TokenError`] found, scanning left to right.
///
/// # Examples
///
/// ```
/// use event_core::{TokenError, validate_literal_token};
///
/// assert!(validate_literal_token("registered").is_ok());
/// assert_eq!(validate_literal_token("é"), Err(TokenError::NonAscii));
/// ```
pub fn validate_literal_token(token: &str) -> Result<(), TokenError> {
    validate_token_value(token)?;
    if token.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(TokenError::NonAscii);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_value_rejects_each_reserved_character() {
        let cases = [
            ("", TokenError::Empty),
            ("a.b", TokenError::Separator),
            (".", TokenError::Separator),
            ("*", TokenError::Wildcard),
            ("a>", TokenError::Wildcard),
            ("a b", TokenError::Whitespace),
            ("a\u{a0}b", TokenError::Whitespace),
            ("a\tb", TokenError::Control),
            ("a\nb", TokenError::Control),
            ("a\u{7f}", TokenError::Control),
            ("\0", TokenError::Control),
        ];
        for (value, expected) in cases {
            assert_eq!(
                validate_token_value(value),
                Err(expected),
                "value {value:?}"
            );
        }
    }

    #[test]
    fn token_value_accepts_unicode_and_punctuation() {
        for value in ["a", "user-42", "ü", "日本", "$x", "a_b", "a:b", "#1"] {
            assert_eq!(validate_token_value(value), Ok(()), "value {value:?}");
        }
    }

    #[test]
    fn literal_token_requires_printable_ascii() {
        assert_eq!(validate_literal_token("ü"), Err(TokenError::NonAscii));
        assert_eq!(validate_literal_token("a b"), Err(TokenError::Whitespace));
        assert_eq!(validate_literal_token("users"), Ok(()));
        assert_eq!(validate_literal_token("v1-beta_2"), Ok(()));
    }
}
