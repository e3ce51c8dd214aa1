//! Accepting an invitation: what its link shows, signing up or in through
//! it, and answering one's own invitations. The access it confers is
//! checked against the inviter again at this moment.

use super::*;
use crate::server::caller::Actor;
use crate::server::Written;

/// The pending, unexpired invitation of `token`, or a 404/410 that says why not.
pub(crate) async fn usable(conn: &mut store::Conn, token: &str) -> Result<InvitationRow, AppError> {
    let row = store::invitations::find_by_token(conn, &token_hash(token))
        .await?
        .ok_or_else(|| AppError::not_found("this invitation link (it may have been replaced by a newer one)"))?;
    match status_at(&row, now_ms()) {
        "pending" => Ok(row),
        "expired" => Err(AppError::gone(
            "invitation_expired",
            format!("this invitation expired; ask {} for a new one", row.invited_by_email),
        )),
        "revoked" => Err(AppError::gone("invitation_revoked", "this invitation was withdrawn")),
        _ => Err(AppError::gone("invitation_used", "this invitation has already been used; sign in instead")),
    }
}

/// What the link's page shows. Anyone holding the link may see it.
pub async fn preview(state: &AppState, token: &str) -> Result<InvitationPreview, AppError> {
    let mut conn = state.db.read().await?;
    let row = usable(&mut conn, token).await?;
    let role = store::roles::find(&mut conn, &row.role).await?;
    let account_exists = store::users::find_by_email(&mut conn, &row.email).await?.is_some();
    Ok(InvitationPreview {
        email: row.email.to_string(),
        invited_by_email: row.invited_by_email.clone(),
        role_name: role.as_ref().map_or_else(|| row.role.to_string(), |r| r.name.clone()),
        permissions: role.map(|r| r.permissions.iter().collect()).unwrap_or_default(),
        role: row.role,
        workspace: row.workspace,
        team: row.team,
        expires_at: row.expires_at,
        account_exists,
        any_email: state.config.invite_any_email,
    })
}

/// Grants what `row` confers to `user` and marks it accepted, inside `tx`
/// (a writer's transaction, so the index is current). A grant the user
/// already has is kept, not doubled. The inviter must still hold what the
/// invitation confers: an invitation is never worth more than its inviter.
pub(crate) async fn grant(
    state: &AppState,
    tx: &mut store::Conn,
    row: &InvitationRow,
    user: &UserRow,
    proof: Proof,
) -> Result<Vec<Change>, AppError> {
    let now = now_ms();
    match proof {
        Proof::Link if row.email == user.email => store::users::mark_email_verified(tx, user.id, now).await?,
        Proof::Link => {}
        Proof::Account if user.email_verified_at.is_some() => {}
        Proof::Account => {
            return Err(AppError::forbidden(
                "email_unverified",
                format!("open the link in the invitation mail to accept: it proves {} is yours", row.email),
            ))
        }
    }
    let inviter_holds = row.invited_by.is_some_and(|inviter| {
        let index = state.access.read();
        beyond(
            &index,
            Holder { user: &inviter, token: None },
            &invitation_grants(&index, &row.role, &row.scope(), row.team.as_ref()),
        )
        .is_empty()
    });
    if !inviter_holds {
        return Err(AppError::conflict(
            "inviter_lacks_access",
            format!(
                "{} no longer holds the access this invitation grants: ask an administrator for a new invitation",
                row.invited_by_email
            ),
        ));
    }
    // A role deleted while the invitation was being made (on Postgres the
    // two need not be ordered).
    if store::roles::find(tx, &row.role).await?.is_none() {
        return Err(AppError::conflict(
            "role_gone",
            format!("the role {} of this invitation no longer exists: ask for a new invitation", row.role),
        ));
    }
    if !store::invitations::finish(tx, row.id, "accepted", Some(user.id), now).await? {
        return Err(AppError::gone("invitation_used", "this invitation has already been used; sign in instead"));
    }
    let mut changes = Vec::new();
    let scope = row.workspace.clone().map_or(Scope::Global, Scope::Workspace);
    let subject = Subject::User(user.id);
    let existing = store::policies::list(
        tx,
        &PolicyFilter {
            user: Some(user.id),
            role: Some(row.role.clone()),
            workspace: row.workspace.clone(),
            ..PolicyFilter::default()
        },
        None,
        i64::MAX,
    )
    .await?;
    if !existing.iter().any(|p| p.scope == scope) {
        let policy = store::policies::insert(tx, &subject, &row.role, &scope, now).await?;
        changes.push(Change::PolicyAdded(policy.fact()));
    }
    if let Some(team) = &row.team {
        if store::teams::role_of(tx, team, user.id).await?.is_none() {
            store::teams::upsert_member(tx, team, user.id, "member", now).await?;
            // The team's version covers its members.
            store::versions::next(tx, store::versions::Versioned::Team, team.as_str()).await?;
            changes.push(Change::MemberAdded { team: team.clone(), user: user.id });
        }
    }
    let entry = store::audit::NewAuditEntry {
        actor_id: Some(user.id.to_string()),
        actor_email: Some(user.email.to_string()),
        action: "invitation.accept".into(),
        target_type: Some("invitation".into()),
        target_id: Some(row.id.to_string()),
        workspace: row.workspace.as_ref().map(ToString::to_string),
        after: serde_json::to_value(serde_json::json!({
            "role": row.role, "workspace": row.workspace, "team": row.team
        }))
        .ok(),
        ..Default::default()
    };
    audit::insert(tx, &entry, now).await?;
    Ok(changes)
}

