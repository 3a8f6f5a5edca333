//! The academy scenario end to end, on a private nats-server.

use examples::academy::{self, Config};
use examples::scenario::{DEFAULT_SCENARIO, Scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn academy_scenario_passes_its_checks() {
    let outbox = tempfile::tempdir().unwrap();
    let scenario = Scenario::load(DEFAULT_SCENARIO.as_ref()).unwrap();
    let users = scenario.users.len();
    let config = Config {
        scenario,
        nats_url: None,
        outbox: outbox.path().join("outbox"),
        contracts_export: Some(outbox.path().join("contracts")),
    };
    let outcome = academy::run(config).await.unwrap();
    assert!(outcome.passed(), "failed checks: {:#?}", outcome.failures);
    assert_eq!(outcome.users, users);
    assert_eq!(outcome.welcome_events, users);
    assert_eq!(outcome.emails_in_outbox, users);
    assert_eq!(outcome.lessons_published, 17);
    // Ada finishes rust-101, Grace finishes nats-201 and async-301.
    assert_eq!(outcome.courses_completed, 3);
    assert!(outbox.path().join("contracts/asyncapi.json").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_academy_scenario_passes_its_checks() {
    let outbox = tempfile::tempdir().unwrap();
    let scenario = Scenario::load(DEFAULT_SCENARIO.as_ref())
        .unwrap()
        .scaled(300);
    let expected_courses = academy::expected_completions(&scenario).len();
    let config = Config {
        scenario,
        nats_url: None,
        outbox: outbox.path().join("outbox"),
        contracts_export: Some(outbox.path().join("contracts")),
    };
    let outcome = academy::run(config).await.unwrap();
    assert!(outcome.passed(), "failed checks: {:#?}", outcome.failures);
    assert_eq!(outcome.emails_in_outbox, 300);
    assert_eq!(outcome.courses_completed, expected_courses);
    assert!(
        expected_courses > 0,
        "the generated scenario completes no course"
    );
}

#[test]
fn scenario_rejects_unknown_course_and_lesson() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    let cases = [
        (
            r#"{"courses":[{"course_id":"a","title":"A","lessons":2}],"users":[{"email":"x@y","display_name":"X","completes":[{"course_id":"b","lessons":[1]}]}]}"#,
            "unknown course b",
        ),
        (
            r#"{"courses":[{"course_id":"a","title":"A","lessons":2}],"users":[{"email":"x@y","display_name":"X","completes":[{"course_id":"a","lessons":[3]}]}]}"#,
            "lesson 3 of a",
        ),
        (r#"{"courses":[],"users":[],"extra":1}"#, "unknown field"),
    ];
    for (text, expected) in cases {
        std::fs::write(&path, text).unwrap();
        let error = Scenario::load(&path).unwrap_err();
        assert!(error.contains(expected), "{error}");
        assert!(error.contains("bad.json"), "{error}");
    }
}
