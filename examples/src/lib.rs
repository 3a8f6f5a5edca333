//! The academy example: an online learning platform built from three services that talk
//! through domain events and request/reply calls on NATS.
//!
//! - [`user_service`] serves `UserDirectory` and publishes `UserRegistered`.
//! - [`email_service`] is a queue group that writes a welcome email for each new user into
//!   an outbox folder and publishes `WelcomeEmailSent`.
//! - [`progress_service`] records `LessonCompleted`, serves `Progress` and publishes
//!   `CourseCompleted`.
//! - [`academy`] drives a scenario through all three and checks the outcome.
//!
//! Each service is also a binary of its own (`cargo run -p examples --bin email-service`)
//! that connects to `NATS_URL`.

pub mod academy;
pub mod email_service;
pub mod progress_service;
pub mod runtime;
pub mod scenario;
pub mod user_service;
