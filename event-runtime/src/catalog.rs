//! The catalog of a crate's contracts: every domain event and service it declares.
//!
//! `#[domain_event]` and `#[nats_service]` register each contract with the `inventory`
//! crate, so [`Catalog::registered_in`] finds them without a hand-written list. A catalog
//! can also be built from an explicit list with [`Catalog::new`], [`Catalog::event`] and
//! [`Catalog::service`].

use schemars::{Schema, SchemaGenerator};

use crate::DomainEvent;
use crate::service::{ServiceContract, ServiceDefinition};

/// The static description of a domain event.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::EventDescriptor;
/// use event_runtime::domain_event;
///
/// #[domain_event(subject = "users.{user_id}.registered", version = 1)]
/// struct UserRegistered {
///     user_id: String,
/// }
///
/// let descriptor = EventDescriptor::of::<UserRegistered>();
/// assert_eq!(descriptor.placeholders, ["user_id"]);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventDescriptor {
    /// Event name.
    pub name: &'static str,
    /// Contract version.
    pub version: u32,
    /// CloudEvents `type`.
    pub event_type: &'static str,
    /// Subject template as written.
    pub subject_template: &'static str,
    /// Placeholder names in subject order.
    pub placeholders: Vec<String>,
    /// Name of the Rust type, with its module path.
    pub rust_type: &'static str,
    /// Writes the event's JSON Schema into a generator.
    pub schema: fn(&mut SchemaGenerator) -> Schema,
    /// Which readers a change must keep working.
    pub compatibility: crate::compat::Compatibility,
    /// The fields as written in the source, for the lock file's compile-time guard.
    #[doc(hidden)]
    pub fields: &'static [crate::compat::FieldPrint],
    /// The struct's `#[serde(...)]` attributes, for the compile-time guard.
    #[doc(hidden)]
    pub container_attrs: &'static str,
}

impl EventDescriptor {
    /// Describes event type `E`.
    #[must_use]
    pub fn of<E: DomainEvent>() -> Self {
        // Only the schema function depends on `E`, and `describe` is not generic, so each
        // event of a contracts crate adds little code to compile.
        Self::describe(
            EventConsts {
                name: E::NAME,
                version: E::VERSION,
                event_type: E::EVENT_TYPE,
                subject_template: E::SUBJECT_TEMPLATE,
                compatibility: E::COMPATIBILITY,
                fields: E::FIELDS,
                container_attrs: E::CONTAINER_ATTRS,
            },
            std::any::type_name::<E>(),
            crate::erased_schema::subschema_of::<E>,
        )
    }

    fn describe(
        consts: EventConsts,
        rust_type: &'static str,
        schema: fn(&mut SchemaGenerator) -> Schema,
    ) -> Self {
        let placeholders = event_core::SubjectTemplate::parse(consts.subject_template)
            .map(|template| template.placeholders().map(str::to_owned).collect())
            .unwrap_or_default();
        Self {
            name: consts.name,
            version: consts.version,
            event_type: consts.event_type,
            subject_template: consts.subject_template,
            placeholders,
            rust_type,
            schema,
            compatibility: consts.compatibility,
            fields: consts.fields,
            container_attrs: consts.container_attrs,
        }
    }
}

/// The associated constants of a `DomainEvent` implementation.
struct EventConsts {
    name: &'static str,
    version: u32,
    event_type: &'static str,
    subject_template: &'static str,
    compatibility: crate::compat::Compatibility,
    fields: &'static [crate::compat::FieldPrint],
    container_attrs: &'static str,
}

/// One registered contract; the macros submit these, users rarely need the type.
#[doc(hidden)]
#[derive(Debug)]
pub enum Registration {
    /// A domain event.
    Event {
        /// `module_path!()` where the event is declared.
        module: &'static str,
        /// Builds the event's descriptor.
        describe: fn() -> EventDescriptor,
    },
    /// A service.
    Service {
        /// `module_path!()` where the service is declared.
        module: &'static str,
        /// Builds the service's definition.
        describe: fn() -> ServiceDefinition,
    },
}

inventory::collect!(Registration);

/// The events and services of a set of contracts, in a stable order.
///
/// # Examples
///
/// ```
/// use event_runtime::catalog::Catalog;
/// use event_runtime::domain_event;
///
/// #[domain_event(subject = "lessons.{lesson_id}.completed", version = 1)]
/// struct LessonCompleted {
///     lesson_id: u32,
/// }
///
/// let explicit = Catalog::new().event::<LessonCompleted>();
/// assert_eq!(explicit.events()[0].name, "LessonCompleted");
///
/// // Everything declared in this crate, found through registration.
/// let registered = Catalog::registered_in(module_path!());
/// assert!(registered.events().iter().any(|e| e.name == "LessonCompleted"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    events: Vec<EventDescriptor>,
    services: Vec<ServiceDefinition>,
}

impl Catalog {
    /// Creates an empty catalog.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds event `E`.
    #[must_use]
    pub fn event<E: DomainEvent>(mut self) -> Self {
        self.events.push(EventDescriptor::of::<E>());
        self.sort();
        self
    }

    /// Adds the service whose generated contract type is `C`.
    #[must_use]
    pub fn service<C: ServiceContract>(mut self) -> Self {
        self.services.push(C::definition());
        self.sort();
        self
    }

    /// Collects every contract registered by the macros in modules under `module_prefix`,
    /// usually a crate name such as `"contracts"` or `env!("CARGO_CRATE_NAME")`.
    #[must_use]
    pub fn registered_in(module_prefix: &str) -> Self {
        let within = |module: &str| {
            module == module_prefix
                || module
                    .strip_prefix(module_prefix)
                    .is_some_and(|rest| rest.starts_with("::"))
        };
        let mut catalog = Self::new();
        for registration in inventory::iter::<Registration> {
            match registration {
                Registration::Event { module, describe } if within(module) => {
                    catalog.events.push(describe());
                }
                Registration::Service { module, describe } if within(module) => {
                    catalog.services.push(describe());
                }
                _ => {}
            }
        }
        catalog.sort();
        catalog
    }

    /// Returns the events, sorted by name and version.
    #[must_use]
    pub fn events(&self) -> &[EventDescriptor] {
        &self.events
    }

    /// Returns the services, sorted by name.
    #[must_use]
    pub fn services(&self) -> &[ServiceDefinition] {
        &self.services
    }

    fn sort(&mut self) {
        self.events
            .sort_by(|a, b| (a.name, a.version).cmp(&(b.name, b.version)));
        self.services.sort_by(|a, b| a.name.cmp(b.name));
    }
}
