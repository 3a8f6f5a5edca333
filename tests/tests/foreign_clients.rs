//! Clients written in other languages, here Python's nats-py, use our services through the
//! NATS services protocol alone.

use std::process::Command;

use event_runtime::service::ServiceError;
use event_runtime::testing::NatsServer;
use event_runtime::{nats_service, schemars, serde, serde_json};
use integration_tests::tools::{python, run, workspace_root};

#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
struct GreetError {
    reason: String,
}

impl std::fmt::Display for GreetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot greet: {}", self.reason)
    }
}

impl ServiceError for GreetError {
    fn code(&self) -> u16 {
        422
    }
}

/// Greets people.
#[nats_service(name = "greeter", version = "3.1.4")]
trait Greeter {
    /// Greets one person by name.
    async fn greet(&self, name: String) -> Result<String, GreetError>;
}

struct English;

impl Greeter for English {
    async fn greet(&self, name: String) -> Result<String, GreetError> {
        if name.is_empty() {
            return Err(GreetError {
                reason: "empty name".into(),
            });
        }
        Ok(format!("Hello, {name}!"))
    }
}

#[tokio::test]
async fn nats_py_discovers_and_calls_service() {
    let python = python();
    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let handle = GreeterServer::new(English).serve(nats).await.unwrap();

    let script = workspace_root().join("tests/python/srv_client.py");
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        run(
            Command::new(python).arg(script).args([
                url.as_str(),
                "greeter",
                "greeter.greet",
                "\"Ada\"",
                "\"\"",
            ]),
            "the nats-py client",
        )
    })
    .await
    .unwrap();
    let seen: serde_json::Value = serde_json::from_str(&output).expect("client prints JSON");

    assert_eq!(seen["PING"]["type"], "io.nats.micro.v1.ping_response");
    assert_eq!(seen["PING"]["id"], handle.id());
    assert_eq!(seen["PING_by_id"]["name"], "greeter");
    assert_eq!(seen["INFO"]["type"], "io.nats.micro.v1.info_response");
    assert_eq!(seen["INFO"]["version"], "3.1.4");
    assert_eq!(seen["INFO"]["description"], "Greets people.");
    assert_eq!(seen["INFO"]["endpoints"][0]["subject"], "greeter.greet");
    assert_eq!(seen["INFO"]["endpoints"][0]["queue_group"], "q");
    assert_eq!(seen["INFO_by_id"]["id"], handle.id());
    assert_eq!(seen["STATS"]["type"], "io.nats.micro.v1.stats_response");
    assert_eq!(seen["STATS_by_id"]["name"], "greeter");

    assert_eq!(seen["ok"]["body"], "Hello, Ada!");
    let error_headers = &seen["error"]["headers"];
    assert_eq!(error_headers["Nats-Service-Error-Code"], "422");
    assert_eq!(
        error_headers["Nats-Service-Error"],
        "cannot greet: empty name"
    );
    assert_eq!(seen["error"]["body"]["reason"], "empty name");

    let stats = handle.stats();
    assert_eq!(stats[0].num_requests, 2);
    assert_eq!(stats[0].num_errors, 1);
}
