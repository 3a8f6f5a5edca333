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
