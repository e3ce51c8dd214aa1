//! Stored answers to creates sent with an `Idempotency-Key`.

use sqlx::Row;

use super::{Conn, StoreError};

/// What is stored under a caller's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// The first request with this key is still running.
    Running { fingerprint: String },
    /// Its answer.
    Answered { fingerprint: String, status: u16, content_type: Option<String>, body: String },
}

/// Claims `key` for a request with `fingerprint` (method, path and body):
/// `None` when this request is the first, else what the first left.
/// Claims older than `expired` are forgotten first.
pub async fn claim(
    conn: &mut Conn,
    caller: &str,
    key: &str,
    fingerprint: &str,
    now: i64,
    expired: i64,
) -> Result<Option<Stored>, StoreError> {
    sqlx::query("delete from idempotency_keys where caller = $1 and key = $2 and created_at <= $3")
        .bind(caller.to_owned())
        .bind(key.to_owned())
        .bind(expired)
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query(
        "select fingerprint, status, content_type, body from idempotency_keys where caller = $1 and key = $2",
    )
    .bind(caller.to_owned())
    .bind(key.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        let fingerprint: String = row.try_get("fingerprint")?;
        let status: Option<i64> = row.try_get("status")?;
        return Ok(Some(match status {
            None => Stored::Running { fingerprint },
            Some(status) => Stored::Answered {
                fingerprint,
                status: u16::try_from(status).map_err(|_| StoreError::Corrupt(format!("status {status}")))?,
                content_type: row.try_get("content_type")?,
                body: row.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
            },
        }));
    }
    sqlx::query("insert into idempotency_keys (caller, key, fingerprint, created_at) values ($1, $2, $3, $4)")
        .bind(caller.to_owned())
        .bind(key.to_owned())
        .bind(fingerprint.to_owned())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(None)
}

/// Keeps the answer of the request that claimed `key`.
pub async fn answer(
    conn: &mut Conn,
    caller: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &str,
) -> Result<(), StoreError> {
    sqlx::query("update idempotency_keys set status = $3, content_type = $4, body = $5 where caller = $1 and key = $2")
        .bind(caller.to_owned())
        .bind(key.to_owned())
        .bind(i64::from(status))
        .bind(content_type.map(str::to_owned))
        .bind(body.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives `key` up (the request failed on the server: a retry may run).
pub async fn release(conn: &mut Conn, caller: &str, key: &str) -> Result<(), StoreError> {
    sqlx::query("delete from idempotency_keys where caller = $1 and key = $2 and status is null")
        .bind(caller.to_owned())
        .bind(key.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets every claim older than `expired`.
pub async fn prune(conn: &mut Conn, expired: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from idempotency_keys where created_at <= $1")
        .bind(expired)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}
