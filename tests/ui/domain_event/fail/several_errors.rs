use event_runtime::domain_event;

// One compile reports every mistake in the attribute.
#[domain_event(subject = "users.{user_id}.registered", version = 0, topic = "x", name = "1bad")]
struct UserRegistered {
    user_id: String,
}

fn main() {}
