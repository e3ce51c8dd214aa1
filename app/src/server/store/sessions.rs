//! The `sessions` table behind tower-sessions. The signed-in user's id is kept
//! in its own column so that all of one user's sessions can be listed or ended.

use sqlx::Row;

use super::{Conn, StoreError};
use crate::domain::UserId;

/// A stored session: its serialised data and when it expires.
pub struct SessionRow {
    pub data: String,
    pub expires_at: i64,
}

/// Inserts a new session; `false` if the id is taken (the caller picks another).
pub async fn insert(
    conn: &mut Conn,
    id: &str,
    user_id: Option<UserId>,
    data: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "insert into sessions (id, user_id, data, expires_at) values ($1, $2, $3, $4) on conflict (id) do nothing",
    )
    .bind(id.to_owned())
    .bind(user_id.map(|u| u.to_string()))
    .bind(data.to_owned())
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts or replaces a session.
pub async fn upsert(
    conn: &mut Conn,
    id: &str,
    user_id: Option<UserId>,
    data: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into sessions (id, user_id, data, expires_at) values ($1, $2, $3, $4) \
         on conflict (id) do update set user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at",
    )
    .bind(id.to_owned())
    .bind(user_id.map(|u| u.to_string()))
    .bind(data.to_owned())
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The session with this id, unless it has expired.
pub async fn find_live(conn: &mut Conn, id: &str, now: i64) -> Result<Option<SessionRow>, StoreError> {
    let row = sqlx::query("select data, expires_at from sessions where id = $1 and expires_at > $2")
        .bind(id.to_owned())
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| Ok(SessionRow { data: row.try_get("data")?, expires_at: row.try_get("expires_at")? })).transpose()
}

/// Deletes one session.
pub async fn delete(conn: &mut Conn, id: &str) -> Result<(), StoreError> {
    sqlx::query("delete from sessions where id = $1").bind(id.to_owned()).execute(&mut *conn).await?;
    Ok(())
}

/// Deletes every session of a user (disable, password change); returns how many.
pub async fn delete_for_user(conn: &mut Conn, user_id: UserId) -> Result<u64, StoreError> {
    let done =
        sqlx::query("delete from sessions where user_id = $1").bind(user_id.to_string()).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

/// Deletes expired sessions; returns how many.
pub async fn delete_expired(conn: &mut Conn, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from sessions where expires_at <= $1").bind(now).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

/// How many signed-in sessions are live.
pub async fn count_signed_in(conn: &mut Conn, now: i64) -> Result<i64, StoreError> {
    let row = sqlx::query("select count(*) as n from sessions where user_id is not null and expires_at > $1")
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// A user's live sessions: (id, data, expires_at).
pub async fn list_for_user(
    conn: &mut Conn,
    user_id: UserId,
    now: i64,
) -> Result<Vec<(String, SessionRow)>, StoreError> {
    let rows = sqlx::query("select id, data, expires_at from sessions where user_id = $1 and expires_at > $2")
        .bind(user_id.to_string())
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok((row.try_get("id")?, SessionRow { data: row.try_get("data")?, expires_at: row.try_get("expires_at")? }))
        })
        .collect()
}
