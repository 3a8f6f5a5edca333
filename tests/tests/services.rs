//! Request/reply services against a private nats-server: round trips, errors, concurrency,
//! deadlines, draining, restarts and `$SRV` discovery.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use event_runtime::service::{
    CallError, CallOptions, QueueGroup, ServiceContract, ServiceError, ServiceHandle,
    protocol::{InfoResponse, PingResponse, StatsResponse},
};
use event_runtime::testing::NatsServer;
use event_runtime::{async_nats, nats_service, schemars, serde, serde_json};
use futures::StreamExt;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
struct User {
    id: String,
    email: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
struct Sleep {
    millis: u64,
}

// Derived, so the error-header tests below also check the derive; foreign_clients.rs
// implements the trait by hand.
#[derive(
    Debug,
    Clone,
    PartialEq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ServiceError,
)]
#[serde(
    crate = "event_runtime::serde",
    tag = "error",
    rename_all = "snake_case"
)]
#[schemars(crate = "event_runtime::schemars")]
enum DirectoryError {
    #[service_error(code = 404)]
    NotFound { id: String },
    #[service_error(code = 422)]
    Invalid { reason: String },
}

impl std::fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound { id } => write!(f, "user {id} not found"),
            Self::Invalid { reason } => write!(f, "invalid request: {reason}"),
        }
    }
}

/// Test double of a user directory.
#[nats_service(name = "directory", version = "1.2.0", metadata(team = "accounts"))]
trait Directory {
    /// Looks up one user.
    async fn get_user(&self, id: String) -> Result<User, DirectoryError>;
    /// Returns the request unchanged.
    async fn echo(&self, body: String) -> String;
    /// Returns nothing.
    async fn touch(&self, request: ()) -> ();
    /// Sleeps, then returns which instance answered.
    #[endpoint(timeout_ms = 10000)]
    async fn sleep(&self, request: Sleep) -> String;
    /// Panics.
    async fn explode(&self, request: ()) -> String;
    /// Returns a string of the requested length.
    async fn grow(&self, len: usize) -> String;
    /// Answers on a subject of its own.
    #[endpoint(subject = "lookup.by-email")]
    async fn by_email(&self, email: String) -> Result<User, DirectoryError>;
}

#[derive(Default)]
struct Counters {
    handled: AtomicUsize,
    running: AtomicUsize,
    max_running: AtomicUsize,
    finished_sleeps: AtomicUsize,
    cancelled_sleeps: AtomicUsize,
}

#[derive(Clone)]
struct Instance {
    label: &'static str,
    counters: Arc<Counters>,
}

impl Instance {
    fn new(label: &'static str) -> Self {
        Self {
            label,
            counters: Arc::default(),
        }
    }
}

/// Counts a sleep that was dropped before it finished.
struct CancelGuard<'a> {
    counters: &'a Counters,
    finished: bool,
}

