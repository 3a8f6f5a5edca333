//! Subject template grammar shared by `event-macros` (at compile time) and `event-runtime`
//! (at run time).
//!
//! A proc-macro crate can export nothing but macros, so the rules that both the
//! `#[domain_event]` macro and the runtime apply to NATS subjects live here, once.
//!
//! # Subject templates
//!
//! A template is a NATS subject whose tokens are either literals (`users`) or placeholders
//! (`{user_id}`) that name a field of the event. A placeholder is always a whole token, so a
//! filled subject has exactly as many tokens as its template, and the wildcard subject of a
//! template replaces each placeholder with `*`.
//!
//! # Examples
//!
//! ```
//! use event_core::{SubjectTemplate, TemplateToken};
//!
//! let template = SubjectTemplate::parse("users.{user_id}.registered")?;
//! assert_eq!(template.wildcard(), "users.*.registered");
//! assert_eq!(template.placeholders().collect::<Vec<_>>(), ["user_id"]);
//! assert_eq!(template.tokens()[0], TemplateToken::Literal("users".to_owned()));
//! # Ok::<(), event_core::TemplateError>(())
//! ```

mod template;
mod token;

pub use template::{SubjectTemplate, TemplateError, TemplateToken};
pub use token::{MAX_SUBJECT_LEN, TokenError, validate_literal_token, validate_token_value};
