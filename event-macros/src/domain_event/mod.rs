//! `#[domain_event]`: attribute parsing, the model of the struct, checks, then expansion.

mod attr;
mod expand;
mod fingerprint;
mod lock_guard;
mod model;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

/// Expands `#[domain_event]`; `source_file` is the file that declares the event, where the
/// search for its lock file starts.
pub(crate) fn expand(
    attr: TokenStream,
    item: TokenStream,
    source_file: Option<&std::path::Path>,
) -> TokenStream {
    let item_ast: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => return error.into_compile_error(),
    };
    let mut errors = Errors::default();
    let attr = attr::EventAttr::parse(attr, &mut errors);
    let model = model::EventModel::build(&item_ast, attr, &mut errors);
    let lock = lock_guard::find_lock(source_file);
    let mut fields = Vec::new();
    let mut container = String::new();
    // The guard's errors are kept apart: the event itself is valid, so it is still expanded
    // next to them, and the compiler reports no follow-on errors such as unknown `serde`
    // attributes.
    let mut guard_errors = Errors::default();
    if let Some(model) = &model {
        fields = fingerprint::fields(model.item);
        container = fingerprint::serde_attrs(&model.item.attrs);
        if let Some(lock) = &lock {
            lock_guard::check(model, &fields, &container, lock, &mut guard_errors);
        }
    }
    match (errors.finish(), model) {
        (Ok(()), Some(model)) => {
            let expansion = expand::expand(&model, &fields, &container, lock.as_deref());
            let guard_errors = guard_errors.finish().err();
            quote! { #expansion #guard_errors }
        }
        (Err(compile_errors), _) => quote! { #item #compile_errors },
        // `build` records an error whenever it returns `None`.
        (Ok(()), None) => item,
    }
}
