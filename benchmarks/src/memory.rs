//! Peak memory of a subscriber process under a burst of events.
//!
//! The bench binary runs itself as the subscriber (`bench subscriber ...`), so the figure
//! is that process's own peak resident set (`VmHWM` in `/proc/self/status`, Linux only).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use event_runtime::EventBus;
use futures::StreamExt;

use crate::events::{Publisher, publish};
use crate::payload::{Envelope, UserRegistered};

/// Reads this process's peak resident set in KiB.
pub(crate) fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The subscriber side, run in a child process: receives until `count` events or 5 s of
/// silence, then prints `received peak_kib`.
pub(crate) async fn run_subscriber(url: &str, toolkit: bool, count: u64) {
    let client = async_nats::connect(url).await.expect("connect");
    let mut received = 0_u64;
    if toolkit {
        let bus = EventBus::new(client.clone());
        let mut stream = bus.subscribe::<UserRegistered>().await.expect("subscribe");
        crate::events::confirm_subscriptions(&client).await;
        println!("ready");
        while received < count {
            match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
                Ok(Some(Ok(event))) => {
                    std::hint::black_box(event);
                    received += 1;
                }
                Ok(Some(Err(_))) => {}
                _ => break,
            }
        }
    } else {
        let mut subscriber = client
            .subscribe("bench.*.registered")
            .await
            .expect("subscribe");
        crate::events::confirm_subscriptions(&client).await;
        println!("ready");
        while received < count {
            match tokio::time::timeout(Duration::from_secs(5), subscriber.next()).await {
                Ok(Some(message)) => {
                    if let Ok(envelope) =
                        serde_json::from_slice::<Envelope<UserRegistered>>(&message.payload)
                    {
                        std::hint::black_box(envelope.data);
                    }
                    received += 1;
                }
                _ => break,
            }
        }
    }
    println!("{received} {}", peak_rss_kib());
}

/// Result of one burst.
pub(crate) struct Burst {
    pub(crate) peak_mib: f64,
    pub(crate) received: u64,
}

/// Starts a subscriber process, sends it `count` structured events as fast as one
/// publisher can, and returns its peak memory and how many events it received.
pub(crate) async fn burst(url: &str, toolkit: bool, count: u64) -> Burst {
    let mode = if toolkit { "toolkit" } else { "hand" };
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .args([
            "subscriber",
            "--url",
            url,
            "--mode",
            mode,
            "--count",
            &count.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start subscriber");
    let stdout = child.stdout.take().expect("piped stdout");
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let _ = ready_tx.send(lines.next());
        lines.last()
    });
    let _ = ready_rx.await;
    let publisher = if toolkit {
        Publisher::ToolkitStructured
    } else {
        Publisher::HandEnvelope
    };
    publish(url, publisher, count).await;
    let last = reader.join().expect("reader").unwrap_or_default();
    child.wait().expect("subscriber exit");
    let mut parts = last
        .split_whitespace()
        .map(|part| part.parse::<u64>().unwrap_or(0));
    let received = parts.next().unwrap_or(0);
    let peak_kib = parts.next().unwrap_or(0);
    Burst {
        peak_mib: peak_kib as f64 / 1024.0,
        received,
    }
}
