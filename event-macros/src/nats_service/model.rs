//! The model of a service trait and the checks across its attribute and methods.

use std::collections::BTreeMap;

use event_core::SubjectTemplate;
use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::attr::{EndpointAttr, ServiceAttr};
use crate::errors::Errors;

/// Queue group of the NATS services protocol, used unless the trait sets another or none.
const DEFAULT_QUEUE_GROUP: &str = "q";

/// Names of the generated client's own methods, which a service method must not take.
const RESERVED_CLIENT_METHODS: [&str; 3] = ["new", "builder", "service_client"];

/// A validated service trait, ready to expand.
pub(crate) struct ServiceModel<'a> {
    pub(crate) item: &'a syn::ItemTrait,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) prefix: String,
    pub(crate) queue_group: Option<String>,
    pub(crate) metadata: BTreeMap<String, String>,
    /// A mode for every message, replacing the per-direction defaults, if set.
    pub(crate) compatibility: Option<String>,
    pub(crate) methods: Vec<MethodModel<'a>>,
}

/// One service method.
pub(crate) struct MethodModel<'a> {
    pub(crate) function: &'a syn::TraitItemFn,
    pub(crate) ident: &'a syn::Ident,
    pub(crate) name: String,
    pub(crate) request: &'a syn::Type,
    pub(crate) request_pattern: &'a syn::Pat,
    pub(crate) response: syn::Type,
    pub(crate) error: Option<syn::Type>,
    pub(crate) subject: String,
    pub(crate) custom_subject: bool,
    pub(crate) timeout_ms: Option<u64>,
    /// The method's attributes without `#[endpoint]`, so that doc comments and `#[cfg]` stay.
    pub(crate) attrs: Vec<syn::Attribute>,
}

impl MethodModel<'_> {
    /// Returns the method's `#[cfg]` and `#[cfg_attr]` attributes, copied onto every item
    /// generated for it.
    pub(crate) fn cfg_attrs(&self) -> impl Iterator<Item = &syn::Attribute> {
        self.attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
    }

    /// Returns the method's doc comments.
    pub(crate) fn doc_attrs(&self) -> impl Iterator<Item = &syn::Attribute> {
        self.attrs.iter().filter(|a| a.path().is_ident("doc"))
    }
}

impl<'a> ServiceModel<'a> {
    pub(crate) fn build(
        item: &'a syn::Item,
        attr: ServiceAttr,
        errors: &mut Errors,
    ) -> Option<Self> {
        let syn::Item::Trait(item) = item else {
            errors.at(item.span(), "#[nats_service] applies to a trait");
            return None;
        };
        check_trait_shape(item, errors);
        let name = service_name(&attr, errors);
        let version = service_version(&attr, errors);
        let prefix = match &attr.prefix {
            Some(prefix) => check_subject(prefix, "prefix", errors),
            None => name.clone().unwrap_or_default(),
        };
        let queue_group = queue_group(&attr, errors);
        let description = attr
            .description
            .as_ref()
            .map_or_else(|| doc_text(&item.attrs), syn::LitStr::value);
        let mut methods = Vec::new();
        for trait_item in &item.items {
            match trait_item {
                syn::TraitItem::Fn(function) => {
                    if let Some(method) = MethodModel::build(function, &prefix, errors) {
                        methods.push(method);
                    }
                }
                other => errors.spanned(
                    other,
                    "#[nats_service] traits contain only `async fn` methods; move constants and types elsewhere",
                ),
            }
        }
        check_collisions(&methods, errors);
        Some(Self {
            item,
            name: name?,
            version: version?,
            description,
            prefix,
            queue_group,
            metadata: attr.metadata,
            compatibility: attr.compatibility.as_ref().map(syn::LitStr::value),
            methods,
        })
    }
}

fn check_trait_shape(item: &syn::ItemTrait, errors: &mut Errors) {
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        errors.spanned(
            &item.generics,
            "service traits cannot be generic: a service has one set of request and response types",
        );
    }
    if let Some(unsafety) = &item.unsafety {
        errors.spanned(unsafety, "service traits cannot be `unsafe`");
    }
}

fn service_name(attr: &ServiceAttr, errors: &mut Errors) -> Option<String> {
    let Some(name) = &attr.name else {
        errors.at(
            Span::call_site(),
            "missing `name` in #[nats_service]; for example `name = \"user-directory\"`",
        );
        return None;
    };
    let value = name.value();
    let valid = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        errors.spanned(
            name,
            "service name must be non-empty and contain only ASCII letters, digits, `-` and `_`",
        );
        return None;
    }
    Some(value)
}

