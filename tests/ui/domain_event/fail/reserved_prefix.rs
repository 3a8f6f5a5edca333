use event_runtime::domain_event;

#[domain_event(subject = "$SYS.users.{user_id}", version = 1)]
struct UserRegistered {
    user_id: String,
}

fn main() {}
