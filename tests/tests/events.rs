//! Typed publish/subscribe against a private nats-server.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use event_runtime::testing::NatsServer;
use event_runtime::{
    DomainEvent, EnvelopeMode, EventBus, EventFilter, PublishError, PublishOptions,
    ReceiveErrorKind, SubjectErrorKind, TokenError, TraceContext, async_nats, domain_event,
    serde_json,
};
use integration_tests::{drain_for_silence, next_item, raw_wildcard_subscriber};

/// A postal address, nested inside an event.
#[derive(
    Debug,
    Clone,
    PartialEq,
    event_runtime::serde::Serialize,
    event_runtime::serde::Deserialize,
    event_runtime::schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
struct Address {
    city: String,
    lines: Vec<String>,
}

/// How a learner pays, as an internally tagged enum.
#[derive(
    Debug,
    Clone,
    PartialEq,
    event_runtime::serde::Serialize,
    event_runtime::serde::Deserialize,
    event_runtime::schemars::JsonSchema,
)]
#[serde(
    crate = "event_runtime::serde",
    tag = "kind",
    rename_all = "snake_case"
)]
#[schemars(crate = "event_runtime::schemars")]
enum Payment {
    Free,
    Card { last4: String },
    Invoice { number: u64, due_days: u16 },
}

#[domain_event(subject = "shapes.{tenant}.changed", version = 1)]
#[derive(Debug, Clone, PartialEq)]
struct EveryShape {
    tenant: String,
    address: Address,
    payment: Payment,
    nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referrer: Option<String>,
    tags: Vec<String>,
    scores: BTreeMap<String, i64>,
    flags: HashMap<String, bool>,
    created: SystemTime,
    big: u64,
    ratio: f64,
}

fn every_shape(tenant: &str) -> EveryShape {
    EveryShape {
        tenant: tenant.to_owned(),
        address: Address {
            city: "Lyon".into(),
            lines: vec!["1 rue de la Paix".into(), "Bât. B".into()],
        },
        payment: Payment::Invoice {
            number: 42,
            due_days: 30,
        },
        nickname: None,
        referrer: None,
        tags: vec!["new".into(), "ünïcode ✓".into()],
        scores: BTreeMap::from([("quiz".into(), -3), ("exam".into(), i64::MAX)]),
        flags: HashMap::from([("beta".into(), true)]),
        created: SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789),
        big: (1 << 53) + 1,
        ratio: 0.1,
    }
}

#[domain_event(subject = "users.{user_id}.registered", version = 1)]
#[derive(Debug, Clone, PartialEq)]
struct UserRegistered {
    user_id: String,
    email: String,
}

fn user(id: &str) -> UserRegistered {
    UserRegistered {
        user_id: id.to_owned(),
        email: format!("{id}@example.com"),
    }
}

/// Version 2 of the same event, as a newer publisher would send it.
mod v2 {
    use event_runtime::domain_event;

    #[domain_event(
        subject = "users.{user_id}.registered",
        version = 2,
        name = "UserRegistered"
    )]
    pub(crate) struct UserRegistered {
        pub(crate) user_id: String,
        pub(crate) email: String,
    }
}

#[domain_event(subject = "lessons.{course_id}.{lesson_id}.completed", version = 1)]
#[derive(Debug, Clone, PartialEq)]
struct LessonCompleted {
    course_id: String,
    lesson_id: u32,
    user_id: String,
}

#[domain_event(subject = "sensors.{sensor}.read", version = 1)]
#[derive(Debug, Clone)]
struct Reading {
    sensor: String,
    value: f64,
}

async fn server_and_bus() -> (NatsServer, EventBus) {
    let server = NatsServer::start().await.expect("start nats-server");
    let bus = EventBus::connect(server.url())
        .await
        .expect("connect")
        .with_source("tests");
    (server, bus)
}

#[tokio::test]
async fn round_trip_preserves_every_field_shape() {
    let (_server, bus) = server_and_bus().await;
    for mode in [
        EnvelopeMode::Structured,
        EnvelopeMode::Binary,
        EnvelopeMode::Bare,
    ] {
        let mut stream = bus.subscribe::<EveryShape>().await.unwrap();
        let sent = every_shape("acme");
        bus.publish_with(&sent, &PublishOptions::new().mode(mode))
            .await
            .unwrap();
        let received = next_item(&mut stream, "EveryShape").await.unwrap();
        assert_eq!(received.event, sent, "mode {mode:?}");
        assert_eq!(
            received.metadata.subject, "shapes.acme.changed",
            "mode {mode:?}"
        );
        assert_eq!(received.metadata.mode, mode);
    }
}

