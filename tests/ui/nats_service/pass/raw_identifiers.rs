use event_runtime::nats_service;
use event_runtime::service::ServiceContract;

#[nats_service(name = "keywords", version = "1.0.0")]
trait r#Keywords {
    async fn r#type(&self, request: String) -> String;
    async fn r#match(&self, request: u32) -> bool;
}

struct Handler;

impl Keywords for Handler {
    async fn r#type(&self, request: String) -> String {
        request
    }

    async fn r#match(&self, request: u32) -> bool {
        request > 1
    }
}

fn main() {
    let definition = KeywordsContract::definition();
    let subjects: Vec<_> = definition.endpoints.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["keywords.type", "keywords.match"]);
    let _server = KeywordsServer::new(Handler);
    let _ = KeywordsClient::r#type_with;
}
