//! Parsing of `#[domain_event(subject = "...", version = N, name = "...")]`.

use proc_macro2::{Span, TokenStream};
use syn::LitStr;
use syn::parse::Parser;
use syn::spanned::Spanned;

use crate::errors::Errors;

/// The attribute's keys, each with the token it came from for error spans.
pub(crate) struct EventAttr {
    pub(crate) subject: Option<LitStr>,
    pub(crate) version: Option<(u32, Span)>,
    /// Whether `version` appeared at all, valid or not, so that an invalid value is not also
    /// reported as missing.
    pub(crate) version_given: bool,
    pub(crate) name: Option<LitStr>,
    /// `full`, `forward`, `backward` or `none`, as written.
    pub(crate) compatibility: Option<LitStr>,
}

/// Compatibility modes `compatibility = "..."` accepts.
pub(crate) const COMPATIBILITY_MODES: [&str; 4] = ["full", "forward", "backward", "none"];

impl EventAttr {
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut attr = Self {
            subject: None,
            version: None,
            version_given: false,
            name: None,
            compatibility: None,
        };
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("subject") {
                let value: syn::Expr = meta.value()?.parse()?;
                if let Some(subject) = string_literal(&value, "subject", errors) {
                    set_once(&mut attr.subject, subject, &meta.path, errors);
                }
            } else if meta.path.is_ident("version") {
                let value: syn::Expr = meta.value()?.parse()?;
                attr.version_given = true;
                if let Some(version) = parse_version(&value, errors) {
                    set_once(
                        &mut attr.version,
                        (version, value.span()),
                        &meta.path,
                        errors,
                    );
                }
            } else if meta.path.is_ident("name") {
                let value: syn::Expr = meta.value()?.parse()?;
                if let Some(name) = string_literal(&value, "name", errors) {
                    if !is_event_name(&name.value()) {
                        errors.spanned(
                            &name,
                            "event name must start with a letter and contain only ASCII letters, digits, `_` and `-`",
                        );
                    }
                    set_once(&mut attr.name, name, &meta.path, errors);
                }
            } else if meta.path.is_ident("compatibility") {
                let value: syn::Expr = meta.value()?.parse()?;
                if let Some(mode) = string_literal(&value, "compatibility", errors) {
                    if COMPATIBILITY_MODES.contains(&mode.value().as_str()) {
                        set_once(&mut attr.compatibility, mode, &meta.path, errors);
                    } else {
                        errors.spanned(
                            &mode,
                            "compatibility must be \"full\", \"forward\", \"backward\" or \"none\"",
                        );
                    }
                }
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                errors.spanned(
                    &meta.path,
                    format_args!(
                        "unknown key `{key}` in #[domain_event]; expected `subject`, `version`, `name` or `compatibility`"
                    ),
                );
                // Skip the value so that the keys after it are still checked.
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
            }
            Ok(())
        });
        if let Err(error) = parser.parse2(tokens) {
            errors.push(error);
        }
        attr
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: &syn::Path, errors: &mut Errors) {
    if slot.is_some() {
        errors.spanned(key, "duplicate key in #[domain_event]");
    } else {
        *slot = Some(value);
    }
}

fn string_literal(value: &syn::Expr, key: &str, errors: &mut Errors) -> Option<LitStr> {
    if let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(literal),
        ..
    }) = value
    {
        return Some(literal.clone());
    }
    errors.spanned(value, format_args!("`{key}` must be a string literal"));
    None
}

fn parse_version(value: &syn::Expr, errors: &mut Errors) -> Option<u32> {
    let parsed = match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(literal),
            ..
        }) => literal.base10_parse::<u32>().ok(),
        _ => None,
    };
    match parsed {
        Some(0) | None => {
            errors.spanned(
                value,
                format_args!(
                    "event version must be a positive integer no larger than {}, such as `version = 1`",
                    u32::MAX
                ),
            );
            None
        }
        Some(version) => Some(version),
    }
}

fn is_event_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
