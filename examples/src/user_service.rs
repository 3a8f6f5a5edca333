//! The user service: registers learners, answers lookups, publishes `UserRegistered`.

use std::collections::HashMap;
use std::sync::Mutex;

use contracts::{
    DirectoryError, GetUser, ListUsers, RegisterUser, User, UserDirectory, UserDirectoryServer,
    UserPage, UserRegistered,
};
use event_runtime::EventBus;
use event_runtime::service::{ServeError, ServiceHandle};
use tracing::{info, warn};

/// Maximum page size of `list_users`.
const MAX_PAGE: u32 = 1000;

/// The user directory, kept in memory.
#[derive(Debug)]
pub struct Directory {
    bus: EventBus,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    users: Vec<User>,
    by_id: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
}

impl Directory {
    /// Creates an empty directory that publishes on `bus`.
    #[must_use]
    pub fn new(bus: EventBus) -> Self {
        Self {
            bus,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Returns whether `email` is an address the directory registers: it contains `@` and has
/// no surrounding whitespace.
#[must_use]
pub fn is_valid_email(email: &str) -> bool {
    email.contains('@') && email.trim() == email
}

/// Returns whether `name` is a display name the directory registers: not empty or blank.
#[must_use]
pub fn is_valid_display_name(name: &str) -> bool {
    !name.trim().is_empty()
}

fn validate(request: &RegisterUser) -> Result<(), DirectoryError> {
    let invalid = |field: &str, reason: &str| DirectoryError::Invalid {
        field: field.to_owned(),
        reason: reason.to_owned(),
    };
    if !is_valid_email(&request.email) {
        return Err(invalid(
            "email",
            "must be an address such as ada@example.com",
        ));
    }
    if !is_valid_display_name(&request.display_name) {
        return Err(invalid("display_name", "must not be empty"));
    }
    Ok(())
}

impl UserDirectory for Directory {
    async fn register(&self, request: RegisterUser) -> Result<User, DirectoryError> {
        validate(&request)?;
        let user = {
            let mut state = self.lock();
            if state.by_email.contains_key(&request.email) {
                return Err(DirectoryError::EmailTaken {
                    email: request.email,
                });
            }
            let user = User {
                user_id: format!("u-{}", uuid::Uuid::now_v7().simple()),
                email: request.email,
                display_name: request.display_name,
            };
            let index = state.users.len();
            state.by_id.insert(user.user_id.clone(), index);
            state.by_email.insert(user.email.clone(), index);
            state.users.push(user.clone());
            user
        };
        let event = UserRegistered {
            user_id: user.user_id.clone(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
        };
        // NOTE: the user stays registered when this publish fails, and no welcome email
        // follows; an outbox table or JetStream would make the two steps atomic.
        if let Err(error) = self.bus.publish(&event).await {
            warn!(user_id = %user.user_id, error = %error, "registered user, but publishing UserRegistered failed");
        }
        info!(user_id = %user.user_id, "registered user");
        Ok(user)
    }

    async fn get_user(&self, request: GetUser) -> Result<User, DirectoryError> {
        let state = self.lock();
        state
            .by_id
            .get(&request.user_id)
            .map(|index| state.users[*index].clone())
            .ok_or(DirectoryError::NotFound {
                user_id: request.user_id,
            })
    }

    async fn list_users(&self, request: ListUsers) -> UserPage {
        let state = self.lock();
        let users = state
            .users
            .iter()
            .skip(request.offset as usize)
            .take(request.limit.min(MAX_PAGE) as usize)
            .cloned()
            .collect();
        UserPage {
            users,
            total: u32::try_from(state.users.len()).unwrap_or(u32::MAX),
        }
    }
}

/// Starts serving the directory on `bus`'s connection.
///
/// # Errors
///
/// Returns [`ServeError`] when the service cannot subscribe.
pub async fn start(bus: EventBus) -> Result<ServiceHandle, ServeError> {
    let client = bus.client().clone();
    UserDirectoryServer::new(Directory::new(bus))
        .serve(client)
        .await
}
