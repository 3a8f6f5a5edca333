use event_runtime::domain_event;

#[domain_event(subject = "users.{user_id}.registered")]
struct UserRegistered {
    user_id: String,
}

fn main() {}
