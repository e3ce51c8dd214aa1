//! Everything that runs only on the server: configuration, the database, the
//! session store, password hashing and the services that own each use case.

pub mod access;
pub mod auth;
pub mod bootstrap;
pub mod config;
pub mod http;
pub mod metrics;
pub mod oauth;
pub mod password;
pub mod refusals;
pub mod secrets;
pub mod services;
pub mod sessions;
pub mod state;
pub mod store;
pub mod sync;
pub mod throttle;

pub use config::Config;
pub use state::AppState;

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}
