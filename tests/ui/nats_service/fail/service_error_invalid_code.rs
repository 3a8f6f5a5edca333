//! Codes are `u16` values, and `code` is the only key.
use event_runtime::service::ServiceError;

#[derive(ServiceError)]
#[service_error(code = 500)]
enum LookupError {
    #[service_error(code = 70000)]
    NotFound,
    #[service_error(status = 409)]
    Taken,
    #[service_error(code = 400, code = 422)]
    Invalid,
}

fn main() {}
