//! The scenario file that `academy` plays: a course catalog and what each user does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use event_runtime::serde;

use crate::user_service;

/// The scenario shipped in the repository.
pub const DEFAULT_SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/academy.json");

/// A course of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(crate = "event_runtime::serde", deny_unknown_fields)]
pub struct Course {
    /// The course id, a subject token.
    pub course_id: String,
    /// Title, for people.
    pub title: String,
    /// Number of lessons, numbered from 1.
    pub lessons: u32,
}

/// Lessons of one course that a user completes, in this order; repeats are allowed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(crate = "event_runtime::serde", deny_unknown_fields)]
pub struct Completion {
    /// The course.
    pub course_id: String,
    /// The lessons completed, in order.
    pub lessons: Vec<u32>,
}

/// A user who registers, then completes lessons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(crate = "event_runtime::serde", deny_unknown_fields)]
pub struct ScenarioUser {
    /// Email address to register with.
    pub email: String,
    /// Name to register with.
    pub display_name: String,
    /// Lessons the user completes.
    #[serde(default)]
    pub completes: Vec<Completion>,
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(crate = "event_runtime::serde", deny_unknown_fields)]
pub struct Scenario {
    /// The course catalog.
    pub courses: Vec<Course>,
    /// The users, registered in this order.
    pub users: Vec<ScenarioUser>,
}

