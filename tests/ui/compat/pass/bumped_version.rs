//! The breaking change of `fail/changed_field_type.rs` compiles once the version is bumped.
use event_runtime::domain_event;

#[domain_event(subject = "enrollments.{course_id}.created", version = 2)]
struct Enrolled {
    course_id: String,
    user_id: u64,
    note: Option<String>,
}

fn main() {
    let _ = Enrolled { course_id: "c".into(), user_id: 7, note: None };
}
