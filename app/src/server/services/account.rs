//! What signed-in members change about themselves.

use crate::server::caller::Actor;
use crate::{
    domain::{DisplayName, Expected, UserView},
    error::AppError,
    server::store::users,
    server::{store, AppState},
};

/// Renames the signed-in user (from the version they saw, when given).
pub async fn update_display_name(
    state: &AppState,
    actor: &Actor,
    name: &str,
    expected: &Expected,
) -> Result<UserView, AppError> {
    use crate::server::services::guard::{attempt, audited};
    let entry = attempt(actor, "user.update", "user", actor.id);
    let result = async {
        crate::server::services::guard::require_session(actor, "change your profile")?;
        let name = DisplayName::parse(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
        let mut tx = state.db.write().await?;
        let before = crate::server::services::people::take(&mut tx, actor.id, expected).await?;
        users::update_name(&mut tx, actor.id, &name).await?;
        let after = users::find_by_id(&mut tx, actor.id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("user {}", actor.id)))?;
        let mut success = entry.clone();
        success.before = serde_json::to_value(before.view()).ok();
        success.after = serde_json::to_value(after.view()).ok();
        store::audit::insert(&mut tx, &success, crate::server::now_ms()).await?;
        tx.commit().await.map_err(crate::server::store::StoreError::from)?;
        Ok(after.view())
    }
    .await;
    audited(state, entry, result).await
}

/// The public handle of a session: the start of a hash of its id, so the
/// list never shows a secret.
fn handle(session_id: &str) -> String {
    crate::server::secrets::sha256_hex(session_id)[..24].to_owned()
}

/// The actor's live sessions, the current one first.
pub async fn sessions(
    state: &AppState,
    actor: &Actor,
    current: Option<&str>,
) -> Result<Vec<crate::domain::SessionView>, AppError> {
    crate::server::services::guard::require_session(actor, "list your sessions")?;
    use crate::server::sessions::{SignInDevice, DEVICE_KEY, SEEN_KEY};
    let mut conn = state.db.read().await?;
    let rows = store::sessions::list_for_user(&mut conn, actor.id, crate::server::now_ms()).await?;
    let mut views: Vec<crate::domain::SessionView> = rows
        .into_iter()
        .map(|(id, row)| {
            let data: serde_json::Value = serde_json::from_str(&row.data).unwrap_or_default();
            let device: SignInDevice = serde_json::from_value(data[DEVICE_KEY].clone()).unwrap_or_default();
            let seen = data[SEEN_KEY].as_i64().unwrap_or(device.since);
            crate::domain::SessionView {
                id: handle(&id),
                agent: device.agent,
                address: device.address,
                signed_in_at: device.since,
                last_seen_at: seen,
                current: current == Some(id.as_str()),
            }
        })
        .collect();
    views.sort_by(|a, b| b.current.cmp(&a.current).then(b.last_seen_at.cmp(&a.last_seen_at)));
    Ok(views)
}

/// Ends one of the actor's sessions (by its handle), or every one but the
/// current (`handle` = `None`). Returns how many ended.
pub async fn end_sessions(
    state: &AppState,
    actor: &Actor,
    current: Option<&str>,
    which: Option<&str>,
) -> Result<usize, AppError> {
    crate::server::services::guard::require_session(actor, "end sessions")?;
    let mut tx = state.db.write().await?;
    let rows = store::sessions::list_for_user(&mut tx, actor.id, crate::server::now_ms()).await?;
    let doomed: Vec<String> = rows
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| match which {
            Some(wanted) => handle(id) == wanted,
            None => Some(id.as_str()) != current,
        })
        .collect();
    if which.is_some() && doomed.is_empty() {
        return Err(AppError::not_found("that session (it may have ended already)"));
    }
    for id in &doomed {
        store::sessions::delete(&mut tx, id).await?;
    }
    let mut entry = crate::server::services::guard::attempt(actor, "session.end", "user", actor.id);
    entry.after = Some(serde_json::json!({ "ended": doomed.len() }));
    store::audit::insert(&mut tx, &entry, crate::server::now_ms()).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(doomed.len())
}

