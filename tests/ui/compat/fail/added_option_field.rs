//! An `Option` field that writers always send is required in the exported schema, so readers
//! generated from the new schema reject old messages: full compatibility fails.
use event_runtime::domain_event;

#[domain_event(subject = "enrollments.{course_id}.created", version = 1)]
struct Enrolled {
    course_id: String,
    user_id: String,
    note: Option<String>,
    referrer: Option<String>,
}

fn main() {}
