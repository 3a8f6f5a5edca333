//! `#[derive(ServiceError)]` on enums of every variant shape, a generic enum and a struct,
//! in a crate that depends on event-runtime alone.
use event_runtime::service::ServiceError;
use event_runtime::{schemars, serde};

#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema, ServiceError)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
#[service_error(code = 500)]
enum LookupError {
    #[service_error(code = 404)]
    NotFound { id: String },
    #[service_error(code = 400)]
    Invalid(String),
    Unavailable,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema, ServiceError)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
enum Rejected<T> {
    #[service_error(code = 422)]
    Value(T),
}

#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema, ServiceError)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
#[service_error(code = 503)]
struct Overloaded {
    retry_after_ms: u64,
}

macro_rules! display {
    ($($ty:ty),*) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{self:?}")
            }
        }
    )*};
}

display!(LookupError, Rejected<u32>, Overloaded);

fn main() {
    assert_eq!(LookupError::NotFound { id: "a".into() }.code(), 404);
    assert_eq!(LookupError::Invalid("b".into()).code(), 400);
    assert_eq!(LookupError::Unavailable.code(), 500);
    assert_eq!(Rejected::Value(7_u32).code(), 422);
    assert_eq!(Overloaded { retry_after_ms: 10 }.code(), 503);
    assert_eq!(LookupError::Unavailable.description(), "Unavailable");
}
