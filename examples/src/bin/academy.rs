//! Runs the academy example: starts a private nats-server (unless `NATS_URL` is set), the
//! three services, plays a scenario, prints the timeline and checks the outcome.
//!
//! Exits with status 1 when any check fails, 2 when the run itself cannot proceed, and 130
//! when Ctrl-C or SIGTERM interrupts it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use examples::academy::{self, Config};
use examples::runtime;
use examples::scenario::{DEFAULT_SCENARIO, Scenario};

/// Plays a scenario through the academy's services on a real nats-server and checks the
/// outcome.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Scenario file: a course catalog and what each user does.
    #[arg(long, default_value = DEFAULT_SCENARIO)]
    scenario: PathBuf,
    /// Replace the scenario's users with N generated users over its catalog, and report
    /// throughput and latency.
    #[arg(long, value_name = "N")]
    scale: Option<usize>,
    /// Folder the email service writes welcome emails into. The `.eml` files of an earlier
    /// run are removed first; a folder holding other files is rejected.
    #[arg(long, default_value = "academy-out/outbox")]
    outbox: PathBuf,
    /// Folder to write the contracts export into: a JSON Schema per message, an AsyncAPI
    /// document and an index.
    #[arg(long, default_value = "academy-out/contracts")]
    contracts: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        runtime::init_logging();
    }
    let args = Args::parse();
    let mut scenario = match Scenario::load(&args.scenario) {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(users) = args.scale {
        scenario = scenario.scaled(users);
    }
    let config = Config {
        scenario,
        nats_url: runtime::nats_url().ok(),
        outbox: args.outbox.clone(),
        contracts_export: Some(args.contracts.clone()),
    };
    // Dropping the run on a signal stops the services and the private nats-server, and
    // removes its temporary folder.
    let result = tokio::select! {
        result = academy::run(config) => result,
        () = runtime::shutdown_signal() => {
            eprintln!("interrupted: stopped the services and the private nats-server");
            return ExitCode::from(130);
        }
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    println!();
    println!(
        "users: {}; welcome emails: {} ({} in {}); lessons: {}; courses completed: {}",
        outcome.users,
        outcome.welcome_events,
        outcome.emails_in_outbox,
        args.outbox.display(),
        outcome.lessons_published,
        outcome.courses_completed,
    );
    println!(
        "events: {} in {:.2} s, {:.0} per second; dropped: {}",
        outcome.events_received,
        outcome.elapsed.as_secs_f64(),
        outcome.events_per_second(),
        outcome.dropped,
    );
    for (method, calls, p50, p99) in outcome.latencies.summary() {
        println!(
            "{method}: calls: {calls}, p50 {:.2} ms, p99 {:.2} ms",
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0
        );
    }
    if outcome.passed() {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        for failure in &outcome.failures {
            eprintln!("check failed: {failure}");
        }
        eprintln!("failed checks: {}", outcome.failures.len());
        ExitCode::from(1)
    }
}