/// Signs up with a password through an invitation (as
/// [`accept_with_password`]) and signs the session in from `device`.
pub async fn join_with_password(
    state: &AppState,
    session: &crate::server::sessions::AuthSession,
    token: &str,
    name: &str,
    password: SecretString,
    device: crate::server::sessions::SignInDevice,
) -> Result<crate::domain::UserView, AppError> {
    let user = accept_with_password(state, token, name, password).await?;
    session.sign_in(user.id, device, state.clock.now_ms()).await?;
    Ok(user.view())
}

/// Signs up with a password through an invitation: creates the account of
/// the invited email, grants the access and marks the invitation accepted,
/// in one transaction. An existing account must sign in and accept instead.
pub async fn accept_with_password(
    state: &AppState,
    token: &str,
    name: &str,
    password: SecretString,
) -> Result<UserRow, AppError> {
    let name = DisplayName::parse(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
    check_strength(password.expose_secret()).map_err(|m| AppError::invalid("password", m))?;
    {
        let mut conn = state.db.read().await?;
        let row = usable(&mut conn, token).await?;
        if store::users::find_by_email(&mut conn, &row.email).await?.is_some() {
            return Err(AppError::conflict(
                "account_exists",
                format!("{} already has an account: sign in, then open the link again", row.email),
            ));
        }
    }
    let password_hash = state.hasher.hash(password).await?;
    let mut tx = state.access.begin_write(&state.db).await?;
    let row = usable(&mut tx, token).await?;
    let email_text = row.email.to_string();
    let user = store::users::insert(
        &mut tx,
        NewUser {
            email: row.email.clone(),
            name,
            password: Some((password_hash, store::users::PasswordOrigin::Own)),
            // The link came by mail: whoever holds it holds the mailbox.
            email_verified: true,
        },
        now_ms(),
    )
    .await
    .map_err(|e| {
        e.conflict_on("users", "email", "account_exists", || {
            format!("{email_text} already has an account: sign in, then open the link again")
        })
    })?;
    let mut changes = vec![Change::UserSet { user: user.id, active: true }];
    changes.extend(grant(state, &mut tx, &row, &user, Proof::Link).await?);
    tx.commit(changes).await?;
    Ok(user)
}

/// The signed-in user accepts an invitation of their own email.
pub async fn accept_signed_in(state: &AppState, actor: &Actor, token: &str) -> Result<Written<()>, AppError> {
    require_session(actor, "accept invitations")?;
    let mut tx = state.access.begin_write(&state.db).await?;
    let row = match usable(&mut tx, token).await {
        // Accepting twice is not an error for the one who accepted.
        Err(AppError::Gone { code, .. }) if code == "invitation_used" => {
            let row = store::invitations::find_by_token(&mut tx, &token_hash(token)).await?;
            if row.is_some_and(|r| r.accepted_by == Some(actor.id)) {
                return Ok(Written::unchanged(state, ()));
            }
            return Err(AppError::gone("invitation_used", "this invitation has already been used"));
        }
        other => other?,
    };
    if row.email != actor.email && !state.config.invite_any_email {
        return Err(AppError::forbidden(
            "wrong_email",
            format!(
                "this invitation is for {}, and you are signed in as {}: sign out and sign in as {}",
                row.email, actor.email, row.email
            ),
        ));
    }
    let changes = grant(state, &mut tx, &row, actor, Proof::Link).await?;
    let revision = tx.commit(changes).await?;
    Ok(Written::new((), revision))
}

/// The actor's own pending invitations (to their email).
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<InvitationView>, AppError> {
    require_session(actor, "list your invitations")?;
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let filter = InvitationFilter { query: actor.email.to_string(), status: Some(InvitationStatus::Pending) };
    let rows = store::invitations::list(&mut conn, &filter, now, None, 100).await?;
    Ok(rows.iter().filter(|r| r.email == actor.email).map(|r| view(r, None, now)).collect())
}

/// Accepts (`accept`) or declines one of the actor's own pending invitations.
pub async fn answer_own(state: &AppState, actor: &Actor, id: uuid::Uuid, accept: bool) -> Result<(), AppError> {
    require_session(actor, "answer invitations")?;
    let action = if accept { "invitation.accept" } else { "invitation.decline" };
    let entry = attempt(actor, action, "invitation", id);
    let result = async {
        let mut tx = state.access.begin_write(&state.db).await?;
        let row = load(&mut tx, id).await?;
        if row.email != actor.email {
            return Err(AppError::not_found(format!("invitation {id}")));
        }
        match status_at(&row, now_ms()) {
            "pending" => {}
            "expired" => return Err(AppError::gone("invitation_expired", "this invitation has expired")),
            other => return Err(AppError::gone("invitation_used", format!("this invitation is {other}"))),
        }
        let changes = if accept {
            grant(state, &mut tx, &row, actor, Proof::Account).await?
        } else {
            // Declining kills the invitee's link: only the proven owner may.
            if actor.email_verified_at.is_none() {
                return Err(AppError::forbidden(
                    "email_unverified",
                    format!("open the link in the invitation mail to answer it: it proves {} is yours", row.email),
                ));
            }
            store::invitations::finish(&mut tx, id, "revoked", None, now_ms()).await?;
            audit::insert(&mut tx, &entry, now_ms()).await?;
            Vec::new()
        };
        tx.commit(changes).await?;
        Ok(())
    }
    .await;
    audited(state, entry, result).await
}
