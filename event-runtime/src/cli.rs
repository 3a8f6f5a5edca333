//! The command line of a contracts crate: a binary of a few lines gives it `export`, `lock`
//! and `check`.
//!
//! # Examples
//!
//! `src/bin/contracts.rs` of a contracts crate:
//!
//! ```no_run
//! use event_runtime::catalog::Catalog;
//! use event_runtime::export::DocumentInfo;
//!
//! fn main() -> std::process::ExitCode {
//!     let catalog = Catalog::registered_in(env!("CARGO_CRATE_NAME"));
//!     let info = DocumentInfo::new("Academy", env!("CARGO_PKG_VERSION"));
//!     let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/contracts.lock.json");
//!     event_runtime::cli::main(&catalog, &info, lock.as_ref())
//! }
//! ```
//!
//! Then `cargo run -p contracts -- export --out contracts-export` writes the export,
//! `cargo run -p contracts -- check` compares the contracts with the lock file, and
//! `cargo run -p contracts -- lock` records them in it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::catalog::Catalog;
use crate::compat::{Lock, check, counted, render_json, render_text, update};
use crate::export::{DocumentInfo, Export};

#[derive(Debug, Parser)]
#[command(
    about = "Exports this crate's contracts for other languages, and checks changes against its lock file"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes a JSON Schema per message, an AsyncAPI 3.0 document and an index.
    Export {
        /// Folder to write into; files of an earlier export there are replaced.
        #[arg(long, default_value = "contracts-export")]
        out: PathBuf,
    },
    /// Compares the contracts with the lock file; exits with status 1 when a change needs
    /// a version bump.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Records the contracts in the lock file; refuses changes that need a version bump.
    Lock,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One line per change, coloured on a terminal.
    Text,
    /// The report as JSON.
    Json,
}

/// Parses the process arguments and runs the command against the lock file at `lock_path`;
/// returns the process exit code.
#[must_use]
pub fn main(catalog: &Catalog, info: &DocumentInfo, lock_path: &Path) -> ExitCode {
    let args = Args::parse();
    let colour = std::io::stdout().is_terminal();
    let lock = || Lock::read(lock_path);
    match args.command {
        Command::Check { format } => match lock() {
            Ok(lock) => {
                let report = check(catalog, &lock);
                match format {
                    Format::Text => print!("{}", render_text(&report, colour)),
                    Format::Json => println!("{}", render_json(&report)),
                }
                if report.passed() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(error) => fail(&error),
        },
        Command::Lock => match lock() {
            Ok(lock) => match update(catalog, &lock) {
                Ok(updated) => match updated.write(lock_path) {
                    Ok(()) => {
                        println!(
                            "locked {} and {} in {}",
                            counted(catalog.events().len(), "event"),
                            counted(catalog.services().len(), "service"),
                            lock_path.display()
                        );
                        ExitCode::SUCCESS
                    }
                    Err(error) => fail(&error),
                },
                Err(report) => {
                    print!("{}", render_text(&report, colour));
                    eprintln!(
                        "error: not locked; bump the versions of the failing contracts first"
                    );
                    ExitCode::FAILURE
                }
            },
            Err(error) => fail(&error),
        },
        Command::Export { out } => match Export::new(catalog, info).write_to(&out) {
            Ok(()) => {
                println!(
                    "exported {} and {} to {}",
                    counted(catalog.events().len(), "event"),
                    counted(catalog.services().len(), "service"),
                    out.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error),
        },
    }
}

fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
