use event_runtime::domain_event;

#[domain_event(subject = "items.{id}.changed", version = 1)]
struct ItemChanged<T> {
    id: String,
    item: T,
}

fn main() {}
