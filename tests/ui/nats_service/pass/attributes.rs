use std::time::Duration;

use event_runtime::nats_service;
use event_runtime::service::ServiceContract;

/// Ignored: the attribute's description wins.
#[nats_service(
    name = "catalog_v2",
    version = "2.1.0-beta.1+build.5",
    description = "Course catalog.",
    prefix = "academy.catalog",
    queue_group = "catalog-workers",
    metadata(team = "learning", tier = "2")
)]
pub trait Catalog {
    /// Lists course ids.
    #[endpoint(timeout_ms = 750)]
    async fn list(&self, request: ()) -> Vec<String>;
    #[endpoint(subject = "courses.lookup")]
    async fn lookup(&self, id: String) -> Option<String>;
}

#[nats_service(name = "broadcast", version = "1.0.0", no_queue_group)]
pub trait Broadcast {
    async fn ping(&self, request: ()) -> ();
}

fn main() {
    let catalog = CatalogContract::definition();
    assert_eq!(catalog.description, "Course catalog.");
    assert_eq!(catalog.metadata["team"], "learning");
    assert_eq!(catalog.endpoints[0].subject, "academy.catalog.list");
    assert_eq!(catalog.endpoints[0].timeout, Some(Duration::from_millis(750)));
    assert_eq!(catalog.endpoints[0].queue_group.as_deref(), Some("catalog-workers"));
    assert_eq!(catalog.endpoints[1].subject, "courses.lookup");
    assert!(catalog.endpoints[1].custom_subject);
    assert_eq!(BroadcastContract::definition().endpoints[0].queue_group, None);
}
