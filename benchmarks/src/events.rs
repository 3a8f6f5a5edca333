//! Publish throughput and publish-to-subscribe throughput, toolkit against hand-written.

use std::time::{Duration, Instant};

use async_nats::Client;
use event_runtime::{EnvelopeMode, EventBus};
use futures::StreamExt;

use crate::payload::{Envelope, UserRegistered, envelope, event};

/// How a publisher writes each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Publisher {
    /// `EventBus::publish` in structured mode, the default.
    ToolkitStructured,
    /// `EventBus::publish` in bare mode.
    ToolkitBare,
    /// `EventBus::publish` in binary mode, with the metadata in `ce-` headers.
    ToolkitBinary,
    /// `serde_json::to_vec` and `Client::publish`, no metadata.
    HandBare,
    /// The same, wrapped in an envelope with the structured mode's metadata.
    HandEnvelope,
}

impl Publisher {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ToolkitStructured => "toolkit, structured envelope",
            Self::ToolkitBare => "toolkit, bare payload",
            Self::ToolkitBinary => "toolkit, binary mode",
            Self::HandBare => "hand-written, bare",
            Self::HandEnvelope => "hand-written, same metadata",
        }
    }
}

/// Publishes `count` events, then flushes; returns messages per second.
pub(crate) async fn publish(url: &str, publisher: Publisher, count: u64) -> f64 {
    let client = async_nats::connect(url).await.expect("connect");
    let bus = EventBus::new(client.clone()).with_source("bench");
    let bus = match publisher {
        Publisher::ToolkitBare => bus.with_mode(EnvelopeMode::Bare),
        Publisher::ToolkitBinary => bus.with_mode(EnvelopeMode::Binary),
        _ => bus,
    };
    let events: Vec<UserRegistered> = (0..count).map(event).collect();
    let started = Instant::now();
    for event in &events {
        send(&client, &bus, publisher, event).await;
    }
    client.flush().await.expect("flush");
    count as f64 / started.elapsed().as_secs_f64()
}

async fn send(client: &Client, bus: &EventBus, publisher: Publisher, event: &UserRegistered) {
    match publisher {
        Publisher::ToolkitStructured | Publisher::ToolkitBare | Publisher::ToolkitBinary => {
            bus.publish(event).await.expect("publish");
        }
        Publisher::HandBare => {
            let subject = format!("bench.{}.registered", event.user_id);
            let payload = serde_json::to_vec(event).expect("encode");
            client
                .publish(subject, payload.into())
                .await
                .expect("publish");
        }
        Publisher::HandEnvelope => {
            let subject = format!("bench.{}.registered", event.user_id);
            let payload = serde_json::to_vec(&envelope(event, &subject)).expect("encode");
            client
                .publish(subject, payload.into())
                .await
                .expect("publish");
        }
    }
}

/// The result of one publish-to-subscribe run.
pub(crate) struct Delivery {
    /// Events received and decoded per second, from the first publish to the last receive.
    pub(crate) rate: f64,
    /// Events the subscriber did not receive.
    pub(crate) dropped: u64,
}

/// Publishes `count` structured events and receives them with decoding on another
/// connection; `toolkit` picks `EventBus` on both sides or hand-written code on both.
pub(crate) async fn publish_subscribe(url: &str, toolkit: bool, count: u64) -> Delivery {
    // A deep subscription buffer, so that a burst is not dropped by the client.
    let options = || async_nats::ConnectOptions::new().subscription_capacity(1 << 20);
    let subscriber_client = options().connect(url).await.expect("connect");
    let publisher_client = async_nats::connect(url).await.expect("connect");
    let receiver = if toolkit {
        let bus = EventBus::new(subscriber_client.clone());
        let mut stream = bus.subscribe::<UserRegistered>().await.expect("subscribe");
        confirm_subscriptions(&subscriber_client).await;
        tokio::spawn(async move {
            let mut received = 0;
            while received < count {
                match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
                    Ok(Some(Ok(received_event))) => {
                        std::hint::black_box(received_event.event.registered_at);
                        received += 1;
                    }
                    Ok(Some(Err(error))) => panic!("decode failed: {error}"),
                    _ => break,
                }
            }
            (received, Instant::now())
        })
    } else {
        let mut subscriber = subscriber_client
            .subscribe("bench.*.registered")
            .await
            .expect("subscribe");
        confirm_subscriptions(&subscriber_client).await;
        tokio::spawn(async move {
            let mut received = 0;
            while received < count {
                match tokio::time::timeout(Duration::from_secs(5), subscriber.next()).await {
                    Ok(Some(message)) => {
                        let decoded: Envelope<UserRegistered> =
                            serde_json::from_slice(&message.payload).expect("decode");
                        std::hint::black_box(decoded.data.registered_at);
                        received += 1;
                    }
                    _ => break,
                }
            }
            (received, Instant::now())
        })
    };
    let bus = EventBus::new(publisher_client.clone()).with_source("bench");
    let events: Vec<UserRegistered> = (0..count).map(event).collect();
    let started = Instant::now();
    let publisher = if toolkit {
        Publisher::ToolkitStructured
    } else {
        Publisher::HandEnvelope
    };
    for event in &events {
        send(&publisher_client, &bus, publisher, event).await;
    }
    publisher_client.flush().await.expect("flush");
    let (received, finished) = receiver.await.expect("receiver task");
    let elapsed = finished.duration_since(started).as_secs_f64();
    Delivery {
        rate: received as f64 / elapsed,
        dropped: count - received,
    }
}

/// Waits until the server has registered `client`'s subscriptions, so that messages from
/// other connections reach them (`Client::flush` only writes to the socket).
pub(crate) async fn confirm_subscriptions(client: &Client) {
    EventBus::new(client.clone())
        .flush()
        .await
        .expect("confirm subscriptions");
}
