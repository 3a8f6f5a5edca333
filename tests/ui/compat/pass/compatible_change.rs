//! Adding a field that writers may omit and readers fill in keeps full compatibility, so
//! version 1 still compiles.
use event_runtime::domain_event;

#[domain_event(subject = "enrollments.{course_id}.created", version = 1)]
struct Enrolled {
    course_id: String,
    user_id: String,
    note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referrer: Option<String>,
}

fn main() {
    let _ = Enrolled { course_id: "c".into(), user_id: "u".into(), note: None, referrer: None };
}
