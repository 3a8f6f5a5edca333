//! Compile time of a crate with 100 events and 10 services, through the macros against the
//! same types with only serde and schemars derives.
//!
//! Both crates are generated into a temporary workspace that shares the repository's
//! `Cargo.lock` and a target folder under `target/`, so dependencies compile once; each
//! measurement touches the crate's source and times `cargo build` of that crate alone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const METHODS: usize = 3;

/// Number of generated events, 100 unless `BENCH_COMPILE_EVENTS` sets another, for profiling
/// which part of the expansion costs compile time.
fn events() -> usize {
    count_from_env("BENCH_COMPILE_EVENTS", 100)
}

/// Number of generated services, 10 unless `BENCH_COMPILE_SERVICES` sets another.
fn services() -> usize {
    count_from_env("BENCH_COMPILE_SERVICES", 10)
}

fn count_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benchmarks is in the workspace")
        .to_owned()
}

fn toolkit_source() -> String {
    let mut source = String::from(
        "#![allow(dead_code, missing_docs)]\nuse event_runtime::{domain_event, nats_service, schemars, serde};\n",
    );
    for index in 0..events() {
        let _ = write!(
            source,
            "#[domain_event(subject = \"bench.e{index}.{{user_id}}.happened\", version = 1)]\n\
             pub struct Event{index} {{ pub user_id: String, pub amount: u64, pub note: Option<String>, pub tags: Vec<String>, pub flag: bool }}\n"
        );
    }
    for service in 0..services() {
        let mut methods = String::new();
        for method in 0..METHODS {
            let _ = write!(
                source,
                "#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]\n\
                 #[serde(crate = \"event_runtime::serde\")]\n#[schemars(crate = \"event_runtime::schemars\")]\n\
                 pub struct Req{service}x{method} {{ pub id: String, pub limit: u32 }}\n\
                 #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]\n\
                 #[serde(crate = \"event_runtime::serde\")]\n#[schemars(crate = \"event_runtime::schemars\")]\n\
                 pub struct Resp{service}x{method} {{ pub items: Vec<String>, pub total: u64 }}\n"
            );
            let _ = writeln!(
                methods,
                "async fn m{method}(&self, request: Req{service}x{method}) -> Resp{service}x{method};"
            );
        }
        let _ = write!(
            source,
            "#[nats_service(name = \"s{service}\", version = \"1.0.0\")]\npub trait Service{service} {{ {methods} }}\n"
        );
    }
    source
}

fn baseline_source() -> String {
    let mut source = String::from(
        "#![allow(dead_code, missing_docs)]\nuse serde::{Deserialize, Serialize};\nuse schemars::JsonSchema;\n",
    );
    for index in 0..events() {
        let _ = write!(
            source,
            "#[derive(Serialize, Deserialize, JsonSchema)]\n\
             pub struct Event{index} {{ pub user_id: String, pub amount: u64, pub note: Option<String>, pub tags: Vec<String>, pub flag: bool }}\n"
        );
    }
    for service in 0..services() {
        let mut methods = String::new();
        for method in 0..METHODS {
            let _ = write!(
                source,
                "#[derive(Serialize, Deserialize, JsonSchema)]\npub struct Req{service}x{method} {{ pub id: String, pub limit: u32 }}\n\
                 #[derive(Serialize, Deserialize, JsonSchema)]\npub struct Resp{service}x{method} {{ pub items: Vec<String>, pub total: u64 }}\n"
            );
            let _ = writeln!(
                methods,
                "fn m{method}(&self, request: Req{service}x{method}) -> impl std::future::Future<Output = Resp{service}x{method}> + Send;"
            );
        }
        let _ = writeln!(
            source,
            "pub trait Service{service}: Send + Sync {{ {methods} }}"
        );
    }
    source
}

/// Writes the two generated crates into `dir`.
fn generate(dir: &Path) {
    let root = workspace_root();
    let runtime = root.join("event-runtime");
    let manifest =
        "[workspace]\nmembers = [\"toolkit\", \"baseline\"]\nresolver = \"3\"\n".to_string();
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write workspace");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    for (name, dependencies, source) in [
        (
            "toolkit",
            format!(
                "event-runtime = {{ path = {:?} }}\n",
                runtime.display().to_string()
            ),
            toolkit_source(),
        ),
        (
            "baseline",
            "serde = { version = \"1\", features = [\"derive\"] }\nschemars = \"1.2\"\n".to_owned(),
            baseline_source(),
        ),
    ] {
        let crate_dir = dir.join(name);
        std::fs::create_dir_all(crate_dir.join("src")).expect("create crate");
        std::fs::write(
            crate_dir.join("Cargo.toml"),
            format!("[package]\nname = \"gen-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependencies}"),
        )
        .expect("write manifest");
        std::fs::write(crate_dir.join("src/lib.rs"), source).expect("write source");
    }
}

fn build(dir: &Path, package: &str, target: &Path, incremental: bool) -> f64 {
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "-p", package])
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", if incremental { "1" } else { "0" })
        .current_dir(dir)
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "building {package} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    started.elapsed().as_secs_f64()
}

fn touch(path: &Path) {
    let source = std::fs::read_to_string(path).expect("read source");
    std::fs::write(path, source).expect("touch source");
}

/// Returns the seconds each rebuild of (toolkit, baseline) took, `rounds` times each, with
/// incremental compilation on (an edit-compile loop) or off (the crate's full compile). With
/// `BENCH_COMPILE_KEEP` set, the generated workspace is kept for profiling and its path
/// printed.
pub(crate) fn measure(rounds: usize, incremental: bool) -> (Vec<f64>, Vec<f64>) {
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path());
    let target = workspace_root().join("target/bench-compile");
    // Warm-up: compiles the dependencies once.
    build(dir.path(), "gen-toolkit", &target, incremental);
    build(dir.path(), "gen-baseline", &target, incremental);
    let mut toolkit = Vec::new();
    let mut baseline = Vec::new();
    for _ in 0..rounds {
        touch(&dir.path().join("toolkit/src/lib.rs"));
        toolkit.push(build(dir.path(), "gen-toolkit", &target, incremental));
        touch(&dir.path().join("baseline/src/lib.rs"));
        baseline.push(build(dir.path(), "gen-baseline", &target, incremental));
    }
    if std::env::var_os("BENCH_COMPILE_KEEP").is_some() {
        eprintln!("generated crates kept in {}", dir.keep().display());
    }
    (toolkit, baseline)
}
