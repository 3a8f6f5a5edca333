//! Other languages use the exported contracts: the AsyncAPI document parses with
//! `@asyncapi/parser`, TypeScript types generated from the schemas accept what Rust
//! serializes, and Python models generated from them exchange events with a Rust service
//! through nats-py.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use contracts::{
    CourseCompleted, CourseProgress, DirectoryError, GetUser, LessonCompleted, ListUsers,
    ProgressError, ProgressQuery, RegisterUser, User, UserPage, UserRegistered, WelcomeEmailSent,
};
use event_runtime::export::Export;
use event_runtime::serde::Serialize;
use event_runtime::testing::NatsServer;
use event_runtime::{DomainEvent, EventBus, serde_json};
use futures::StreamExt;
use integration_tests::tools::{
    node, node_bin, node_modules, python, run, with_tools_path, workspace_root,
};
use serde_json::Value;

/// Writes the contracts export into a new temporary folder.
fn export() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Export::new(&contracts::catalog(), &contracts::document_info())
        .write_to(dir.path())
        .unwrap();
    dir
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

/// A sample of every contract type: (schema file, type name, serialized value).
fn samples() -> Vec<(&'static str, &'static str, Value)> {
    let user = User {
        user_id: "u-1".into(),
        email: "ada@example.com".into(),
        display_name: "Ada".into(),
    };
    vec![
        (
            "schemas/events/UserRegistered.v1.json",
            "UserRegistered",
            json(&UserRegistered {
                user_id: "u-1".into(),
                email: "ada@example.com".into(),
                display_name: "Ada".into(),
            }),
        ),
        (
            "schemas/events/LessonCompleted.v1.json",
            "LessonCompleted",
            json(&LessonCompleted {
                course_id: "rust-101".into(),
                lesson_id: 3,
                user_id: "u-1".into(),
                score: Some(90),
            }),
        ),
        (
            "schemas/events/LessonCompleted.v1.json",
            "LessonCompleted",
            json(&LessonCompleted {
                course_id: "rust-101".into(),
                lesson_id: 4,
                user_id: "u-1".into(),
                score: None,
            }),
        ),
        (
            "schemas/events/CourseCompleted.v1.json",
            "CourseCompleted",
            json(&CourseCompleted {
                course_id: "rust-101".into(),
                user_id: "u-1".into(),
                lessons: 4,
            }),
        ),
        (
            "schemas/events/WelcomeEmailSent.v1.json",
            "WelcomeEmailSent",
            json(&WelcomeEmailSent {
                user_id: "u-1".into(),
                email: "ada@example.com".into(),
                message_id: "m@academy.example".into(),
            }),
        ),
        (
            "schemas/services/user-directory/register.request.json",
            "RegisterUser",
            json(&RegisterUser {
                email: "ada@example.com".into(),
                display_name: "Ada".into(),
            }),
        ),
        (
            "schemas/services/user-directory/register.response.json",
            "User",
            json(&user),
        ),
        (
            "schemas/services/user-directory/register.error.json",
            "DirectoryError",
            json(&DirectoryError::EmailTaken {
                email: "ada@example.com".into(),
            }),
        ),
        (
            "schemas/services/user-directory/register.error.json",
            "DirectoryError",
            json(&DirectoryError::Invalid {
                field: "email".into(),
                reason: "no @".into(),
            }),
        ),
        (
            "schemas/services/user-directory/get_user.request.json",
            "GetUser",
            json(&GetUser {
                user_id: "u-1".into(),
            }),
        ),
        (
            "schemas/services/user-directory/get_user.error.json",
            "DirectoryError",
            json(&DirectoryError::NotFound {
                user_id: "u-9".into(),
            }),
        ),
        (
            "schemas/services/user-directory/list_users.request.json",
            "ListUsers",
            json(&ListUsers {
                offset: 0,
                limit: 10,
            }),
        ),
        (
            "schemas/services/user-directory/list_users.response.json",
            "UserPage",
            json(&UserPage {
                users: vec![user.clone()],
                total: 1,
            }),
        ),
        (
            "schemas/services/progress/course_progress.request.json",
            "ProgressQuery",
            json(&ProgressQuery {
                user_id: "u-1".into(),
                course_id: "rust-101".into(),
            }),
        ),
        (
            "schemas/services/progress/course_progress.response.json",
            "CourseProgress",
            json(&CourseProgress {
                user_id: "u-1".into(),
                course_id: "rust-101".into(),
                completed_lessons: vec![1, 2],
                total_lessons: 4,
                completed: false,
            }),
        ),
        (
            "schemas/services/progress/course_progress.error.json",
            "ProgressError",
            json(&ProgressError::UnknownCourse {
                course_id: "go-101".into(),
            }),
        ),
    ]
}

