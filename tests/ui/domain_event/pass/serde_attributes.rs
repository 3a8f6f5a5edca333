use event_runtime::{DomainEvent, domain_event, schemars, serde_json};

/// The struct's own serde attributes shape the JSON and the schema; doc comments and
/// other derives stay.
#[domain_event(subject = "orders.{order_id}.placed", version = 3, name = "OrderPlaced")]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderPlacedV3 {
    /// The order.
    order_id: u64,
    #[serde(rename = "total")]
    total_cents: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    line_items: Vec<String>,
}

fn main() {
    let event = OrderPlacedV3 { order_id: 9, total_cents: 1250, line_items: vec![] };
    assert_eq!(event.subject().unwrap(), "orders.9.placed");
    assert_eq!(OrderPlacedV3::EVENT_TYPE, "OrderPlaced.v3");
    assert_eq!(serde_json::to_string(&event).unwrap(), r#"{"orderId":9,"total":1250}"#);
    let schema = schemars::schema_for!(OrderPlacedV3);
    let properties = schema.get("properties").unwrap();
    assert!(properties.get("orderId").is_some());
    assert_eq!(
        properties["orderId"]["description"].as_str(),
        Some("The order.")
    );
    let copy = event.clone();
    assert_eq!(copy, event);
}
