//! Helpers shared by the integration tests.

pub mod tools;

use std::time::Duration;

use event_runtime::async_nats;
use futures::{Stream, StreamExt};

/// How long a test waits for a message that should arrive.
pub const RECEIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a test waits to be confident that a message will not arrive.
pub const SILENCE: Duration = Duration::from_millis(300);

/// Waits for the next item of `stream`, panicking with `what` on timeout or end of stream.
///
/// # Panics
///
/// Panics when nothing arrives within [`RECEIVE_TIMEOUT`] or the stream ends.
pub async fn next_item<S: Stream + Unpin>(stream: &mut S, what: &str) -> S::Item {
    match tokio::time::timeout(RECEIVE_TIMEOUT, stream.next()).await {
        Ok(Some(item)) => item,
        Ok(None) => panic!("stream ended while waiting for {what}"),
        Err(_) => panic!("timed out after {RECEIVE_TIMEOUT:?} waiting for {what}"),
    }
}

/// Returns the items that arrive on `stream` within [`SILENCE`].
pub async fn drain_for_silence<S: Stream + Unpin>(stream: &mut S) -> Vec<S::Item> {
    let mut items = Vec::new();
    while let Ok(Some(item)) = tokio::time::timeout(SILENCE, stream.next()).await {
        items.push(item);
    }
    items
}

/// Subscribes a raw async-nats client to `>` so a test can see every message sent, except
/// inbox traffic: replies, and the probes of [`EventBus::flush`](event_runtime::EventBus::flush).
///
/// # Panics
///
/// Panics when the subscription fails.
pub async fn raw_wildcard_subscriber(
    client: &async_nats::Client,
) -> impl Stream<Item = async_nats::Message> + Unpin {
    let subscriber = client.subscribe(">").await.expect("subscribe to >");
    // A round trip, so that messages from other connections reach the subscription too.
    event_runtime::EventBus::new(client.clone())
        .flush()
        .await
        .expect("flush subscription");
    subscriber.filter(|message| std::future::ready(!message.subject.starts_with("_INBOX.")))
}
