//! Policies: a user or team bound to a role, globally or in one workspace.

use sqlx::{any::AnyRow, Row};

use super::{corrupt, parse_id, Conn, StoreError};
use crate::{
    authz::PolicyFact,
    domain::{PolicyId, RoleKey, Scope, Subject, TeamKey, UserId, WorkspaceKey},
};

/// A row of `policies`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRow {
    pub id: PolicyId,
    pub subject: Subject,
    pub role: RoleKey,
    pub scope: Scope,
    pub created_at: i64,
}

impl PolicyRow {
    /// The engine's view of this policy.
    pub fn fact(&self) -> PolicyFact {
        PolicyFact { id: self.id, subject: self.subject.clone(), role: self.role.clone(), scope: self.scope.clone() }
    }
}

pub(super) const POLICY_COLUMNS: &str = "id, subject_user_id, subject_team_key, role_key, workspace_key, created_at";

pub(super) fn from_row(row: &AnyRow) -> Result<PolicyRow, StoreError> {
    let user: Option<String> = row.try_get("subject_user_id")?;
    let team: Option<String> = row.try_get("subject_team_key")?;
    let subject = match (user, team) {
        (Some(user), None) => Subject::User(parse_id::<UserId>("policies.subject_user_id", &user)?),
        (None, Some(team)) => {
            Subject::Team(TeamKey::parse(&team).map_err(|_| corrupt("policies.subject_team_key", &team))?)
        }
        _ => return Err(StoreError::Corrupt("a policy without exactly one subject".into())),
    };
    let role: String = row.try_get("role_key")?;
    let workspace: Option<String> = row.try_get("workspace_key")?;
    Ok(PolicyRow {
        id: PolicyId(row.try_get("id")?),
        subject,
        role: RoleKey::parse(&role).map_err(|_| corrupt("policies.role_key", &role))?,
        scope: match workspace {
            None => Scope::Global,
            Some(ws) => Scope::Workspace(WorkspaceKey::parse(&ws).map_err(|_| corrupt("policies.workspace_key", &ws))?),
        },
        created_at: row.try_get("created_at")?,
    })
}

/// The text that makes a binding unique: subject, role and scope.
fn binding(subject: &Subject, role: &RoleKey, scope: &Scope) -> String {
    let subject = match subject {
        Subject::User(user) => format!("user:{user}"),
        Subject::Team(team) => format!("team:{team}"),
    };
    let scope = scope.workspace().map_or("*", |w| w.as_str());
    format!("{subject}|{role}|{scope}")
}

/// Inserts a policy; the same binding twice is a unique violation on `policies.binding`.
pub async fn insert(
    conn: &mut Conn,
    subject: &Subject,
    role: &RoleKey,
    scope: &Scope,
    now: i64,
) -> Result<PolicyRow, StoreError> {
    let (user, team) = match subject {
        Subject::User(user) => (Some(user.to_string()), None),
        Subject::Team(team) => (None, Some(team.to_string())),
    };
    let row = sqlx::query(&format!(
        "insert into policies (subject_user_id, subject_team_key, role_key, workspace_key, binding, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning {POLICY_COLUMNS}"
    ))
    .bind(user)
    .bind(team)
    .bind(role.as_str().to_owned())
    .bind(scope.workspace().map(|w| w.as_str().to_owned()))
    .bind(binding(subject, role, scope))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    from_row(&row)
}

