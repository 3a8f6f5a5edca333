use event_runtime::nats_service;

#[nats_service(name = "directory", version = "1.0.0")]
trait Directory {
    async fn get_user(id: String) -> String;
}

fn main() {}
