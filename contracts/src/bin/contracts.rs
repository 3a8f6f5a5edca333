//! The academy contracts' command line: `export --out DIR`, `check` and `lock`, for example
//! `cargo run -p contracts -- check`.

use std::process::ExitCode;

fn main() -> ExitCode {
    event_runtime::cli::main(
        &contracts::catalog(),
        &contracts::document_info(),
        contracts::LOCK_PATH.as_ref(),
    )
}
