//! Invitations: an administrator invites emails with a role, a scope and a
//! team; the invitee follows the link and lands with exactly that access.
//! Tokens are random and single-use; only their hash is stored.

use crate::server::caller::Actor;
use secrecy::{ExposeSecret, SecretString};

use crate::{
    authz::{beyond, Change, Holder},
    domain::{
        DisplayName, InvitationPreview, InvitationView, Permission, RoleKey, Scope, Subject, TeamKey, WorkspaceKey,
    },
    error::AppError,
    server::{
        now_ms,
        password::check_strength,
        services::{
            escalation::{forbid_escalation, invitation_grants},
            guard::{attempt, audited, require, require_session},
            workspaces,
        },
        store::{
            self, audit,
            invitations::{InvitationFilter, InvitationRow, InvitationStatus, OutboxRow},
            policies::PolicyFilter,
            users::{NewUser, UserRow},
            StoreError,
        },
        AppState,
    },
};

mod accept;
mod emails;

pub use accept::{accept_signed_in, accept_with_password, answer_own, join_with_password, mine, preview};
pub(crate) use accept::{grant, usable};
pub use emails::{parse_emails, MAX_BATCH};

/// What an administrator asks for.
#[derive(Clone, Debug, Default)]
pub struct InviteInput {
    /// Emails, one per line or separated by commas, or a CSV whose first
    /// column (or column named `email`) holds them.
    pub emails: String,
    pub role: String,
    pub workspace: Option<String>,
    pub team: Option<String>,
}

/// A new random token: 32 bytes, hex.
fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored of a token.
pub fn token_hash(token: &str) -> String {
    crate::server::secrets::sha256_hex(token)
}

fn link(state: &AppState, token: &str) -> String {
    format!("{}/invite/{token}", state.config.base_url)
}

/// The line of an invitation mail that carries the link.
const LINK_LINE: &str = "Open this link to join: ";

fn status_at(row: &InvitationRow, now: i64) -> &str {
    if row.status == "pending" && row.expires_at < now {
        "expired"
    } else {
        &row.status
    }
}

fn view(row: &InvitationRow, mail: Option<&OutboxRow>, now: i64) -> InvitationView {
    let pending = status_at(row, now) == "pending";
    let link = mail
        .filter(|m| pending && m.status != "sent")
        .and_then(|m| m.body.lines().find_map(|l| l.strip_prefix(LINK_LINE)).map(str::to_owned));
    InvitationView {
        id: row.id,
        email: row.email.to_string(),
        role: row.role.clone(),
        workspace: row.workspace.clone(),
        team: row.team.clone(),
        status: status_at(row, now).to_owned(),
        invited_by_email: row.invited_by_email.clone(),
        created_at: row.created_at,
        expires_at: row.expires_at,
        finished_at: row.finished_at,
        mail_status: mail.map(|m| m.status.clone()),
        mail_error: mail.and_then(|m| m.last_error.clone()),
        link,
    }
}

fn describe_access(role_name: &str, workspace: Option<&WorkspaceKey>, team: Option<&TeamKey>) -> String {
    let scope = workspace.map_or_else(|| "everywhere".to_owned(), |w| format!("in the workspace {w}"));
    let team = team.map(|t| format!(", in the team {t}")).unwrap_or_default();
    format!("{role_name} {scope}{team}")
}

/// Writes the invitee's mail (with the link) and the inviter's confirmation.
async fn queue_mails(
    state: &AppState,
    tx: &mut store::Conn,
    row: &InvitationRow,
    role_name: &str,
    token: &str,
    inviter_email: &str,
) -> Result<(), AppError> {
    let access = describe_access(role_name, row.workspace.as_ref(), row.team.as_ref());
    let expires = crate::domain::dates::format_timestamp(row.expires_at);
    let body = format!(
        "Hello,\n\n{inviter_email} invited you to Portcullis as {access}.\n\n{LINK_LINE}{}\n\n\
         The link works once, until {expires} (UTC). If you did not expect this, ignore this mail.\n",
        link(state, token)
    );
    let now = now_ms();
    store::invitations::queue_mail(tx, row.email.as_str(), "You are invited to Portcullis", &body, Some(row.id), now)
        .await?;
    let confirmation =
        format!("You invited {} to Portcullis as {access}. The link works until {expires} (UTC).\n", row.email);
    store::invitations::queue_mail(
        tx,
        inviter_email,
        &format!("Invitation sent to {}", row.email),
        &confirmation,
        Some(row.id),
        now,
    )
    .await?;
    Ok(())
}