#[tokio::test]
async fn option_field_accepts_missing_and_null() {
    let (_server, bus) = server_and_bus().await;
    let raw = bus.client();
    let mut stream = bus.subscribe::<EveryShape>().await.unwrap();
    bus.flush().await.unwrap();
    let mut json = serde_json::to_value(every_shape("acme")).unwrap();
    let object = json.as_object_mut().unwrap();
    object.remove("nickname");
    object.insert("referrer".into(), serde_json::Value::Null);
    raw.publish(
        "shapes.acme.changed",
        serde_json::to_vec(&json).unwrap().into(),
    )
    .await
    .unwrap();
    raw.flush().await.unwrap();
    let received = next_item(&mut stream, "EveryShape").await.unwrap();
    assert_eq!(received.event.nickname, None);
    assert_eq!(received.event.referrer, None);
}

#[tokio::test]
async fn big_u64_survives_as_exact_integer() {
    let (server, bus) = server_and_bus().await;
    let raw = server.connect().await.unwrap();
    let mut wire = bus.client().subscribe("shapes.>").await.unwrap();
    bus.flush().await.unwrap();
    let mut event = every_shape("acme");
    event.big = u64::MAX;
    bus.publish_with(&event, &PublishOptions::new().mode(EnvelopeMode::Bare))
        .await
        .unwrap();
    let message = next_item(&mut wire, "raw message").await;
    let text = std::str::from_utf8(&message.payload).unwrap();
    assert!(
        text.contains("\"big\":18446744073709551615"),
        "payload: {text}"
    );
    drop(raw);
}

#[tokio::test]
async fn structured_envelope_carries_cloudevents_metadata() {
    let (_server, bus) = server_and_bus().await;
    let mut raw = raw_wildcard_subscriber(bus.client()).await;
    let mut stream = bus.subscribe::<UserRegistered>().await.unwrap();
    let before = SystemTime::now() - Duration::from_secs(1);
    let trace = TraceContext::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .with_tracestate("vendor=1");
    let options = PublishOptions::new()
        .correlation_id("signup-7")
        .causation_id("cause-1")
        .trace_context(trace.clone());
    bus.publish_with(&user("u-1"), &options).await.unwrap();

    let received = next_item(&mut stream, "UserRegistered").await.unwrap();
    let metadata = received.metadata;
    let id = metadata.id.expect("id");
    assert_eq!(uuid_version(&id), '7', "id {id} is not a UUIDv7");
    assert!(metadata.time.expect("time") >= before);
    assert_eq!(metadata.source.as_deref(), Some("tests"));
    assert_eq!(metadata.event_type.as_deref(), Some("UserRegistered.v1"));
    assert_eq!(metadata.version, Some(1));
    assert_eq!(metadata.correlation_id.as_deref(), Some("signup-7"));
    assert_eq!(metadata.causation_id.as_deref(), Some("cause-1"));
    assert_eq!(metadata.trace_context, Some(trace));

    let message = next_item(&mut raw, "raw message").await;
    assert!(
        message.headers.is_none(),
        "structured mode sends no headers"
    );
    let body: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(body["specversion"], "1.0");
    assert_eq!(body["type"], "UserRegistered.v1");
    assert_eq!(body["datacontenttype"], "application/json");
    assert_eq!(body["data"]["user_id"], "u-1");
}

#[tokio::test]
async fn binary_envelope_uses_ce_headers() {
    let (_server, bus) = server_and_bus().await;
    let bus = bus.with_mode(EnvelopeMode::Binary);
    let mut raw = raw_wildcard_subscriber(bus.client()).await;
    let mut stream = bus.subscribe::<UserRegistered>().await.unwrap();
    bus.publish(&user("u-2")).await.unwrap();

    let received = next_item(&mut stream, "UserRegistered").await.unwrap();
    assert_eq!(received.metadata.mode, EnvelopeMode::Binary);
    assert_eq!(received.metadata.source.as_deref(), Some("tests"));
    let message = next_item(&mut raw, "raw message").await;
    let headers = message.headers.expect("headers");
    assert_eq!(headers.get("ce-specversion").unwrap().as_str(), "1.0");
    assert_eq!(
        headers.get("ce-type").unwrap().as_str(),
        "UserRegistered.v1"
    );
    assert_eq!(
        headers.get("ce-id").unwrap().as_str(),
        received.metadata.id.unwrap()
    );
    let body: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"user_id": "u-2", "email": "u-2@example.com"})
    );
}

