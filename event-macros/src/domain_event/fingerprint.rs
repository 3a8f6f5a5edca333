//! The fingerprint of an event's wire shape, as the macro sees it in the source: each
//! field's name, type and serde attributes. The lock file records it, and the compile-time
//! guard compares it with the struct being compiled.

use quote::ToTokens;
use syn::ext::IdentExt;

/// One field as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldPrint {
    pub(crate) name: String,
    pub(crate) ty: String,
    /// Whether a message may omit the field: an `Option`, or a field with a serde default.
    pub(crate) optional: bool,
    /// The field's `#[serde(...)]` attributes, as tokens.
    pub(crate) attrs: String,
}

/// Returns the `#[serde(...)]` attributes among `attrs`, as one string of tokens.
pub(crate) fn serde_attrs(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
        .map(|attr| attr.meta.to_token_stream().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_serde_word(attrs: &str, word: &str) -> bool {
    attrs
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|token| token == word)
}

/// Fingerprints every serialized field; `#[serde(skip)]` fields are not on the wire.
pub(crate) fn fields(item: &syn::ItemStruct) -> Vec<FieldPrint> {
    let container = serde_attrs(&item.attrs);
    let container_default = has_serde_word(&container, "default");
    item.fields
        .iter()
        .filter_map(|field| {
            let attrs = serde_attrs(&field.attrs);
            if has_serde_word(&attrs, "skip") {
                return None;
            }
            let ty = field.ty.to_token_stream().to_string();
            let is_option = matches!(&field.ty, syn::Type::Path(path)
                if path.path.segments.last().is_some_and(|s| s.ident == "Option"));
            Some(FieldPrint {
                name: field.ident.as_ref()?.unraw().to_string(),
                optional: is_option || container_default || has_serde_word(&attrs, "default"),
                ty,
                attrs,
            })
        })
        .collect()
}