fn service_version(attr: &ServiceAttr, errors: &mut Errors) -> Option<String> {
    let Some(version) = &attr.version else {
        errors.at(
            Span::call_site(),
            "missing `version` in #[nats_service]; for example `version = \"1.0.0\"`",
        );
        return None;
    };
    match semver::Version::parse(&version.value()) {
        Ok(_) => Some(version.value()),
        Err(error) => {
            errors.spanned(
                version,
                format_args!("service version must be a SemVer version such as \"1.2.0\": {error}"),
            );
            None
        }
    }
}

fn queue_group(attr: &ServiceAttr, errors: &mut Errors) -> Option<String> {
    match (&attr.queue_group, attr.no_queue_group) {
        (Some(group), Some(span)) => {
            errors.at(
                span,
                "`no_queue_group` contradicts `queue_group`; keep one of them",
            );
            Some(group.value())
        }
        (Some(group), None) => {
            if let Err(reason) = event_core::validate_literal_token(&group.value()) {
                errors.spanned(group, format_args!("invalid queue group: it {reason}"));
            }
            Some(group.value())
        }
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_QUEUE_GROUP.to_owned()),
    }
}

/// Validates a subject or prefix with no placeholders and returns it.
fn check_subject(subject: &syn::LitStr, what: &str, errors: &mut Errors) -> String {
    let value = subject.value();
    match SubjectTemplate::parse(&value) {
        Ok(template) if template.placeholders().next().is_some() => {
            errors.spanned(subject, format_args!("{what} cannot contain placeholders"));
        }
        Ok(_) => {}
        Err(error) => errors.spanned(subject, format_args!("invalid {what}: {error}")),
    }
    value
}

/// Joins doc comments into one description.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value().trim().to_owned()),
            _ => None,
        })
        .collect();
    lines.join("\n").trim().to_owned()
}

impl<'a> MethodModel<'a> {
    fn build(function: &'a syn::TraitItemFn, prefix: &str, errors: &mut Errors) -> Option<Self> {
        let signature = &function.sig;
        let name = signature.ident.unraw().to_string();
        let mut valid = true;
        if signature.asyncness.is_none() {
            errors.spanned(
                signature.fn_token,
                format_args!("service method `{name}` must be `async fn`"),
            );
            valid = false;
        }
        if !signature.generics.params.is_empty() || signature.generics.where_clause.is_some() {
            errors.spanned(
                &signature.generics,
                format_args!(
                    "service method `{name}` cannot be generic: each endpoint has one request and one response type"
                ),
            );
            valid = false;
        }
        if let Some(body) = &function.default {
            errors.at(
                body.brace_token.span.join(),
                "service methods cannot have a default body; implement them on the handler type",
            );
        }
        if let Some(unsafety) = &signature.unsafety {
            errors.spanned(unsafety, "service methods cannot be `unsafe`");
        }
        if let Some(variadic) = &signature.variadic {
            errors.spanned(variadic, "service methods cannot be variadic");
        }
        let receiver_ok = check_receiver(signature, &name, errors);
        let request = request_argument(signature, &name, errors);
        let mut endpoint_attr = EndpointAttr::default();
        let mut attrs = Vec::new();
        for attribute in &function.attrs {
            if attribute.path().is_ident("endpoint") {
                endpoint_attr = EndpointAttr::parse(attribute, errors);
            } else {
                attrs.push(attribute.clone());
            }
        }
        let (subject, custom_subject) = match &endpoint_attr.subject {
            Some(subject) => (check_subject(subject, "endpoint subject", errors), true),
            None => (format!("{prefix}.{name}"), false),
        };
        let (response, error) = split_return_type(&signature.output, &name, errors)?;
        let (request_pattern, request) = request?;
        (valid && receiver_ok).then_some(Self {
            function,
            ident: &signature.ident,
            name,
            request,
            request_pattern,
            response,
            error,
            subject,
            custom_subject,
            timeout_ms: endpoint_attr.timeout_ms,
            attrs,
        })
    }
}

fn check_receiver(signature: &syn::Signature, name: &str, errors: &mut Errors) -> bool {
    let receiver = signature.inputs.first().and_then(|input| match input {
        syn::FnArg::Receiver(receiver) => Some(receiver),
        syn::FnArg::Typed(_) => None,
    });
    let message = format_args!(
        "service method `{name}` must take `&self`, because the server calls it on a shared handler from concurrent tasks"
    );
    match receiver {
        Some(receiver) if receiver.reference.is_some() && receiver.mutability.is_none() => {
            if let Some((_, Some(lifetime))) = &receiver.reference {
                errors.spanned(
                    lifetime,
                    "service methods take `&self` without a named lifetime",
                );
                return false;
            }
            true
        }
        Some(receiver) => {
            errors.spanned(receiver, message);
            false
        }
        None => {
            errors.spanned(&signature.ident, message);
            false
        }
    }
}

