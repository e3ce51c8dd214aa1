//! Teams: `team:manage` for everything; a team's maintainers may add and
//! remove its members, never handing out more than they hold themselves.

use crate::server::caller::Actor;
use crate::server::Written;
use crate::{
    authz::Change,
    domain::{Expected, ListQuery, MemberView, NamedOrder, Page, Permission, TeamKey, TeamView, UserId},
    error::AppError,
    server::{
        now_ms,
        services::{
            escalation::{forbid_escalation, forbid_removal},
            fields::NamedInput,
            guard::{allows, attempt, audited, require},
            named::{self, Kind},
            policies::keep_an_admin,
        },
        store::{self, audit, named::TeamRow, policies::PolicyFilter, teams::MemberRow, StoreError},
        AppState,
    },
};

/// The fields of a team as a caller sends them.
pub type TeamInput = NamedInput;

fn view(row: &TeamRow) -> TeamView {
    <TeamKey as Kind>::view(row)
}

fn member_view(row: &MemberRow) -> MemberView {
    MemberView {
        user_id: row.user_id,
        email: row.email.clone(),
        name: row.name.clone(),
        team_role: row.team_role.clone(),
        added_at: row.added_at,
    }
}

/// Teams whose key or name contains `query`, by key or by name (`sort`), in pages.
pub async fn list(state: &AppState, actor: &Actor, query: &ListQuery<NamedOrder>) -> Result<Page<TeamView>, AppError> {
    require(state, actor, Permission::TeamRead, None)?;
    let mut conn = state.db.read().await?;
    let rows =
        store::named::search(&mut conn, &query.q, query.order, query.after.as_deref(), query.limit, None).await?;
    Ok(Page::of(rows.iter().map(view).collect(), query.limit, |t| t.key.to_string()))
}

/// One team.
pub async fn get(state: &AppState, actor: &Actor, key: &str) -> Result<TeamView, AppError> {
    require(state, actor, Permission::TeamRead, None)?;
    let key = named::parse_key::<TeamKey>(key)?;
    let mut conn = state.db.read().await?;
    Ok(view(&named::load(&mut conn, &key).await?))
}

/// Creates a team.
pub async fn create(state: &AppState, actor: &Actor, input: TeamInput) -> Result<Written<TeamView>, AppError> {
    let entry = attempt(actor, "team.create", "team", input.key.clone().unwrap_or_default());
    let result = async {
        require(state, actor, Permission::TeamManage, None)?;
        let mut tx = state.db.write().await?;
        let created = named::insert_new::<TeamKey>(&mut tx, &input, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Written::unchanged(state, created))
    }
    .await;
    audited(state, entry, result).await
}

/// Creates the team of `input.key` (`SaveMode::Create`) or renames and
/// re-describes it (the key cannot change).
pub async fn save(
    state: &AppState,
    actor: &Actor,
    mode: crate::domain::SaveMode,
    input: TeamInput,
) -> Result<Written<TeamView>, AppError> {
    match mode {
        crate::domain::SaveMode::Create => create(state, actor, input).await,
        crate::domain::SaveMode::Update => {
            let key = input.key.clone().unwrap_or_default();
            update(state, actor, key.trim(), input).await
        }
    }
}

/// Renames or re-describes a team.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    key: &str,
    input: TeamInput,
) -> Result<Written<TeamView>, AppError> {
    let entry = attempt(actor, "team.update", "team", key);
    let result = async {
        require(state, actor, Permission::TeamManage, None)?;
        let key = named::parse_key::<TeamKey>(key)?;
        let mut tx = state.db.write().await?;
        let updated = named::rewrite(&mut tx, &key, &input, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Written::unchanged(state, updated))
    }
    .await;
    audited(state, entry, result).await
}

