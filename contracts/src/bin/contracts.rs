//! Exports the academy contracts: `cargo run -p contracts -- export --out DIR`.

use std::process::ExitCode;

fn main() -> ExitCode {
    event_runtime::cli::main(&contracts::catalog(), &contracts::document_info())
}