/// Invites each email (a pending invitation of the same email is resent).
/// The inviter must hold `invite:manage` and everything the invitation confers.
pub async fn invite(state: &AppState, actor: &Actor, input: InviteInput) -> Result<Vec<InvitationView>, AppError> {
    let mut entry = attempt(actor, "invitation.create", "invitation", "");
    entry.workspace = input.workspace.clone().filter(|w| !w.trim().is_empty());
    let result = async {
        require(state, actor, Permission::InviteManage, None)?;
        let emails = parse_emails(&input.emails)?;
        let role_key = RoleKey::parse(input.role.trim()).map_err(|_| AppError::invalid("role", "pick a role"))?;
        let workspace = match input.workspace.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            Some(key) => Some(WorkspaceKey::parse(key).map_err(|e| AppError::invalid("workspace", e.to_string()))?),
            None => None,
        };
        let team = crate::domain::optional_key("team", input.team.as_deref(), TeamKey::parse)?;
        let scope = workspace.clone().map_or(Scope::Global, Scope::Workspace);
        let mut tx = state.db.write().await?;
        let role = store::roles::find(&mut tx, &role_key)
            .await?
            .ok_or_else(|| AppError::unknown("role", format!("there is no role {role_key}")))?;
        workspaces::must_exist(&mut tx, workspace.as_ref()).await?;
        if let Some(team) = &team {
            if !store::teams::exists(&mut tx, team).await? {
                return Err(AppError::unknown("team", format!("there is no team {team}")));
            }
        }
        // No escalation: the invitation confers the role at its scope, and
        // the team's policies.
        let grants = invitation_grants(&state.access.read(), &role_key, &scope, team.as_ref());
        forbid_escalation(state, actor.holder(), &grants)?;
        let now = now_ms();
        let expires_at = now + i64::try_from(state.config.invite_expiry.as_millis()).unwrap_or(i64::MAX / 2);
        let mut created = Vec::with_capacity(emails.len());
        for email in emails {
            let token = new_token();
            let pending = store::invitations::find_pending_for(&mut tx, &email).await?;
            let row = match pending {
                // Inviting again with the same access resends: same
                // invitation, new link, old one dead, the actor its inviter.
                Some(mut existing)
                    if existing.role == role_key && existing.workspace == workspace && existing.team == team =>
                {
                    store::invitations::renew(
                        &mut tx,
                        existing.id,
                        &token_hash(&token),
                        expires_at,
                        (actor.id, actor.email.as_str()),
                    )
                    .await?;
                    existing.expires_at = expires_at;
                    existing.invited_by = Some(actor.id);
                    existing.invited_by_email = actor.email.to_string();
                    existing
                }
                // Other access: never swapped silently (a viewer invitation
                // must not renew an admin one), unless the old one expired.
                Some(existing) if existing.expires_at >= now => {
                    return Err(AppError::conflict(
                        "invitation_pending",
                        format!(
                            "{email} already has a pending invitation ({}) as {} {}: revoke it first to invite them with other access",
                            existing.id,
                            existing.role,
                            existing.workspace.as_ref().map_or_else(|| "globally".to_owned(), |w| format!("in {w}")),
                        ),
                    ));
                }
                pending => {
                    if let Some(expired) = pending {
                        store::invitations::finish(&mut tx, expired.id, "revoked", None, now).await?;
                    }
                    let row = InvitationRow {
                        id: uuid::Uuid::new_v4(),
                        email,
                        role: role_key.clone(),
                        workspace: workspace.clone(),
                        team: team.clone(),
                        status: "pending".into(),
                        invited_by: Some(actor.id),
                        invited_by_email: actor.email.to_string(),
                        created_at: now,
                        expires_at,
                        accepted_by: None,
                        finished_at: None,
                    };
                    // Another request may have invited the same email a moment ago.
                    store::invitations::insert(&mut tx, &row, &token_hash(&token)).await.map_err(|e| {
                        e.conflict_on("invitations", "email", "invitation_pending", || {
                            format!("{} was invited by someone else a moment ago: reload to see it", row.email)
                        })
                    })?;
                    row
                }
            };
            queue_mails(state, &mut tx, &row, &role.name, &token, actor.email.as_str()).await?;
            let mut success = entry.clone();
            success.target_id = Some(row.id.to_string());
            success.after = serde_json::to_value(serde_json::json!({
                "email": row.email, "role": row.role, "workspace": row.workspace, "team": row.team,
                "expires_at": row.expires_at,
            }))
            .ok();
            audit::insert(&mut tx, &success, now).await?;
            created.push(row);
        }
        let mut views = Vec::with_capacity(created.len());
        for row in &created {
            let mail = store::invitations::mail_of(&mut tx, row.id).await?;
            let invitee_mail = mail.iter().find(|m| m.to_address == row.email.as_str());
            views.push(view(row, invitee_mail, now));
        }
        tx.commit().await.map_err(StoreError::from)?;
        state.outbox.notify_one();
        Ok(views)
    }
    .await;
    audited(state, entry, result).await
}

/// What `row` confers (see [`invitation_grants`]).
fn grants_of(state: &AppState, row: &InvitationRow) -> Vec<crate::authz::Binding> {
    invitation_grants(&state.access.read(), &row.role, &row.scope(), row.team.as_ref())
}

/// How the person accepting proved they own the invited mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Proof {
    /// They hold the link that was mailed to it (or a provider vouched for it).
    Link,
    /// Only their account: accepted when its email was proven before.
    Account,
}

