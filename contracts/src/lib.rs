//! Contracts of the academy example, an online learning platform: the domain events its
//! services publish and the request/reply services they offer.
//!
//! Every type here is shared by the services in `examples/`, and exported as JSON Schemas
//! and an AsyncAPI document for services written in other languages.

mod events;
mod services;

pub use events::{CourseCompleted, LessonCompleted, UserRegistered, WelcomeEmailSent};
pub use services::{
    CourseProgress, DirectoryError, GetUser, ListUsers, Progress, ProgressClient, ProgressContract,
    ProgressError, ProgressQuery, ProgressServer, RegisterUser, User, UserDirectory,
    UserDirectoryClient, UserDirectoryContract, UserDirectoryServer, UserPage,
};

use event_runtime::catalog::Catalog;
use event_runtime::export::DocumentInfo;

/// The lock file that records every contract of this crate by version.
pub const LOCK_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/contracts.lock.json");

/// Returns every event and service declared in this crate.
#[must_use]
pub fn catalog() -> Catalog {
    Catalog::registered_in(env!("CARGO_CRATE_NAME"))
}

/// Returns the title, version and server of the academy's AsyncAPI document.
pub fn document_info() -> DocumentInfo {
    DocumentInfo::new("Academy", env!("CARGO_PKG_VERSION"))
        .description("Events and services of the academy, an online learning platform.")
        .server("local", "127.0.0.1:4222")
}
