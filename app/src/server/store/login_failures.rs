//! Failed and in-flight sign-ins per key (`account:…`, `address:…`), for
//! the throttle.

use sqlx::Row;

use super::{Backend, Conn, StoreError};

/// Orders sign-in attempts across Postgres processes until the transaction
/// ends (SQLite's writer already does).
const THROTTLE_LOCK: i64 = 0x7468_726f_7474_6c65;

/// Takes the throttle's lock for this transaction.
pub async fn lock(conn: &mut Conn, backend: Backend) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("select pg_advisory_xact_lock($1)::text").bind(THROTTLE_LOCK).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Forgets every failure under `key`.
pub async fn forget(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("delete from login_failures where key = $1").bind(key.to_owned()).execute(&mut *conn).await?;
    Ok(())
}

/// Reserves attempt `attempt` under each key at `at`, and forgets rows
/// older than `expired`.
pub async fn reserve(conn: &mut Conn, keys: &[&str], attempt: &str, at: i64, expired: i64) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("insert into login_failures (key, failed_at, attempt) values ($1, $2, $3)")
            .bind((*key).to_owned())
            .bind(at)
            .bind(attempt.to_owned())
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("delete from login_failures where failed_at <= $1").bind(expired).execute(&mut *conn).await?;
    Ok(())
}

/// The times of the newest `limit` rows under `key` after `since` that are
/// not attempt `attempt`, newest first.
pub async fn others(conn: &mut Conn, key: &str, since: i64, attempt: &str, limit: u32) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "select failed_at from login_failures where key = $1 and failed_at > $2 \
         and (attempt is null or attempt <> $3) order by failed_at desc limit $4",
    )
    .bind(key.to_owned())
    .bind(since)
    .bind(attempt.to_owned())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| Ok(row.try_get("failed_at")?)).collect()
}

/// Takes attempt `attempt`'s rows back.
pub async fn release(conn: &mut Conn, attempt: &str) -> Result<(), StoreError> {
    sqlx::query("delete from login_failures where attempt = $1").bind(attempt.to_owned()).execute(&mut *conn).await?;
    Ok(())
}
