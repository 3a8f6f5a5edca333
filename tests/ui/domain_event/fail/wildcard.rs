use event_runtime::domain_event;

#[domain_event(subject = "users.*.registered", version = 1)]
struct UserRegistered {
    user_id: String,
}

fn main() {}
