//! What every request handler and server function shares.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::server::{
    config::Config,
    index::Access,
    metrics::Metrics,
    password::PasswordHasher,
    refusals::Refusals,
    store::{Backend, Db},
    throttle::LoginThrottle,
};

/// Shared, cheaply cloned state of one server process.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub access: Arc<Access>,
    pub config: Arc<Config>,
    pub hasher: PasswordHasher,
    pub throttle: Arc<LoginThrottle>,
    /// How often one actor may be refused before it gets 429.
    pub refusals: Arc<Refusals>,
    pub metrics: Arc<Metrics>,
    pub leptos_options: LeptosOptions,
    /// Wakes the mail sender when a mail was queued.
    pub outbox: Arc<tokio::sync::Notify>,
    /// What time the session rules take it to be.
    pub clock: crate::server::Clock,
}

impl AppState {
    /// State over an open, migrated database. The index is not loaded yet:
    /// call `access.load` or run [`crate::server::index::sync::run`].
    pub fn new(db: Db, config: Config, leptos_options: LeptosOptions) -> Self {
        // Over Postgres other processes may write; over SQLite only this one.
        let shared = db.backend() == Backend::Postgres;
        Self {
            access: Arc::new(Access::new(shared, config.cluster.max_staleness)),
            db,
            hasher: PasswordHasher::new(config.max_concurrent_hashes),
            throttle: Arc::new(LoginThrottle::new(config.login_throttle)),
            refusals: Arc::default(),
            metrics: Arc::new(Metrics::default()),
            config: Arc::new(config),
            leptos_options,
            outbox: Arc::new(tokio::sync::Notify::new()),
            clock: crate::server::Clock::default(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
