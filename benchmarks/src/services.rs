//! Request/reply latency and throughput, toolkit against hand-written async-nats code.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::Client;
use async_nats::service::ServiceExt;
use event_runtime::nats_service;
use event_runtime::service::ServiceHandle;
use futures::StreamExt;

use crate::stats::percentile;

/// A small request.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Lookup {
    pub(crate) user_id: String,
    pub(crate) include_history: bool,
}

/// A small response.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Profile {
    pub(crate) user_id: String,
    pub(crate) display_name: String,
    pub(crate) courses: u32,
}

/// The benchmark service.
#[nats_service(name = "bench", version = "1.0.0")]
pub(crate) trait Bench {
    /// Answers at once.
    async fn lookup(&self, request: Lookup) -> Profile;
    /// Waits 1 ms, as a database call would, then answers.
    async fn slow_lookup(&self, request: Lookup) -> Profile;
}

struct Handler;

fn profile(request: Lookup) -> Profile {
    Profile {
        user_id: request.user_id,
        display_name: "Ada Lovelace".to_owned(),
        courses: 3,
    }
}

impl Bench for Handler {
    async fn lookup(&self, request: Lookup) -> Profile {
        profile(request)
    }

    async fn slow_lookup(&self, request: Lookup) -> Profile {
        tokio::time::sleep(Duration::from_millis(1)).await;
        profile(request)
    }
}

/// How the hand-written server runs its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandServer {
    /// One request at a time, in the endpoint loop.
    Sequential,
    /// A task per request.
    SpawnPerRequest,
}

/// Starts the toolkit server on its own connection.
pub(crate) async fn start_toolkit_server(url: &str) -> ServiceHandle {
    let client = async_nats::connect(url).await.expect("connect");
    BenchServer::new(Handler)
        .serve(client)
        .await
        .expect("serve")
}

/// Starts a hand-written `async_nats::service` with the same two endpoints, on the same
/// subjects, on its own connection.
pub(crate) async fn start_hand_server(url: &str, mode: HandServer) -> async_nats::service::Service {
    let client = async_nats::connect(url).await.expect("connect");
    let service = client
        .service_builder()
        .start("bench-hand", "1.0.0")
        .await
        .expect("service");
    let group = service.group("bench");
    for (name, slow) in [("lookup", false), ("slow_lookup", true)] {
        let mut endpoint = group.endpoint(name).await.expect("endpoint");
        tokio::spawn(async move {
            while let Some(request) = endpoint.next().await {
                let handle = async move {
                    let lookup: Lookup =
                        serde_json::from_slice(&request.message.payload).expect("decode");
                    if slow {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    let body = serde_json::to_vec(&profile(lookup)).expect("encode");
                    request.respond(Ok(body.into())).await.expect("respond");
                };
                match mode {
                    HandServer::Sequential => handle.await,
                    HandServer::SpawnPerRequest => {
                        tokio::spawn(handle);
                    }
                }
            }
        });
    }
    crate::events::confirm_subscriptions(&client).await;
    service
}

fn request() -> Lookup {
    Lookup {
        user_id: "u-00000042".to_owned(),
        include_history: false,
    }
}

/// Calls `method` once, through the toolkit client or by hand.
async fn call(toolkit: Option<&BenchClient>, client: &Client, slow: bool) {
    match toolkit {
        Some(typed) => {
            let result = if slow {
                typed.slow_lookup(&request()).await
            } else {
                typed.lookup(&request()).await
            };
            std::hint::black_box(result.expect("call"));
        }
        None => {
            let subject = if slow {
                "bench.slow_lookup"
            } else {
                "bench.lookup"
            };
            let payload = serde_json::to_vec(&request()).expect("encode");
            let reply = client
                .request(subject, payload.into())
                .await
                .expect("request");
            let profile: Profile = serde_json::from_slice(&reply.payload).expect("decode");
            std::hint::black_box(profile);
        }
    }
}

/// Returns (p50, p99) of `count` sequential calls.
pub(crate) async fn sequential_latency(
    url: &str,
    toolkit: bool,
    count: usize,
) -> (Duration, Duration) {
    let client = async_nats::connect(url).await.expect("connect");
    let typed = toolkit.then(|| BenchClient::new(client.clone()));
    for _ in 0..100 {
        call(typed.as_ref(), &client, false).await;
    }
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        call(typed.as_ref(), &client, false).await;
        samples.push(started.elapsed());
    }
    (percentile(&mut samples, 50), percentile(&mut samples, 99))
}

/// Returns calls per second with `callers` concurrent callers making `per_caller` calls each.
pub(crate) async fn concurrent_throughput(
    url: &str,
    toolkit: bool,
    slow: bool,
    callers: usize,
    per_caller: usize,
) -> f64 {
    let client = async_nats::connect(url).await.expect("connect");
    let typed = Arc::new(toolkit.then(|| BenchClient::new(client.clone())));
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let client = client.clone();
            let typed = Arc::clone(&typed);
            tokio::spawn(async move {
                for _ in 0..per_caller {
                    call(typed.as_ref().as_ref(), &client, slow).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("caller task");
    }
    (callers * per_caller) as f64 / started.elapsed().as_secs_f64()
}
