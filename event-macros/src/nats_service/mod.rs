//! `#[nats_service]`: attribute parsing, the model of the trait, checks, then expansion.

mod attr;
mod expand;
mod model;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_ast: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => return error.into_compile_error(),
    };
    let mut errors = Errors::default();
    let attr = attr::ServiceAttr::parse(attr, &mut errors);
    let model = model::ServiceModel::build(&item_ast, attr, &mut errors);
    match (errors.finish(), model) {
        (Ok(()), Some(model)) => expand::expand(&model),
        (Err(compile_errors), _) => {
            let item = without_endpoint_attributes(item_ast);
            quote! { #item #compile_errors }
        }
        // `build` records an error whenever it returns `None`.
        (Ok(()), None) => item,
    }
}

/// Removes `#[endpoint]` from the methods, so that the trait emitted next to a compile error
/// does not also fail on an unknown attribute.
fn without_endpoint_attributes(mut item: syn::Item) -> syn::Item {
    if let syn::Item::Trait(service) = &mut item {
        for trait_item in &mut service.items {
            if let syn::TraitItem::Fn(function) = trait_item {
                function
                    .attrs
                    .retain(|attr| !attr.path().is_ident("endpoint"));
            }
        }
    }
    item
}
