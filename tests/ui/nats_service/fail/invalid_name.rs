use event_runtime::nats_service;

#[nats_service(name = "user directory", version = "1.0.0")]
trait Directory {
    async fn get(&self, id: String) -> String;
}

fn main() {}
