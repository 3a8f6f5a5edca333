//! The model of an event struct and the checks that span its attribute and fields.

use event_core::{SubjectTemplate, TemplateToken};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::attr::EventAttr;
use crate::errors::Errors;

/// A validated event, ready to expand.
pub(crate) struct EventModel<'a> {
    pub(crate) item: &'a syn::ItemStruct,
    pub(crate) name: String,
    pub(crate) version: u32,
    /// `full`, `forward`, `backward` or `none`.
    pub(crate) compatibility: String,
    pub(crate) template: SubjectTemplate,
    /// The subject's tokens in order, each placeholder resolved to its field.
    pub(crate) tokens: Vec<SubjectPart<'a>>,
}

pub(crate) enum SubjectPart<'a> {
    Literal(String),
    Field(&'a syn::Field),
}

impl<'a> EventModel<'a> {
    /// Builds the model, recording every problem in `errors`; returns `None` when the item
    /// cannot be modelled at all.
    pub(crate) fn build(item: &'a syn::Item, attr: EventAttr, errors: &mut Errors) -> Option<Self> {
        let item = struct_item(item, errors)?;
        if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
            errors.spanned(
                &item.generics,
                "domain events cannot be generic: an event has one subject, one schema and one version, so declare a concrete struct for each payload type",
            );
        }
        let syn::Fields::Named(fields) = &item.fields else {
            errors.spanned(
                &item.fields,
                "#[domain_event] requires named fields, because subject placeholders refer to fields by name",
            );
            return None;
        };
        let version = attr.version.map(|(version, _)| version);
        if !attr.version_given {
            errors.at(
                Span::call_site(),
                "missing `version` in #[domain_event]; add `version = 1` for a new event",
            );
        }
        let Some(subject) = attr.subject else {
            errors.at(
                Span::call_site(),
                "missing `subject` in #[domain_event]; for example `subject = \"users.{user_id}.registered\"`",
            );
            return None;
        };
        let template = match SubjectTemplate::parse(&subject.value()) {
            Ok(template) => template,
            Err(error) => {
                errors.spanned(&subject, format_args!("invalid subject: {error}"));
                return None;
            }
        };
        let tokens = resolve_placeholders(&template, &fields.named, &subject, errors);
        let name = attr
            .name
            .map_or_else(|| item.ident.unraw().to_string(), |name| name.value());
        let compatibility = attr
            .compatibility
            .map_or_else(|| "full".to_owned(), |mode| mode.value());
        Some(Self {
            item,
            name,
            version: version?,
            compatibility,
            template,
            tokens: tokens?,
        })
    }

    /// Returns the field whose name, without `r#`, is `name`.
    pub(crate) fn field(&self, name: &str) -> Option<&'a syn::Field> {
        self.item.fields.iter().find(|field| {
            field
                .ident
                .as_ref()
                .is_some_and(|ident| ident.unraw() == name)
        })
    }

    /// Returns the placeholder fields in subject order.
    pub(crate) fn placeholder_fields(&self) -> impl Iterator<Item = &'a syn::Field> + '_ {
        self.tokens.iter().filter_map(|part| match part {
            SubjectPart::Field(field) => Some(*field),
            SubjectPart::Literal(_) => None,
        })
    }
}

fn struct_item<'a>(item: &'a syn::Item, errors: &mut Errors) -> Option<&'a syn::ItemStruct> {
    match item {
        syn::Item::Struct(item) => Some(item),
        syn::Item::Enum(item) => {
            errors.spanned(
                item.enum_token,
                "#[domain_event] does not support enums: an event is one message type with one subject; put the enum in a field of an event struct, or declare one event per variant",
            );
            None
        }
        other => {
            errors.at(
                other.span(),
                "#[domain_event] applies to a struct with named fields",
            );
            None
        }
    }
}

fn resolve_placeholders<'a>(
    template: &SubjectTemplate,
    fields: &'a syn::punctuated::Punctuated<syn::Field, syn::Token![,]>,
    subject: &syn::LitStr,
    errors: &mut Errors,
) -> Option<Vec<SubjectPart<'a>>> {
    let mut parts = Vec::new();
    let mut complete = true;
    for token in template.tokens() {
        match token {
            TemplateToken::Literal(text) => parts.push(SubjectPart::Literal(text.clone())),
            TemplateToken::Placeholder(name) => {
                let field = fields.iter().find(|field| {
                    field
                        .ident
                        .as_ref()
                        .is_some_and(|ident| ident.unraw() == name)
                });
                match field {
                    Some(field) => {
                        if let Some(cfg) = field.attrs.iter().find(|a| a.path().is_ident("cfg")) {
                            errors.spanned(
                                cfg,
                                format_args!(
                                    "field `{name}` fills a subject placeholder, so it cannot be conditionally compiled"
                                ),
                            );
                        }
                        parts.push(SubjectPart::Field(field));
                    }
                    None => {
                        complete = false;
                        errors.spanned(subject, unknown_field_message(name, fields));
                    }
                }
            }
        }
    }
    complete.then_some(parts)
}

fn unknown_field_message(
    name: &str,
    fields: &syn::punctuated::Punctuated<syn::Field, syn::Token![,]>,
) -> String {
    let known: Vec<String> = fields
        .iter()
        .filter_map(|field| field.ident.as_ref())
        .map(|ident| format!("`{}`", ident.unraw()))
        .collect();
    if known.is_empty() {
        format!("placeholder `{{{name}}}` names no field; the struct has no fields")
    } else {
        format!(
            "placeholder `{{{name}}}` names no field of this struct; fields are {}",
            known.join(", ")
        )
    }
}
