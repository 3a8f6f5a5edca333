//! Each handled request gets one tracing span named `{Trait}.{method}` with the request id,
//! the subject and the outcome.

use std::sync::{Arc, Mutex};

use event_runtime::nats_service;
use event_runtime::service::{CallOptions, NoError};
use event_runtime::testing::NatsServer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[nats_service(name = "clock", version = "1.0.0")]
trait Clock {
    async fn now(&self, request: ()) -> u64;
    async fn fail(&self, request: ()) -> Result<u64, NoError>;
}

struct Fixed;

impl Clock for Fixed {
    async fn now(&self, _request: ()) -> u64 {
        42
    }

    async fn fail(&self, _request: ()) -> Result<u64, NoError> {
        panic!("clock broke");
    }
}

#[derive(Debug, Default, Clone)]
struct SpanRecord {
    name: String,
    fields: Vec<(String, String)>,
}

impl SpanRecord {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

struct FieldVisitor<'a>(&'a mut Vec<(String, String)>);

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

/// Records every span and the fields recorded on it later.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(Id, SpanRecord)>>>);

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut record = SpanRecord {
            name: attrs.metadata().name().to_owned(),
            fields: Vec::new(),
        };
        attrs.record(&mut FieldVisitor(&mut record.fields));
        self.0.lock().unwrap().push((id.clone(), record));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some((_, record)) = spans.iter_mut().rev().find(|(span_id, _)| span_id == id) {
            values.record(&mut FieldVisitor(&mut record.fields));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_has_a_named_span_with_outcome() {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::set_global_default(subscriber)
        .expect("no other subscriber in this test binary");

    let server = NatsServer::start().await.unwrap();
    let nats = server.connect().await.unwrap();
    let handle = ClockServer::new(Fixed).serve(nats.clone()).await.unwrap();
    let client = ClockClient::new(nats);
    assert_eq!(
        client
            .now_with(&(), &CallOptions::new().correlation_id("req-7"))
            .await
            .unwrap(),
        42
    );
    assert!(client.fail(&()).await.is_err());
    handle.stop().await.unwrap();

    let spans: Vec<SpanRecord> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(_, r)| r.clone())
        .collect();
    let now: Vec<_> = spans.iter().filter(|s| s.name == "Clock.now").collect();
    assert_eq!(now.len(), 1, "spans: {spans:?}");
    assert_eq!(now[0].field("request_id"), Some("req-7"));
    assert_eq!(now[0].field("subject"), Some("clock.now"));
    assert_eq!(now[0].field("outcome"), Some("ok"));
    let fail: Vec<_> = spans.iter().filter(|s| s.name == "Clock.fail").collect();
    assert_eq!(fail.len(), 1, "spans: {spans:?}");
    assert_eq!(fail[0].field("outcome"), Some("error 500"));
    assert!(fail[0].field("request_id").is_some_and(|id| !id.is_empty()));
}
