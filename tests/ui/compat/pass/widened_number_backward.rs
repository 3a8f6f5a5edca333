//! Widening `u32` to `u64` lets new readers read old messages, which is all that backward
//! compatibility requires, so version 1 still compiles.
use event_runtime::domain_event;

#[domain_event(subject = "grades.{user_id}.recorded", version = 1, compatibility = "backward")]
struct Graded {
    user_id: String,
    points: u64,
}

fn main() {
    let _ = Graded { user_id: "u".into(), points: 1 };
}
