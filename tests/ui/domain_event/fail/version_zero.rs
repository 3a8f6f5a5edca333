use event_runtime::domain_event;

#[domain_event(subject = "users.{user_id}.registered", version = 0)]
struct UserRegistered {
    user_id: String,
}

fn main() {}
