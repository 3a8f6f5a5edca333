use event_runtime::domain_event;

#[domain_event(subject = "enrollments.{course_id}.created", version = 1)]
struct Enrolled {
    course_id: String,
    user_id: u64,
    note: Option<String>,
}

fn main() {}
