use event_runtime::nats_service;

type Result<T> = std::result::Result<T, String>;

#[nats_service(name = "directory", version = "1.0.0")]
trait Directory {
    async fn get(&self, id: String) -> Result<String>;
}

fn main() {}
