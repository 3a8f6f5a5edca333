//! The scenario file that `academy` plays: a course catalog and what each user does.

use std::collections::BTreeMap;
use std::path::Path;

use event_runtime::serde;

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

    /// Checks that every completion names a course and lesson of the catalog.
    ///
    /// # Errors
    ///
    /// Returns a message naming the first user and course that do not fit the catalog.
    pub fn validate(&self) -> Result<(), String> {
        let catalog = self.catalog();
        for user in &self.users {
            for completion in &user.completes {
                let Some(lessons) = catalog.get(&completion.course_id) else {
                    return Err(format!(
                        "user {} completes lessons of unknown course {}",
                        user.email, completion.course_id
                    ));
                };
                if let Some(lesson) = completion.lessons.iter().find(|l| **l == 0 || *l > lessons) {
                    return Err(format!(
                        "user {} completes lesson {lesson} of {}, which has lessons 1 to {lessons}",
                        user.email, completion.course_id
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
