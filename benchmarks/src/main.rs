//! Benchmarks of the typed layer against hand-written async-nats code, measured in one run
//! against one private nats-server. Every figure is a toolkit/hand-written ratio of medians
//! over several rounds, with the variants interleaved within each round.
//!
//! `cargo run --release -p benchmarks --bin bench` runs everything; `--quick` runs a short
//! version; `--only publish,pubsub,request,slow,compile,memory` picks benchmarks.

mod compile;
mod events;
mod memory;
mod payload;
mod services;
mod stats;

use std::time::Duration;

use clap::{Parser, Subcommand};
use event_runtime::testing::NatsServer;

use events::Publisher;
use services::HandServer;
use stats::{Row, median, print_table};

/// Compares the toolkit with hand-written async-nats code.
#[derive(Debug, Parser)]
#[command(about)]
struct Args {
    /// Fewer messages and rounds: a smoke run of a few minutes, most of it compiling.
    #[arg(long)]
    quick: bool,
    /// Rounds per benchmark; medians are reported.
    #[arg(long)]
    rounds: Option<usize>,
    /// Comma-separated benchmarks to run: publish, pubsub, request, slow, compile, memory.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    #[command(subcommand)]
    command: Option<Internal>,
}

#[derive(Debug, Subcommand)]
enum Internal {
    /// Runs the subscriber of the memory benchmark (started by the benchmark itself).
    #[command(hide = true)]
    Subscriber {
        #[arg(long)]
        url: String,
        #[arg(long)]
        mode: String,
        #[arg(long)]
        count: u64,
    },
}

/// Sizes of one run.
struct Plan {
    rounds: usize,
    publish_count: u64,
    pubsub_count: u64,
    sequential_calls: usize,
    callers: usize,
    calls_per_caller: usize,
    slow_calls_per_caller: usize,
    compile_rounds: usize,
    burst: u64,
}