impl Drop for CancelGuard<'_> {
    fn drop(&mut self) {
        self.counters.running.fetch_sub(1, Ordering::SeqCst);
        if !self.finished {
            self.counters
                .cancelled_sleeps
                .fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Directory for Instance {
    async fn get_user(&self, id: String) -> Result<User, DirectoryError> {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        match id.as_str() {
            "" => Err(DirectoryError::Invalid {
                reason: "empty id".into(),
            }),
            "u-1" => Ok(User {
                id,
                email: "ada@example.com".into(),
            }),
            _ => Err(DirectoryError::NotFound { id }),
        }
    }

    async fn echo(&self, body: String) -> String {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        body
    }

    async fn touch(&self, _request: ()) {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
    }

    async fn sleep(&self, request: Sleep) -> String {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        let running = self.counters.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.counters
            .max_running
            .fetch_max(running, Ordering::SeqCst);
        let mut guard = CancelGuard {
            counters: &self.counters,
            finished: false,
        };
        tokio::time::sleep(Duration::from_millis(request.millis)).await;
        guard.finished = true;
        self.counters.finished_sleeps.fetch_add(1, Ordering::SeqCst);
        self.label.to_owned()
    }

    async fn explode(&self, _request: ()) -> String {
        panic!("handler exploded on purpose");
    }

    async fn grow(&self, len: usize) -> String {
        "x".repeat(len)
    }

    async fn by_email(&self, email: String) -> Result<User, DirectoryError> {
        Ok(User {
            id: "u-1".into(),
            email,
        })
    }
}

async fn start(instance: &Instance, client: &async_nats::Client) -> ServiceHandle {
    DirectoryServer::new(instance.clone())
        .serve(client.clone())
        .await
        .expect("serve")
}

async fn setup() -> (
    NatsServer,
    async_nats::Client,
    DirectoryClient,
    Instance,
    ServiceHandle,
) {
    let server = NatsServer::start().await.expect("start nats-server");
    let nats = server.connect().await.expect("connect");
    let instance = Instance::new("a");
    let handle = start(&instance, &nats).await;
    let client = DirectoryClient::new(nats.clone());
    (server, nats, client, instance, handle)
}

#[tokio::test]
async fn call_returns_response_typed_error_and_unit() {
    let (_server, _nats, client, _instance, _handle) = setup().await;
    let user = client.get_user(&"u-1".to_owned()).await.unwrap();
    assert_eq!(
        user,
        User {
            id: "u-1".into(),
            email: "ada@example.com".into()
        }
    );

    let error = client.get_user(&"u-404".to_owned()).await.unwrap_err();
    let CallError::Service(DirectoryError::NotFound { id }) = error else {
        panic!("expected the typed NotFound error, got {error:?}");
    };
    assert_eq!(id, "u-404");

    client.touch(&()).await.unwrap();
    let user = client
        .by_email(&"grace@example.com".to_owned())
        .await
        .unwrap();
    assert_eq!(user.email, "grace@example.com");
}

#[tokio::test]
async fn error_reply_carries_protocol_headers_and_body() {
    let (_server, nats, _client, _instance, _handle) = setup().await;
    let reply = nats
        .request("directory.get_user", serde_json::to_vec("").unwrap().into())
        .await
        .unwrap();
    let headers = reply.headers.expect("error headers");
    assert_eq!(
        headers.get("Nats-Service-Error-Code").unwrap().as_str(),
        "422"
    );
    assert_eq!(
        headers.get("Nats-Service-Error").unwrap().as_str(),
        "invalid request: empty id"
    );
    let body: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"error": "invalid", "reason": "empty id"})
    );
}

#[tokio::test]
async fn payload_close_to_max_payload_round_trips() {
    let (_server, nats, client, _instance, _handle) = setup().await;
    let max_payload = nats.max_payload();
    // Leave room for the JSON quotes and the request headers.
    let body = "y".repeat(max_payload - 200);
    let echoed = client.echo(&body).await.unwrap();
    assert_eq!(echoed.len(), body.len());

    let too_big = "y".repeat(max_payload);
    let error = client.echo(&too_big).await.unwrap_err();
    assert!(
        matches!(error, CallError::PayloadTooLarge { size, max_payload: max, .. } if size > max && max == max_payload),
        "{error:?}"
    );
}

#[tokio::test]
async fn handler_panic_malformed_request_and_oversized_reply_are_errors() {
    let (_server, nats, client, _instance, handle) = setup().await;
    let error = client.explode(&()).await.unwrap_err();
    let CallError::Server { code, description } = &error else {
        panic!("expected a server error, got {error:?}");
    };
    assert_eq!(*code, 500);
    assert!(
        description.contains("handler exploded on purpose"),
        "{description}"
    );

    let reply = nats
        .request("directory.get_user", "{not json".into())
        .await
        .unwrap();
    let headers = reply.headers.expect("error headers");
    assert_eq!(
        headers.get("Nats-Service-Error-Code").unwrap().as_str(),
        "400"
    );
    let reason = headers
        .get("Nats-Service-Error")
        .unwrap()
        .as_str()
        .to_owned();
    assert!(reason.starts_with("invalid request: "), "{reason}");

    let error = client.grow(&nats.max_payload()).await.unwrap_err();
    assert!(
        matches!(error, CallError::Server { code: 413, .. }),
        "{error:?}"
    );

    // The service keeps serving after each failure.
    assert_eq!(
        client.echo(&"still here".to_owned()).await.unwrap(),
        "still here"
    );
    let stats = handle.stats();
    let explode = stats.iter().find(|s| s.name == "explode").unwrap();
    assert_eq!(explode.num_errors, 1);
    assert!(
        explode.last_error.starts_with("500:handler panicked"),
        "{}",
        explode.last_error
    );
}

