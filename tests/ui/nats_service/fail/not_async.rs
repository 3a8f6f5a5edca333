use event_runtime::nats_service;

#[nats_service(name = "directory", version = "1.0.0")]
trait Directory {
    fn get_user(&self, id: String) -> String;
}

fn main() {}