#[tokio::test]
async fn event_ids_are_unique_and_time_ordered() {
    let (_server, bus) = server_and_bus().await;
    let mut stream = bus.subscribe::<UserRegistered>().await.unwrap();
    for i in 0..50 {
        bus.publish(&user(&format!("u-{i}"))).await.unwrap();
    }
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(
            next_item(&mut stream, "event")
                .await
                .unwrap()
                .metadata
                .id
                .unwrap(),
        );
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids, "ids are neither unique nor in publish order");
}

#[tokio::test]
async fn queue_group_delivers_each_event_once() {
    let (_server, bus) = server_and_bus().await;
    let mut first = bus
        .queue_subscribe::<UserRegistered>("mailers")
        .await
        .unwrap();
    let mut second = bus
        .queue_subscribe::<UserRegistered>("mailers")
        .await
        .unwrap();
    bus.flush().await.unwrap();
    let count = 200;
    for i in 0..count {
        bus.publish(&user(&format!("u-{i}"))).await.unwrap();
    }
    bus.flush().await.unwrap();
    let mut seen = Vec::new();
    for stream in [&mut first, &mut second] {
        for item in drain_for_silence(stream).await {
            seen.push(item.unwrap().event.user_id);
        }
    }
    seen.sort();
    let mut expected: Vec<String> = (0..count).map(|i| format!("u-{i}")).collect();
    expected.sort();
    assert_eq!(seen, expected, "every event exactly once across the group");
}

#[tokio::test]
async fn filter_selects_by_placeholder() {
    let (_server, bus) = server_and_bus().await;
    let filter = LessonCompleted::filter().course_id("rust");
    assert_eq!(filter.subject().unwrap(), "lessons.rust.*.completed");
    let mut rust_only = bus.subscribe_filtered(&filter).await.unwrap();
    let lesson_two = LessonCompleted::filter().lesson_id(2);
    let mut second_lessons = bus.subscribe_filtered(&lesson_two).await.unwrap();
    bus.flush().await.unwrap();
    let completions = [("rust", 1), ("go", 2), ("rust", 2)];
    for (course, lesson) in completions {
        let event = LessonCompleted {
            course_id: course.into(),
            lesson_id: lesson,
            user_id: "u".into(),
        };
        bus.publish(&event).await.unwrap();
    }
    let rust: Vec<_> = drain_for_silence(&mut rust_only)
        .await
        .into_iter()
        .map(|item| item.unwrap().event.lesson_id)
        .collect();
    assert_eq!(rust, [1, 2]);
    let second: Vec<_> = drain_for_silence(&mut second_lessons)
        .await
        .into_iter()
        .map(|item| item.unwrap().event.course_id)
        .collect();
    assert_eq!(second, ["go", "rust"]);
}

#[tokio::test]
async fn filter_rejects_invalid_value() {
    let (_server, bus) = server_and_bus().await;
    let filter = UserRegistered::filter().user_id("a.>");
    let error = bus.subscribe_filtered(&filter).await.unwrap_err();
    assert!(
        matches!(error, event_runtime::SubscribeError::Filter(ref e) if e.field() == "user_id"),
        "{error}"
    );
}

