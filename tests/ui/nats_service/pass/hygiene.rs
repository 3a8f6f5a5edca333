//! Generated service code compiles without the prelude and next to items that shadow the
//! standard names it uses.
#![no_implicit_prelude]

// NOTE: the request and response types below derive `JsonSchema`, whose expansion in
// schemars_derive 1.2 calls `.into()` and `vec!` without a path (through serde_json's
// `json!`); these two imports are for that expansion, not for `#[nats_service]`.
#[allow(unused_imports)]
use ::core::convert::Into;
#[allow(unused_imports)]
use ::std::vec;

mod serde {}
mod schemars {}
mod core {}
mod std {}

#[allow(dead_code)]
type Result<T> = ::core::result::Result<T, ()>;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct String;
#[allow(dead_code)]
struct Box;
#[allow(dead_code)]
struct Arc;
#[allow(dead_code)]
struct Vec;

#[derive(::event_runtime::serde::Serialize, ::event_runtime::serde::Deserialize, ::event_runtime::schemars::JsonSchema)]
#[serde(crate = "::event_runtime::serde")]
#[schemars(crate = "::event_runtime::schemars")]
pub struct Lookup {
    pub id: u64,
}

/// Finds things.
#[::event_runtime::nats_service(name = "finder", version = "0.1.0")]
pub trait Finder {
    /// Finds one thing.
    async fn find(&self, request: Lookup) -> ::core::result::Result<u64, ::event_runtime::service::NoError>;
    /// Counts things.
    async fn count(&self, request: ()) -> u64;
}

struct Handler;

impl Finder for Handler {
    async fn find(&self, request: Lookup) -> ::core::result::Result<u64, ::event_runtime::service::NoError> {
        ::core::result::Result::Ok(request.id)
    }

    async fn count(&self, _request: ()) -> u64 {
        0
    }
}

fn main() {
    use ::event_runtime::service::ServiceContract;
    let definition = FinderContract::definition();
    ::std::assert_eq!(definition.description, "Finds things.");
    ::std::assert_eq!(definition.endpoints.len(), 2);
    let _server = FinderServer::new(Handler).max_concurrency(4);
}
