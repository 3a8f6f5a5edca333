//! `#[domain_event]`: attribute parsing, the model of the struct, checks, then expansion.

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
    let attr = attr::EventAttr::parse(attr, &mut errors);
    let model = model::EventModel::build(&item_ast, attr, &mut errors);
    match (errors.finish(), model) {
        (Ok(()), Some(model)) => expand::expand(&model),
        (Err(compile_errors), _) => quote! { #item #compile_errors },
        // `build` records an error whenever it returns `None`.
        (Ok(()), None) => item,
    }
}
