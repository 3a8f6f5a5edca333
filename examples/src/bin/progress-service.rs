//! Runs the progress service alone against `NATS_URL` until Ctrl-C or SIGTERM, then drains it.
//!
//! `--catalog FILE` names a scenario file whose `courses` form the catalog (default: the
//! academy scenario).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use examples::scenario::{DEFAULT_SCENARIO, Scenario};
use examples::{progress_service, runtime};
use tracing::{error, info};

/// Records completed lessons, serves progress queries and announces completed courses.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Scenario file whose `courses` list is the catalog.
    #[arg(long, default_value = DEFAULT_SCENARIO)]
    catalog: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    runtime::init_logging();
    let args = Args::parse();
    let result = async {
        let catalog = Scenario::load(&args.catalog)?.catalog();
        let url = runtime::nats_url()?;
        let bus = runtime::connect(&url, "progress-service").await?;
        let service = progress_service::start(bus, catalog)
            .await
            .map_err(|e| e.to_string())?;
        info!(url, "progress-service running; Ctrl-C or SIGTERM stops it");
        runtime::shutdown_signal().await;
        service.stop().await.map_err(|e| e.to_string())
    };
    match result.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            error!("{message}");
            ExitCode::FAILURE
        }
    }
}
