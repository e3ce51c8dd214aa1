//! Failed sign-ins per key (`account:…`, `address:…`), for the lockout.

use sqlx::Row;

use super::{Conn, StoreError};

/// The time of the `n`-th most recent failure under `key` after `since`
/// (1 = the newest), if there were that many.
pub async fn nth_recent(conn: &mut Conn, key: &str, since: i64, n: u32) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "select failed_at from login_failures where key = $1 and failed_at > $2 \
         order by failed_at desc limit 1 offset $3",
    )
    .bind(key.to_owned())
    .bind(since)
    .bind(i64::from(n.saturating_sub(1)))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => Some(row.try_get("failed_at")?),
        None => None,
    })
}

/// Records one failure under each key, and forgets those older than `expired`.
pub async fn record(conn: &mut Conn, keys: &[&str], at: i64, expired: i64) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("insert into login_failures (key, failed_at) values ($1, $2)")
            .bind((*key).to_owned())
            .bind(at)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("delete from login_failures where failed_at <= $1").bind(expired).execute(&mut *conn).await?;
    Ok(())
}

/// Forgets every failure under `key`.
pub async fn forget(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("delete from login_failures where key = $1").bind(key.to_owned()).execute(&mut *conn).await?;
    Ok(())
}