impl Scenario {
    /// Reads and checks a scenario file.
    ///
    /// # Errors
    ///
    /// Returns a message naming the file when it cannot be read, is not valid JSON, or names
    /// a course or lesson the catalog lacks.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read scenario {}: {error}", path.display()))?;
        let scenario: Self = event_runtime::serde_json::from_str(&text)
            .map_err(|error| format!("invalid scenario {}: {error}", path.display()))?;
        scenario
            .validate()
            .map_err(|error| format!("invalid scenario {}: {error}", path.display()))?;
        Ok(scenario)
    }

    /// Checks the catalog and the users, and that every completion names a course and lesson
    /// of the catalog.
    ///
    /// # Errors
    ///
    /// Returns a message naming the first invalid course or user. A course is invalid when
    /// its id is not a plain subject token, repeats another, or it has no lessons. A user is
    /// invalid with a malformed or repeated email, an empty name, a course listed twice, or a
    /// completion outside the catalog.
    pub fn validate(&self) -> Result<(), String> {
        let mut course_ids = BTreeSet::new();
        for course in &self.courses {
            let id = &course.course_id;
            let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if id.is_empty() || !id.chars().all(plain) {
                return Err(format!(
                    "invalid course id {id:?}: use letters, digits, `-` and `_`, because the id \
                     is a token of the lesson subjects"
                ));
            }
            if !course_ids.insert(id) {
                return Err(format!("course {id} is listed twice"));
            }
            if course.lessons == 0 {
                return Err(format!(
                    "course {id} has no lessons, so no one can complete it"
                ));
            }
        }
        let catalog = self.catalog();
        let mut emails = BTreeSet::new();
        for user in &self.users {
            let email = &user.email;
            if !user_service::is_valid_email(email) {
                return Err(format!(
                    "invalid email {email:?}: expected an address with `@` and no surrounding spaces"
                ));
            }
            if !emails.insert(email) {
                return Err(format!("user {email} is listed twice"));
            }
            if !user_service::is_valid_display_name(&user.display_name) {
                return Err(format!("user {email} has an empty display_name"));
            }
            let mut courses = BTreeSet::new();
            for completion in &user.completes {
                if !courses.insert(&completion.course_id) {
                    return Err(format!(
                        "user {email} lists course {} twice; put all its lessons in one entry",
                        completion.course_id
                    ));
                }
                let Some(lessons) = catalog.get(&completion.course_id) else {
                    return Err(format!(
                        "user {email} completes lessons of unknown course {}",
                        completion.course_id
                    ));
                };
                if let Some(lesson) = completion.lessons.iter().find(|l| **l == 0 || *l > lessons) {
                    return Err(format!(
                        "user {email} completes lesson {lesson} of {}, which has lessons 1 to {lessons}",
                        completion.course_id
                    ));
                }
            }
        }
        Ok(())
    }

    /// Returns the number of lessons of each course.
    #[must_use]
    pub fn catalog(&self) -> BTreeMap<String, u32> {
        self.courses
            .iter()
            .map(|course| (course.course_id.clone(), course.lessons))
            .collect()
    }

    /// Builds a scenario of `users` users over this catalog, each completing a deterministic
    /// mix of lessons, so that runs are comparable.
    #[must_use]
    pub fn scaled(&self, users: usize) -> Self {
        // A small linear congruential generator: deterministic, and good enough to vary
        // which lessons each user completes.
        let mut state: u64 = 0x5eed;
        let mut next = move |bound: u32| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            u32::try_from((state >> 33) % u64::from(bound.max(1))).unwrap_or(0)
        };
        let users = (0..users)
            .map(|index| {
                let completes = self
                    .courses
                    .iter()
                    .filter_map(|course| {
                        // About one course in three is finished, one in three is started.
                        let lessons = match next(3) {
                            0 => (1..=course.lessons).collect(),
                            1 => (1..=next(course.lessons) + 1).collect(),
                            _ => return None,
                        };
                        Some(Completion {
                            course_id: course.course_id.clone(),
                            lessons,
                        })
                    })
                    .collect();
                ScenarioUser {
                    email: format!("learner-{index}@example.com"),
                    display_name: format!("Learner {index}"),
                    completes,
                }
            })
            .collect();
        Self {
            courses: self.courses.clone(),
            users,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(courses: &str, users: &str) -> Scenario {
        let text = format!(r#"{{ "courses": [{courses}], "users": [{users}] }}"#);
        event_runtime::serde_json::from_str(&text).expect("test scenario parses")
    }

    const COURSE: &str = r#"{ "course_id": "rust-101", "title": "Rust", "lessons": 2 }"#;
    const USER: &str = r#"{ "email": "ada@example.com", "display_name": "Ada",
        "completes": [{ "course_id": "rust-101", "lessons": [1, 2] }] }"#;

    #[test]
    fn validate_accepts_shipped_scenario() {
        let shipped = Scenario::load(Path::new(DEFAULT_SCENARIO));
        assert!(shipped.is_ok(), "{shipped:?}");
    }

    #[test]
    fn validate_rejects_invalid_scenarios() {
        let other_user = r#"{ "email": "grace@example.com", "display_name": "Grace" }"#;
        let cases = [
            (
                r#"{ "course_id": "rust.101", "title": "Rust", "lessons": 2 }"#.to_owned(),
                USER.to_owned(),
                "invalid course id \"rust.101\"",
            ),
            (
                r#"{ "course_id": "", "title": "Rust", "lessons": 2 }"#.to_owned(),
                other_user.to_owned(),
                "invalid course id \"\"",
            ),
            (
                r#"{ "course_id": "rust-*", "title": "Rust", "lessons": 2 }"#.to_owned(),
                other_user.to_owned(),
                "invalid course id \"rust-*\"",
            ),
            (
                format!("{COURSE}, {COURSE}"),
                USER.to_owned(),
                "course rust-101 is listed twice",
            ),
            (
                r#"{ "course_id": "rust-101", "title": "Rust", "lessons": 0 }"#.to_owned(),
                other_user.to_owned(),
                "course rust-101 has no lessons",
            ),
            (
                COURSE.to_owned(),
                r#"{ "email": "ada", "display_name": "Ada" }"#.to_owned(),
                "invalid email \"ada\"",
            ),
            (
                COURSE.to_owned(),
                format!("{USER}, {USER}"),
                "user ada@example.com is listed twice",
            ),
            (
                COURSE.to_owned(),
                r#"{ "email": "ada@example.com", "display_name": " " }"#.to_owned(),
                "user ada@example.com has an empty display_name",
            ),
            (
                COURSE.to_owned(),
                r#"{ "email": "ada@example.com", "display_name": "Ada", "completes": [
                    { "course_id": "rust-101", "lessons": [1] },
                    { "course_id": "rust-101", "lessons": [2] }] }"#
                    .to_owned(),
                "user ada@example.com lists course rust-101 twice",
            ),
            (
                COURSE.to_owned(),
                r#"{ "email": "ada@example.com", "display_name": "Ada",
                    "completes": [{ "course_id": "go-101", "lessons": [1] }] }"#
                    .to_owned(),
                "unknown course go-101",
            ),
            (
                COURSE.to_owned(),
                r#"{ "email": "ada@example.com", "display_name": "Ada",
                    "completes": [{ "course_id": "rust-101", "lessons": [3] }] }"#
                    .to_owned(),
                "completes lesson 3 of rust-101",
            ),
        ];
        for (courses, users, expected) in cases {
            let error = scenario(&courses, &users).validate().expect_err(expected);
            assert!(error.contains(expected), "{error:?} lacks {expected:?}");
        }
    }
}