#[tokio::test]
async fn malformed_messages_yield_errors_and_stream_continues() {
    let (_server, bus) = server_and_bus().await;
    // Raw messages go through the bus's own connection, so they arrive in publish order.
    let raw = bus.client().clone();
    let mut stream = bus.subscribe::<UserRegistered>().await.unwrap();
    bus.flush().await.unwrap();
    let v2 = v2::UserRegistered {
        user_id: "u-9".into(),
        email: "x".into(),
    };
    bus.publish(&v2).await.unwrap();
    let bad: [&[u8]; 5] = [
        b"not json",
        br#"{"user_id": 5}"#,
        br#"{"specversion":"1.0","id":"1","source":"x","type":"OrderPlaced.v1","data":{}}"#,
        br#"{"specversion":"0.3","id":"1","source":"x","type":"UserRegistered.v1","data":{}}"#,
        b"",
    ];
    for payload in bad {
        raw.publish("users.u-9.registered", payload.to_vec().into())
            .await
            .unwrap();
    }
    raw.flush().await.unwrap();
    bus.publish(&user("u-10")).await.unwrap();

    let mut kinds = Vec::new();
    for _ in 0..6 {
        let error = next_item(&mut stream, "error item").await.unwrap_err();
        assert_eq!(error.subject(), "users.u-9.registered");
        assert_eq!(error.expected_type(), "UserRegistered.v1");
        kinds.push(error.kind().clone());
    }
    assert_eq!(
        kinds[0],
        ReceiveErrorKind::WrongVersion {
            expected: 1,
            found: 2
        }
    );
    assert!(
        matches!(kinds[1], ReceiveErrorKind::InvalidJson(_)),
        "{:?}",
        kinds[1]
    );
    assert!(
        matches!(kinds[2], ReceiveErrorKind::Mismatch(_)),
        "{:?}",
        kinds[2]
    );
    assert_eq!(
        kinds[3],
        ReceiveErrorKind::WrongType {
            found: "OrderPlaced.v1".into()
        }
    );
    assert!(
        matches!(kinds[4], ReceiveErrorKind::InvalidEnvelope(_)),
        "{:?}",
        kinds[4]
    );
    assert!(
        matches!(kinds[5], ReceiveErrorKind::InvalidJson(_)),
        "{:?}",
        kinds[5]
    );
    let good = next_item(&mut stream, "valid event").await.unwrap();
    assert_eq!(good.event.user_id, "u-10");
    assert_eq!(stream.decode_failures(), 6);
}

#[tokio::test]
async fn receive_error_keeps_payload_and_names_subject() {
    let (server, bus) = server_and_bus().await;
    let raw = server.connect().await.unwrap();
    let mut stream = bus.subscribe::<UserRegistered>().await.unwrap();
    bus.flush().await.unwrap();
    raw.publish("users.u-1.registered", "{oops".into())
        .await
        .unwrap();
    // async-nats buffers a publish until something flushes the connection.
    raw.flush().await.unwrap();
    let error = next_item(&mut stream, "error item").await.unwrap_err();
    assert_eq!(error.payload().as_ref(), b"{oops");
    let message = error.to_string();
    assert!(
        message.starts_with("cannot decode message on subject users.u-1.registered as UserRegistered.v1: invalid JSON"),
        "{message}"
    );
}

#[tokio::test]
async fn injection_attempts_are_rejected_and_nothing_is_sent() {
    let (_server, bus) = server_and_bus().await;
    let mut raw = raw_wildcard_subscriber(bus.client()).await;
    let long = "x".repeat(5_000);
    let cases: [(&str, SubjectErrorKind); 7] = [
        ("a.b", SubjectErrorKind::InvalidToken(TokenError::Separator)),
        ("*", SubjectErrorKind::InvalidToken(TokenError::Wildcard)),
        (">", SubjectErrorKind::InvalidToken(TokenError::Wildcard)),
        (
            "a b",
            SubjectErrorKind::InvalidToken(TokenError::Whitespace),
        ),
        ("", SubjectErrorKind::InvalidToken(TokenError::Empty)),
        (
            "a\r\nPUB x 1",
            SubjectErrorKind::InvalidToken(TokenError::Control),
        ),
        (
            &long,
            SubjectErrorKind::TooLong {
                len: 5_017,
                max: 512,
            },
        ),
    ];
    for (value, expected) in cases {
        let label: String = value.escape_debug().take(20).collect();
        let error = bus.publish(&user(value)).await.unwrap_err();
        let PublishError::Subject { source, .. } = &error else {
            panic!("value {label}: expected a subject error, got {error}");
        };
        assert_eq!(source.field(), "user_id", "value {label}");
        assert!(
            source.value() == value,
            "value {label}: error holds another value"
        );
        assert_eq!(source.kind(), expected, "value {label}");
    }
    bus.flush().await.unwrap();
    let leaked = drain_for_silence(&mut raw).await;
    let subjects: Vec<_> = leaked.iter().map(|m| m.subject.to_string()).collect();
    assert!(subjects.is_empty(), "messages were published: {subjects:?}");
}

