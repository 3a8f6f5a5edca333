use event_runtime::{DomainEvent, EventFilter, domain_event, serde_json};

#[domain_event(subject = "things.{type}.{match}", version = 1)]
struct r#ThingMatched {
    r#type: String,
    r#match: u32,
}

fn main() {
    let event = ThingMatched { r#type: "shoe".into(), r#match: 3 };
    assert_eq!(event.subject().unwrap(), "things.shoe.3");
    assert_eq!(ThingMatched::NAME, "ThingMatched");
    assert_eq!(ThingMatched::filter().r#type("hat").subject().unwrap(), "things.hat.*");
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"type":"shoe","match":3}"#
    );
}