/// How the actor can sign in, and which providers they could link.
pub async fn sign_in_methods(state: &AppState, actor: &Actor) -> Result<crate::domain::SignInMethods, AppError> {
    crate::server::services::guard::require_session(actor, "read your sign-in methods")?;
    let mut conn = state.db.read().await?;
    let identities = users::identities_of(&mut conn, actor.id).await?;
    let linkable = crate::server::oauth::configured(state)
        .into_iter()
        .filter(|p| !identities.iter().any(|(provider, _, _)| provider == p.as_str()))
        .map(|p| (p.as_str().to_owned(), p.label().to_owned()))
        .collect();
    let user = users::find_by_id(&mut conn, actor.id).await?.ok_or_else(AppError::sign_in_required)?;
    Ok(crate::domain::SignInMethods {
        password: user.password_hash.is_some(),
        identities: identities
            .into_iter()
            .map(|(provider, email, linked_at)| crate::domain::IdentityView { provider, email, linked_at })
            .collect(),
        linkable,
    })
}

/// Unlinks the actor's GitHub or Google account, unless it is their last
/// way to sign in.
pub async fn unlink(state: &AppState, actor: &Actor, provider: &str) -> Result<(), AppError> {
    crate::server::services::guard::require_session(actor, "unlink sign-in methods")?;
    let entry = crate::server::services::guard::attempt(actor, "identity.unlink", "user", actor.id);
    let result = async {
        let mut tx = state.db.write().await?;
        let identities = users::identities_of(&mut tx, actor.id).await?;
        let user = users::find_by_id(&mut tx, actor.id).await?.ok_or_else(AppError::sign_in_required)?;
        if !identities.iter().any(|(p, _, _)| p == provider) {
            return Err(AppError::not_found(format!("a linked {provider} account")));
        }
        if identities.len() == 1 && user.password_hash.is_none() {
            return Err(AppError::conflict(
                "last_sign_in_method",
                "this is your only way to sign in: set a password or link another account first",
            ));
        }
        users::delete_identity(&mut tx, actor.id, provider).await?;
        let mut success = entry.clone();
        success.before = Some(serde_json::json!({ "provider": provider }));
        store::audit::insert(&mut tx, &success, crate::server::now_ms()).await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(())
    }
    .await;
    crate::server::services::guard::audited(state, entry, result).await
}

/// A new password, and the current one when the account has one.
pub struct NewPassword {
    pub current: Option<secrecy::SecretString>,
    pub new: secrecy::SecretString,
}

impl NewPassword {
    /// As the form sends them.
    pub fn of(current: Option<String>, new: String) -> Self {
        Self { current: current.map(secrecy::SecretString::from), new: secrecy::SecretString::from(new) }
    }
}

