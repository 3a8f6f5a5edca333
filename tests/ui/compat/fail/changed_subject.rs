use event_runtime::domain_event;

#[domain_event(subject = "enrollments.{course_id}.started", version = 1)]
struct Enrolled {
    course_id: String,
    user_id: String,
    note: Option<String>,
}

fn main() {}
