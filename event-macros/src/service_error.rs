//! `#[derive(ServiceError)]`: the `Nats-Service-Error-Code` of each variant, from attributes.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Data, DeriveInput, Fields, LitInt};

use crate::errors::Errors;

/// Expands the derive on `input`, or returns the errors as `compile_error!` invocations.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.into_compile_error(),
    };
    let mut errors = Errors::default();
    let default_code = code_of(&input.attrs, &mut errors);
    let ident = &input.ident;
    let body = match &input.data {
        Data::Struct(_) => {
            if default_code.is_none() {
                errors.spanned(
                    ident,
                    "missing `#[service_error(code = ...)]` on the struct: name the code that \
                     every error reply of this type carries, for example 500",
                );
            }
            quote!(#default_code)
        }
        Data::Enum(data) => {
            let arms = data.variants.iter().map(|variant| {
                let code = code_of(&variant.attrs, &mut errors).or(default_code);
                if code.is_none() {
                    errors.spanned(
                        &variant.ident,
                        format!(
                            "missing code for variant `{}`: add `#[service_error(code = ...)]` \
                             to it, or to the enum as the default of every variant",
                            variant.ident
                        ),
                    );
                }
                let name = &variant.ident;
                let pattern = match &variant.fields {
                    Fields::Named(_) => quote!(Self::#name { .. }),
                    Fields::Unnamed(_) => quote!(Self::#name(..)),
                    Fields::Unit => quote!(Self::#name),
                };
                quote!(#pattern => #code,)
            });
            let arms: Vec<TokenStream> = arms.collect();
            // An enum without variants has no values, so `code` can never be called.
            quote!(match *self { #(#arms)* })
        }
        Data::Union(data) => {
            errors.spanned(
                data.union_token,
                "`ServiceError` cannot be derived for a union; use an enum or a struct",
            );
            TokenStream::new()
        }
    };
    if let Err(compile_errors) = errors.finish() {
        return compile_errors;
    }
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    // A generic type is an error type only for the arguments that give it the trait's
    // supertraits, so the impl requires exactly those instead of bounding each parameter.
    let where_clause = if input.generics.params.is_empty() {
        quote!(#where_clause)
    } else {
        let predicates = where_clause
            .into_iter()
            .flat_map(|clause| clause.predicates.iter());
        quote! {
            where
                #(#predicates,)*
                #ident #type_generics: ::core::fmt::Display
                    + ::event_runtime::__private::serde::Serialize
                    + ::event_runtime::__private::serde::de::DeserializeOwned
                    + ::event_runtime::__private::schemars::JsonSchema
                    + ::core::marker::Send
                    + ::core::marker::Sync
                    + 'static,
        }
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::event_runtime::service::ServiceError for #ident #type_generics
        #where_clause
        {
            fn code(&self) -> ::core::primitive::u16 {
                #body
            }
        }
    }
}

/// Reads `#[service_error(code = N)]` from `attrs`, recording malformed attributes in
/// `errors`.
fn code_of(attrs: &[Attribute], errors: &mut Errors) -> Option<u16> {
    let mut code = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("service_error")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("code") {
                return Err(meta.error("unknown `service_error` key; the only key is `code`"));
            }
            let literal: LitInt = meta.value()?.parse()?;
            let value = literal.base10_parse::<u16>().map_err(|_| {
                syn::Error::new(
                    literal.span(),
                    "invalid code: expected an integer from 0 to 65535, conventionally an HTTP \
                     status such as 404",
                )
            })?;
            if code.replace(value).is_some() {
                return Err(syn::Error::new(literal.span(), "duplicate `code`"));
            }
            Ok(())
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    code
}