#[tokio::test]
async fn reserved_prefix_in_leading_placeholder_is_rejected() {
    #[domain_event(subject = "{tenant}.audit", version = 1)]
    struct Audit {
        tenant: String,
    }
    for value in ["$SYS", "$JS", "_INBOX"] {
        let error = Audit {
            tenant: value.into(),
        }
        .subject()
        .unwrap_err();
        assert_eq!(
            error.kind(),
            SubjectErrorKind::ReservedPrefix,
            "value {value:?}"
        );
    }
    assert_eq!(
        Audit {
            tenant: "acme".into()
        }
        .subject()
        .unwrap(),
        "acme.audit"
    );
}

#[tokio::test]
async fn filled_subject_has_template_token_count() {
    for value in ["a", "user-42", "ü", "a:b", "#", "x".repeat(400).as_str()] {
        let event = LessonCompleted {
            course_id: value.into(),
            lesson_id: 7,
            user_id: "u".into(),
        };
        let subject = event.subject().unwrap();
        assert_eq!(
            subject.split('.').count(),
            LessonCompleted::SUBJECT_TOKENS,
            "{subject}"
        );
    }
}

#[tokio::test]
async fn non_finite_float_is_rejected_before_sending() {
    let (_server, bus) = server_and_bus().await;
    let mut raw = raw_wildcard_subscriber(bus.client()).await;
    for mode in [
        EnvelopeMode::Structured,
        EnvelopeMode::Binary,
        EnvelopeMode::Bare,
    ] {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let reading = Reading {
                sensor: "s1".into(),
                value,
            };
            let error = bus
                .publish_with(&reading, &PublishOptions::new().mode(mode))
                .await
                .unwrap_err();
            assert!(
                matches!(error, PublishError::Encode { .. }),
                "{mode:?} {value}: {error}"
            );
        }
    }
    bus.flush().await.unwrap();
    assert!(
        drain_for_silence(&mut raw).await.is_empty(),
        "a message was published"
    );
}

#[tokio::test]
async fn oversized_event_is_rejected_before_sending() {
    let server = NatsServer::builder()
        .max_payload(4096)
        .start()
        .await
        .unwrap();
    let bus = EventBus::connect(server.url()).await.unwrap();
    let event = UserRegistered {
        user_id: "u".into(),
        email: "x".repeat(5000),
    };
    let error = bus.publish(&event).await.unwrap_err();
    let PublishError::PayloadTooLarge {
        size, max_payload, ..
    } = error
    else {
        panic!("expected PayloadTooLarge, got {error}");
    };
    assert_eq!(max_payload, 4096);
    assert!(size > 5000, "size {size}");
}

#[tokio::test]
async fn slow_consumer_drops_are_counted() {
    let server = NatsServer::start().await.unwrap();
    let options = async_nats::ConnectOptions::new().subscription_capacity(8);
    let bus = EventBus::connect_with_options(server.url(), options)
        .await
        .unwrap();
    assert_eq!(bus.dropped_messages(), Some(0));
    let stream = bus.subscribe::<UserRegistered>().await.unwrap();
    bus.flush().await.unwrap();
    for i in 0..500 {
        bus.publish(&user(&format!("u-{i}"))).await.unwrap();
    }
    bus.flush().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while bus.dropped_messages() == Some(0) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dropped = bus.dropped_messages().unwrap();
    assert!(
        dropped > 0,
        "no drop counted while the subscriber read nothing"
    );
    drop(stream);
    assert_eq!(
        EventBus::new(server.connect().await.unwrap()).dropped_messages(),
        None
    );
}

#[tokio::test]
async fn subscription_survives_server_restart() {
    let mut server = NatsServer::start().await.unwrap();
    let bus = EventBus::connect(server.url()).await.unwrap();
    let mut stream = bus.subscribe::<UserRegistered>().await.unwrap();
    bus.flush().await.unwrap();
    server.restart().await.unwrap();
    // The client resubscribes after it reconnects; publish until one event comes through.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let received = loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no event after restart"
        );
        let _ = bus.publish(&user("after-restart")).await;
        if let Ok(Some(item)) = tokio::time::timeout(
            Duration::from_millis(250),
            futures::StreamExt::next(&mut stream),
        )
        .await
        {
            break item.unwrap();
        }
    };
    assert_eq!(received.event.user_id, "after-restart");
}

fn uuid_version(id: &str) -> char {
    id.chars().nth(14).expect("hyphenated UUID")
}
