//! A flush that waits for the server, not only for the socket.
//!
//! `async_nats::Client::flush` returns once the client has written its buffer to the socket.
//! nats-server may not have read those bytes yet, so a subscription made just before can
//! still be unknown to it, and a message that another connection publishes next is not
//! delivered to it. [`round_trip`] closes that gap: nats-server handles one connection's
//! commands in order, so once a probe published on the connection comes back, every
//! subscription sent before it is registered.

use std::time::Duration;

use async_nats::Client;
use bytes::Bytes;
use futures::StreamExt;

/// How long a round trip waits for its probe when the client has no request timeout.
const DEFAULT_WAIT: Duration = Duration::from_secs(10);

/// Error of [`EventBus::flush`](crate::EventBus::flush): the server did not confirm that it
/// processed what was sent.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use event_runtime::FlushError;
///
/// let error = FlushError::TimedOut(Duration::from_secs(10));
/// assert!(error.to_string().contains("10s"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlushError {
    /// Writing the client's buffer to the server failed.
    #[error("failed to write to the server: {0}")]
    Write(#[source] async_nats::client::FlushError),
    /// Subscribing to the probe's inbox failed, because the connection is closed.
    #[error("failed to subscribe to the round-trip probe: {0}")]
    Subscribe(#[source] async_nats::SubscribeError),
    /// Publishing the probe failed, because the connection is closed.
    #[error("failed to publish the round-trip probe: {0}")]
    Publish(#[source] async_nats::PublishError),
    /// The probe did not come back in time, for example during a reconnect.
    #[error("the server did not return the round-trip probe within {0:?}")]
    TimedOut(Duration),
    /// The connection closed while the probe was on its way.
    #[error("the connection closed before the round-trip probe returned")]
    Closed,
}

/// Flushes `client` and waits until the server has processed everything sent before, by
/// publishing a probe to a private inbox and waiting for it to come back.
///
/// The wait is the client's request timeout, or 10 seconds when it has none.
pub(crate) async fn round_trip(client: &Client) -> Result<(), FlushError> {
    let inbox = client.new_inbox();
    // Dropping the probe subscription at the end unsubscribes it.
    let mut probe = client
        .subscribe(inbox.clone())
        .await
        .map_err(FlushError::Subscribe)?;
    client
        .publish(inbox, Bytes::new())
        .await
        .map_err(FlushError::Publish)?;
    client.flush().await.map_err(FlushError::Write)?;
    let wait = client.timeout().unwrap_or(DEFAULT_WAIT);
    match tokio::time::timeout(wait, probe.next()).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(FlushError::Closed),
        Err(_) => Err(FlushError::TimedOut(wait)),
    }
}
