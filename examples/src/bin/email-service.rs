//! Runs one email service instance against `NATS_URL` until Ctrl-C or SIGTERM, then finishes the
//! emails already delivered to it.
//!
//! `--outbox DIR` sets the folder for the emails (default `academy-out/outbox`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use examples::{email_service, runtime};
use tracing::{error, info};

/// Writes a welcome email for each new user, as a member of the email-service queue group.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Folder the welcome emails are written into.
    #[arg(long, default_value = "academy-out/outbox")]
    outbox: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    runtime::init_logging();
    let args = Args::parse();
    let result = async {
        let url = runtime::nats_url()?;
        std::fs::create_dir_all(&args.outbox)
            .map_err(|e| format!("cannot create outbox {}: {e}", args.outbox.display()))?;
        let bus = runtime::connect(&url, "email-service").await?;
        let service = email_service::start(bus.clone(), args.outbox.clone())
            .await
            .map_err(|e| e.to_string())?;
        bus.flush().await.map_err(|e| e.to_string())?;
        info!(url, outbox = %args.outbox.display(), "email-service running; Ctrl-C or SIGTERM stops it");
        runtime::shutdown_signal().await;
        let written = service.stop().await;
        info!(written, "email-service stopped");
        Ok::<(), String>(())
    };
    match result.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            error!("{message}");
            ExitCode::FAILURE
        }
    }
}
