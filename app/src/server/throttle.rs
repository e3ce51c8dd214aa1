//! Slows down password guessing (OWASP's authentication cheat sheet):
//! - per client address, a hard limit: `4 × max_failures` failures within
//!   `window`, then attempts wait until the oldest leaves the window;
//! - per account, a delay that grows instead of a lockout: from the
//!   `max_failures`-th failure within `window` on, an attempt must come at
//!   least 15 s × 2^(failures − max_failures) (at most `window`) after the
//!   newest failure. Nobody can lock an administrator out for longer than
//!   that by failing on purpose, and every such failure also counts against
//!   the attacker's own address.
//!
//! An attempt is counted *before* its password is verified (reserved, and
//! taken back on success), so a parallel burst of wrong passwords gets no
//! more verdicts than the limits allow. Counts live in the database: they
//! hold across every server process and across restarts.

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
/// The first delay of an account past its limit; it doubles per failure.
const FIRST_DELAY: Duration = Duration::from_secs(15);

/// Counts recent sign-in failures per account and per client address.
#[derive(Debug)]
pub struct LoginThrottle {
    config: ThrottleConfig,
}

/// One attempt, counted while its password is checked.
pub struct Attempt {
    account: String,
    address: Option<String>,
    id: String,
}

impl LoginThrottle {
    pub fn new(config: ThrottleConfig) -> Self {
        Self { config }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.config.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// Counts an attempt to sign in as `email` from `address` at `now` (ms):
    /// `Ok(Ok(attempt))` to go on and verify, `Ok(Err(wait))` when it must
    /// be refused (then it is not counted).
    pub async fn begin(
        &self,
        db: &Db,
        email: &Email,
        address: Option<IpAddr>,
        now: i64,
    ) -> Result<Result<Attempt, Duration>, StoreError> {
        let attempt = Attempt {
            account: format!("account:{email}"),
            address: address.map(|a| format!("address:{a}")),
            id: uuid::Uuid::new_v4().to_string(),
        };
        let since = now.saturating_sub(self.window_ms());
        // Reserved and counted in one write, one sign-in at a time (SQLite's
        // single writer; a lock on Postgres): each attempt counts every one
        // before it, in flight or failed, so at most the limit pass, and the
        // first of a burst always does.
        let keys: Vec<&str> = std::iter::once(attempt.account.as_str()).chain(attempt.address.as_deref()).collect();
        let mut tx = db.write().await?;
        login_failures::lock(&mut tx, db.backend()).await?;
        login_failures::reserve(&mut tx, &keys, &attempt.id, now, since).await?;
        let conn = &mut *tx;
        let mut wait = Duration::ZERO;
        if let Some(address) = &attempt.address {
            let limit = self.config.max_failures.saturating_mul(ADDRESS_FACTOR).max(1);
            let others = login_failures::others(conn, address, since, &attempt.id, limit).await?;
            if others.len() as u32 >= limit {
                wait = wait.max(refused_for(self.config.window, *others.last().expect("limit > 0"), now));
            }
        }
        let counted = self.config.max_failures.saturating_add(16);
        let others = login_failures::others(conn, &attempt.account, since, &attempt.id, counted).await?;
        if let Some(newest) = others.first() {
            let delay = self.account_delay(others.len() as u32);
            let elapsed = Duration::from_millis(u64::try_from(now.saturating_sub(*newest)).unwrap_or(0));
            wait = wait.max(delay.saturating_sub(elapsed));
        }
        if wait.is_zero() {
            tx.commit().await?;
            return Ok(Ok(attempt));
        }
        // Refused: the reservation is rolled back, never counted.
        drop(tx);
        Ok(Err(wait.max(Duration::from_secs(1))))
    }

    /// The attempt's password was right: the account's failures are
    /// forgotten (not the address's), and the attempt is taken back.
    pub async fn succeeded(&self, db: &Db, attempt: Attempt) -> Result<(), StoreError> {
        let mut tx = db.write().await?;
        login_failures::forget(&mut tx, &attempt.account).await?;
        login_failures::release(&mut tx, &attempt.id).await?;
        Ok(tx.commit().await?)
    }

    /// The attempt could not be judged (a server failure): not counted.
    pub async fn abandoned(&self, db: &Db, attempt: Attempt) -> Result<(), StoreError> {
        let mut tx = db.write().await?;
        login_failures::release(&mut tx, &attempt.id).await?;
        Ok(tx.commit().await?)
    }

    /// How long after its newest failure an account with `failures` recent
    /// failures must wait.
    fn account_delay(&self, failures: u32) -> Duration {
        match failures.checked_sub(self.config.max_failures) {
            None => Duration::ZERO,
            Some(past) => FIRST_DELAY.saturating_mul(1 << past.min(16)).min(self.config.window),
        }
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
        LoginThrottle::new(ThrottleConfig { max_failures: 3, window: Duration::from_secs(15 * 60) })
    }

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    /// An attempt at `now` that fails (its row stays), or how long it waits.
    async fn fail(throttle: &LoginThrottle, db: &Db, who: &str, from: u8, now: i64) -> Result<(), Duration> {
        throttle.begin(db, &email(who), ip(from), now).await.unwrap().map(|_| ())
    }

    #[test]
    fn the_wait_is_what_is_left_of_the_window() {
        let window = Duration::from_secs(60);
        assert_eq!(refused_for(window, 1_000, 11_000), Duration::from_secs(50));
        assert_eq!(refused_for(window, 1_000, 61_000), Duration::ZERO);
        assert_eq!(refused_for(window, 1_000, 900), window, "a clock step back waits the whole window");
    }

    #[test]
    fn the_account_delay_doubles_up_to_the_window() {
        let throttle = throttle();
        assert_eq!(throttle.account_delay(2), Duration::ZERO);
        assert_eq!(throttle.account_delay(3), Duration::from_secs(15));
        assert_eq!(throttle.account_delay(4), Duration::from_secs(30));
        assert_eq!(throttle.account_delay(9), Duration::from_secs(15 * 60), "capped at the window");
        assert_eq!(throttle.account_delay(u32::MAX), Duration::from_secs(15 * 60));
    }

    #[tokio::test]
    async fn an_account_past_its_limit_waits_a_growing_delay_not_the_window() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let start = 1_000_000;
        for n in 0..3 {
            assert_eq!(fail(&throttle, &db, "ada@example.com", n, start).await, Ok(()));
        }
        // From three other addresses: the account waits 15 s after the newest.
        assert_eq!(fail(&throttle, &db, "ada@example.com", 9, start + 5_000).await, Err(Duration::from_secs(10)));
        assert_eq!(fail(&throttle, &db, "ada@example.com", 9, start + 15_000).await, Ok(()));
        // A fourth failure doubles it; refused attempts did not count.
        assert_eq!(fail(&throttle, &db, "ada@example.com", 9, start + 20_000).await, Err(Duration::from_secs(25)));
        assert_eq!(fail(&throttle, &db, "ada@example.com", 9, start + 45_000).await, Ok(()));
    }

