//! How often one actor (or client address) may be refused before its
//! refusals stop being written to the audit log and its writes get 429:
//! a signed-in user looping on forbidden writes, or a client sending bad
//! tokens, must not fill the database. Per process, in memory (governor's
//! keyed GCRA limiter): a limit on log volume, not an access rule.

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Refusals per key per minute (with as large a burst).
pub const PER_MINUTE: u32 = 30;

/// The limiter, keyed by `actor:<id>` or `token:<address>`.
pub struct Refusals {
    limiter: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

impl std::fmt::Debug for Refusals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refusals").field("keys", &self.limiter.len()).finish()
    }
}

impl Default for Refusals {
    fn default() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(PER_MINUTE).expect("not zero"));
        Self { limiter: RateLimiter::keyed(quota), checks: AtomicU64::new(0) }
    }
}

impl Refusals {
    /// Whether one more refusal under `key` is within the limit now.
    pub fn allow(&self, key: &str) -> bool {
        // Keys whose budget is full again are forgotten now and then.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1_024 == 1_023 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&key.to_owned()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_budget() {
        let refusals = Refusals::default();
        for _ in 0..PER_MINUTE {
            assert!(refusals.allow("actor:a"));
        }
        assert!(!refusals.allow("actor:a"));
        assert!(refusals.allow("actor:b"));
    }
}
