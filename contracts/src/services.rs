//! Request/reply services of the academy.

use event_runtime::service::ServiceError;
use event_runtime::{nats_service, schemars, serde};

/// A registered learner.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct User {
    /// The user's id.
    pub user_id: String,
    /// Email address.
    pub email: String,
    /// Name shown in the courses and in emails.
    pub display_name: String,
}

/// Request to register a new learner.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct RegisterUser {
    /// Email address; must contain `@`.
    pub email: String,
    /// Name shown in the courses and in emails; must not be empty.
    pub display_name: String,
}

/// Request for one user.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct GetUser {
    /// The user's id.
    pub user_id: String,
}

/// Request for a page of users, in registration order.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct ListUsers {
    /// Number of users to skip.
    #[serde(default)]
    pub offset: u32,
    /// Maximum number of users to return, at most 1000.
    pub limit: u32,
}

/// A page of users.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct UserPage {
    /// The users on this page.
    pub users: Vec<User>,
    /// Number of registered users in all.
    pub total: u32,
}

/// Why the user directory rejected a request.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ServiceError,
)]
#[serde(
    crate = "event_runtime::serde",
    tag = "error",
    rename_all = "snake_case"
)]
#[schemars(crate = "event_runtime::schemars")]
pub enum DirectoryError {
    /// No user has this id.
    #[service_error(code = 404)]
    NotFound {
        /// The id that was looked up.
        user_id: String,
    },
    /// Another user registered this email address already.
    #[service_error(code = 409)]
    EmailTaken {
        /// The address.
        email: String,
    },
    /// A field of the request is invalid.
    #[service_error(code = 422)]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl std::fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound { user_id } => write!(f, "user {user_id} not found"),
            Self::EmailTaken { email } => write!(f, "email address {email} is already registered"),
            Self::Invalid { field, reason } => write!(f, "invalid {field}: {reason}"),
        }
    }
}

/// Registers learners and looks them up.
#[nats_service(name = "user-directory", version = "1.0.0")]
pub trait UserDirectory {
    /// Registers a learner and publishes `UserRegistered`.
    async fn register(&self, request: RegisterUser) -> Result<User, DirectoryError>;
    /// Returns one learner.
    async fn get_user(&self, request: GetUser) -> Result<User, DirectoryError>;
    /// Returns a page of learners in registration order.
    async fn list_users(&self, request: ListUsers) -> UserPage;
}

/// Request for one learner's progress in one course.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct ProgressQuery {
    /// The learner.
    pub user_id: String,
    /// The course.
    pub course_id: String,
}

/// One learner's progress in one course.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(crate = "event_runtime::serde")]
#[schemars(crate = "event_runtime::schemars")]
pub struct CourseProgress {
    /// The learner.
    pub user_id: String,
    /// The course.
    pub course_id: String,
    /// Completed lessons, in ascending order.
    pub completed_lessons: Vec<u32>,
    /// Number of lessons in the course.
    pub total_lessons: u32,
    /// Whether every lesson is completed.
    pub completed: bool,
}

/// Why the progress service rejected a request.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ServiceError,
)]
#[serde(
    crate = "event_runtime::serde",
    tag = "error",
    rename_all = "snake_case"
)]
#[schemars(crate = "event_runtime::schemars")]
pub enum ProgressError {
    /// The course is not in the catalog.
    #[service_error(code = 404)]
    UnknownCourse {
        /// The course id that was asked for.
        course_id: String,
    },
}

impl std::fmt::Display for ProgressError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownCourse { course_id } => {
                write!(f, "course {course_id} is not in the catalog")
            }
        }
    }
}

/// Tracks which lessons each learner completed.
#[nats_service(name = "progress", version = "1.0.0")]
pub trait Progress {
    /// Returns one learner's progress in one course.
    async fn course_progress(
        &self,
        request: ProgressQuery,
    ) -> Result<CourseProgress, ProgressError>;
}
