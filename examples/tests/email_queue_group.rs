//! Two email-service processes in one queue group write each welcome email once, and stop
//! gracefully on Ctrl-C.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use contracts::{UserRegistered, WelcomeEmailSent};
use event_runtime::EventBus;
use event_runtime::testing::NatsServer;
use futures::StreamExt;

const USERS: usize = 200;

/// Starts an instance and waits until it has subscribed, which it logs as "running".
/// Returns the process and a thread that counts the emails it logs as written.
fn start_instance(url: &str, outbox: &Path) -> (Child, std::thread::JoinHandle<usize>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_email-service"))
        .arg("--outbox")
        .arg(outbox)
        .env("NATS_URL", url)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start email-service");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("email-service running") => break,
            Some(Ok(line)) => seen.push(line),
            _ => panic!(
                "email-service exited before it was running:\n{}",
                seen.join("\n")
            ),
        }
    }
    // Keep reading, so that the child never blocks on a full pipe.
    let written = std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .filter(|line| line.contains("welcome email written"))
            .count()
    });
    (child, written)
}

/// Counts `.eml` files per user id; names are `{user_id}.{email_id}.eml`.
fn emails_per_user(outbox: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for entry in std::fs::read_dir(outbox).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let (user_id, _) = name.split_once('.').expect("user id, then email id");
        *counts.entry(user_id.to_owned()).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_write_each_welcome_email_once() {
    let server = NatsServer::start().await.unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let url = server.url();
    let path = outbox.path().to_owned();
    let instances = tokio::task::spawn_blocking(move || {
        [start_instance(&url, &path), start_instance(&url, &path)]
    })
    .await
    .unwrap();
    let bus = EventBus::connect(server.url()).await.unwrap();
    let mut sent = bus.subscribe::<WelcomeEmailSent>().await.unwrap();

    for i in 0..USERS {
        let event = UserRegistered {
            user_id: format!("u{i:04}"),
            email: format!("learner{i}@example.com"),
            display_name: format!("Learner {i}"),
        };
        bus.publish(&event).await.unwrap();
    }
    let mut welcomed: BTreeMap<String, usize> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while welcomed.values().sum::<usize>() < USERS && Instant::now() < deadline {
        if let Ok(Some(item)) = tokio::time::timeout(Duration::from_secs(1), sent.next()).await {
            *welcomed.entry(item.unwrap().event.user_id).or_default() += 1;
        }
    }
    // Anything sent twice would arrive within this quiet period.
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_millis(500), sent.next()).await {
        *welcomed.entry(item.unwrap().event.user_id).or_default() += 1;
    }
    assert_eq!(welcomed.len(), USERS, "users without a WelcomeEmailSent");
    assert!(
        welcomed.values().all(|count| *count == 1),
        "duplicates: {welcomed:?}"
    );

    let files = emails_per_user(outbox.path());
    assert_eq!(files.len(), USERS);
    assert!(
        files.values().all(|count| *count == 1),
        "duplicate emails: {files:?}"
    );

    let mut written = Vec::new();
    for (mut instance, log_reader) in instances {
        let pid = instance.id().to_string();
        let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(status.success());
        let status = instance.wait().unwrap();
        assert!(
            status.success(),
            "email-service exited with {status} after Ctrl-C"
        );
        written.push(log_reader.join().unwrap());
    }
    assert_eq!(
        written.iter().sum::<usize>(),
        USERS,
        "emails logged per instance: {written:?}"
    );
    assert!(
        written.iter().all(|count| *count > 0),
        "one instance did all the work: {written:?}"
    );
}