/// One policy.
pub async fn find(conn: &mut Conn, id: PolicyId) -> Result<Option<PolicyRow>, StoreError> {
    let row = sqlx::query(&format!("select {POLICY_COLUMNS} from policies where id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Deletes one policy.
pub async fn delete(conn: &mut Conn, id: PolicyId) -> Result<(), StoreError> {
    sqlx::query("delete from policies where id = $1").bind(id.0).execute(&mut *conn).await?;
    Ok(())
}

/// Deletes a workspace's policies and returns them.
pub async fn delete_in_workspace(conn: &mut Conn, key: &WorkspaceKey) -> Result<Vec<PolicyRow>, StoreError> {
    let rows = sqlx::query(&format!("delete from policies where workspace_key = $1 returning {POLICY_COLUMNS}"))
        .bind(key.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Deletes a user's own policies and returns them.
pub async fn delete_of_user(conn: &mut Conn, user: UserId) -> Result<Vec<PolicyRow>, StoreError> {
    let rows = sqlx::query(&format!("delete from policies where subject_user_id = $1 returning {POLICY_COLUMNS}"))
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// How many policies use a role.
pub async fn count_with_role(conn: &mut Conn, key: &RoleKey) -> Result<i64, StoreError> {
    let row = sqlx::query("select count(*) as n from policies where role_key = $1")
        .bind(key.as_str().to_owned())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// How many policies the workspaces `keys` hold.
pub async fn count_in(conn: &mut Conn, keys: &[WorkspaceKey]) -> Result<i64, StoreError> {
    let mut conditions = super::Conditions::new();
    conditions.any_of(keys.iter().map(ToString::to_string), |list| format!("workspace_key in ({list})"));
    let sql = format!("select count(*) as n from policies{}", conditions.where_clause());
    let row = conditions.fetch_all(conn, &sql).await?;
    Ok(row.first().map(|r| r.try_get("n")).transpose()?.unwrap_or(0))
}

/// Active people (not service accounts, which anyone with a token for them
/// could be) who hold `admin` through a global policy, directly or
/// through a team. The product keeps this above zero.
pub async fn count_global_admins(conn: &mut Conn) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "select count(*) as n from users u where u.status = 'active' and u.kind = 'human' and (\
           exists (select 1 from policies p where p.subject_user_id = u.id and p.role_key = 'admin' and p.workspace_key is null) \
           or exists (select 1 from policies p join team_members m on m.team_key = p.subject_team_key \
                      where m.user_id = u.id and p.role_key = 'admin' and p.workspace_key is null))",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// The order of a policy list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyOrder {
    /// Oldest first (the default).
    #[default]
    Oldest,
    Newest,
}

impl std::str::FromStr for PolicyOrder {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "oldest" => Ok(Self::Oldest),
            "newest" => Ok(Self::Newest),
            _ => Err("sort by oldest or newest".to_owned()),
        }
    }
}

/// Which policies to list.
#[derive(Clone, Debug, Default)]
pub struct PolicyFilter {
    pub workspace: Option<WorkspaceKey>,
    pub user: Option<UserId>,
    pub team: Option<TeamKey>,
    pub role: Option<RoleKey>,
    /// Only policies in these workspaces (what a viewer without a global
    /// `policy:read` may see); `None`: no such restriction.
    pub within: Option<Vec<WorkspaceKey>>,
    /// Newest first (the cursor then counts down) instead of oldest first.
    pub newest_first: bool,
}

/// Policies matching `filter` with ids above `after`, oldest first.
pub async fn list(
    conn: &mut Conn,
    filter: &PolicyFilter,
    after: Option<PolicyId>,
    limit: i64,
) -> Result<Vec<PolicyRow>, StoreError> {
    let mut conditions = super::Conditions::new();
    if let Some(after) = after {
        let direction = if filter.newest_first { "<" } else { ">" };
        conditions.int(after.0, |p| format!("id {direction} {p}"));
    }
    if let Some(workspace) = &filter.workspace {
        conditions.text(workspace.as_str(), |p| format!("workspace_key = {p}"));
    }
    if let Some(user) = filter.user {
        conditions.text(user.to_string(), |p| format!("subject_user_id = {p}"));
    }
    if let Some(team) = &filter.team {
        conditions.text(team.as_str(), |p| format!("subject_team_key = {p}"));
    }
    if let Some(role) = &filter.role {
        conditions.text(role.as_str(), |p| format!("role_key = {p}"));
    }
    match &filter.within {
        Some(keys) if keys.is_empty() => return Ok(Vec::new()),
        Some(keys) => {
            conditions.any_of(keys.iter().map(|k| k.to_string()), |list| format!("workspace_key in ({list})"));
        }
        None => {}
    }
    let limit = conditions.extra(limit);
    let order = if filter.newest_first { "id desc" } else { "id" };
    let sql =
        format!("select {POLICY_COLUMNS} from policies{} order by {order} limit {limit}", conditions.where_clause());
    conditions.fetch_all(conn, &sql).await?.iter().map(from_row).collect()
}