fn request_argument<'a>(
    signature: &'a syn::Signature,
    name: &str,
    errors: &mut Errors,
) -> Option<(&'a syn::Pat, &'a syn::Type)> {
    let arguments: Vec<&syn::PatType> = signature
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(argument) => Some(argument),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    match arguments.as_slice() {
        [argument] => {
            if contains_lifetime(&argument.ty) {
                errors.spanned(
                    &argument.ty,
                    "the request type must own its data (no references or lifetimes), because it is decoded from each message",
                );
                return None;
            }
            Some((&argument.pat, &argument.ty))
        }
        [] => {
            errors.at(
                signature.paren_token.span.join(),
                format_args!(
                    "service method `{name}` needs one request argument after `&self`; use `request: ()` for a method without input"
                ),
            );
            None
        }
        [_, extra, ..] => {
            errors.spanned(
                extra,
                format_args!(
                    "service method `{name}` takes exactly one request argument; put the fields in one request struct"
                ),
            );
            None
        }
    }
}

fn contains_lifetime(ty: &syn::Type) -> bool {
    fn scan(tokens: proc_macro2::TokenStream) -> bool {
        let mut previous_was_ampersand = false;
        for token in tokens {
            match token {
                TokenTree::Punct(punct) if punct.as_char() == '\'' => return true,
                TokenTree::Punct(punct) if punct.as_char() == '&' => previous_was_ampersand = true,
                TokenTree::Group(group) => {
                    if scan(group.stream()) {
                        return true;
                    }
                    previous_was_ampersand = false;
                }
                _ => {
                    if previous_was_ampersand {
                        return true;
                    }
                }
            }
        }
        previous_was_ampersand
    }
    scan(ty.to_token_stream())
}

/// Splits `-> Result<Resp, Err>` into its two types; any other return type is the response.
fn split_return_type(
    output: &syn::ReturnType,
    name: &str,
    errors: &mut Errors,
) -> Option<(syn::Type, Option<syn::Type>)> {
    let ty = match output {
        syn::ReturnType::Default => return Some((syn::parse_quote!(()), None)),
        syn::ReturnType::Type(_, ty) => ty.as_ref(),
    };
    if contains_lifetime(ty) {
        errors.spanned(
            ty,
            format_args!(
                "the return type of `{name}` must own its data (no references or lifetimes)"
            ),
        );
        return None;
    }
    let syn::Type::Path(path) = ty else {
        return Some((ty.clone(), None));
    };
    let Some(last) = path.path.segments.last() else {
        return Some((ty.clone(), None));
    };
    if last.ident != "Result" {
        return Some((ty.clone(), None));
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return Some((ty.clone(), None));
    };
    let types: Vec<&syn::Type> = arguments
        .args
        .iter()
        .filter_map(|argument| match argument {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect();
    match types.as_slice() {
        [response, error] => Some(((*response).clone(), Some((*error).clone()))),
        _ => {
            errors.spanned(
                ty,
                format_args!(
                    "write the return type of `{name}` as `Result<Response, Error>` with both types, so the macro can see the error type"
                ),
            );
            None
        }
    }
}

fn check_collisions(methods: &[MethodModel<'_>], errors: &mut Errors) {
    let names: Vec<&str> = methods.iter().map(|m| m.name.as_str()).collect();
    for (index, method) in methods.iter().enumerate() {
        if RESERVED_CLIENT_METHODS.contains(&method.name.as_str()) {
            errors.spanned(
                method.ident,
                format_args!(
                    "method name `{}` collides with the generated client's own `{0}`; rename the method",
                    method.name
                ),
            );
        }
        if let Some(base) = method.name.strip_suffix("_with")
            && names.contains(&base)
        {
            errors.spanned(
                method.ident,
                format_args!(
                    "method name `{}` collides with the generated `{base}_with`, the variant of `{base}` that takes call options; rename one of them",
                    method.name
                ),
            );
        }
        if let Some(first) = methods[..index]
            .iter()
            .find(|m| m.subject == method.subject)
        {
            errors.spanned(
                method.ident,
                format_args!(
                    "methods `{}` and `{}` both listen on subject `{}`; give one of them another subject",
                    first.name, method.name, method.subject
                ),
            );
        }
    }
}
