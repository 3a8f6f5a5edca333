use event_runtime::domain_event;

#[domain_event(subject = "users.{user_id}.registered", version = 1, topic = "users")]
struct UserRegistered {
    user_id: String,
}

fn main() {}
