use event_runtime::domain_event;

#[domain_event(subject = "users.changed", version = 1)]
enum UserChanged {
    Registered { user_id: String },
    Deleted { user_id: String },
}

fn main() {}