/// Sets the actor's password, or changes it (the current one is then
/// required). Other sessions of the actor end.
pub async fn set_password(
    state: &AppState,
    actor: &Actor,
    current_session: Option<&str>,
    client: Option<std::net::IpAddr>,
    NewPassword { current, new }: NewPassword,
) -> Result<(), AppError> {
    crate::server::services::guard::require_session(actor, "change your password")?;
    use secrecy::ExposeSecret;
    crate::server::password::check_strength(new.expose_secret()).map_err(|m| AppError::invalid("new_password", m))?;
    let stored = {
        let mut conn = state.db.read().await?;
        users::find_by_id(&mut conn, actor.id).await?.ok_or_else(AppError::sign_in_required)?.password_hash
    };
    if stored.is_some() {
        let current = current
            .filter(|c| !c.expose_secret().is_empty())
            .ok_or_else(|| AppError::invalid("current_password", "type your current password"))?;
        // Guesses at the current password count like failed sign-ins: a
        // stolen session must not become an unlimited password oracle.
        let attempt = match state.throttle.begin(&state.db, &actor.email, client, crate::server::now_ms()).await? {
            Ok(attempt) => attempt,
            Err(wait) => return Err(crate::server::services::password_login::too_many_failures(wait)),
        };
        match state.hasher.verify(current, stored).await {
            Ok(true) => state.throttle.succeeded(&state.db, attempt).await?,
            Ok(false) => return Err(AppError::invalid("current_password", "that is not your current password")),
            Err(error) => {
                state.throttle.abandoned(&state.db, attempt).await?;
                return Err(error);
            }
        }
    }
    let hash = state.hasher.hash(new).await?;
    let mut tx = state.db.write().await?;
    users::set_password_hash(&mut tx, actor.id, &hash, users::PasswordOrigin::Own).await?;
    // Everyone else signed in as this user must sign in again.
    for (id, _) in store::sessions::list_for_user(&mut tx, actor.id, crate::server::now_ms()).await? {
        if Some(id.as_str()) != current_session {
            store::sessions::delete(&mut tx, &id).await?;
        }
    }
    let entry = crate::server::services::guard::attempt(actor, "user.password", "user", actor.id);
    store::audit::insert(&mut tx, &entry, crate::server::now_ms()).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// Sets the actor's picture (an https URL of at most 500 characters), or
/// clears it (empty).
pub async fn set_avatar(state: &AppState, actor: &Actor, url: &str) -> Result<UserView, AppError> {
    crate::server::services::guard::require_session(actor, "change your profile")?;
    let url = url.trim();
    if !url.is_empty()
        && (!url.starts_with("https://") || url.len() > 500 || url.chars().any(|c| c.is_whitespace() || c == '"'))
    {
        return Err(AppError::invalid("avatar_url", "use an https:// address of a picture (at most 500 characters)"));
    }
    let mut tx = state.db.write().await?;
    users::set_avatar(&mut tx, actor.id, Some(url).filter(|u| !u.is_empty())).await?;
    let view = users::find_by_id(&mut tx, actor.id).await?.ok_or_else(AppError::sign_in_required)?.view();
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(view)
}

/// Leaves a team, unless that would leave no active global administrator.
pub async fn leave_team(state: &AppState, actor: &Actor, team: &str) -> Result<(), AppError> {
    crate::server::services::guard::require_session(actor, "leave teams")?;
    let key = crate::domain::TeamKey::parse(team).map_err(|_| AppError::not_found(format!("team {team}")))?;
    let entry = crate::server::services::guard::attempt(actor, "team.leave", "team", &key);
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        if !store::teams::remove_member(&mut tx, &key, actor.id).await? {
            return Err(AppError::not_found(format!("your membership of team {key}")));
        }
        // The team's version covers its members.
        store::versions::next(&mut tx, store::versions::Versioned::Team, key.as_str()).await?;
        crate::server::services::policies::keep_an_admin(&mut tx).await?;
        store::audit::insert(&mut tx, &entry, crate::server::now_ms()).await?;
        tx.commit([crate::authz::Change::MemberRemoved { team: key.clone(), user: actor.id }]).await?;
        Ok(())
    }
    .await;
    crate::server::services::guard::audited(state, entry, result).await
}

/// The actor's teams (with their team role) and pending invitations.
pub async fn memberships(
    state: &AppState,
    actor: &Actor,
) -> Result<(Vec<crate::domain::MembershipView>, Vec<crate::domain::InvitationView>), AppError> {
    let teams = {
        let mut conn = state.db.read().await?;
        store::teams::of_user(&mut conn, actor.id).await?
    };
    let invitations = crate::server::services::invitations::mine(state, actor).await?;
    let teams = teams.into_iter().map(|(team, team_role)| crate::domain::MembershipView { team, team_role }).collect();
    Ok((teams, invitations))
}
