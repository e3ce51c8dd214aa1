//! Team memberships, and deleting a team with what hangs off it.

use sqlx::Row;

use super::{
    policies::{self, PolicyRow, POLICY_COLUMNS},
    Conn, StoreError,
};
use crate::domain::{TeamKey, UserId};

/// A member of a team with their team role (`member` or `maintainer`).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub team_role: String,
    pub added_at: i64,
}

/// Whether a team exists.
pub async fn exists(conn: &mut Conn, key: &TeamKey) -> Result<bool, StoreError> {
    let row = sqlx::query("select count(*) as n from teams where key = $1")
        .bind(key.as_str().to_owned())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Deletes a team with its policies and memberships; returns what went.
pub async fn delete(conn: &mut Conn, key: &TeamKey) -> Result<(Vec<PolicyRow>, Vec<UserId>), StoreError> {
    let rows = sqlx::query(&format!("delete from policies where subject_team_key = $1 returning {POLICY_COLUMNS}"))
        .bind(key.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await?;
    let policies = rows.iter().map(policies::from_row).collect::<Result<Vec<_>, _>>()?;
    let rows = sqlx::query("delete from team_members where team_key = $1 returning user_id")
        .bind(key.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await?;
    let members = rows.iter().map(|row| row.try_get::<UserId, _>("user_id")).collect::<Result<Vec<_>, _>>()?;
    sqlx::query("delete from teams where key = $1").bind(key.as_str().to_owned()).execute(&mut *conn).await?;
    Ok((policies, members))
}

/// A team's members, by email.
pub async fn members(conn: &mut Conn, key: &TeamKey) -> Result<Vec<MemberRow>, StoreError> {
    let rows = sqlx::query(
        "select m.user_id, u.email, u.name, m.team_role, m.added_at from team_members m join users u on u.id = m.user_id \
         where m.team_key = $1 order by u.email",
    )
    .bind(key.as_str().to_owned())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(sqlx::FromRow::from_row).collect::<Result<_, _>>()?)
}

/// A user's team role in a team, if they are a member.
pub async fn role_of(conn: &mut Conn, key: &TeamKey, user: UserId) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("select team_role from team_members where team_key = $1 and user_id = $2")
        .bind(key.as_str().to_owned())
        .bind(user.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get("team_role")).transpose()?)
}

/// Adds a member or changes their team role.
pub async fn upsert_member(
    conn: &mut Conn,
    key: &TeamKey,
    user: UserId,
    team_role: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into team_members (team_key, user_id, team_role, added_at) values ($1, $2, $3, $4) \
         on conflict (team_key, user_id) do update set team_role = excluded.team_role",
    )
    .bind(key.as_str().to_owned())
    .bind(user.to_string())
    .bind(team_role.to_owned())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a member; `false` if they were not one.
pub async fn remove_member(conn: &mut Conn, key: &TeamKey, user: UserId) -> Result<bool, StoreError> {
    let done = sqlx::query("delete from team_members where team_key = $1 and user_id = $2")
        .bind(key.as_str().to_owned())
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a user from every team and returns the teams.
pub async fn remove_user(conn: &mut Conn, user: UserId) -> Result<Vec<TeamKey>, StoreError> {
    let rows = sqlx::query("delete from team_members where user_id = $1 returning team_key")
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(|row| row.try_get("team_key")).collect::<Result<_, _>>()?)
}

/// The teams `user` belongs to, with their team role, by key.
pub async fn of_user(conn: &mut Conn, user: UserId) -> Result<Vec<(TeamKey, String)>, StoreError> {
    let rows = sqlx::query("select team_key, team_role from team_members where user_id = $1 order by team_key")
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(|row| Ok((row.try_get("team_key")?, row.try_get("team_role")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}
