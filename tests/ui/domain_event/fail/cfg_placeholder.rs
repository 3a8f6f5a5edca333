use event_runtime::domain_event;

#[domain_event(subject = "users.{user_id}.registered", version = 1)]
struct UserRegistered {
    #[cfg(any())]
    user_id: String,
}

fn main() {}
