//! The lock workflow: `update` records contracts, `check` passes compatible changes, fails
//! breaking ones until the version is bumped, and keeps old versions as history.

use event_runtime::catalog::Catalog;
use event_runtime::compat::{Lock, check, render_json, render_text, update};
use event_runtime::serde_json::{self, Value};

mod v1 {
    use event_runtime::domain_event;

    /// The first version of an order event.
    #[domain_event(
        subject = "orders.{order_id}.placed",
        version = 1,
        name = "OrderPlaced"
    )]
    pub(crate) struct OrderPlaced {
        pub(crate) order_id: String,
        pub(crate) total: u64,
    }
}

mod v1_compatible {
    use event_runtime::domain_event;

    /// Adds an optional field: fully compatible.
    #[domain_event(
        subject = "orders.{order_id}.placed",
        version = 1,
        name = "OrderPlaced"
    )]
    pub(crate) struct OrderPlaced {
        pub(crate) order_id: String,
        pub(crate) total: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) coupon: Option<String>,
    }
}

mod v1_breaking {
    use event_runtime::domain_event;

    /// Changes a field's type without a version bump.
    #[domain_event(
        subject = "orders.{order_id}.placed",
        version = 1,
        name = "OrderPlaced"
    )]
    pub(crate) struct OrderPlaced {
        pub(crate) order_id: String,
        pub(crate) total: String,
    }
}

mod v2 {
    use event_runtime::domain_event;

    /// The same breaking change, released as version 2.
    #[domain_event(
        subject = "orders.{order_id}.placed",
        version = 2,
        name = "OrderPlaced"
    )]
    pub(crate) struct OrderPlaced {
        pub(crate) order_id: String,
        pub(crate) total: String,
    }
}

mod backward_v1 {
    use event_runtime::domain_event;

    /// An event that only promises backward compatibility.
    #[domain_event(
        subject = "audit.{id}",
        version = 1,
        name = "Audit",
        compatibility = "backward"
    )]
    pub(crate) struct Audit {
        pub(crate) id: String,
        pub(crate) actor: String,
    }
}

mod backward_v1_removed {
    use event_runtime::domain_event;

    /// Drops a required field: new readers still read old messages.
    #[domain_event(
        subject = "audit.{id}",
        version = 1,
        name = "Audit",
        compatibility = "backward"
    )]
    pub(crate) struct Audit {
        pub(crate) id: String,
    }
}

fn locked(catalog: &Catalog) -> Lock {
    update(catalog, &Lock::default()).expect("a new contract always locks")
}

#[test]
fn compatible_change_passes_and_updates_lock() {
    let lock = locked(&Catalog::new().event::<v1::OrderPlaced>());
    let changed = Catalog::new().event::<v1_compatible::OrderPlaced>();
    let report = check(&changed, &lock);
    assert!(report.passed(), "{}", render_text(&report, false));
    let change = &report.contracts[0].changes[0];
    assert_eq!(change.rule.id(), "field-added-optional");
    assert_eq!(change.path, "/coupon");
    assert_eq!(report.contracts[0].summary, "1 change, all full compatible");
    let updated = update(&changed, &lock).unwrap();
    assert_eq!(updated.events["OrderPlaced"].len(), 1);
    let fields: Vec<&str> = updated.events["OrderPlaced"]["1"]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(fields, ["order_id", "total", "coupon"]);
}

#[test]
fn breaking_change_fails_until_version_bump() {
    let lock = locked(&Catalog::new().event::<v1::OrderPlaced>());
    let breaking = Catalog::new().event::<v1_breaking::OrderPlaced>();
    let report = check(&breaking, &lock);
    assert!(!report.passed());
    let text = render_text(&report, false);
    assert!(text.contains("FAIL event OrderPlaced 1"), "{text}");
    assert!(
        text.contains("breaking type-changed /total: \"integer\" -> \"string\""),
        "{text}"
    );
    assert!(
        text.contains("3 changes break full compatibility; bump the version to 2, or undo them"),
        "{text}"
    );
    assert!(
        update(&breaking, &lock).is_err(),
        "a breaking change was locked"
    );

    let bumped = Catalog::new().event::<v2::OrderPlaced>();
    let report = check(&bumped, &lock);
    assert!(report.passed(), "{}", render_text(&report, false));
    let updated = update(&bumped, &lock).unwrap();
    let versions: Vec<&String> = updated.events["OrderPlaced"].keys().collect();
    assert_eq!(versions, ["1", "2"], "the old version stays as history");
    assert_eq!(
        updated.events["OrderPlaced"]["1"],
        lock.events["OrderPlaced"]["1"]
    );
}

#[test]
fn version_cannot_go_backwards() {
    let lock = locked(&Catalog::new().event::<v2::OrderPlaced>());
    let report = check(&Catalog::new().event::<v1::OrderPlaced>(), &lock);
    assert!(!report.passed());
    assert!(
        report.contracts[0]
            .summary
            .contains("older than locked version 2")
    );
}

#[test]
fn removed_contract_fails() {
    let lock = locked(&Catalog::new().event::<v1::OrderPlaced>());
    let report = check(&Catalog::new(), &lock);
    assert!(!report.passed());
    assert!(
        report.contracts[0].summary.contains("no longer declared"),
        "{:?}",
        report.contracts[0]
    );
}

