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
    /// Whether messages may omit the field; see [`is_optional`].
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

/// Returns whether writers and readers may both leave the field out of a message: writers skip it
/// (`skip_serializing_if`, so the exported schema does not require it), and readers fill it
/// in when it is missing (an `Option`, or a serde default). This matches how the `check`
/// command classifies the field from its schema, where a field that writers always send is
/// required.
pub(crate) fn is_optional(ty: &str, attrs: &str, container: &str) -> bool {
    readers_fill_in(ty, attrs, container) && has_serde_word(attrs, "skip_serializing_if")
}

/// Returns whether readers fill the field in when a message lacks it, because it is an
/// `Option` or has a serde default on the field or the struct.
pub(crate) fn readers_fill_in(ty: &str, attrs: &str, container: &str) -> bool {
    is_option(ty) || has_serde_word(container, "default") || has_serde_word(attrs, "default")
}

/// Returns whether a type, as tokens (`Option < String >`, `std :: option :: Option < u8 >`),
/// is an `Option`.
fn is_option(ty: &str) -> bool {
    ty.split('<')
        .next()
        .and_then(|path| path.rsplit("::").next())
        .is_some_and(|name| name.trim() == "Option")
}

/// Fingerprints every serialized field; `#[serde(skip)]` fields are not on the wire.
pub(crate) fn fields(item: &syn::ItemStruct) -> Vec<FieldPrint> {
    let container = serde_attrs(&item.attrs);
    item.fields
        .iter()
        .filter_map(|field| {
            let attrs = serde_attrs(&field.attrs);
            if has_serde_word(&attrs, "skip") {
                return None;
            }
            let ty = field.ty.to_token_stream().to_string();
            Some(FieldPrint {
                name: field.ident.as_ref()?.unraw().to_string(),
                optional: is_optional(&ty, &attrs, &container),
                ty,
                attrs,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_type_detected() {
        assert!(is_option("Option < String >"));
        assert!(is_option("std :: option :: Option < u8 >"));
        assert!(!is_option("Vec < Option < u8 > >"));
        assert!(!is_option("OptionSet"));
    }

    #[test]
    fn optional_needs_skip_and_fill_in() {
        let skip = "# [serde (skip_serializing_if = \"Option::is_none\")]";
        assert!(is_optional("Option < String >", skip, ""));
        assert!(!is_optional("Option < String >", "", ""));
        assert!(!is_optional("String", skip, ""));
        assert!(is_optional(
            "String",
            "# [serde (default , skip_serializing_if = \"String::is_empty\")]",
            ""
        ));
        assert!(is_optional(
            "Vec < u8 >",
            "# [serde (skip_serializing_if = \"Vec::is_empty\")]",
            "# [serde (default)]"
        ));
    }
}
