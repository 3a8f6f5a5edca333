//! Every variant needs a code, from its own attribute or from the enum's.
use event_runtime::service::ServiceError;

#[derive(ServiceError)]
enum LookupError {
    #[service_error(code = 404)]
    NotFound,
    Unavailable,
}

#[derive(ServiceError)]
struct Overloaded;

fn main() {}
