//! Signing in (and up) with an identity a provider vouches for: a known
//! identity signs in as its user; a verified email of an existing user links
//! to it; anyone else may join only with an invitation of that email, as a
//! seed admin, or when the sign-up mode lets them.

use crate::{
    authz::Change,
    domain::{DisplayName, Email, RoleKey, Scope, Subject, UserStatus, WorkspaceKey},
    error::AppError,
    server::{
        caller::Actor,
        config::SignupMode,
        now_ms,
        oauth::VerifiedIdentity,
        services::invitations::{grant, usable, Proof},
        store::{
            self,
            audit::{self, NewAuditEntry},
            invitations::InvitationRow,
            users::{NewUser, PasswordOrigin, UserRow},
            StoreError,
        },
        AppState,
    },
};

fn wrong_email(invitation: &InvitationRow, email: &Email, provider: &str) -> AppError {
    AppError::forbidden(
        "wrong_email",
        format!(
            "this invitation is for {}, but {provider} signed you in as {email}: sign in with the invited address",
            invitation.email
        ),
    )
}

fn usable_account(user: UserRow) -> Result<UserRow, AppError> {
    if user.kind == "service" {
        return Err(AppError::forbidden("service_account", "a service account cannot sign in: it uses API tokens"));
    }
    if user.status == UserStatus::Disabled {
        return Err(AppError::forbidden("account_disabled", "this account is disabled: ask an administrator"));
    }
    Ok(user)
}

fn entry(user: &UserRow, action: &str, reason: String) -> NewAuditEntry {
    let mut entry = crate::server::services::guard::attempt(user, action, "user", user.id);
    entry.reason = Some(reason);
    entry
}

/// The user `identity` signs in as, created or linked as needed; an
/// invitation (`invite` token) is accepted on the way. One transaction.
pub async fn sign_in(state: &AppState, identity: &VerifiedIdentity, invite: Option<&str>) -> Result<UserRow, AppError> {
    let provider = identity.provider.as_str();
    let label = identity.provider.label();
    let email = Email::parse(&identity.email)
        .map_err(|_| AppError::forbidden("oauth_refused", format!("{label} gave an unusable email address")))?;
    let mut tx = state.access.begin_write(&state.db).await?;
    let invitation = match invite.filter(|t| !t.is_empty()) {
        Some(token) => Some(usable(&mut tx, token).await?),
        None => None,
    };
    let any_email = state.config.invite_any_email;
    if let Some(invitation) = &invitation {
        if invitation.email != email && !any_email {
            return Err(wrong_email(invitation, &email, label));
        }
    }
    let now = now_ms();
    let mut changes = Vec::new();
    let known = store::users::find_by_identity(&mut tx, provider, &identity.subject).await?;
    let mut user = match known {
        Some(user) => usable_account(user)?,
        None => match store::users::find_by_email(&mut tx, &email).await? {
            // The provider vouches for this verified email: the same person.
            // A password someone else chose for this account is discarded
            // (and the sessions it opened end): its creator must not keep a
            // way into the mailbox owner's account (the pre-hijack of
            // Auth0's and Keycloak's account-linking guidance).
            Some(mut user) => {
                user = usable_account(user)?;
                store::users::insert_identity(&mut tx, provider, &identity.subject, user.id, email.as_str(), now)
                    .await?;
                let mut reason = format!("linked {label} on sign-in");
                if user.password_set_by == Some(PasswordOrigin::Admin) {
                    store::users::clear_password(&mut tx, user.id).await?;
                    store::sessions::delete_for_user(&mut tx, user.id).await?;
                    user.password_hash = None;
                    user.password_set_by = None;
                    reason.push_str("; the password an administrator had set was discarded and its sessions ended");
                }
                audit::insert(&mut tx, &entry(&user, "identity.link", reason), now).await?;
                user
            }
            None => {
                let (user, joined) = join(state, &mut tx, identity, &email, invitation.is_some()).await?;
                changes.extend(joined);
                user
            }
        },
    };
    // The provider vouched for this email.
    if user.email == email && user.email_verified_at.is_none() {
        store::users::mark_email_verified(&mut tx, user.id, now).await?;
        user.email_verified_at = Some(now);
    }
    if let Some(invitation) = &invitation {
        if invitation.email != user.email && !any_email {
            return Err(wrong_email(invitation, &user.email, label));
        }
        changes.extend(grant(state, &mut tx, invitation, &user, Proof::Link).await?);
    }
    tx.commit(changes).await?;
    Ok(user)
}

