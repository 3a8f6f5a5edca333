use event_runtime::nats_service;

#[nats_service(name = "directory", version = "1.0.0")]
trait Directory {
    async fn get<T>(&self, id: T) -> String;
}

fn main() {}
