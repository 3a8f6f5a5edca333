//! Generated code compiles in a module without the prelude, next to items that shadow the
//! standard names the expansion uses.
#![no_implicit_prelude]

// NOTE: schemars_derive 1.2 builds schemas with serde_json's `json!`, whose expansion calls
// `.into()` and `vec!` without a path, so every `JsonSchema` derive needs these two names
// when the prelude is off. Everything `#[domain_event]` itself generates is fully qualified,
// which the rest of this file checks.
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
trait Display {}

/// A user was registered.
#[::event_runtime::domain_event(subject = "users.{user_id}.registered", version = 1)]
pub struct UserRegistered {
    pub user_id: ::std::string::String,
    pub tags: ::std::vec::Vec<::std::string::String>,
    pub note: ::core::option::Option<::std::string::String>,
}

fn main() {
    use ::event_runtime::{DomainEvent, EventFilter};
    let event = UserRegistered {
        user_id: ::std::string::ToString::to_string("u-1"),
        tags: ::std::vec::Vec::new(),
        note: ::core::option::Option::None,
    };
    ::std::assert_eq!(event.subject().unwrap(), "users.u-1.registered");
    ::std::assert_eq!(
        UserRegistered::filter().user_id(7).subject().unwrap(),
        "users.7.registered"
    );
}
