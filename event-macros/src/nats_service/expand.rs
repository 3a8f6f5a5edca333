//! Code generation for a validated service trait: the trait with `Send` futures, the
//! client, the server with its dispatcher, and the contract.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use super::model::{MethodModel, ServiceModel};

pub(crate) fn expand(model: &ServiceModel<'_>) -> TokenStream {
    let service_trait = expand_trait(model);
    let client = expand_client(model);
    let server = expand_server(model);
    let contract = expand_contract(model);
    quote! {
        #service_trait
        #client
        #server
        #contract
    }
}

fn names(model: &ServiceModel<'_>) -> (syn::Ident, syn::Ident, syn::Ident, syn::Ident) {
    let base = model.item.ident.unraw();
    (
        format_ident!("{}Client", base),
        format_ident!("{}Server", base),
        format_ident!("{}Contract", base),
        format_ident!("__{}Dispatch", base),
    )
}

/// The error type of a method, `NoError` for a method that returns a plain response.
fn error_type(method: &MethodModel<'_>) -> TokenStream {
    match &method.error {
        Some(error) => quote!(#error),
        None => quote!(::event_runtime::service::NoError),
    }
}

/// The trait, with each `async fn` rewritten to return a `Send` future so that the server can
/// run handlers on a multi-threaded runtime. Implementations still write `async fn`.
fn expand_trait(model: &ServiceModel<'_>) -> TokenStream {
    let item = model.item;
    let attrs = &item.attrs;
    let vis = &item.vis;
    let ident = &item.ident;
    let supertraits = &item.supertraits;
    let plus = if supertraits.is_empty() {
        quote!()
    } else {
        quote!(+)
    };
    let methods = model.methods.iter().map(|method| {
        let attrs = &method.attrs;
        let name = method.ident;
        let pattern = method.request_pattern;
        let request = method.request;
        let output = match &method.function.sig.output {
            syn::ReturnType::Default => quote!(()),
            syn::ReturnType::Type(_, ty) => quote!(#ty),
        };
        quote! {
            #(#attrs)*
            fn #name(
                &self,
                #pattern: #request,
            ) -> impl ::core::future::Future<Output = #output> + ::core::marker::Send;
        }
    });
    quote! {
        #(#attrs)*
        #vis trait #ident: #supertraits #plus ::core::marker::Send + ::core::marker::Sync + 'static {
            #(#methods)*
        }
    }
}

