//! Slows down password guessing: after `max_failures` failed sign-ins for one
//! account, or four times as many from one client address, within `window`,
//! further attempts are refused until the oldest failure leaves the window.
//! Kept in memory per process: a restart or another process starts afresh,
//! which bounds but does not remove the protection (see README).

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::{domain::Email, server::config::ThrottleConfig};

/// Failures per address may be this many times those per account: several
/// people can share one address (an office, a proxy).
const ADDRESS_FACTOR: u32 = 4;
/// Beyond this many tracked keys, the stalest are forgotten first.
const MAX_KEYS: usize = 100_000;

/// Counts recent sign-in failures per account and per client address.
#[derive(Debug)]
pub struct LoginThrottle {
    config: ThrottleConfig,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The keys one attempt is counted under.
pub struct AttemptKeys {
    account: String,
    address: Option<String>,
}

impl AttemptKeys {
    /// The keys for a sign-in as `email` from `address`.
    pub fn new(email: &Email, address: Option<IpAddr>) -> Self {
        Self { account: format!("account:{email}"), address: address.map(|a| format!("address:{a}")) }
    }
}

impl LoginThrottle {
    /// An empty throttle.
    pub fn new(config: ThrottleConfig) -> Self {
        Self { config, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` when this attempt must be refused for `wait`.
    pub fn check(&self, keys: &AttemptKeys, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for (key, limit) in self.limits(keys) {
            if let Some(times) = failures.get_mut(key) {
                prune(times, now, self.config.window);
                if times.len() >= limit as usize {
                    let oldest = times[times.len() - limit as usize];
                    wait = wait.max(self.config.window.saturating_sub(now - oldest));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.max(Duration::from_secs(1)))
        }
    }

    /// Counts one failure under both keys.
    pub fn record_failure(&self, keys: &AttemptKeys, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_KEYS {
            let window = self.config.window;
            failures.retain(|_, times| {
                prune(times, now, window);
                !times.is_empty()
            });
        }
        for (key, limit) in self.limits(keys) {
            let times = failures.entry(key.to_owned()).or_default();
            times.push_back(now);
            // Only the newest `limit` failures can matter.
            while times.len() > limit as usize {
                times.pop_front();
            }
        }
    }

    /// A successful sign-in forgets the account's failures (not the address's).
    pub fn record_success(&self, keys: &AttemptKeys) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&keys.account);
    }

    fn limits<'k>(&self, keys: &'k AttemptKeys) -> impl Iterator<Item = (&'k str, u32)> {
        let per_account = self.config.max_failures;
        std::iter::once((keys.account.as_str(), per_account))
            .chain(keys.address.as_deref().map(|a| (a, per_account.saturating_mul(ADDRESS_FACTOR))))
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottleConfig { max_failures: 3, window: Duration::from_secs(60) })
    }

    fn keys(email: &str, ip: [u8; 4]) -> AttemptKeys {
        AttemptKeys::new(&Email::parse(email).unwrap(), Some(IpAddr::from(ip)))
    }

    #[test]
    fn refuses_after_the_limit_until_the_window_passes() {
        let throttle = throttle();
        let ada = keys("ada@example.com", [10, 0, 0, 1]);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(throttle.check(&ada, start).is_ok());
            throttle.record_failure(&ada, start);
        }
        let wait = throttle.check(&ada, start + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(throttle.check(&ada, start + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn success_clears_the_account_but_other_accounts_are_separate() {
        let throttle = throttle();
        let ada = keys("ada@example.com", [10, 0, 0, 1]);
        let bob = keys("bob@example.com", [10, 0, 0, 2]);
        let now = Instant::now();
        for _ in 0..3 {
            throttle.record_failure(&ada, now);
        }
        assert!(throttle.check(&ada, now).is_err());
        assert!(throttle.check(&bob, now).is_ok());
        throttle.record_success(&ada);
        assert!(throttle.check(&ada, now).is_ok());
    }

    #[test]
    fn one_address_guessing_many_accounts_is_stopped() {
        let throttle = throttle();
        let now = Instant::now();
        for n in 0..12 {
            throttle.record_failure(&keys(&format!("user{n}@example.com"), [10, 0, 0, 9]), now);
        }
        assert!(throttle.check(&keys("fresh@example.com", [10, 0, 0, 9]), now).is_err());
        assert!(throttle.check(&keys("fresh@example.com", [10, 0, 0, 8]), now).is_ok());
    }
}
