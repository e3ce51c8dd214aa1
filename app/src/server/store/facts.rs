//! Whole-table reads: the facts the authorization index is built from, and counts.

use sqlx::Row;

use super::{
    corrupt, parse_id,
    policies::{self, POLICY_COLUMNS},
    roles, Conn, StoreError,
};
use crate::{
    authz::Facts,
    domain::{TeamKey, UserStatus},
};

/// Everything the authorization index needs, in one consistent read.
pub async fn load(conn: &mut Conn) -> Result<Facts, StoreError> {
    let mut facts = Facts::default();
    for row in sqlx::query("select id, status from users").fetch_all(&mut *conn).await? {
        let id: String = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        let status: UserStatus = status.parse().map_err(StoreError::Corrupt)?;
        facts.users.push((parse_id("users.id", &id)?, status == UserStatus::Active));
    }
    facts.roles = roles::list(conn).await?.into_iter().map(|r| (r.key, r.permissions)).collect();
    for row in sqlx::query("select team_key, user_id from team_members").fetch_all(&mut *conn).await? {
        let team: String = row.try_get("team_key")?;
        let user: String = row.try_get("user_id")?;
        facts.memberships.push((
            TeamKey::parse(&team).map_err(|_| corrupt("team_members.team_key", &team))?,
            parse_id("team_members.user_id", &user)?,
        ));
    }
    let rows = sqlx::query(&format!("select {POLICY_COLUMNS} from policies")).fetch_all(&mut *conn).await?;
    facts.policies = rows.iter().map(|r| policies::from_row(r).map(|p| p.fact())).collect::<Result<_, _>>()?;
    Ok(facts)
}

/// How many roles, teams, workspaces and policies there are.
pub async fn count_rows(conn: &mut Conn) -> Result<(i64, i64, i64, i64), StoreError> {
    let row = sqlx::query(
        "select (select count(*) from roles) as roles, (select count(*) from teams) as teams, \
         (select count(*) from workspaces) as workspaces, (select count(*) from policies) as policies",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("roles")?, row.try_get("teams")?, row.try_get("workspaces")?, row.try_get("policies")?))
}
