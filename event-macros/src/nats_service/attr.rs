//! Parsing of the trait attribute `#[nats_service(...)]` and the method attribute
//! `#[endpoint(...)]`.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use syn::LitStr;
use syn::parse::Parser;
use syn::spanned::Spanned;

use crate::errors::Errors;

/// Keys of `#[nats_service(...)]`.
#[derive(Default)]
pub(crate) struct ServiceAttr {
    pub(crate) name: Option<LitStr>,
    pub(crate) version: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) prefix: Option<LitStr>,
    pub(crate) queue_group: Option<LitStr>,
    pub(crate) no_queue_group: Option<Span>,
    pub(crate) metadata: BTreeMap<String, String>,
    /// `full`, `forward`, `backward` or `none`, replacing the per-direction defaults.
    pub(crate) compatibility: Option<LitStr>,
}

/// Keys of `#[endpoint(...)]` on a method.
#[derive(Default)]
pub(crate) struct EndpointAttr {
    pub(crate) subject: Option<LitStr>,
    pub(crate) timeout_ms: Option<u64>,
}

const SERVICE_KEYS: &str = "`name`, `version`, `description`, `prefix`, `queue_group`, `no_queue_group`, `compatibility` or `metadata(...)`";

impl ServiceAttr {
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut attr = Self::default();
        let parser = syn::meta::parser(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                "name" => set(&mut attr.name, string_value(&meta, errors)?),
                "version" => set(&mut attr.version, string_value(&meta, errors)?),
                "description" => set(&mut attr.description, string_value(&meta, errors)?),
                "prefix" => set(&mut attr.prefix, string_value(&meta, errors)?),
                "queue_group" => set(&mut attr.queue_group, string_value(&meta, errors)?),
                "no_queue_group" => attr.no_queue_group = Some(meta.path.span()),
                "compatibility" => {
                    if let Some(mode) = string_value(&meta, errors)? {
                        if ["full", "forward", "backward", "none"].contains(&mode.value().as_str())
                        {
                            attr.compatibility = Some(mode);
                        } else {
                            errors.spanned(
                                &mode,
                                "compatibility must be \"full\", \"forward\", \"backward\" or \"none\"",
                            );
                        }
                    }
                }
                "metadata" => meta.parse_nested_meta(|entry| {
                    let key = entry
                        .path
                        .get_ident()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    if let Some(value) = string_value(&entry, errors)? {
                        attr.metadata.insert(key, value.value());
                    }
                    Ok(())
                })?,
                _ => {
                    errors.spanned(
                        &meta.path,
                        format_args!(
                            "unknown key `{key}` in #[nats_service]; expected {SERVICE_KEYS}"
                        ),
                    );
                    skip_value(&meta)?;
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

impl EndpointAttr {
    pub(crate) fn parse(attribute: &syn::Attribute, errors: &mut Errors) -> Self {
        let mut attr = Self::default();
        let result = attribute.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                "subject" => set(&mut attr.subject, string_value(&meta, errors)?),
                "timeout_ms" => {
                    let value: syn::Expr = meta.value()?.parse()?;
                    match positive_integer(&value) {
                        Some(timeout) => attr.timeout_ms = Some(timeout),
                        None => errors.spanned(
                            &value,
                            "`timeout_ms` must be a positive integer of milliseconds, such as `timeout_ms = 500`",
                        ),
                    }
                }
                _ => {
                    errors.spanned(
                        &meta.path,
                        format_args!("unknown key `{key}` in #[endpoint]; expected `subject` or `timeout_ms`"),
                    );
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
        attr
    }
}

fn set(slot: &mut Option<LitStr>, value: Option<LitStr>) {
    if value.is_some() {
        *slot = value;
    }
}

/// Reads `key = "string"`. Any other kind of value records an error and returns `None`, so
/// that parsing goes on with the next key.
fn string_value(
    meta: &syn::meta::ParseNestedMeta<'_>,
    errors: &mut Errors,
) -> syn::Result<Option<LitStr>> {
    let value: syn::Expr = meta.value()?.parse()?;
    if let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(literal),
        ..
    }) = value
    {
        return Ok(Some(literal));
    }
    let key = meta
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    errors.spanned(&value, format_args!("`{key}` must be a string literal"));
    Ok(None)
}

fn positive_integer(value: &syn::Expr) -> Option<u64> {
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(literal),
            ..
        }) => literal.base10_parse::<u64>().ok().filter(|v| *v > 0),
        _ => None,
    }
}

fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}
