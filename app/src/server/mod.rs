//! Everything that runs only on the server: configuration, the database, the
//! session store, password hashing and the services that own each use case.

pub mod bootstrap;
pub mod bundle;
pub mod caller;
pub mod config;
pub mod gateway;
pub mod http;
pub mod index;
pub mod metrics;
pub mod oauth;
pub mod password;
pub mod refusals;
pub mod secrets;
pub mod services;
pub mod sessions;
pub mod state;
pub mod store;
pub mod throttle;
pub mod written;

pub use config::Config;
pub use state::AppState;
pub use written::Written;

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The time as the session rules see it: the system's, moved on by tests
/// (idle and absolute session expiry are hours long).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    ahead_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Milliseconds since the Unix epoch, as this clock has it.
    pub fn now_ms(&self) -> i64 {
        now_ms().saturating_add(self.ahead_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) on by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.ahead_ms.fetch_add(by, std::sync::atomic::Ordering::Relaxed);
    }
}