#[tokio::test]
async fn no_responders_returns_at_once() {
    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let client = DirectoryClient::builder(nats)
        .timeout(Duration::from_secs(20))
        .build();
    let started = Instant::now();
    let error = client.echo(&"anyone?".to_owned()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, CallError::NoResponders { ref subject } if subject == "directory.echo"),
        "{error:?}"
    );
    // Generous bound: the point is that the 20 s timeout did not run out.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[tokio::test]
async fn slow_requests_run_concurrently_up_to_the_limit() {
    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let unlimited = Instance::new("unlimited");
    let handle = start(&unlimited, &nats).await;
    let client = DirectoryClient::new(nats.clone());
    let calls = (0..8).map(|_| client.sleep(&Sleep { millis: 300 }));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert!(
        unlimited.counters.max_running.load(Ordering::SeqCst) > 1,
        "handlers ran one at a time"
    );
    handle.stop().await.unwrap();

    let limited = Instance::new("limited");
    let handle = DirectoryServer::new(limited.clone())
        .max_concurrency(2)
        .serve(nats)
        .await
        .unwrap();
    let calls = (0..6).map(|_| client.sleep(&Sleep { millis: 100 }));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(limited.counters.max_running.load(Ordering::SeqCst), 2);
    handle.stop().await.unwrap();
}

#[tokio::test]
async fn deadline_cancels_running_handler() {
    let (_server, _nats, client, instance, handle) = setup().await;
    let options = CallOptions::new().timeout(Duration::from_millis(300));
    let error = client
        .sleep_with(&Sleep { millis: 5_000 }, &options)
        .await
        .unwrap_err();
    assert!(matches!(error, CallError::Timeout { .. }), "{error:?}");
    let counters = &instance.counters;
    let deadline = Instant::now() + Duration::from_secs(10);
    while counters.cancelled_sleeps.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        counters.cancelled_sleeps.load(Ordering::SeqCst),
        1,
        "handler was not cancelled"
    );
    assert_eq!(counters.finished_sleeps.load(Ordering::SeqCst), 0);
    let sleep = handle
        .stats()
        .into_iter()
        .find(|s| s.name == "sleep")
        .unwrap();
    assert!(sleep.last_error.starts_with("504:"), "{}", sleep.last_error);
}

#[tokio::test]
async fn expired_request_is_skipped() {
    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let instance = Instance::new("single");
    let handle = DirectoryServer::new(instance.clone())
        .max_concurrency(1)
        .serve(nats.clone())
        .await
        .unwrap();
    let client = DirectoryClient::new(nats);
    let blocker = client.sleep(&Sleep { millis: 1_000 });
    let expiring = async {
        // Sent while the only slot is busy; its deadline passes before the slot frees up.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let options = CallOptions::new().timeout(Duration::from_millis(200));
        client.sleep_with(&Sleep { millis: 1 }, &options).await
    };
    let (blocked, expired) = tokio::join!(blocker, expiring);
    assert_eq!(blocked.unwrap(), "single");
    assert!(
        matches!(expired, Err(CallError::Timeout { .. })),
        "{expired:?}"
    );
    // Wait until the server has seen the second request, then check it never ran.
    let deadline = Instant::now() + Duration::from_secs(10);
    let sleep_stats = || {
        handle
            .stats()
            .into_iter()
            .find(|s| s.name == "sleep")
            .unwrap()
    };
    while sleep_stats().num_requests < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        instance.counters.handled.load(Ordering::SeqCst),
        1,
        "the expired request ran"
    );
    assert_eq!(sleep_stats().num_errors, 1);
}

