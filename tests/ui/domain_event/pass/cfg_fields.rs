use event_runtime::{DomainEvent, domain_event, serde_json};

/// Fields behind `#[cfg]` stay conditional; only placeholder fields must always exist.
#[domain_event(subject = "users.{user_id}.registered", version = 1)]
struct UserRegistered {
    user_id: String,
    #[cfg(any())]
    never_compiled: std::marker::PhantomPinned,
    #[cfg(all())]
    always_compiled: u8,
}

fn main() {
    let event = UserRegistered { user_id: "u".into(), always_compiled: 1 };
    assert_eq!(event.subject().unwrap(), "users.u.registered");
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"user_id":"u","always_compiled":1}"#
    );
}