#[test]
fn mode_in_attribute_decides() {
    let lock = locked(&Catalog::new().event::<backward_v1::Audit>());
    let report = check(&Catalog::new().event::<backward_v1_removed::Audit>(), &lock);
    assert!(report.passed(), "{}", render_text(&report, false));
    assert_eq!(
        report.contracts[0].changes[0].rule.id(),
        "field-removed-required"
    );
    assert_eq!(report.contracts[0].required, "backward");
}

#[test]
fn json_report_lists_changes() {
    let lock = locked(&Catalog::new().event::<v1::OrderPlaced>());
    let report = check(&Catalog::new().event::<v1_breaking::OrderPlaced>(), &lock);
    let json: Value = serde_json::from_str(&render_json(&report)).unwrap();
    let change = &json["contracts"][0]["changes"][0];
    assert_eq!(change["rule"], "type-changed");
    assert_eq!(change["classification"], "breaking");
    assert_eq!(change["old"], "integer");
    assert_eq!(json["contracts"][0]["passed"], false);
}

#[test]
fn lock_file_round_trips() {
    let lock = locked(&Catalog::new().event::<v1::OrderPlaced>());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contracts.lock.json");
    lock.write(&path).unwrap();
    assert_eq!(Lock::read(&path).unwrap(), lock);
    std::fs::write(&path, "{ not json").unwrap();
    let error = Lock::read(&path).unwrap_err().to_string();
    assert!(error.starts_with("invalid lock file"), "{error}");
    assert_eq!(
        Lock::read(&dir.path().join("missing.json")).unwrap(),
        Lock::default()
    );
}

mod service_v1 {
    use event_runtime::{nats_service, schemars, serde};

    /// A lookup request.
    #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(crate = "event_runtime::serde")]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) struct Lookup {
        pub(crate) id: String,
    }

    #[nats_service(name = "catalog", version = "1.0.0")]
    pub(crate) trait Catalog {
        async fn lookup(&self, request: Lookup) -> String;
    }
}

mod service_v1_required_field {
    use event_runtime::{nats_service, schemars, serde};

    /// The request with a new required field: old clients do not send it.
    #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(crate = "event_runtime::serde")]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) struct Lookup {
        pub(crate) id: String,
        pub(crate) region: String,
    }

    #[nats_service(name = "catalog", version = "1.1.0")]
    pub(crate) trait Catalog {
        async fn lookup(&self, request: Lookup) -> String;
    }

    #[nats_service(name = "catalog", version = "2.0.0")]
    pub(crate) trait CatalogV2 {
        async fn lookup(&self, request: Lookup) -> String;
    }
}

#[test]
fn service_request_must_stay_backward_compatible() {
    let lock = locked(&Catalog::new().service::<service_v1::CatalogContract>());
    let minor = Catalog::new().service::<service_v1_required_field::CatalogContract>();
    let report = check(&minor, &lock);
    assert!(!report.passed(), "{}", render_text(&report, false));
    let change = &report.contracts[0].changes[0];
    assert_eq!(change.rule.id(), "field-added-required");
    assert_eq!(change.path, "lookup request /region");

    let major = Catalog::new().service::<service_v1_required_field::CatalogV2Contract>();
    let report = check(&major, &lock);
    assert!(report.passed(), "{}", render_text(&report, false));
    let updated = update(&major, &lock).unwrap();
    let versions: Vec<&String> = updated.services["catalog"].keys().collect();
    assert_eq!(versions, ["1.0.0", "2.0.0"]);
}

mod strict_v1 {
    use event_runtime::{nats_service, schemars, serde};

    /// A response.
    #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(crate = "event_runtime::serde")]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) struct Price {
        pub(crate) cents: u64,
    }

    #[nats_service(name = "pricing", version = "1.0.0", compatibility = "full")]
    pub(crate) trait Pricing {
        async fn quote(&self, request: String) -> Price;
    }

    #[nats_service(name = "pricing", version = "1.0.0")]
    pub(crate) trait PricingDefault {
        async fn quote(&self, request: String) -> Price;
    }
}

mod strict_v1_more {
    use event_runtime::{nats_service, schemars, serde};

    /// The response with one more field, always written.
    #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(crate = "event_runtime::serde")]
    #[schemars(crate = "event_runtime::schemars")]
    pub(crate) struct Price {
        pub(crate) cents: u64,
        pub(crate) currency: String,
    }

    #[nats_service(name = "pricing", version = "1.0.1", compatibility = "full")]
    pub(crate) trait Pricing {
        async fn quote(&self, request: String) -> Price;
    }

    #[nats_service(name = "pricing", version = "1.0.1")]
    pub(crate) trait PricingDefault {
        async fn quote(&self, request: String) -> Price;
    }
}

#[test]
fn service_mode_in_attribute_replaces_defaults() {
    // A new required response field is forward compatible: old clients ignore it.
    let lock = locked(&Catalog::new().service::<strict_v1::PricingDefaultContract>());
    let report = check(
        &Catalog::new().service::<strict_v1_more::PricingDefaultContract>(),
        &lock,
    );
    assert!(report.passed(), "{}", render_text(&report, false));

    // Under `compatibility = "full"`, the same change needs a major version.
    let lock = locked(&Catalog::new().service::<strict_v1::PricingContract>());
    let report = check(
        &Catalog::new().service::<strict_v1_more::PricingContract>(),
        &lock,
    );
    assert!(!report.passed(), "{}", render_text(&report, false));
    assert_eq!(report.contracts[0].required, "full");
}
