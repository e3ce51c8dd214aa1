//! Roles, workspaces, team memberships and policies, and the full load of the
//! facts the authorization index is built from.

use sqlx::{any::AnyRow, Row};

use super::{parse_id, Conn, StoreError};
use crate::{
    authz::{Facts, PolicyFact},
    domain::{
        BuiltinRole, PermissionSet, PolicyId, RoleKey, Scope, Subject, TeamKey, UserId, UserStatus, WorkspaceKey,
    },
};

/// A row of `roles`, with built-in permissions taken from the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRow {
    pub key: RoleKey,
    pub name: String,
    pub description: String,
    pub permissions: PermissionSet,
    pub builtin: bool,
    pub created_at: i64,
    pub version: i64,
}

/// A row of `workspaces`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceRow {
    pub key: WorkspaceKey,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub version: i64,
}

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

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{column} holds {value:?}"))
}

fn role_from_row(row: &AnyRow) -> Result<RoleRow, StoreError> {
    let key: String = row.try_get("key")?;
    let builtin = row.try_get::<i64, _>("builtin")? != 0;
    let permissions = match BuiltinRole::parse(&key).filter(|_| builtin) {
        Some(role) => role.permissions(),
        None => {
            let text: String = row.try_get("permissions")?;
            let keys: Vec<&str> = text.split_whitespace().collect();
            // A permission removed from the catalog simply stops being granted.
            PermissionSet::parse_keys(&keys)
                .unwrap_or_else(|_| keys.iter().filter_map(|k| crate::domain::Permission::parse(k)).collect())
        }
    };
    Ok(RoleRow {
        key: RoleKey::parse(&key).map_err(|_| corrupt("roles.key", &key))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        permissions,
        builtin,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

fn permissions_text(permissions: PermissionSet) -> String {
    permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(" ")
}

/// Every role, built-in first, then by key.
pub async fn list_roles(conn: &mut Conn) -> Result<Vec<RoleRow>, StoreError> {
    let rows = sqlx::query(
        "select key, name, description, permissions, builtin, created_at, version from roles order by builtin desc, key",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(role_from_row).collect()
}

/// One role.
pub async fn find_role(conn: &mut Conn, key: &RoleKey) -> Result<Option<RoleRow>, StoreError> {
    let row = sqlx::query(
        "select key, name, description, permissions, builtin, created_at, version from roles where key = $1",
    )
    .bind(key.as_str().to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(role_from_row).transpose()
}

/// Inserts a custom role; a taken key is a unique violation on `roles.key`.
pub async fn insert_role(conn: &mut Conn, role: &RoleRow) -> Result<(), StoreError> {
    sqlx::query(
        "insert into roles (key, name, description, permissions, builtin, created_at) values ($1, $2, $3, $4, 0, $5)",
    )
    .bind(role.key.as_str().to_owned())
    .bind(role.name.clone())
    .bind(role.description.clone())
    .bind(permissions_text(role.permissions))
    .bind(role.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rewrites a custom role's name, description and permissions.
pub async fn update_role(conn: &mut Conn, role: &RoleRow) -> Result<(), StoreError> {
    sqlx::query("update roles set name = $1, description = $2, permissions = $3 where key = $4 and builtin = 0")
        .bind(role.name.clone())
        .bind(role.description.clone())
        .bind(permissions_text(role.permissions))
        .bind(role.key.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a custom role.
pub async fn delete_role(conn: &mut Conn, key: &RoleKey) -> Result<(), StoreError> {
    sqlx::query("delete from roles where key = $1 and builtin = 0")
        .bind(key.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many policies use a role.
pub async fn count_policies_with_role(conn: &mut Conn, key: &RoleKey) -> Result<i64, StoreError> {
    let row = sqlx::query("select count(*) as n from policies where role_key = $1")
        .bind(key.as_str().to_owned())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

fn workspace_from_row(row: &AnyRow) -> Result<WorkspaceRow, StoreError> {
    let key: String = row.try_get("key")?;
    Ok(WorkspaceRow {
        key: WorkspaceKey::parse(&key).map_err(|_| corrupt("workspaces.key", &key))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

/// The order of a list of named things.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NamedOrder {
    /// By key (the default).
    #[default]
    Key,
    /// By name, then key.
    Name,
}

impl std::str::FromStr for NamedOrder {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "key" => Ok(Self::Key),
            "name" => Ok(Self::Name),
            _ => Err("sort by key or name".to_owned()),
        }
    }
}

/// Rows of a table of named things (workspaces, teams) whose key or name
/// contains `query` (any case), in `order`, after the row with the key
/// `after` (a cursor), at most `limit`.
async fn search_named(
    conn: &mut Conn,
    table: &'static str,
    query: &str,
    order: NamedOrder,
    after: Option<&str>,
    limit: i64,
    within: Option<&[WorkspaceKey]>,
) -> Result<Vec<AnyRow>, StoreError> {
    let mut conditions = super::Conditions::new();
    if let Some(keys) = within {
        conditions.any_of(keys.iter().map(ToString::to_string), |list| format!("key in ({list})"));
    }
    if let Some(after) = after.filter(|a| !a.is_empty()) {
        conditions.text(after, |p| match order {
            NamedOrder::Key => format!("key > {p}"),
            NamedOrder::Name => format!("(name, key) > (select name, key from {table} where key = {p})"),
        });
    }
    if !query.trim().is_empty() {
        conditions.text(super::like_pattern(query), |p| {
            format!("(key like {p} escape '\\' or lower(name) like {p} escape '\\')")
        });
    }
    let order_by = match order {
        NamedOrder::Key => "key",
        NamedOrder::Name => "name, key",
    };
    let limit = conditions.extra(limit);
    let sql = format!(
        "select key, name, description, created_at, version from {table}{} order by {order_by} limit {limit}",
        conditions.where_clause()
    );
    conditions.fetch_all(conn, &sql).await
}

/// Workspaces whose key or name contains `query`, by key, after `after`
/// (a cursor), at most `limit`; only those `within` when given.
pub async fn list_workspaces(
    conn: &mut Conn,
    query: &str,
    order: NamedOrder,
    after: Option<&str>,
    limit: i64,
    within: Option<&[WorkspaceKey]>,
) -> Result<Vec<WorkspaceRow>, StoreError> {
    search_named(conn, "workspaces", query, order, after, limit, within).await?.iter().map(workspace_from_row).collect()
}

/// One workspace.
pub async fn find_workspace(conn: &mut Conn, key: &WorkspaceKey) -> Result<Option<WorkspaceRow>, StoreError> {
    let row = sqlx::query("select key, name, description, created_at, version from workspaces where key = $1")
        .bind(key.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(workspace_from_row).transpose()
}

/// Inserts a workspace; a taken key is a unique violation on `workspaces.key`.
pub async fn insert_workspace(conn: &mut Conn, workspace: &WorkspaceRow) -> Result<(), StoreError> {
    sqlx::query("insert into workspaces (key, name, description, created_at) values ($1, $2, $3, $4)")
        .bind(workspace.key.as_str().to_owned())
        .bind(workspace.name.clone())
        .bind(workspace.description.clone())
        .bind(workspace.created_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites a workspace's name and description.
pub async fn update_workspace(conn: &mut Conn, workspace: &WorkspaceRow) -> Result<(), StoreError> {
    sqlx::query("update workspaces set name = $1, description = $2 where key = $3")
        .bind(workspace.name.clone())
        .bind(workspace.description.clone())
        .bind(workspace.key.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a workspace (its policies must be deleted first, by the caller).
pub async fn delete_workspace(conn: &mut Conn, key: &WorkspaceKey) -> Result<(), StoreError> {
    sqlx::query("delete from workspaces where key = $1").bind(key.as_str().to_owned()).execute(&mut *conn).await?;
    Ok(())
}

const POLICY_COLUMNS: &str = "id, subject_user_id, subject_team_key, role_key, workspace_key, created_at";

fn policy_from_row(row: &AnyRow) -> Result<PolicyRow, StoreError> {
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
pub async fn insert_policy(
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
    policy_from_row(&row)
}

/// One policy.
pub async fn find_policy(conn: &mut Conn, id: PolicyId) -> Result<Option<PolicyRow>, StoreError> {
    let row = sqlx::query(&format!("select {POLICY_COLUMNS} from policies where id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(policy_from_row).transpose()
}

/// Deletes one policy.
pub async fn delete_policy(conn: &mut Conn, id: PolicyId) -> Result<(), StoreError> {
    sqlx::query("delete from policies where id = $1").bind(id.0).execute(&mut *conn).await?;
    Ok(())
}

/// Deletes a workspace's policies and returns them.
pub async fn delete_workspace_policies(conn: &mut Conn, key: &WorkspaceKey) -> Result<Vec<PolicyRow>, StoreError> {
    let rows = sqlx::query(&format!("delete from policies where workspace_key = $1 returning {POLICY_COLUMNS}"))
        .bind(key.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(policy_from_row).collect()
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
pub async fn list_policies(
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
    conditions.fetch_all(conn, &sql).await?.iter().map(policy_from_row).collect()
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

/// Everything the authorization index needs, in one consistent read.
pub async fn load_facts(conn: &mut Conn) -> Result<Facts, StoreError> {
    let mut facts = Facts::default();
    for row in sqlx::query("select id, status from users").fetch_all(&mut *conn).await? {
        let id: String = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        let status: UserStatus = status.parse().map_err(StoreError::Corrupt)?;
        facts.users.push((parse_id("users.id", &id)?, status == UserStatus::Active));
    }
    facts.roles = list_roles(conn).await?.into_iter().map(|r| (r.key, r.permissions)).collect();
    for row in sqlx::query("select team_key, user_id from team_members").fetch_all(&mut *conn).await? {
        let team: String = row.try_get("team_key")?;
        let user: String = row.try_get("user_id")?;
        facts.memberships.push((
            TeamKey::parse(&team).map_err(|_| corrupt("team_members.team_key", &team))?,
            parse_id("team_members.user_id", &user)?,
        ));
    }
    let rows = sqlx::query(&format!("select {POLICY_COLUMNS} from policies")).fetch_all(&mut *conn).await?;
    facts.policies = rows.iter().map(|r| policy_from_row(r).map(|p| p.fact())).collect::<Result<_, _>>()?;
    Ok(facts)
}

/// Whether a team exists.
pub async fn team_exists(conn: &mut Conn, key: &TeamKey) -> Result<bool, StoreError> {
    let row = sqlx::query("select count(*) as n from teams where key = $1")
        .bind(key.as_str().to_owned())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Deletes a user's own policies and returns them.
pub async fn delete_user_policies(conn: &mut Conn, user: UserId) -> Result<Vec<PolicyRow>, StoreError> {
    let rows = sqlx::query(&format!("delete from policies where subject_user_id = $1 returning {POLICY_COLUMNS}"))
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(policy_from_row).collect()
}

/// Removes a user from every team and returns the teams.
pub async fn delete_user_memberships(conn: &mut Conn, user: UserId) -> Result<Vec<TeamKey>, StoreError> {
    let rows = sqlx::query("delete from team_members where user_id = $1 returning team_key")
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let key: String = row.try_get("team_key")?;
            TeamKey::parse(&key).map_err(|_| corrupt("team_members.team_key", &key))
        })
        .collect()
}

/// A row of `teams`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRow {
    pub key: TeamKey,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub version: i64,
}

/// A member of a team with their team role (`member` or `maintainer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub team_role: String,
    pub added_at: i64,
}

fn team_from_row(row: &AnyRow) -> Result<TeamRow, StoreError> {
    let key: String = row.try_get("key")?;
    Ok(TeamRow {
        key: TeamKey::parse(&key).map_err(|_| corrupt("teams.key", &key))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

/// Teams whose key or name contains `query`, by key, after `after` (a
/// cursor), at most `limit`.
pub async fn list_teams(
    conn: &mut Conn,
    query: &str,
    order: NamedOrder,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<TeamRow>, StoreError> {
    search_named(conn, "teams", query, order, after, limit, None).await?.iter().map(team_from_row).collect()
}

/// One team.
pub async fn find_team(conn: &mut Conn, key: &TeamKey) -> Result<Option<TeamRow>, StoreError> {
    let row = sqlx::query("select key, name, description, created_at, version from teams where key = $1")
        .bind(key.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(team_from_row).transpose()
}

/// Inserts a team; a taken key is a unique violation on `teams.key`.
pub async fn insert_team(conn: &mut Conn, team: &TeamRow) -> Result<(), StoreError> {
    sqlx::query("insert into teams (key, name, description, created_at) values ($1, $2, $3, $4)")
        .bind(team.key.as_str().to_owned())
        .bind(team.name.clone())
        .bind(team.description.clone())
        .bind(team.created_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites a team's name and description.
pub async fn update_team(conn: &mut Conn, team: &TeamRow) -> Result<(), StoreError> {
    sqlx::query("update teams set name = $1, description = $2 where key = $3")
        .bind(team.name.clone())
        .bind(team.description.clone())
        .bind(team.key.as_str().to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a team with its policies and memberships; returns what went.
pub async fn delete_team(conn: &mut Conn, key: &TeamKey) -> Result<(Vec<PolicyRow>, Vec<UserId>), StoreError> {
    let rows = sqlx::query(&format!("delete from policies where subject_team_key = $1 returning {POLICY_COLUMNS}"))
        .bind(key.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await?;
    let policies = rows.iter().map(policy_from_row).collect::<Result<Vec<_>, _>>()?;
    let rows = sqlx::query("delete from team_members where team_key = $1 returning user_id")
        .bind(key.as_str().to_owned())
        .fetch_all(&mut *conn)
        .await?;
    let members = rows
        .iter()
        .map(|row| {
            let id: String = row.try_get("user_id")?;
            parse_id("team_members.user_id", &id)
        })
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query("delete from teams where key = $1").bind(key.as_str().to_owned()).execute(&mut *conn).await?;
    Ok((policies, members))
}

/// A team's members, by email.
pub async fn list_members(conn: &mut Conn, key: &TeamKey) -> Result<Vec<MemberRow>, StoreError> {
    let rows = sqlx::query(
        "select m.user_id, u.email, u.name, m.team_role, m.added_at from team_members m join users u on u.id = m.user_id \
         where m.team_key = $1 order by u.email",
    )
    .bind(key.as_str().to_owned())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("user_id")?;
            Ok(MemberRow {
                user_id: parse_id("team_members.user_id", &id)?,
                email: row.try_get("email")?,
                name: row.try_get("name")?,
                team_role: row.try_get("team_role")?,
                added_at: row.try_get("added_at")?,
            })
        })
        .collect()
}

/// A user's team role in a team, if they are a member.
pub async fn team_role_of(conn: &mut Conn, key: &TeamKey, user: UserId) -> Result<Option<String>, StoreError> {
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

/// How many policies the workspaces `keys` hold.
pub async fn count_policies_in(conn: &mut Conn, keys: &[WorkspaceKey]) -> Result<i64, StoreError> {
    let mut conditions = super::Conditions::new();
    conditions.any_of(keys.iter().map(ToString::to_string), |list| format!("workspace_key in ({list})"));
    let sql = format!("select count(*) as n from policies{}", conditions.where_clause());
    let row = conditions.fetch_all(conn, &sql).await?;
    Ok(row.first().map(|r| r.try_get("n")).transpose()?.unwrap_or(0))
}

/// The teams `user` belongs to, with their team role, by key.
pub async fn teams_of_user(conn: &mut Conn, user: UserId) -> Result<Vec<(TeamKey, String)>, StoreError> {
    let rows = sqlx::query("select team_key, team_role from team_members where user_id = $1 order by team_key")
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let key: String = row.try_get("team_key")?;
            let team = TeamKey::parse(&key).map_err(|e| StoreError::Corrupt(format!("team_members.team_key: {e}")))?;
            Ok((team, row.try_get("team_role")?))
        })
        .collect()
}
