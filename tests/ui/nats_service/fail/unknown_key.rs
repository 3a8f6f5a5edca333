use event_runtime::nats_service;

#[nats_service(name = "directory", version = "1.0.0", timeout = 5)]
trait Directory {
    async fn get(&self, id: String) -> String;
}

fn main() {}