    #[tokio::test]
    async fn success_clears_the_account_but_other_accounts_are_separate() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let now = 1_000_000;
        for n in 0..3 {
            fail(&throttle, &db, "ada@example.com", n, now).await.unwrap();
        }
        assert!(fail(&throttle, &db, "ada@example.com", 7, now).await.is_err());
        assert!(fail(&throttle, &db, "bob@example.com", 7, now).await.is_ok());
        let later = now + 15_000;
        let attempt = throttle.begin(&db, &email("ada@example.com"), ip(7), later).await.unwrap().unwrap();
        throttle.succeeded(&db, attempt).await.unwrap();
        assert!(fail(&throttle, &db, "ada@example.com", 8, later).await.is_ok(), "forgotten after a success");
    }

    #[tokio::test]
    async fn one_address_guessing_many_accounts_is_stopped() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        let now = 1_000_000;
        for n in 0..12 {
            fail(&throttle, &db, &format!("user{n}@example.com"), 9, now).await.unwrap();
        }
        assert!(fail(&throttle, &db, "fresh@example.com", 9, now).await.is_err());
        assert!(fail(&throttle, &db, "fresh@example.com", 8, now).await.is_ok());
    }

    #[tokio::test]
    async fn a_parallel_burst_gets_no_more_verdicts_than_the_limit() {
        let ((db, _removed), throttle) = (scratch_database().await, std::sync::Arc::new(throttle()));
        let now = 1_000_000;
        let burst: Vec<_> = (0..20)
            .map(|_| {
                let (db, throttle) = (db.clone(), throttle.clone());
                tokio::spawn(async move {
                    throttle.begin(&db, &email("ada@example.com"), ip(1), now).await.unwrap().is_ok()
                })
            })
            .collect();
        let mut passed = 0;
        for attempt in burst {
            passed += usize::from(attempt.await.unwrap());
        }
        assert!(passed <= 3, "{passed} of 20 got a verdict");
        assert!(passed >= 1);
    }

    #[tokio::test]
    async fn old_failures_are_deleted() {
        let ((db, _removed), throttle) = (scratch_database().await, throttle());
        fail(&throttle, &db, "ada@example.com", 1, 1_000_000).await.unwrap();
        fail(&throttle, &db, "ada@example.com", 1, 1_000_000 + 16 * 60_000).await.unwrap();
        let mut conn = db.read().await.unwrap();
        use sqlx::Row;
        let left: i64 =
            sqlx::query("select count(*) as n from login_failures").fetch_one(&mut *conn).await.unwrap().get("n");
        assert_eq!(left, 2, "one row per key, the old ones gone");
    }
}
