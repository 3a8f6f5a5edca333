use event_runtime::nats_service;
use event_runtime::service::ServiceContract;

/// A method behind a disabled `cfg` vanishes from the trait, the client, the server and the
/// contract; one behind an enabled `cfg` appears everywhere.
#[nats_service(name = "flags", version = "1.0.0")]
trait Flags {
    async fn always(&self, request: ()) -> u8;
    #[cfg(any())]
    async fn never(&self, request: ()) -> u8;
    #[cfg(all())]
    async fn enabled(&self, request: ()) -> u8;
}

struct Handler;

// Implementing `never` would fail to compile: the method does not exist.
impl Flags for Handler {
    async fn always(&self, _request: ()) -> u8 {
        1
    }

    async fn enabled(&self, _request: ()) -> u8 {
        2
    }
}

fn main() {
    let names: Vec<_> = FlagsContract::definition().endpoints.iter().map(|e| e.name).collect();
    assert_eq!(names, ["always", "enabled"]);
    let _ = FlagsClient::enabled;
    let _server = FlagsServer::new(Handler);
}