impl Plan {
    fn new(quick: bool, rounds: Option<usize>) -> Self {
        if quick {
            Self {
                rounds: rounds.unwrap_or(3),
                publish_count: 50_000,
                pubsub_count: 50_000,
                sequential_calls: 1_000,
                callers: 64,
                calls_per_caller: 100,
                slow_calls_per_caller: 20,
                compile_rounds: 1,
                burst: 100_000,
            }
        } else {
            Self {
                rounds: rounds.unwrap_or(7),
                publish_count: 300_000,
                pubsub_count: 200_000,
                sequential_calls: 5_000,
                callers: 64,
                calls_per_caller: 500,
                slow_calls_per_caller: 100,
                compile_rounds: 3,
                burst: 1_000_000,
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Some(Internal::Subscriber { url, mode, count }) = &args.command {
        memory::run_subscriber(url, mode == "toolkit", *count).await;
        return;
    }
    let plan = Plan::new(args.quick, args.rounds);
    let selected = |name: &str| args.only.is_empty() || args.only.iter().any(|only| only == name);
    let server = NatsServer::builder()
        .jetstream(false)
        .start()
        .await
        .expect("start nats-server");
    let url = server.url();
    println!(
        "nats-server at {url}; {} rounds; medians reported",
        plan.rounds
    );
    let mut rows = Vec::new();
    if selected("publish") {
        rows.extend(publish_rows(&url, &plan).await);
    }
    if selected("pubsub") {
        rows.extend(pubsub_rows(&url, &plan).await);
    }
    if selected("request") {
        rows.extend(request_rows(&url, &plan).await);
    }
    if selected("slow") {
        rows.extend(slow_handler_rows(&url, &plan).await);
    }
    if selected("memory") {
        rows.extend(memory_rows(&url, &plan).await);
    }
    if selected("compile") {
        rows.push(compile_row(&plan, false));
        rows.push(compile_row(&plan, true));
    }
    print_table(&rows);
}

async fn publish_rows(url: &str, plan: &Plan) -> Vec<Row> {
    let publishers = [
        Publisher::ToolkitBare,
        Publisher::HandBare,
        Publisher::ToolkitStructured,
        Publisher::HandEnvelope,
        Publisher::ToolkitBinary,
    ];
    let mut rates = vec![Vec::new(); publishers.len()];
    for round in 0..plan.rounds {
        // Each round starts with the next variant, so that no variant always runs first,
        // right after the previous round's load.
        for offset in 0..publishers.len() {
            let index = (round + offset) % publishers.len();
            let rate = events::publish(url, publishers[index], plan.publish_count).await;
            rates[index].push(rate);
        }
        eprintln!("publish: round {} of {}", round + 1, plan.rounds);
    }
    let [
        toolkit_bare,
        hand_bare,
        toolkit_structured,
        hand_envelope,
        toolkit_binary,
    ] = [0, 1, 2, 3, 4].map(|index| median(&rates[index]));
    let row = |benchmark: &str, toolkit: f64, name: Publisher, baseline: f64, target| Row {
        benchmark: benchmark.to_owned(),
        unit: "msg/s",
        toolkit,
        baseline_name: name.name().to_owned(),
        baseline,
        higher_is_better: true,
        target,
        note: String::new(),
    };
    vec![
        row(
            "publish, bare payload",
            toolkit_bare,
            Publisher::HandBare,
            hand_bare,
            Some(0.98),
        ),
        row(
            "publish, default envelope",
            toolkit_structured,
            Publisher::HandEnvelope,
            hand_envelope,
            Some(0.95),
        ),
        row(
            "publish, default envelope vs bare",
            toolkit_structured,
            Publisher::HandBare,
            hand_bare,
            Some(0.8),
        ),
        // No target: this row measures what the headers cost, for choosing a default mode.
        row(
            "publish, binary mode (ce- headers) vs bare",
            toolkit_binary,
            Publisher::HandBare,
            hand_bare,
            None,
        ),
    ]
}

async fn pubsub_rows(url: &str, plan: &Plan) -> Vec<Row> {
    let mut toolkit = Vec::new();
    let mut hand = Vec::new();
    let mut dropped_runs = 0;
    for round in 0..plan.rounds {
        for (is_toolkit, rates) in [(true, &mut toolkit), (false, &mut hand)] {
            let delivery = events::publish_subscribe(url, is_toolkit, plan.pubsub_count).await;
            if delivery.dropped == 0 {
                rates.push(delivery.rate);
            } else {
                dropped_runs += 1;
                eprintln!(
                    "pubsub: a run dropped {} messages; left out of the median",
                    delivery.dropped
                );
            }
        }
        eprintln!("pubsub: round {} of {}", round + 1, plan.rounds);
    }
    vec![Row {
        benchmark: "publish -> subscribe with decoding".to_owned(),
        unit: "msg/s",
        toolkit: median(&toolkit),
        baseline_name: "hand-written, same metadata".to_owned(),
        baseline: median(&hand),
        higher_is_better: true,
        target: Some(0.95),
        note: format!("{dropped_runs} runs with drops left out"),
    }]
}

async fn request_rows(url: &str, plan: &Plan) -> Vec<Row> {
    let (mut p50, mut p99, mut throughput) = (
        [Vec::new(), Vec::new()],
        [Vec::new(), Vec::new()],
        [Vec::new(), Vec::new()],
    );
    for round in 0..plan.rounds {
        for (index, toolkit) in [true, false].into_iter().enumerate() {
            let (toolkit_server, hand_server) =
                start_server(url, toolkit, HandServer::SpawnPerRequest).await;
            let (fifty, ninety_nine) =
                services::sequential_latency(url, toolkit, plan.sequential_calls).await;
            p50[index].push(fifty.as_secs_f64() * 1e6);
            p99[index].push(ninety_nine.as_secs_f64() * 1e6);
            throughput[index].push(
                services::concurrent_throughput(
                    url,
                    toolkit,
                    false,
                    plan.callers,
                    plan.calls_per_caller,
                )
                .await,
            );
            stop_server(toolkit_server, hand_server).await;
        }
        eprintln!("request: round {} of {}", round + 1, plan.rounds);
    }
    let baseline_name = "async_nats::service endpoint".to_owned();
    vec![
        Row {
            benchmark: "request/reply p50, sequential".to_owned(),
            unit: "µs",
            toolkit: median(&p50[0]),
            baseline_name: baseline_name.clone(),
            baseline: median(&p50[1]),
            higher_is_better: false,
            target: Some(1.05),
            note: String::new(),
        },
        Row {
            benchmark: "request/reply p99, sequential".to_owned(),
            unit: "µs",
            toolkit: median(&p99[0]),
            baseline_name: baseline_name.clone(),
            baseline: median(&p99[1]),
            higher_is_better: false,
            target: None,
            note: String::new(),
        },
        Row {
            benchmark: format!("request/reply throughput, {} callers", plan.callers),
            unit: "req/s",
            toolkit: median(&throughput[0]),
            baseline_name,
            baseline: median(&throughput[1]),
            higher_is_better: true,
            target: Some(0.95),
            note: String::new(),
        },
    ]
}

async fn start_server(
    url: &str,
    toolkit: bool,
    mode: HandServer,
) -> (
    Option<event_runtime::service::ServiceHandle>,
    Option<async_nats::service::Service>,
) {
    let servers = if toolkit {
        (Some(services::start_toolkit_server(url).await), None)
    } else {
        (None, Some(services::start_hand_server(url, mode).await))
    };
    // Lets the server's subscriptions reach nats-server before the first call.
    tokio::time::sleep(Duration::from_millis(50)).await;
    servers
}

async fn stop_server(
    toolkit: Option<event_runtime::service::ServiceHandle>,
    hand: Option<async_nats::service::Service>,
) {
    if let Some(handle) = toolkit {
        handle.stop().await.expect("stop");
    }
    if let Some(service) = hand {
        service.stop().await.expect("stop");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}

async fn slow_handler_rows(url: &str, plan: &Plan) -> Vec<Row> {
    let mut rates = [Vec::new(), Vec::new(), Vec::new()];
    let variants = [
        (true, HandServer::SpawnPerRequest),
        (false, HandServer::SpawnPerRequest),
        (false, HandServer::Sequential),
    ];
    for round in 0..plan.rounds {
        for (index, (toolkit, mode)) in variants.into_iter().enumerate() {
            let (toolkit_server, hand_server) = start_server(url, toolkit, mode).await;
            let calls = if mode == HandServer::Sequential {
                plan.slow_calls_per_caller / 5
            } else {
                plan.slow_calls_per_caller
            };
            rates[index].push(
                services::concurrent_throughput(url, toolkit, true, plan.callers, calls.max(1))
                    .await,
            );
            stop_server(toolkit_server, hand_server).await;
        }
        eprintln!("slow handler: round {} of {}", round + 1, plan.rounds);
    }
    let [toolkit, spawn, sequential] = [0, 1, 2].map(|index| median(&rates[index]));
    vec![
        Row {
            benchmark: format!("1 ms handler, {} callers", plan.callers),
            unit: "req/s",
            toolkit,
            baseline_name: "hand-written, task per request".to_owned(),
            baseline: spawn,
            higher_is_better: true,
            target: Some(0.95),
            note: String::new(),
        },
        Row {
            benchmark: format!("1 ms handler, {} callers", plan.callers),
            unit: "req/s",
            toolkit,
            baseline_name: "hand-written, sequential loop".to_owned(),
            baseline: sequential,
            higher_is_better: true,
            target: None,
            note: String::new(),
        },
    ]
}

async fn memory_rows(url: &str, plan: &Plan) -> Vec<Row> {
    let mut peaks = [Vec::new(), Vec::new()];
    let mut received = [0, 0];
    let rounds = plan.rounds.min(3);
    for round in 0..rounds {
        for (index, toolkit) in [true, false].into_iter().enumerate() {
            let burst = memory::burst(url, toolkit, plan.burst).await;
            peaks[index].push(burst.peak_mib);
            received[index] += burst.received;
        }
        eprintln!("memory: round {} of {rounds}", round + 1);
    }
    vec![Row {
        benchmark: format!("subscriber peak RSS, burst of {} events", plan.burst),
        unit: "MiB",
        toolkit: median(&peaks[0]),
        baseline_name: "hand-written subscriber".to_owned(),
        baseline: median(&peaks[1]),
        higher_is_better: false,
        target: None,
        note: format!(
            "received {} and {} of {} sent",
            received[0] / rounds as u64,
            received[1] / rounds as u64,
            plan.burst
        ),
    }]
}

fn compile_row(plan: &Plan, incremental: bool) -> Row {
    eprintln!(
        "compile: generating and building two crates (the first build compiles dependencies)"
    );
    let (toolkit, baseline) = compile::measure(plan.compile_rounds, incremental);
    let mode = if incremental {
        "incremental rebuild"
    } else {
        "full build of the crate"
    };
    Row {
        benchmark: format!("compile 100 events + 10 services, {mode}"),
        unit: "s",
        toolkit: median(&toolkit),
        baseline_name: "serde + schemars derives only".to_owned(),
        baseline: median(&baseline),
        higher_is_better: false,
        target: Some(1.5),
        note: String::new(),
    }
}
