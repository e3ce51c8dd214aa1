//! Granting and revoking access.

use crate::server::caller::Actor;
use crate::server::Written;
use crate::{
    authz::{Binding, Change},
    domain::{
        non_blank, optional_key, parse_order, Permission, PolicyId, PolicyView, RoleKey, Scope, Subject, TeamKey,
        WorkspaceKey,
    },
    error::AppError,
    server::{
        now_ms,
        services::{
            escalation::forbid_escalation,
            guard::{allows, attempt, audited, readable_workspaces, require},
            workspaces,
        },
        store::{
            self, audit,
            policies::{PolicyFilter, PolicyOrder, PolicyRow},
        },
        AppState,
    },
};

/// Which policies to list, as both edges send it: a workspace, a role, a
/// subject (`user_id`, `team`, or `subject` as a person types it: an email
/// or `team:key`) and the order (`oldest`, the default, or `newest`).
/// Blank fields filter nothing.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PolicyQuery {
    pub workspace: Option<String>,
    pub user_id: Option<String>,
    pub team: Option<String>,
    pub role: Option<String>,
    pub subject: Option<String>,
    pub sort: Option<String>,
}

impl PolicyQuery {
    /// The filter, checked. Whether the actor may read policies there is
    /// asked before a subject is looked up, so a refusal tells nothing of
    /// who exists.
    async fn filter(&self, state: &AppState, actor: &Actor) -> Result<PolicyFilter, AppError> {
        let workspace = optional_key("workspace", self.workspace.as_deref(), WorkspaceKey::parse)?;
        readable_within(state, actor, workspace.as_ref())?;
        let mut filter = PolicyFilter {
            workspace,
            user: non_blank(self.user_id.as_deref())
                .map(|id| id.parse().map_err(|_| AppError::invalid("user_id", format!("{id} is not a user id"))))
                .transpose()?,
            team: optional_key("team", self.team.as_deref(), TeamKey::parse)?,
            role: optional_key("role", self.role.as_deref(), RoleKey::parse)?,
            within: None,
            newest_first: parse_order::<PolicyOrder>(self.sort.as_deref())? == PolicyOrder::Newest,
        };
        if let Some(subject) = non_blank(self.subject.as_deref()) {
            match resolve_subject(state, subject, "subject").await? {
                Subject::User(user) => filter.user = Some(user),
                Subject::Team(team) => filter.team = Some(team),
            }
        }
        Ok(filter)
    }
}

/// What a caller asks for when creating a policy.
#[derive(Clone, Debug)]
pub struct NewPolicy {
    pub subject: SubjectInput,
    pub role: RoleKey,
    pub workspace: Option<WorkspaceKey>,
}

/// Who a new policy binds: named by id (REST), or as a person types it (the
/// console: an email or `team:key`). A typed one is looked up only once the
/// caller may manage policies there, so a refusal tells nothing of who exists.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(untagged)]
pub enum SubjectInput {
    Known(Subject),
    Typed(String),
}

impl From<Subject> for SubjectInput {
    fn from(subject: Subject) -> Self {
        Self::Known(subject)
    }
}

impl NewPolicy {
    /// A policy as a form sends it: a subject as a person types it, a role
    /// key, and a workspace (blank: global).
    pub fn read(subject: String, role: &str, workspace: Option<&str>) -> Result<Self, AppError> {
        let role = RoleKey::parse(role.trim()).map_err(|_| AppError::invalid("role", "pick a role"))?;
        let workspace = optional_key("workspace", workspace, WorkspaceKey::parse)?;
        Ok(Self { subject: SubjectInput::Typed(subject), role, workspace })
    }
}

/// The policy as callers see it.
pub fn view(row: &PolicyRow) -> PolicyView {
    PolicyView {
        id: row.id,
        subject: row.subject.clone(),
        role: row.role.clone(),
        workspace: row.scope.workspace().cloned(),
        created_at: row.created_at,
    }
}

/// Binds a subject to a role, globally or in one workspace.
pub async fn create(state: &AppState, actor: &Actor, new: NewPolicy) -> Result<Written<PolicyView>, AppError> {
    let mut entry = attempt(actor, "policy.create", "policy", "");
    entry.workspace = new.workspace.as_ref().map(ToString::to_string);
    entry.after = serde_json::to_value(serde_json::json!({
        "subject": new.subject, "role": new.role, "workspace": new.workspace
    }))
    .ok();
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        // Before the subject is looked up: one who may not grant here
        // learns nothing of who exists.
        require(state, actor, Permission::PolicyManage, new.workspace.as_ref())?;
        let subject = match new.subject {
            SubjectInput::Known(subject) => subject,
            SubjectInput::Typed(text) => resolve_subject_in(&mut tx, &text, "subject").await?,
        };
        let scope = new.workspace.clone().map_or(Scope::Global, Scope::Workspace);
        let binding = grantable(state, actor, &mut tx, &new.role, &scope, "").await?;
        match &subject {
            Subject::User(user) => {
                if store::users::find_by_id(&mut tx, *user).await?.is_none() {
                    return Err(AppError::unknown("subject", format!("there is no user {user}")));
                }
            }
            Subject::Team(team) => {
                if !store::teams::exists(&mut tx, team).await? {
                    return Err(AppError::unknown("subject", format!("there is no team {team}")));
                }
            }
        }
        forbid_escalation(state, actor.holder(), &[binding])?;
        let row = store::policies::insert(&mut tx, &subject, &new.role, &scope, now_ms()).await.map_err(|e| {
            e.conflict_on("policies", "binding", "policy_exists", || {
                "this subject already has this role at this scope".into()
            })
        })?;
        let created = view(&row);
        let mut success = entry.clone();
        success.target_id = Some(row.id.to_string());
        success.after = serde_json::to_value(&created).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::PolicyAdded(row.fact())]).await?;
        Ok(Written::new(created, revision))
    }
    .await;
    audited(state, entry, result).await
}