#[test]
fn every_sample_matches_its_exported_schema() {
    let dir = export();
    for (file, type_name, sample) in samples() {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(schema["title"], type_name, "{file}");
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sample)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{file} rejects {sample}: {errors:?}");
    }
}

#[test]
fn export_is_byte_identical_across_runs() {
    let first = export();
    let second = export();
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(first.path().join("index.json")).unwrap())
            .unwrap();
    let mut files = vec!["index.json".to_owned(), "asyncapi.json".to_owned()];
    for event in index["events"].as_array().unwrap() {
        files.push(event["schema"].as_str().unwrap().to_owned());
    }
    assert!(files.len() > 2);
    for file in files {
        let a = std::fs::read(first.path().join(&file)).unwrap();
        let b = std::fs::read(second.path().join(&file)).unwrap();
        assert!(a == b, "{file} differs between two exports");
    }
}

#[test]
fn export_replaces_files_of_earlier_export() {
    let dir = export();
    let stale = "schemas/events/Retired.v1.json";
    let index_path = dir.path().join("index.json");
    let mut index: Value =
        serde_json::from_str(&std::fs::read_to_string(&index_path).unwrap()).unwrap();
    index["events"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "schema": stale }));
    std::fs::write(&index_path, index.to_string()).unwrap();
    std::fs::write(dir.path().join(stale), "{}").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "kept").unwrap();

    Export::new(&contracts::catalog(), &contracts::document_info())
        .write_to(dir.path())
        .unwrap();

    assert!(!dir.path().join(stale).exists(), "stale schema was kept");
    assert!(
        dir.path().join("notes.txt").exists(),
        "an unlisted file was removed"
    );
    assert!(
        dir.path()
            .join("schemas/events/UserRegistered.v1.json")
            .exists()
    );
}

#[test]
fn export_to_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, "{}").unwrap();

    let error = Export::new(&contracts::catalog(), &contracts::document_info())
        .write_to(&file)
        .unwrap_err();

    assert!(error.to_string().contains("is not a folder"), "{error}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}");
}

/// Copies a script next to `.tools/node/node_modules`, where Node resolves its imports.
fn node_script(name: &str) -> PathBuf {
    let scripts = node_modules().parent().unwrap().join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    let target = scripts.join(name);
    std::fs::copy(workspace_root().join("tests/node").join(name), &target).unwrap();
    target
}

#[test]
fn asyncapi_document_parses_without_errors() {
    let dir = export();
    let script = node_script("parse_asyncapi.mjs");
    let output = run(
        node().arg(&script).arg(dir.path().join("asyncapi.json")),
        "@asyncapi/parser",
    );
    assert!(output.contains("document: ok"), "{output}");
    let errors: Vec<&str> = output
        .lines()
        .filter(|line| line.starts_with('{'))
        .filter(|line| serde_json::from_str::<Value>(line).unwrap()["severity"] == 0)
        .collect();
    assert!(errors.is_empty(), "parser errors:\n{}", errors.join("\n"));
}

