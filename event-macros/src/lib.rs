//! Procedural macros behind `event-runtime`. Depend on `event-runtime`, which re-exports them;
//! the expanded code names only `::event_runtime::__private`, so this crate is never used
//! directly.
//!
//! The crate builds on `syn` 2 rather than `syn` 3: serde, schemars, thiserror and tokio's
//! macros all use `syn` 2, so a user's build compiles one copy of it instead of two.
//!
//! Each macro follows the same pipeline, one module per step: parse the attribute into a typed
//! struct, build a model of the item, validate across fields while collecting every error,
//! then expand. On error the user's item is emitted unchanged next to the errors, so one
//! mistake shows one message.

mod domain_event;
mod errors;
mod nats_service;
mod service_error;

use proc_macro::TokenStream;

/// The implementation behind the re-export in `event-runtime`, where it is documented.
#[proc_macro_attribute]
pub fn domain_event(attr: TokenStream, item: TokenStream) -> TokenStream {
    let source_file = proc_macro::Span::call_site().local_file();
    domain_event::expand(attr.into(), item.into(), source_file.as_deref()).into()
}

/// The implementation behind the re-export in `event-runtime`, where it is documented.
#[proc_macro_attribute]
pub fn nats_service(attr: TokenStream, item: TokenStream) -> TokenStream {
    nats_service::expand(attr.into(), item.into()).into()
}

/// The implementation behind the re-export in `event-runtime`, where it is documented.
#[proc_macro_derive(ServiceError, attributes(service_error))]
pub fn derive_service_error(input: TokenStream) -> TokenStream {
    service_error::expand(input.into()).into()
}
