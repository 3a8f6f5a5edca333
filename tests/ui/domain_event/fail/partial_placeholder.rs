use event_runtime::domain_event;

#[domain_event(subject = "users.user-{user_id}", version = 1)]
struct UserRegistered {
    user_id: String,
}

fn main() {}
