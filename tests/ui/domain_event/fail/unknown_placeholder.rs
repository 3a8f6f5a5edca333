use event_runtime::domain_event;

#[domain_event(subject = "users.{user}.registered", version = 1)]
struct UserRegistered {
    user_id: String,
    email: String,
}

fn main() {}