/// Deletes a team with its memberships and policies.
pub async fn delete(state: &AppState, actor: &Actor, key: &str, expected: &Expected) -> Result<Written<()>, AppError> {
    let entry = attempt(actor, "team.delete", "team", key);
    let result = async {
        require(state, actor, Permission::TeamManage, None)?;
        let key = named::parse_key::<TeamKey>(key)?;
        let mut tx = state.access.begin_write(&state.db).await?;
        let before = named::take(&mut tx, &key, expected).await?;
        // Deleting the team takes its policies from every member.
        let taken = state.access.read().bindings_of_team(&key);
        forbid_removal(state, actor.holder(), &taken)?;
        let (policies, members) = store::teams::delete(&mut tx, &key).await?;
        keep_an_admin(&mut tx).await?;
        let mut success = entry.clone();
        success.before = Some(serde_json::json!({
            "team": view(&before), "members": members.len(), "policies_deleted": policies.len()
        }));
        audit::insert(&mut tx, &success, now_ms()).await?;
        let mut changes: Vec<Change> = policies.iter().map(|p| Change::PolicyRemoved(p.fact())).collect();
        changes.extend(members.into_iter().map(|user| Change::MemberRemoved { team: key.clone(), user }));
        let revision = tx.commit(changes).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// A team's members.
pub async fn members(state: &AppState, actor: &Actor, key: &str) -> Result<Vec<MemberView>, AppError> {
    require(state, actor, Permission::TeamRead, None)?;
    let key = named::parse_key::<TeamKey>(key)?;
    let mut conn = state.db.read().await?;
    named::load(&mut conn, &key).await?;
    Ok(store::teams::members(&mut conn, &key).await?.iter().map(member_view).collect())
}

/// `team:manage`, or being a maintainer of this team.
async fn may_manage_members(
    state: &AppState,
    conn: &mut store::Conn,
    actor: &Actor,
    key: &TeamKey,
) -> Result<bool, AppError> {
    if allows(&state.access.read(), actor, Permission::TeamManage, None) {
        return Ok(true);
    }
    // Being a maintainer is not a permission an API token can carry.
    if actor.token.is_none() && store::teams::role_of(conn, key, actor.id).await?.as_deref() == Some("maintainer") {
        return Ok(false);
    }
    Err(AppError::forbidden(
        "forbidden",
        format!("you need the permission team:manage globally, or to be a maintainer of team {key}"),
    ))
}

/// Adds a member or sets their team role. Maintainers may add plain members.
pub async fn put_member(
    state: &AppState,
    actor: &Actor,
    key: &str,
    user: UserId,
    team_role: &str,
    expected: &Expected,
) -> Result<Written<MemberView>, AppError> {
    let entry = attempt(actor, "team.member.put", "team", key);
    let result = async {
        if !matches!(team_role, "member" | "maintainer") {
            return Err(AppError::invalid("team_role", "use \"member\" or \"maintainer\""));
        }
        let key = named::parse_key::<TeamKey>(key)?;
        let mut tx = state.access.begin_write(&state.db).await?;
        named::take(&mut tx, &key, expected).await?;
        let full_manager = may_manage_members(state, &mut tx, actor, &key).await?;
        if !full_manager && team_role == "maintainer" {
            return Err(AppError::forbidden("forbidden", "only holders of team:manage can make someone a maintainer"));
        }
        if store::users::find_by_id(&mut tx, user).await?.is_none() {
            return Err(AppError::not_found(format!("user {user}")));
        }
        // Joining the team confers its policies: the actor must hold all of them.
        let confers = state.access.read().bindings_of_team(&key);
        forbid_escalation(state, actor.holder(), &confers)?;
        let before = store::teams::role_of(&mut tx, &key, user).await?;
        store::teams::upsert_member(&mut tx, &key, user, team_role, now_ms()).await?;
        let member = store::teams::members(&mut tx, &key)
            .await?
            .into_iter()
            .find(|m| m.user_id == user)
            .ok_or_else(|| AppError::not_found(format!("user {user}")))?;
        let mut success = entry.clone();
        success.before = before.map(|role| serde_json::json!({ "user_id": user, "team_role": role }));
        success.after = serde_json::to_value(member_view(&member)).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::MemberAdded { team: key, user }]).await?;
        Ok(Written::new(member_view(&member), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// Removes a member. The team carrying the last admin keeps them.
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    key: &str,
    user: UserId,
    expected: &Expected,
) -> Result<Written<()>, AppError> {
    let entry = attempt(actor, "team.member.remove", "team", key);
    let result = async {
        let key = named::parse_key::<TeamKey>(key)?;
        let mut tx = state.access.begin_write(&state.db).await?;
        named::take(&mut tx, &key, expected).await?;
        may_manage_members(state, &mut tx, actor, &key).await?;
        let Some(role) = store::teams::role_of(&mut tx, &key, user).await? else {
            return Err(AppError::not_found(format!("member {user} of team {key}")));
        };
        // Leaving the team takes its policies from the member.
        let taken = state.access.read().bindings_of_team(&key);
        forbid_removal(state, actor.holder(), &taken)?;
        store::teams::remove_member(&mut tx, &key, user).await?;
        keep_an_admin(&mut tx).await?;
        let mut success = entry.clone();
        success.before = Some(serde_json::json!({ "user_id": user, "team_role": role }));
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::MemberRemoved { team: key, user }]).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// A team with its members, its policies (when the actor may read them)
/// and what the actor may change.
pub async fn detail(state: &AppState, actor: &Actor, key: &str) -> Result<crate::domain::TeamDetail, AppError> {
    require(state, actor, Permission::TeamRead, None)?;
    let key = named::parse_key::<TeamKey>(key)?;
    let (team, members, actor_role) = {
        let mut conn = state.db.read().await?;
        let team = named::load(&mut conn, &key).await?;
        let members = store::teams::members(&mut conn, &key).await?;
        let actor_role = store::teams::role_of(&mut conn, &key, actor.id).await?;
        (team, members, actor_role)
    };
    let filter = PolicyFilter { team: Some(key), ..PolicyFilter::default() };
    let policies = match crate::server::services::policies::list_labelled(state, actor, filter, 200).await {
        Ok(items) => Some(items),
        Err(AppError::Forbidden { .. }) => None,
        Err(other) => return Err(other),
    };
    let may_manage = allows(&state.access.read(), actor, Permission::TeamManage, None);
    Ok(crate::domain::TeamDetail {
        team: view(&team),
        members: members.iter().map(member_view).collect(),
        policies,
        may_manage,
        may_manage_members: may_manage || actor_role.as_deref() == Some("maintainer"),
    })
}

/// [`put_member`] for the user with `email`, as the console's picker sends
/// it. Whether there is such a user is only told to those who may add members.
pub async fn put_member_by_email(
    state: &AppState,
    actor: &Actor,
    key: &str,
    email: &str,
    team_role: &str,
    expected: &Expected,
) -> Result<MemberView, AppError> {
    let team = named::parse_key::<TeamKey>(key)?;
    let user = {
        let mut conn = state.db.read().await?;
        named::load(&mut conn, &team).await?;
        if let Err(refused) = may_manage_members(state, &mut conn, actor, &team).await {
            return audited(state, attempt(actor, "team.member.put", "team", key), Err(refused)).await;
        }
        let email = crate::domain::Email::parse(email.trim()).map_err(|e| AppError::invalid("email", e.to_string()))?;
        store::users::find_by_email(&mut conn, &email)
            .await?
            .ok_or_else(|| AppError::unknown("email", format!("there is no user {email}")))?
    };
    put_member(state, actor, key, user.id, team_role, expected).await.map(Written::into_value)
}