fn generate_types(schemas: &Path, out: &Path) {
    let script = node_script("generate_types.mjs");
    let mut command = node();
    command.arg(&script).arg(out);
    for (index, (file, _, _)) in samples().iter().enumerate() {
        command.arg(format!("type{index}={}", schemas.join(file).display()));
    }
    run(&mut command, "json-schema-to-typescript");
}

fn compile_typescript(dir: &Path, source: &str) -> std::process::Output {
    std::fs::write(dir.join("samples.ts"), source).unwrap();
    with_tools_path(node_bin("tsc"))
        .args([
            "--noEmit", "--strict", "--target", "es2020", "--module", "commonjs",
        ])
        .arg(dir.join("samples.ts"))
        .output()
        .expect("run tsc")
}

#[test]
fn typescript_types_accept_rust_payloads() {
    let exported = export();
    let types = tempfile::tempdir().unwrap();
    generate_types(exported.path(), types.path());
    let mut source = String::new();
    for (index, (_, type_name, sample)) in samples().iter().enumerate() {
        source.push_str(&format!(
            "import type {{ {type_name} as T{index} }} from './type{index}';\nexport const sample{index}: T{index} = {sample};\n"
        ));
    }
    let output = compile_typescript(types.path(), &source);
    assert!(
        output.status.success(),
        "tsc rejected Rust payloads:\n{}\n{source}",
        String::from_utf8_lossy(&output.stdout)
    );

    // The same check fails for a payload of the wrong shape.
    let wrong = "import type { LessonCompleted } from './type1';\n\
                 export const wrong: LessonCompleted = { course_id: 'c', lesson_id: '3', user_id: 'u' };\n";
    let output = compile_typescript(types.path(), wrong);
    assert!(!output.status.success(), "tsc accepted a string lesson_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_models_exchange_events_with_rust() {
    let python = python();
    let exported = export();
    let models = tempfile::tempdir().unwrap();
    run(
        Command::new(&python)
            .args([
                "-m",
                "datamodel_code_generator",
                "--input-file-type",
                "jsonschema",
            ])
            .args(["--output-model-type", "pydantic_v2.BaseModel", "--input"])
            .arg(
                exported
                    .path()
                    .join("schemas/events/UserRegistered.v1.json"),
            )
            .arg("--output")
            .arg(models.path().join("user_registered.py")),
        "datamodel-codegen",
    );

    let server = NatsServer::start().await.unwrap();
    let bus = EventBus::connect(server.url())
        .await
        .unwrap()
        .with_source("rust-test");
    let mut from_python = bus
        .subscribe_filtered(&UserRegistered::filter().user_id("py-1"))
        .await
        .unwrap();
    bus.flush().await.unwrap();

    let mut child = Command::new(&python)
        .arg(workspace_root().join("tests/python/event_roundtrip.py"))
        .args([
            server.url(),
            models.path().display().to_string(),
            "3".to_owned(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let ready = lines.next();
        let _ = ready_tx.send(ready);
        lines.collect::<Vec<_>>()
    });
    let ready = tokio::time::timeout(Duration::from_secs(60), ready_rx)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ready.as_deref(), Some("ready"));

    for i in 0..3 {
        let event = UserRegistered {
            user_id: format!("rust-{i}"),
            email: format!("rust{i}@example.com"),
            display_name: format!("Rust {i}"),
        };
        bus.publish(&event).await.unwrap();
    }
    let received = tokio::time::timeout(Duration::from_secs(30), from_python.next())
        .await
        .expect("the Python event reached the Rust subscriber")
        .unwrap()
        .unwrap();
    assert_eq!(received.event.user_id, "py-1");
    assert_eq!(received.event.email, "python@example.com");
    assert_eq!(received.metadata.source.as_deref(), Some("python-test"));

    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    let lines = reader.join().unwrap();
    assert!(status.success(), "Python client failed: {lines:?}");
    let report: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let user_ids: Vec<&str> = report["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(user_ids, ["rust-0", "rust-1", "rust-2"]);
    assert_eq!(report["received"][0]["type"], "UserRegistered.v1");
}
