//! Slows down password guessing: after `max_failures` failed sign-ins for one
//! account, or four times as many from one client address, within `window`,
//! further attempts are refused until the oldest of those failures leaves
//! the window. Failures are kept in the database, so the limit holds across
//! every server process and across restarts.

use std::{net::IpAddr, time::Duration};

use crate::{
    domain::Email,
    server::{
        config::ThrottleConfig,
        store::{login_failures, Db, StoreError},
    },
};

/// Failures per address may be this many times those per account: several
/// people can share one address (an office, a proxy).
const ADDRESS_FACTOR: u32 = 4;

/// Counts recent sign-in failures per account and per client address.
#[derive(Debug)]
pub struct LoginThrottle {
    config: ThrottleConfig,
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
    pub fn new(config: ThrottleConfig) -> Self {
        Self { config }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.config.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// `Ok(Err(wait))` when an attempt at `now` (ms) must be refused for `wait`.
    pub async fn check(&self, db: &Db, keys: &AttemptKeys, now: i64) -> Result<Result<(), Duration>, StoreError> {
        let mut conn = db.acquire().await?;
        let since = now.saturating_sub(self.window_ms());
        let mut wait = Duration::ZERO;
        for (key, limit) in self.limits(keys) {
            if let Some(oldest) = login_failures::nth_recent(&mut conn, key, since, limit).await? {
                wait = wait.max(refused_for(self.config.window, oldest, now));
            }
        }
        Ok(if wait.is_zero() { Ok(()) } else { Err(wait.max(Duration::from_secs(1))) })
    }

    /// Counts one failure under both keys.
    pub async fn record_failure(&self, db: &Db, keys: &AttemptKeys, now: i64) -> Result<(), StoreError> {
        let mut tx = db.begin().await?;
        let keys: Vec<&str> = self.limits(keys).map(|(key, _)| key).collect();
        login_failures::record(&mut tx, &keys, now, now.saturating_sub(self.window_ms())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A successful sign-in forgets the account's failures (not the address's).
    pub async fn record_success(&self, db: &Db, keys: &AttemptKeys) -> Result<(), StoreError> {
        let mut conn = db.acquire().await?;
        login_failures::forget(&mut conn, &keys.account).await
    }

    fn limits<'k>(&self, keys: &'k AttemptKeys) -> impl Iterator<Item = (&'k str, u32)> {
        let per_account = self.config.max_failures;
        std::iter::once((keys.account.as_str(), per_account))
            .chain(keys.address.as_deref().map(|a| (a, per_account.saturating_mul(ADDRESS_FACTOR))))
    }
}

/// How long an attempt at `now` waits when the oldest failure that still
/// counts against the limit happened at `oldest` (both ms).
fn refused_for(window: Duration, oldest: i64, now: i64) -> Duration {
    let age = Duration::from_millis(u64::try_from(now.saturating_sub(oldest)).unwrap_or(0));
    window.saturating_sub(age)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::scratch::scratch_database;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottleConfig { max_failures: 3, window: Duration::from_secs(60) })
    }

    fn keys(email: &str, ip: [u8; 4]) -> AttemptKeys {
        AttemptKeys::new(&Email::parse(email).unwrap(), Some(IpAddr::from(ip)))
    }

    #[test]
    fn the_wait_is_what_is_left_of_the_window() {
        let window = Duration::from_secs(60);
        assert_eq!(refused_for(window, 1_000, 11_000), Duration::from_secs(50));
        assert_eq!(refused_for(window, 1_000, 61_000), Duration::ZERO);
        assert_eq!(refused_for(window, 1_000, 900), window, "a clock step back waits the whole window");
    }

    #[tokio::test]
    async fn refuses_after_the_limit_until_the_window_passes() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let ada = keys("ada@example.com", [10, 0, 0, 1]);
        let start = 1_000_000;
        for _ in 0..3 {
            assert_eq!(throttle.check(&db, &ada, start).await.unwrap(), Ok(()));
            throttle.record_failure(&db, &ada, start).await.unwrap();
        }
        assert_eq!(throttle.check(&db, &ada, start + 10_000).await.unwrap(), Err(Duration::from_secs(50)));
        assert_eq!(throttle.check(&db, &ada, start + 60_000).await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn success_clears_the_account_but_other_accounts_are_separate() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let ada = keys("ada@example.com", [10, 0, 0, 1]);
        let bob = keys("bob@example.com", [10, 0, 0, 2]);
        let now = 1_000_000;
        for _ in 0..3 {
            throttle.record_failure(&db, &ada, now).await.unwrap();
        }
        assert!(throttle.check(&db, &ada, now).await.unwrap().is_err());
        assert!(throttle.check(&db, &bob, now).await.unwrap().is_ok());
        throttle.record_success(&db, &ada).await.unwrap();
        assert!(throttle.check(&db, &ada, now).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn one_address_guessing_many_accounts_is_stopped() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let now = 1_000_000;
        for n in 0..12 {
            throttle.record_failure(&db, &keys(&format!("user{n}@example.com"), [10, 0, 0, 9]), now).await.unwrap();
        }
        assert!(throttle.check(&db, &keys("fresh@example.com", [10, 0, 0, 9]), now).await.unwrap().is_err());
        assert!(throttle.check(&db, &keys("fresh@example.com", [10, 0, 0, 8]), now).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn old_failures_are_deleted() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let ada = keys("ada@example.com", [10, 0, 0, 1]);
        throttle.record_failure(&db, &ada, 1_000_000).await.unwrap();
        throttle.record_failure(&db, &ada, 1_000_000 + 61_000).await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        use sqlx::Row;
        let left: i64 =
            sqlx::query("select count(*) as n from login_failures").fetch_one(&mut *conn).await.unwrap().get("n");
        assert_eq!(left, 2, "one row per key, the old ones gone");
    }
}