/// What granting `role` at `scope` would confer, once it is known that
/// `actor` may grant there (`policy:manage`) and that the role and the
/// workspace exist. Every path that makes a policy asks this for each one,
/// then [`forbid_escalation`] for all of them together. `field` is the
/// prefix of the fields a mistake names: `""` for `role`, or `grants[2].`.
pub(crate) async fn grantable(
    state: &AppState,
    actor: &Actor,
    conn: &mut store::Conn,
    role: &RoleKey,
    scope: &Scope,
    field: &str,
) -> Result<Binding, AppError> {
    require(state, actor, Permission::PolicyManage, scope.workspace())?;
    let found = store::roles::find(conn, role)
        .await?
        .ok_or_else(|| AppError::unknown(format!("{field}role"), format!("there is no role {role}")))?;
    if let Some(workspace) = scope.workspace() {
        if store::named::find(conn, workspace).await?.is_none() {
            return Err(AppError::unknown(format!("{field}workspace"), format!("there is no workspace {workspace}")));
        }
    }
    Ok(Binding::of_role(found.permissions, scope.clone()))
}

/// Revokes a policy. The last global admin cannot be removed this way.
pub async fn delete(state: &AppState, actor: &Actor, id: PolicyId) -> Result<Written<()>, AppError> {
    let entry = attempt(actor, "policy.delete", "policy", id);
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        let row =
            store::policies::find(&mut tx, id).await?.ok_or_else(|| AppError::not_found(format!("policy {id}")))?;
        // To one who may not even read it, a policy is as absent as an
        // unknown one: a 403 would tell that it exists, and where.
        let workspace = row.scope.workspace().map(WorkspaceKey::as_str);
        let readable = {
            let index = state.access.read();
            [Permission::PolicyRead, Permission::PolicyManage].iter().any(|p| allows(&index, actor, *p, workspace))
        };
        if !readable {
            return Err(AppError::not_found(format!("policy {id}")));
        }
        require(state, actor, Permission::PolicyManage, row.scope.workspace())?;
        store::policies::delete(&mut tx, id).await?;
        keep_an_admin(&mut tx).await?;
        let mut success = entry.clone();
        success.workspace = row.scope.workspace().map(ToString::to_string);
        success.before = serde_json::to_value(view(&row)).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        let revision = tx.commit([Change::PolicyRemoved(row.fact())]).await?;
        Ok(Written::new((), revision))
    }
    .await;
    audited(state, entry, result).await
}

/// A 409 `last_admin` when the change in this transaction leaves no active
/// user holding `admin` through a global policy.
pub async fn keep_an_admin(tx: &mut store::Conn) -> Result<(), AppError> {
    if store::policies::count_global_admins(tx).await? == 0 {
        return Err(AppError::conflict(
            "last_admin",
            "this would leave no active administrator: give someone else the admin role globally first",
        ));
    }
    Ok(())
}

/// A 403 unless `actor` may read policies in `workspace`, or (without one)
/// somewhere; the workspaces they are limited to, `None` for all. Asked
/// before anything else of the request is looked up, so a refusal tells
/// nothing of what exists.
pub fn readable_within(
    state: &AppState,
    actor: &Actor,
    workspace: Option<&WorkspaceKey>,
) -> Result<Option<Vec<WorkspaceKey>>, AppError> {
    if workspace.is_some() {
        require(state, actor, Permission::PolicyRead, workspace)?;
        return Ok(None);
    }
    match readable_workspaces(state, actor, Permission::PolicyRead) {
        Some(readable) if readable.is_empty() => {
            require(state, actor, Permission::PolicyRead, None)?;
            Ok(Some(readable))
        }
        within => Ok(within),
    }
}

/// Policies the actor may read, filtered, in pages. Without a workspace
/// filter, a viewer who holds `policy:read` only in some workspaces sees the
/// policies of those workspaces.
async fn list(
    state: &AppState,
    actor: &Actor,
    mut filter: PolicyFilter,
    after: Option<PolicyId>,
    limit: i64,
) -> Result<Vec<PolicyView>, AppError> {
    filter.within = readable_within(state, actor, filter.workspace.as_ref())?;
    let mut conn = state.db.read().await?;
    let rows = store::policies::list(&mut conn, &filter, after, limit).await?;
    Ok(rows.iter().map(view).collect())
}

