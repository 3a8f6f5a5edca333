//! The command line of a contracts crate: a binary of a few lines gives it `export`.
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
//!     event_runtime::cli::main(&catalog, &info)
//! }
//! ```
//!
//! Then `cargo run -p contracts -- export --out contracts-export` writes the export.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::catalog::Catalog;
use crate::export::{DocumentInfo, Export};

#[derive(Debug, Parser)]
#[command(about = "Exports the contracts of this crate for other languages")]
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
}

/// Parses the process arguments and runs the command; returns the process exit code.
#[must_use]
pub fn main(catalog: &Catalog, info: &DocumentInfo) -> ExitCode {
    let args = Args::parse();
    match args.command {
        Command::Export { out } => match Export::new(catalog, info).write_to(&out) {
            Ok(()) => {
                println!(
                    "exported {} events and {} services to {}",
                    catalog.events().len(),
                    catalog.services().len(),
                    out.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}