#[tokio::test]
async fn queue_group_shares_requests_and_stop_drains() {
    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let first = Instance::new("first");
    let second = Instance::new("second");
    let first_handle = start(&first, &nats).await;
    let second_handle = start(&second, &nats).await;
    let client = DirectoryClient::new(nats.clone());

    let bodies: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
    let calls = bodies.iter().map(|body| client.echo(body));
    for (body, result) in bodies.iter().zip(futures::future::join_all(calls).await) {
        assert_eq!(&result.unwrap(), body);
    }
    let handled_first = first.counters.handled.load(Ordering::SeqCst);
    let handled_second = second.counters.handled.load(Ordering::SeqCst);
    assert_eq!(
        handled_first + handled_second,
        40,
        "each request handled exactly once"
    );
    assert!(
        handled_first > 0 && handled_second > 0,
        "{handled_first} / {handled_second}"
    );

    // Requests in flight on the first instance finish and get replies while it drains.
    let sleeper = client.clone();
    let in_flight = tokio::spawn(async move {
        let calls = (0..6).map(|_| sleeper.sleep(&Sleep { millis: 500 }));
        futures::future::join_all(calls).await
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while first.counters.running.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first_handle.stop().await.unwrap();
    assert_eq!(
        first.counters.running.load(Ordering::SeqCst),
        0,
        "stop returned before handlers finished"
    );
    for result in in_flight.await.unwrap() {
        result.unwrap();
    }
    assert_eq!(first.counters.cancelled_sleeps.load(Ordering::SeqCst), 0);

    let before = first.counters.handled.load(Ordering::SeqCst);
    for i in 0..10 {
        assert_eq!(
            client.echo(&format!("after {i}")).await.unwrap(),
            format!("after {i}")
        );
    }
    assert_eq!(
        first.counters.handled.load(Ordering::SeqCst),
        before,
        "a stopped instance handled a request"
    );
    second_handle.stop().await.unwrap();
}

#[tokio::test]
async fn without_queue_group_every_instance_receives() {
    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let first = Instance::new("first");
    let second = Instance::new("second");
    let _a = DirectoryServer::new(first.clone())
        .queue_group(QueueGroup::None)
        .serve(nats.clone())
        .await
        .unwrap();
    let _b = DirectoryServer::new(second.clone())
        .queue_group(QueueGroup::None)
        .serve(nats.clone())
        .await
        .unwrap();
    let client = DirectoryClient::new(nats.clone());
    client.touch(&()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while second.counters.handled.load(Ordering::SeqCst)
        + first.counters.handled.load(Ordering::SeqCst)
        < 2
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(first.counters.handled.load(Ordering::SeqCst), 1);
    assert_eq!(second.counters.handled.load(Ordering::SeqCst), 1);
    let info: InfoResponse = request_json(&nats, "$SRV.INFO.directory").await.remove(0);
    assert!(
        info.endpoints.iter().all(|e| e.queue_group.is_none()),
        "{info:?}"
    );
}

#[tokio::test]
async fn service_survives_server_restart() {
    let (mut server, _nats, client, _instance, _handle) = setup().await;
    let client = DirectoryClient::builder(client.service_client().client().clone())
        .timeout(Duration::from_millis(500))
        .build();
    assert_eq!(client.echo(&"before".to_owned()).await.unwrap(), "before");
    server.stop();
    let error = client.echo(&"during".to_owned()).await.unwrap_err();
    assert!(
        matches!(
            error,
            CallError::Transport { .. } | CallError::Timeout { .. }
        ),
        "expected Transport or Timeout during the outage, got {error:?}"
    );
    server.restart().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match client.echo(&"after".to_owned()).await {
            Ok(reply) => {
                assert_eq!(reply, "after");
                break;
            }
            Err(error) => assert!(
                Instant::now() < deadline,
                "not served after restart: {error}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends a request to every responder and collects the replies that arrive within a second.
async fn request_json<T: event_runtime::serde::de::DeserializeOwned>(
    nats: &async_nats::Client,
    subject: &str,
) -> Vec<T> {
    let inbox = nats.new_inbox();
    let mut replies = nats.subscribe(inbox.clone()).await.unwrap();
    nats.publish_with_reply(subject.to_owned(), inbox, "".into())
        .await
        .unwrap();
    let mut collected = Vec::new();
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(1), replies.next()).await
    {
        // With no service listening, the server answers with a 503 "no responders" status.
        if message.status.is_some() {
            continue;
        }
        collected.push(serde_json::from_slice(&message.payload).unwrap());
    }
    collected
}

#[tokio::test]
async fn srv_discovery_answers_at_three_levels() {
    let (_server, nats, _client, _instance, handle) = setup().await;
    let other = Instance::new("b");
    let other_handle = start(&other, &nats).await;
    let id = handle.id().to_owned();

    let pings: Vec<PingResponse> = request_json(&nats, "$SRV.PING").await;
    assert_eq!(pings.len(), 2);
    let by_name: Vec<PingResponse> = request_json(&nats, "$SRV.PING.directory").await;
    assert_eq!(by_name.len(), 2);
    let by_id: Vec<PingResponse> = request_json(&nats, &format!("$SRV.PING.directory.{id}")).await;
    assert_eq!(by_id.len(), 1);
    let ping = &by_id[0];
    assert_eq!(ping.kind, "io.nats.micro.v1.ping_response");
    assert_eq!(ping.name, "directory");
    assert_eq!(ping.version, "1.2.0");
    assert_eq!(ping.id, id);
    assert_eq!(
        ping.metadata.get("team").map(String::as_str),
        Some("accounts")
    );
    let nobody: Vec<PingResponse> = request_json(&nats, "$SRV.PING.other-service").await;
    assert!(nobody.is_empty());

    let infos: Vec<InfoResponse> = request_json(&nats, &format!("$SRV.INFO.directory.{id}")).await;
    let info = &infos[0];
    assert_eq!(info.kind, "io.nats.micro.v1.info_response");
    assert_eq!(info.description, "Test double of a user directory.");
    let get_user = info
        .endpoints
        .iter()
        .find(|e| e.name == "get_user")
        .unwrap();
    assert_eq!(get_user.subject, "directory.get_user");
    assert_eq!(get_user.queue_group.as_deref(), Some("q"));
    assert_eq!(
        get_user.metadata.get("request_schema").map(String::as_str),
        Some("string")
    );
    assert_eq!(
        get_user.metadata.get("response_schema").map(String::as_str),
        Some("User")
    );
    assert_eq!(
        get_user.metadata.get("error_schema").map(String::as_str),
        Some("DirectoryError")
    );
    let by_email = info
        .endpoints
        .iter()
        .find(|e| e.name == "by_email")
        .unwrap();
    assert_eq!(by_email.subject, "lookup.by-email");
    assert_eq!(
        info.endpoints.len(),
        DirectoryContract::definition().endpoints.len()
    );
    let all_infos: Vec<InfoResponse> = request_json(&nats, "$SRV.INFO").await;
    assert_eq!(all_infos.len(), 2);

    let client = DirectoryClient::new(nats.clone());
    for _ in 0..3 {
        client.get_user(&"u-1".to_owned()).await.ok();
    }
    client.get_user(&"u-404".to_owned()).await.ok();
    let mut stats: Vec<StatsResponse> = request_json(&nats, "$SRV.STATS.directory").await;
    assert_eq!(stats.len(), 2);
    stats.retain(|s| s.id == id || s.id == other_handle.id());
    let total: u64 = stats
        .iter()
        .flat_map(|s| s.endpoints.iter())
        .filter(|e| e.name == "get_user")
        .map(|e| e.num_requests)
        .sum();
    assert_eq!(total, 4);
    let errors: u64 = stats
        .iter()
        .flat_map(|s| s.endpoints.iter())
        .filter(|e| e.name == "get_user")
        .map(|e| e.num_errors)
        .sum();
    assert_eq!(errors, 1);
    let one: Vec<StatsResponse> = request_json(&nats, &format!("$SRV.STATS.directory.{id}")).await;
    assert_eq!(one[0].kind, "io.nats.micro.v1.stats_response");
    assert_eq!(
        one[0].metadata.get("team").map(String::as_str),
        Some("accounts")
    );
    assert!(!one[0].started.is_empty());
    let raw: Vec<serde_json::Value> =
        request_json(&nats, &format!("$SRV.STATS.directory.{id}")).await;
    let endpoint = &raw[0]["endpoints"][0];
    for key in [
        "name",
        "subject",
        "num_requests",
        "num_errors",
        "last_error",
        "processing_time",
        "average_processing_time",
    ] {
        assert!(
            endpoint.get(key).is_some(),
            "STATS endpoint lacks {key}: {endpoint}"
        );
    }
    assert!(one[0].endpoints.iter().any(|e| e.processing_time > 0));
}