fn expand_client(model: &ServiceModel<'_>) -> TokenStream {
    let vis = &model.item.vis;
    let trait_ident = &model.item.ident;
    let (client, _, _, _) = names(model);
    let prefix = &model.prefix;
    let doc = format!(
        "Typed client of the `{}` service, with one method per method of [`{}`].",
        model.name,
        trait_ident.unraw()
    );
    let methods = model.methods.iter().map(|method| {
        let cfgs: Vec<_> = method.cfg_attrs().collect();
        let docs = method.doc_attrs();
        let ident = method.ident;
        let with_ident = format_ident!("{}_with", ident.unraw());
        let name = &method.name;
        let request = method.request;
        let response = &method.response;
        let error = error_type(method);
        let subject = if method.custom_subject {
            let subject = &method.subject;
            quote!(::core::option::Option::Some(#subject))
        } else {
            quote!(::core::option::Option::None)
        };
        let timeout = match method.timeout_ms {
            Some(millis) => {
                quote!(::core::option::Option::Some(::core::time::Duration::from_millis(#millis)))
            }
            None => quote!(::core::option::Option::None),
        };
        let with_doc = format!("Calls `{name}` with per-call options: timeout, headers, correlation id.");
        quote! {
            #(#cfgs)*
            #(#docs)*
            ///
            /// # Errors
            ///
            /// Returns `CallError::Service` with the method's typed error, or another
            /// `CallError` variant when the call itself fails.
            #vis fn #ident<'a>(
                &'a self,
                request: &'a #request,
            ) -> impl ::core::future::Future<
                Output = ::core::result::Result<#response, ::event_runtime::service::CallError<#error>>,
            > + ::core::marker::Send + 'a {
                self.#with_ident(request, &::event_runtime::service::__private::NO_OPTIONS)
            }

            #(#cfgs)*
            #[doc = #with_doc]
            ///
            /// # Errors
            ///
            /// See the method without options.
            #vis async fn #with_ident(
                &self,
                request: &#request,
                options: &::event_runtime::service::CallOptions,
            ) -> ::core::result::Result<#response, ::event_runtime::service::CallError<#error>> {
                self.inner
                    .call::<#request, #response, #error>(#name, #subject, #timeout, request, options)
                    .await
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        #vis struct #client {
            inner: ::event_runtime::service::ServiceClient,
        }

        impl ::core::convert::From<::event_runtime::service::ServiceClient> for #client {
            fn from(inner: ::event_runtime::service::ServiceClient) -> Self {
                Self { inner }
            }
        }

        impl #client {
            /// Creates a client with the default subject prefix and timeouts.
            #vis fn new(client: ::event_runtime::async_nats::Client) -> Self {
                Self { inner: ::event_runtime::service::ServiceClient::new(client, #prefix) }
            }

            /// Starts a builder for a client with another default timeout or subject prefix.
            #vis fn builder(
                client: ::event_runtime::async_nats::Client,
            ) -> ::event_runtime::service::ClientBuilder<Self> {
                ::event_runtime::service::ClientBuilder::new(client, #prefix)
            }

            /// Returns the untyped client underneath.
            #vis fn service_client(&self) -> &::event_runtime::service::ServiceClient {
                &self.inner
            }

            #(#methods)*
        }
    }
}

fn expand_server(model: &ServiceModel<'_>) -> TokenStream {
    let vis = &model.item.vis;
    let trait_ident = &model.item.ident;
    let trait_name = trait_ident.unraw().to_string();
    let (_, server, contract, dispatch) = names(model);
    let doc = format!(
        "Serves a [`{trait_name}`] implementation as the `{}` NATS service.",
        model.name
    );
    let dispatch_arms = model.methods.iter().map(|method| {
        let cfgs: Vec<_> = method.cfg_attrs().collect();
        let ident = method.ident;
        let name = &method.name;
        let request = method.request;
        let reply = if method.error.is_some() {
            quote!(::event_runtime::__private::reply_result(handler.#ident(request).await))
        } else {
            quote!(::event_runtime::__private::reply_value(&handler.#ident(request).await))
        };
        quote! {
            #(#cfgs)*
            if endpoint == #name {
                return ::std::boxed::Box::pin(async move {
                    match ::event_runtime::__private::decode_request::<#request>(&payload) {
                        ::core::result::Result::Ok(request) => #reply,
                        ::core::result::Result::Err(error) => {
                            ::event_runtime::service::Reply::Err(error)
                        }
                    }
                });
            }
        }
    });
    let span_arms = model.methods.iter().map(|method| {
        let cfgs: Vec<_> = method.cfg_attrs().collect();
        let name = &method.name;
        let span_name = format!("{trait_name}.{name}");
        quote! {
            #(#cfgs)*
            if endpoint == #name {
                return ::event_runtime::__private::tracing::info_span!(
                    #span_name,
                    request_id = %request_id,
                    subject = %subject,
                    outcome = ::event_runtime::__private::tracing::field::Empty,
                );
            }
        }
    });
    quote! {
        #[doc = #doc]
        ///
        /// `new(handler)`, the builder methods and `serve(client)` are those of
        /// `event_runtime::service::Server`.
        #vis type #server<H> = ::event_runtime::service::Server<#dispatch<H>>;

        #[doc(hidden)]
        #vis struct #dispatch<H>(::std::sync::Arc<H>);

        impl<H: #trait_ident> ::event_runtime::service::ServiceDispatch for #dispatch<H> {
            type Handler = H;

            fn from_handler(handler: H) -> Self {
                Self(::std::sync::Arc::new(handler))
            }

            fn definition() -> ::event_runtime::service::ServiceDefinition {
                <#contract as ::event_runtime::service::ServiceContract>::definition()
            }
        }

        impl<H: #trait_ident> ::event_runtime::service::Dispatch for #dispatch<H> {
            fn dispatch(
                &self,
                endpoint: &str,
                payload: ::event_runtime::__private::Bytes,
            ) -> ::event_runtime::__private::BoxFuture<'static, ::event_runtime::service::Reply> {
                let handler = <::std::sync::Arc<H> as ::core::clone::Clone>::clone(&self.0);
                #(#dispatch_arms)*
                let message = ::std::format!("unknown endpoint {endpoint}");
                ::std::boxed::Box::pin(async move {
                    ::event_runtime::service::Reply::Err(
                        ::event_runtime::service::ErrorReply::server(404, message),
                    )
                })
            }

            fn span(
                &self,
                endpoint: &str,
                request_id: &str,
                subject: &str,
            ) -> ::event_runtime::__private::tracing::Span {
                #(#span_arms)*
                ::event_runtime::__private::tracing::info_span!(
                    #trait_name,
                    endpoint = %endpoint,
                    request_id = %request_id,
                    subject = %subject,
                    outcome = ::event_runtime::__private::tracing::field::Empty,
                )
            }
        }
    }
}

