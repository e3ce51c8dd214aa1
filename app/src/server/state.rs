//! What every request handler and server function shares.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::server::{access::Access, config::Config, password::PasswordHasher, store::Db, throttle::LoginThrottle};

/// Shared, cheaply cloned state of one server process.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub access: Arc<Access>,
    pub config: Arc<Config>,
    pub hasher: PasswordHasher,
    pub throttle: Arc<LoginThrottle>,
    pub leptos_options: LeptosOptions,
    /// Wakes the mail sender when a mail was queued.
    pub outbox: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// State over an open, migrated database and its loaded index.
    pub fn new(db: Db, access: Access, config: Config, leptos_options: LeptosOptions) -> Self {
        Self {
            db,
            access: Arc::new(access),
            hasher: PasswordHasher::new(config.max_concurrent_hashes),
            throttle: Arc::new(LoginThrottle::new(config.login_throttle)),
            config: Arc::new(config),
            leptos_options,
            outbox: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
