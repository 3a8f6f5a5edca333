//! Code generation for a validated event.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::fingerprint::FieldPrint;
use super::model::{EventModel, SubjectPart};

pub(crate) fn expand(
    model: &EventModel<'_>,
    fields: &[FieldPrint],
    container: &str,
    lock: Option<&std::path::Path>,
) -> TokenStream {
    let item = model.item;
    let ident = &item.ident;
    let vis = &item.vis;
    let filter_ident = format_ident!("{}Filter", ident.unraw());
    let name = &model.name;
    let version = model.version;
    let event_type = format!("{}.v{}", model.name, model.version);
    let template = model.template.as_str();
    let wildcard = model.template.wildcard();
    let token_count = model.template.tokens().len();

    let value_steps = model.tokens.iter().map(|part| match part {
        SubjectPart::Literal(text) => quote! { __writer.literal(#text); },
        SubjectPart::Field(field) => {
            let member = field.ident.as_ref().expect("named field");
            let key = member.unraw().to_string();
            // Spanned on the field's type, so a type without `Display` is reported there.
            quote_spanned! {field.ty.span()=>
                __writer.placeholder(#key, &self.#member)?;
            }
        }
    });
    let filter_steps = model.tokens.iter().map(|part| match part {
        SubjectPart::Literal(text) => quote! { __writer.literal(#text); },
        SubjectPart::Field(field) => {
            let member = field.ident.as_ref().expect("named field");
            let key = member.unraw().to_string();
            quote! {
                __writer.filter_placeholder(#key, ::core::option::Option::as_deref(&self.#member))?;
            }
        }
    });
    let filter_fields: Vec<_> = model
        .placeholder_fields()
        .map(|field| field.ident.as_ref().expect("named field"))
        .collect();
    let filter_methods = filter_fields.iter().map(|member| {
        let doc = format!("Restricts the filter to events whose `{}` is `value`.", member.unraw());
        quote! {
            #[doc = #doc]
            #[must_use]
            #vis fn #member(mut self, value: impl ::core::fmt::Display) -> Self {
                self.#member = ::core::option::Option::Some(::std::string::ToString::to_string(&value));
                self
            }
        }
    });
    let compatibility = match model.compatibility.as_str() {
        "forward" => quote!(Forward),
        "backward" => quote!(Backward),
        "none" => quote!(None),
        _ => quote!(Full),
    };
    let field_prints = fields.iter().map(|field| {
        let FieldPrint { name, ty, optional, attrs } = field;
        quote! {
            ::event_runtime::compat::FieldPrint { name: #name, ty: #ty, optional: #optional, attrs: #attrs }
        }
    });
    // Makes cargo recompile this crate when the lock file changes.
    let lock_dependency = lock.map(|path| {
        let path = path.display().to_string();
        quote! { const _: &[u8] = ::core::include_bytes!(#path); }
    });
    let filter_doc = format!(
        "Subscription filter for [`{ident}`]: each placeholder left unset matches any value.\n\n\
         Build one with `{ident}::filter()` from the `DomainEvent` trait."
    );

    quote! {
        #[derive(
            ::event_runtime::__private::serde::Serialize,
            ::event_runtime::__private::serde::Deserialize,
            ::event_runtime::__private::schemars::JsonSchema
        )]
        #[serde(crate = "::event_runtime::__private::serde")]
        #[schemars(crate = "::event_runtime::__private::schemars")]
        #item

        #[doc = #filter_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default)]
        #vis struct #filter_ident {
            #( #filter_fields: ::core::option::Option<::std::string::String>, )*
        }

        impl #filter_ident {
            #( #filter_methods )*
        }

        impl ::event_runtime::EventFilter for #filter_ident {
            type Event = #ident;

            fn subject(
                &self,
            ) -> ::core::result::Result<::std::string::String, ::event_runtime::SubjectError> {
                let mut __writer = ::event_runtime::__private::SubjectWriter::new(#template);
                #( #filter_steps )*
                __writer.finish()
            }
        }

        impl ::event_runtime::DomainEvent for #ident {
            const NAME: &'static str = #name;
            const VERSION: u32 = #version;
            const EVENT_TYPE: &'static str = #event_type;
            const SUBJECT_TEMPLATE: &'static str = #template;
            const WILDCARD_SUBJECT: &'static str = #wildcard;
            const SUBJECT_TOKENS: usize = #token_count;
            const COMPATIBILITY: ::event_runtime::compat::Compatibility =
                ::event_runtime::compat::Compatibility::#compatibility;
            const FIELDS: &'static [::event_runtime::compat::FieldPrint] = &[#(#field_prints),*];
            const CONTAINER_ATTRS: &'static str = #container;
            type Filter = #filter_ident;

            fn subject(
                &self,
            ) -> ::core::result::Result<::std::string::String, ::event_runtime::SubjectError> {
                let mut __writer = ::event_runtime::__private::SubjectWriter::new(#template);
                #( #value_steps )*
                __writer.finish()
            }

            fn filter() -> Self::Filter {
                ::core::default::Default::default()
            }
        }

        #lock_dependency

        ::event_runtime::__private::inventory::submit! {
            ::event_runtime::catalog::Registration::Event {
                module: ::core::module_path!(),
                describe: ::event_runtime::catalog::EventDescriptor::of::<#ident>,
            }
        }
    }
}