/// A subject as a person types it: `team:<key>`, or a user's email (with or
/// without `user:` in front). An unknown one is a validation error on `field`.
pub async fn resolve_subject(state: &AppState, text: &str, field: &str) -> Result<Subject, AppError> {
    let mut conn = state.db.read().await?;
    resolve_subject_in(&mut conn, text, field).await
}

/// [`resolve_subject`] on a connection (a write transaction's, in `create`).
async fn resolve_subject_in(conn: &mut store::Conn, text: &str, field: &str) -> Result<Subject, AppError> {
    let text = text.trim();
    if let Some(key) = text.strip_prefix("team:") {
        let team = crate::domain::TeamKey::parse(key.trim()).map_err(|e| AppError::invalid(field, e.to_string()))?;
        return match store::named::find(conn, &team).await? {
            Some(_) => Ok(Subject::Team(team)),
            None => Err(AppError::unknown(field, format!("there is no team {team}"))),
        };
    }
    let email = text.strip_prefix("user:").unwrap_or(text).trim();
    if email.is_empty() {
        return Err(AppError::invalid(field, "pick a user (their email) or a team (team:key)"));
    }
    let email = crate::domain::Email::parse(email)
        .map_err(|_| AppError::invalid(field, "type a user's email, or team: and a team's key"))?;
    match store::users::find_by_email(conn, &email).await? {
        Some(user) => Ok(Subject::User(user.id)),
        None => Err(AppError::unknown(field, format!("there is no user {email}"))),
    }
}

/// A page of the policies `query` picks that the actor may read (the
/// cursor is the last one's id).
pub async fn page(
    state: &AppState,
    actor: &Actor,
    query: &PolicyQuery,
    list: &crate::domain::ListParams,
    default_limit: i64,
) -> Result<crate::domain::Page<PolicyView>, AppError> {
    let limit = list.limit(default_limit)?;
    let filter = query.filter(state, actor).await?;
    let after = list.cursor_as()?.map(PolicyId);
    let items = self::list(state, actor, filter, after, limit).await?;
    Ok(crate::domain::Page::of(items, limit, |p| p.id.to_string()))
}

/// The same page, each policy with its subject named (the console's list).
pub async fn labelled_page(
    state: &AppState,
    actor: &Actor,
    query: &PolicyQuery,
    list: &crate::domain::ListParams,
    default_limit: i64,
) -> Result<crate::domain::Page<crate::domain::PolicyListing>, AppError> {
    let page = page(state, actor, query, list, default_limit).await?;
    Ok(crate::domain::Page { items: labelled(state, page.items).await?, next_cursor: page.next_cursor })
}

/// The first `limit` policies the actor may read, each with its subject
/// named (what a detail page shows).
pub async fn list_labelled(
    state: &AppState,
    actor: &Actor,
    filter: PolicyFilter,
    limit: i64,
) -> Result<Vec<crate::domain::PolicyListing>, AppError> {
    labelled(state, list(state, actor, filter, None, limit).await?).await
}

/// Each policy with its subject named: one query for every user they name.
async fn labelled(state: &AppState, policies: Vec<PolicyView>) -> Result<Vec<crate::domain::PolicyListing>, AppError> {
    let mut user_ids: Vec<_> = policies
        .iter()
        .filter_map(|p| match p.subject {
            Subject::User(id) => Some(id),
            Subject::Team(_) => None,
        })
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let mut conn = state.db.read().await?;
    let users = store::users::find_many(&mut conn, &user_ids).await?;
    Ok(policies
        .into_iter()
        .map(|policy| {
            let subject_label = match &policy.subject {
                Subject::Team(team) => format!("team:{team}"),
                Subject::User(id) => users
                    .iter()
                    .find(|u| u.id == *id)
                    .map_or_else(|| id.to_string(), |user| format!("{} ({})", user.email, user.name)),
            };
            crate::domain::PolicyListing { policy, subject_label }
        })
        .collect())
}

/// The roles, workspaces and teams a policy form offers, up to a thousand
/// of each by key; what the viewer may not read is simply not offered.
pub async fn choices(state: &AppState, actor: &Actor) -> Result<crate::domain::PolicyChoices, AppError> {
    use crate::server::services::{roles, teams};
    // A refusal is "nothing to offer"; any other error is one.
    fn offered<T>(result: Result<Vec<T>, AppError>) -> Result<Vec<T>, AppError> {
        match result {
            Err(AppError::Forbidden { .. }) => Ok(Vec::new()),
            other => other,
        }
    }
    let all = crate::domain::ListQuery { q: String::new(), order: Default::default(), after: None, limit: 1_000 };
    Ok(crate::domain::PolicyChoices {
        roles: offered(roles::list(state, actor).await)?,
        workspaces: offered(workspaces::list(state, actor, &all).await.map(|p| p.items))?,
        teams: offered(teams::list(state, actor, &all).await.map(|p| p.items))?,
    })
}