async fn load(conn: &mut store::Conn, id: uuid::Uuid) -> Result<InvitationRow, AppError> {
    store::invitations::find(conn, id).await?.ok_or_else(|| AppError::not_found(format!("invitation {id}")))
}

/// A new link for a pending invitation, mailed again; the old link dies.
/// Failed mails of it are retried too.
pub async fn resend(state: &AppState, actor: &Actor, id: uuid::Uuid) -> Result<InvitationView, AppError> {
    let entry = attempt(actor, "invitation.resend", "invitation", id);
    let result = async {
        require(state, actor, Permission::InviteManage, None)?;
        let mut tx = state.db.write().await?;
        let mut row = load(&mut tx, id).await?;
        if row.status != "pending" {
            return Err(AppError::conflict("invitation_finished", format!("this invitation is {}", row.status)));
        }
        let role = store::roles::find(&mut tx, &row.role)
            .await?
            .ok_or_else(|| AppError::conflict("role_gone", format!("the role {} no longer exists", row.role)))?;
        // A new link is as good as a new invitation: only for one who could make it.
        forbid_escalation(state, actor.holder(), &grants_of(state, &row))?;
        let now = now_ms();
        let token = new_token();
        row.expires_at = now + i64::try_from(state.config.invite_expiry.as_millis()).unwrap_or(i64::MAX / 2);
        store::invitations::renew(&mut tx, id, &token_hash(&token), row.expires_at, (actor.id, actor.email.as_str()))
            .await?;
        row.invited_by = Some(actor.id);
        row.invited_by_email = actor.email.to_string();
        store::invitations::retry_failed(&mut tx, id, now).await?;
        queue_mails(state, &mut tx, &row, &role.name, &token, actor.email.as_str()).await?;
        audit::insert(&mut tx, &entry, now).await?;
        let mail = store::invitations::mail_of(&mut tx, id).await?;
        let invitee_mail = mail.iter().find(|m| m.to_address == row.email.as_str());
        let updated = view(&row, invitee_mail, now);
        tx.commit().await.map_err(StoreError::from)?;
        state.outbox.notify_one();
        Ok(updated)
    }
    .await;
    audited(state, entry, result).await
}

/// Kills a pending invitation's link.
pub async fn revoke(state: &AppState, actor: &Actor, id: uuid::Uuid) -> Result<(), AppError> {
    let entry = attempt(actor, "invitation.revoke", "invitation", id);
    let result = async {
        require(state, actor, Permission::InviteManage, None)?;
        let mut tx = state.db.write().await?;
        let row = load(&mut tx, id).await?;
        if !store::invitations::finish(&mut tx, id, "revoked", None, now_ms()).await? {
            return Err(AppError::conflict("invitation_finished", format!("this invitation is {}", row.status)));
        }
        let mut success = entry.clone();
        success.before = serde_json::to_value(serde_json::json!({ "email": row.email, "status": row.status })).ok();
        audit::insert(&mut tx, &success, now_ms()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
    .await;
    audited(state, entry, result).await
}

/// Invitations, newest first, with the state of their mail.
/// The list's filter as both edges send it: part of the email, and a
/// status (blank: any).
fn filter(q: Option<&str>, status: Option<&str>) -> Result<InvitationFilter, AppError> {
    Ok(InvitationFilter {
        query: q.unwrap_or_default().to_owned(),
        status: crate::domain::non_blank(status)
            .map(str::parse)
            .transpose()
            .map_err(|m: &str| AppError::invalid("status", m))?,
    })
}

/// A page of them (`q`: part of the email; `status`: blank for any).
pub async fn page(
    state: &AppState,
    actor: &Actor,
    status: Option<&str>,
    list: &crate::domain::ListParams,
    default_limit: i64,
) -> Result<crate::domain::Page<InvitationView>, AppError> {
    let limit = list.limit(default_limit)?;
    let filter = filter(list.q.as_deref(), status)?;
    require(state, actor, Permission::InviteManage, None)?;
    // The document lets the cursor be empty: the first page.
    let after = crate::domain::ListParams::at(list.cursor.clone()).cursor_as::<uuid::Uuid>()?;
    let items = of_page(state, actor, filter, after, limit).await?;
    Ok(crate::domain::Page::of(items, limit, |i| i.id.to_string()))
}

async fn of_page(
    state: &AppState,
    actor: &Actor,
    filter: InvitationFilter,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<InvitationView>, AppError> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let rows = store::invitations::list(&mut conn, &filter, now, after, limit).await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let mails = store::invitations::latest_mail_of(&mut conn, &ids).await?;
    let index = state.access.read();
    Ok(rows
        .iter()
        .map(|row| {
            let mut shown = view(row, mails.iter().find(|m| m.invitation_id == Some(row.id)), now);
            // A working link is a way in: shown only to one who could make the invitation.
            let grants = invitation_grants(&index, &row.role, &row.scope(), row.team.as_ref());
            if !beyond(&index, actor.holder(), &grants).is_empty() {
                shown.link = None;
            }
            shown
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), token_hash(&format!(" {a} ")));
        assert_ne!(token_hash(&a), a);
    }
}
