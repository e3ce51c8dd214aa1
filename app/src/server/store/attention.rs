//! What the dashboard asks the database: the things an administrator
//! should look at, a few of each with how many there are in all.

use super::{users::UserRow, Conn, StoreError};

/// A few rows of something, and how many there are in all.
pub struct Sample<T> {
    pub items: Vec<T>,
    pub total: i64,
}

// A user holds a policy directly or through a team.
const HOLDS_A_POLICY: &str = "(exists (select 1 from policies p where p.subject_user_id = u.id) \
     or exists (select 1 from team_members m join policies p on p.subject_team_key = m.team_key \
                where m.user_id = u.id))";

// Newest first: the people just added are the ones an administrator is
// looking for (and a list by name would bury them under older ones).
async fn users_where(conn: &mut Conn, condition: &str, limit: i64) -> Result<Sample<UserRow>, StoreError> {
    let columns = super::users::COLUMNS.split(", ").map(|c| format!("u.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let items = sqlx::query(&format!(
        "select {columns} from users u where {condition} order by u.created_at desc, u.email limit $1"
    ))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(super::users::from_row)
    .collect::<Result<_, _>>()?;
    let total: i64 =
        sqlx::query_scalar(&format!("select count(*) from users u where {condition}")).fetch_one(&mut *conn).await?;
    Ok(Sample { items, total })
}

/// Active people (not service accounts) whom no policy reaches: they can
/// sign in and do nothing.
pub async fn users_without_access(conn: &mut Conn, limit: i64) -> Result<Sample<UserRow>, StoreError> {
    users_where(conn, &format!("u.status = 'active' and u.kind = 'human' and not {HOLDS_A_POLICY}"), limit).await
}

/// Disabled users whom policies still reach: enabling one gives it all back.
pub async fn disabled_with_access(conn: &mut Conn, limit: i64) -> Result<Sample<UserRow>, StoreError> {
    users_where(conn, &format!("u.status = 'disabled' and {HOLDS_A_POLICY}"), limit).await
}

/// Pending invitations that can still be accepted, and how many of them
/// expire before `soon`.
pub async fn pending_invitations(conn: &mut Conn, now: i64, soon: i64) -> Result<(i64, i64), StoreError> {
    let pending: i64 =
        sqlx::query_scalar("select count(*) from invitations where status = 'pending' and expires_at >= $1")
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
    let expiring: i64 = sqlx::query_scalar(
        "select count(*) from invitations where status = 'pending' and expires_at >= $1 and expires_at < $2",
    )
    .bind(now)
    .bind(soon)
    .fetch_one(&mut *conn)
    .await?;
    Ok((pending, expiring))
}

/// Refused attempts in the audit log since `since`.
pub async fn refusals_since(conn: &mut Conn, since: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("select count(*) from audit_log where outcome = 'denied' and at >= $1")
        .bind(since)
        .fetch_one(&mut *conn)
        .await?)
}
