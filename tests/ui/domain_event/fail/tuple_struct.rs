use event_runtime::domain_event;

#[domain_event(subject = "users.registered", version = 1)]
struct UserRegistered(String);

fn main() {}
