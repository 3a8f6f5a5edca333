//! [`NatsServer`]: one private nats-server process on a loopback port.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use super::install::{InstallError, nats_server_binary};

/// How long a started server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// How many free ports [`NatsServerBuilder::start`] tries before giving up, in case another
/// process takes the chosen port between the check and the server's bind.
const PORT_ATTEMPTS: usize = 5;

/// Why a private server could not be started.
///
/// # Examples
///
/// ```
/// use event_runtime::testing::ServerError;
///
/// let error = ServerError::NotReady { url: "nats://127.0.0.1:4222".into(), log: String::new() };
/// assert!(error.to_string().starts_with("nats-server at nats://127.0.0.1:4222"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// No nats-server binary is available.
    #[error(transparent)]
    Install(#[from] InstallError),
    /// Writing the configuration or starting the process failed.
    #[error("cannot start nats-server: {0}")]
    Io(#[from] std::io::Error),
    /// The process exited before it accepted connections.
    #[error("nats-server exited during start-up with {status}; its log:\n{log}")]
    Exited {
        /// The exit status.
        status: std::process::ExitStatus,
        /// The last lines of the server's log.
        log: String,
    },
    /// The server did not accept connections in time.
    #[error(
        "nats-server at {url} did not accept connections within {READY_TIMEOUT:?}; its log:\n{log}"
    )]
    NotReady {
        /// The server's URL.
        url: String,
        /// The last lines of the server's log.
        log: String,
    },
}

/// Settings for a private server.
///
/// # Examples
///
/// ```no_run
/// use event_runtime::testing::NatsServer;
///
/// # async fn run() -> Result<(), event_runtime::testing::ServerError> {
/// let server = NatsServer::builder().max_payload(64 * 1024).jetstream(false).start().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct NatsServerBuilder {
    jetstream: bool,
    max_payload: Option<usize>,
}

impl NatsServerBuilder {
    /// Enables or disables JetStream; enabled by default, with its store in the server's
    /// temporary folder.
    pub fn jetstream(mut self, enabled: bool) -> Self {
        self.jetstream = enabled;
        self
    }

    /// Sets the server's `max_payload` in bytes; the server's default is 1 MiB.
    pub fn max_payload(mut self, bytes: usize) -> Self {
        self.max_payload = Some(bytes);
        self
    }

    /// Starts the server and waits until it accepts connections.
    ///
    /// # Errors
    ///
    /// Returns [`ServerError::Install`] when no binary can be found or installed, and the
    /// other variants when the process fails to start or to become ready.
    pub async fn start(self) -> Result<NatsServer, ServerError> {
        let binary = nats_server_binary()?;
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let mut server = NatsServer {
                binary: binary.clone(),
                settings: self.clone(),
                port: free_port()?,
                child: None,
                dir: tempfile::Builder::new().prefix("nats-server-").tempdir()?,
            };
            match server.spawn().await {
                Ok(()) => return Ok(server),
                // Most likely another process took the port; try another one.
                Err(error @ ServerError::Exited { .. }) => last_error = Some(error),
                Err(error) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| ServerError::Io(std::io::Error::other("no free port"))))
    }
}

/// A nats-server process of its own on `127.0.0.1`, killed when dropped.
///
/// # Examples
///
/// ```no_run
/// use event_runtime::testing::NatsServer;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut server = NatsServer::start().await?;
/// let client = async_nats::connect(server.url()).await?;
/// server.stop();
/// assert!(!server.is_running());
/// server.restart().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct NatsServer {
    binary: PathBuf,
    settings: NatsServerBuilder,
    port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl NatsServer {
    /// Returns a builder for a server with non-default settings.
    pub fn builder() -> NatsServerBuilder {
        NatsServerBuilder {
            jetstream: true,
            max_payload: None,
        }
    }

    /// Starts a server with JetStream enabled and default limits.
    ///
    /// # Errors
    ///
    /// See [`NatsServerBuilder::start`].
    pub async fn start() -> Result<Self, ServerError> {
        Self::builder().start().await
    }

    /// Returns the URL clients connect to, such as `nats://127.0.0.1:41234`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Returns the server's port on `127.0.0.1`.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Returns the folder that holds the configuration, the log and the JetStream store.
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Returns whether the process is running.
    #[must_use]
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Connects a new async-nats client to this server.
    ///
    /// # Errors
    ///
    /// Returns the async-nats [`ConnectError`](async_nats::ConnectError) when the server is
    /// stopped.
    pub async fn connect(&self) -> Result<async_nats::Client, async_nats::ConnectError> {
        async_nats::connect(self.url()).await
    }

    /// Kills the server process at once, as a crash would; connected clients see the
    /// connection drop and start reconnecting.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // The process may have exited already, and then there is nothing to kill.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server if it runs, then starts it again on the same port with the same
    /// JetStream store, and waits until it accepts connections.
    ///
    /// # Errors
    ///
    /// Returns [`ServerError`] when the process fails to start or to become ready, for
    /// example because another process took the port meanwhile.
    pub async fn restart(&mut self) -> Result<(), ServerError> {
        self.stop();
        self.spawn().await
    }

    /// Returns the last lines of the server's log, for error messages.
    #[must_use]
    pub fn log_tail(&self) -> String {
        const LINES: usize = 20;
        let log = fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(LINES)..].join("\n")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("nats-server.log")
    }

    fn write_config(&self) -> std::io::Result<PathBuf> {
        let mut config = format!("listen: 127.0.0.1:{}\n", self.port);
        if self.settings.jetstream {
            let store = self.dir.path().join("jetstream");
            config.push_str(&format!(
                "jetstream {{\n  store_dir: {:?}\n}}\n",
                store.display().to_string()
            ));
        }
        if let Some(max_payload) = self.settings.max_payload {
            config.push_str(&format!("max_payload: {max_payload}\n"));
        }
        let path = self.dir.path().join("nats-server.conf");
        fs::write(&path, config)?;
        Ok(path)
    }

    async fn spawn(&mut self) -> Result<(), ServerError> {
        let config = self.write_config()?;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let child = Command::new(&self.binary)
            .arg("--config")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        self.wait_ready().await
    }

    async fn wait_ready(&mut self) -> Result<(), ServerError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(ServerError::Exited {
                    status,
                    log: self.log_tail(),
                });
            }
            if self.accepts_clients().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.stop();
        Err(ServerError::NotReady {
            url: self.url(),
            log: self.log_tail(),
        })
    }

    /// Returns whether the server answers a TCP connection with its `INFO` line.
    async fn accepts_clients(&self) -> bool {
        let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await else {
            return false;
        };
        let mut greeting = [0_u8; 4];
        let read = tokio::time::timeout(Duration::from_secs(1), stream.read_exact(&mut greeting));
        matches!(read.await, Ok(Ok(_))) && &greeting == b"INFO"
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Returns a port on `127.0.0.1` that was free a moment ago.
fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}