/// Creates the account of someone new, if they may join.
async fn join(
    state: &AppState,
    tx: &mut store::Conn,
    identity: &VerifiedIdentity,
    email: &Email,
    invited: bool,
) -> Result<(UserRow, Vec<Change>), AppError> {
    let signup = &state.config.signup;
    let seed_admin = signup.seed_admins.contains(email);
    let domain = email.as_str().rsplit_once('@').map(|(_, d)| d.to_lowercase()).unwrap_or_default();
    let allowed = invited
        || seed_admin
        || match signup.mode {
            SignupMode::Open => true,
            SignupMode::Domains => signup.domains.contains(&domain),
            SignupMode::InviteOnly => false,
        };
    if !allowed {
        return Err(AppError::forbidden(
            "signup_closed",
            format!("Portcullis is by invitation only here: ask an administrator to invite {email}"),
        ));
    }
    let name = identity
        .name
        .as_deref()
        .and_then(|n| DisplayName::parse(n).ok())
        .or_else(|| DisplayName::parse(email.as_str().split('@').next().unwrap_or("member")).ok())
        .unwrap_or_else(|| DisplayName::parse("Member").expect("a valid name"));
    let now = now_ms();
    let user =
        store::users::insert(tx, NewUser { email: email.clone(), name, password: None, email_verified: true }, now)
            .await?;
    store::users::insert_identity(tx, identity.provider.as_str(), &identity.subject, user.id, email.as_str(), now)
        .await?;
    let how = if invited {
        "by invitation"
    } else if seed_admin {
        "as a seed admin"
    } else {
        "by the sign-up mode"
    };
    let reason = format!("joined with {} {how}", identity.provider.label());
    let mut created = entry(&user, "user.create", reason);
    created.after = serde_json::to_value(user.view()).ok();
    audit::insert(tx, &created, now).await?;
    let mut changes = vec![Change::UserSet { user: user.id, active: true }];
    // What someone gets without an invitation: admin for seed admins, else
    // the configured default (nothing unless configured).
    let grant = if seed_admin {
        Some((RoleKey::parse(crate::domain::catalog::ADMIN_ROLE).expect("a valid key"), Scope::Global))
    } else if !invited {
        match &signup.default_role {
            Some(role) => {
                let role = RoleKey::parse(role).map_err(|e| AppError::invalid("default_role", e.to_string()))?;
                let scope = match &signup.default_workspace {
                    Some(ws) => Scope::Workspace(
                        WorkspaceKey::parse(ws).map_err(|e| AppError::invalid("default_workspace", e.to_string()))?,
                    ),
                    None => Scope::Global,
                };
                Some((role, scope))
            }
            None => None,
        }
    } else {
        None
    };
    if let Some((role, scope)) = grant {
        let policy = store::policies::insert(tx, &Subject::User(user.id), &role, &scope, now).await?;
        changes.push(Change::PolicyAdded(policy.fact()));
    }
    Ok((user, changes))
}

/// Links a provider's account to the signed-in `user` (from My account).
/// An account already linked to someone else stays theirs.
pub async fn link(state: &AppState, user: &Actor, identity: &VerifiedIdentity) -> Result<(), AppError> {
    crate::server::services::guard::require_session(user, "link sign-in methods")?;
    let provider = identity.provider.as_str();
    let mut tx = state.db.write().await?;
    match store::users::find_by_identity(&mut tx, provider, &identity.subject).await? {
        Some(owner) if owner.id == user.id => return Ok(()),
        Some(_) => {
            return Err(AppError::conflict(
                "identity_taken",
                format!("this {} account already signs in as someone else", identity.provider.label()),
            ))
        }
        None => {}
    }
    if store::users::identities_of(&mut tx, user.id).await?.iter().any(|(p, _, _)| p == provider) {
        return Err(AppError::conflict(
            "identity_taken",
            format!("you already have a {} account linked: unlink it first", identity.provider.label()),
        ));
    }
    let now = now_ms();
    store::users::insert_identity(&mut tx, provider, &identity.subject, user.id, &identity.email, now).await?;
    audit::insert(
        &mut tx,
        &entry(user, "identity.link", format!("linked {} from My account", identity.provider.label())),
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
