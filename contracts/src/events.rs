//! Domain events of the academy.

use event_runtime::domain_event;

/// A learner created an account.
#[domain_event(subject = "users.{user_id}.registered", version = 1)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRegistered {
    /// The new user's id.
    pub user_id: String,
    /// Address for the welcome email.
    pub email: String,
    /// Name shown in the courses and in emails.
    pub display_name: String,
}

/// A learner finished one lesson of a course.
#[domain_event(subject = "lessons.{course_id}.{lesson_id}.completed", version = 1)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonCompleted {
    /// The course the lesson belongs to.
    pub course_id: String,
    /// The lesson, numbered from 1 within its course.
    pub lesson_id: u32,
    /// The learner.
    pub user_id: String,
    /// Quiz score in percent, when the lesson has a quiz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
}

/// A learner completed every lesson of a course.
#[domain_event(subject = "courses.{course_id}.completed", version = 1)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseCompleted {
    /// The course.
    pub course_id: String,
    /// The learner.
    pub user_id: String,
    /// Number of lessons in the course, all completed.
    pub lessons: u32,
}

/// The welcome email for a new user was written to the outbox.
#[domain_event(subject = "emails.{user_id}.welcome-sent", version = 1)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeEmailSent {
    /// The user who was welcomed.
    pub user_id: String,
    /// The recipient address.
    pub email: String,
    /// The email's `Message-ID`, unique per email.
    pub message_id: String,
}