fn expand_contract(model: &ServiceModel<'_>) -> TokenStream {
    let vis = &model.item.vis;
    let (_, _, contract, _) = names(model);
    let doc = format!(
        "Definition of the `{}` service: endpoints, subjects and schemas, for export and discovery.",
        model.name
    );
    let name = &model.name;
    let version = &model.version;
    let description = &model.description;
    let metadata = model.metadata.iter().map(|(key, value)| {
        quote! {
            metadata.insert(::std::string::ToString::to_string(#key), ::std::string::ToString::to_string(#value));
        }
    });
    let compatibility = match model.compatibility.as_deref() {
        Some(mode) => {
            let variant = match mode {
                "forward" => quote!(Forward),
                "backward" => quote!(Backward),
                "none" => quote!(None),
                _ => quote!(Full),
            };
            quote!(::core::option::Option::Some(::event_runtime::compat::Compatibility::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    let queue_group = match &model.queue_group {
        Some(group) => quote!(::core::option::Option::Some(#group)),
        None => quote!(::core::option::Option::None),
    };
    let endpoints = model.methods.iter().map(|method| {
        let cfgs: Vec<_> = method.cfg_attrs().collect();
        let name = &method.name;
        let subject = &method.subject;
        let custom_subject = method.custom_subject;
        let request = method.request;
        let response = &method.response;
        let error = error_type(method);
        let typed_error = method.error.is_some();
        let timeout = match method.timeout_ms {
            Some(millis) => quote!(::core::option::Option::Some(#millis)),
            None => quote!(::core::option::Option::None),
        };
        quote! {
            #(#cfgs)*
            endpoints.push(::event_runtime::service::__private::endpoint::<#request, #response, #error>(
                #name, #subject, #custom_subject, #queue_group, #timeout, #typed_error,
            ));
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy)]
        #vis struct #contract;

        impl ::event_runtime::service::ServiceContract for #contract {
            fn definition() -> ::event_runtime::service::ServiceDefinition {
                #[allow(unused_mut)]
                let mut metadata = ::std::collections::BTreeMap::new();
                #(#metadata)*
                #[allow(unused_mut)]
                let mut endpoints = ::std::vec::Vec::new();
                #(#endpoints)*
                ::event_runtime::service::__private::service(
                    #name, #version, #description, metadata, endpoints, #compatibility,
                )
            }
        }

        ::event_runtime::__private::inventory::submit! {
            ::event_runtime::catalog::Registration::Service {
                module: ::core::module_path!(),
                describe: <#contract as ::event_runtime::service::ServiceContract>::definition,
            }
        }
    }
}
