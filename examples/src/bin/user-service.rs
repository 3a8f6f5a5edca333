//! Runs the user service alone against `NATS_URL` until Ctrl-C or SIGTERM, then drains it.

use std::process::ExitCode;

use examples::{runtime, user_service};
use tracing::{error, info};

#[tokio::main]
async fn main() -> ExitCode {
    runtime::init_logging();
    let result = async {
        let url = runtime::nats_url()?;
        let bus = runtime::connect(&url, "user-service").await?;
        let service = user_service::start(bus).await.map_err(|e| e.to_string())?;
        info!(
            url,
            id = service.id(),
            "user-service running; Ctrl-C or SIGTERM stops it"
        );
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
