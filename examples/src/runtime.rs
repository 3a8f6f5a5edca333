//! What every service binary does the same way: logging, connecting, and waiting for Ctrl-C.

use event_runtime::EventBus;
use tracing_subscriber::EnvFilter;

/// Environment variable with the NATS server or cluster to use.
pub const NATS_URL_VAR: &str = "NATS_URL";

/// Logs with tracing to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call, as in tests that start several services, keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Returns the `NATS_URL` value, or an error that says how to set it.
///
/// # Errors
///
/// Returns a message when `NATS_URL` is unset or empty.
pub fn nats_url() -> Result<String, String> {
    match std::env::var(NATS_URL_VAR) {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => Err(format!(
            "{NATS_URL_VAR} is not set; point it at a NATS server, for example \
             NATS_URL=nats://127.0.0.1:4222, or run `cargo run -p examples --bin academy`, which starts one"
        )),
    }
}

/// Connects an event bus named after the service.
///
/// # Errors
///
/// Returns the connection error with the URL in its message.
pub async fn connect(url: &str, service: &str) -> Result<EventBus, String> {
    let options = event_runtime::async_nats::ConnectOptions::new().name(service);
    EventBus::connect_with_options(url, options)
        .await
        .map(|bus| bus.with_source(service))
        .map_err(|error| format!("cannot connect to NATS at {url}: {error}"))
}

/// Resolves when the process is asked to stop: Ctrl-C (SIGINT), or SIGTERM on Unix, which
/// `kill` and container runtimes send.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %error, "cannot listen for Ctrl-C; stopping now");
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot listen for SIGTERM; only Ctrl-C stops the process");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
