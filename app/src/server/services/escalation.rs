//! The one escalation check every path that confers or takes away access
//! calls ([`crate::authz::escalation`] decides; this turns its verdict into
//! a 403). Each path says what it confers, or takes away, as bindings.
//!
//! Paths that confer access, and what they check with [`forbid_escalation`]:
//! - `policies::create`: the role at the policy's scope (users, teams and
//!   service accounts alike).
//! - `roles::create`, `roles::update`: the role's permissions globally
//!   (whoever edits a role can hand all of it out through its policies).
//! - `teams::put_member`: the team's policies.
//! - `invitations::invite` (create and re-invite), `invitations::resend`,
//!   `invitations::list` (a link is shown only to those who could create
//!   the invitation now): [`invitation_grants`].
//! - `invitations::grant` (every acceptance: link with a password, link
//!   signed in, My account, GitHub/Google): the inviter must still hold
//!   [`invitation_grants`]; acceptance without the link needs a proven email.
//! - `service_accounts::create_token`: what the token would confer (the
//!   account's bindings narrowed by the token's limits).
//! - `people::update` enabling a user: everything the user's policies confer.
//! - `people::set_one_time_password`: the same (whoever knows an account's
//!   password can act as it); never one's own, never a service account.
//! - `people::create`: refused while an invitation for the email is pending
//!   (the creator would choose the password of the invitee's account); its
//!   `grants` (initial policies) as `policies::create`, all of them at once.
//! - `tokens::create_for`: a catalog token scope's `requires` permission,
//!   held by the owner where the token reaches (beside the token's limits,
//!   which never exceed the owner).
//! - `catalog::reconcile` and `catalog migrate`: a changed catalog only ever
//!   takes away (renames keep, removals drop, a dropped built-in role in use
//!   becomes a custom role with what it had, tokens whose scope is gone are
//!   revoked); it is the operator's file, and start-up refuses a change
//!   that takes access until `catalog migrate` shows and audits it.
//! - `identities::sign_in` linking a provider to an existing account by
//!   email: a password someone else set is discarded (see there).
//!
//! Paths that take access away, and what they check with [`forbid_removal`]:
//! - `policies::delete`: `policy:manage` at the policy's scope.
//! - `teams::remove_member`, `teams::delete`: the team's policies.
//! - `people::update` disabling, `people::delete`: the user's policies.
//! - `workspaces::delete`: the workspace's policies.
//! - `roles::update` removing permissions from a role in use: the removed
//!   permissions, globally.
//!
//! Sign-up by the configured mode and seed admins are the operator's
//! decisions (configuration), not a delegated path.

use crate::{
    authz::{beyond, escalation::describe, not_removable, AccessIndex, Binding, Holder},
    domain::{Scope, TeamKey},
    error::AppError,
    server::AppState,
};

/// A 403 `escalation` unless `actor` holds everything in `wanted`.
pub fn forbid_escalation(state: &AppState, actor: Holder<'_>, wanted: &[Binding]) -> Result<(), AppError> {
    let missing = beyond(&state.access.read(), actor, wanted);
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::forbidden("escalation", format!("you cannot grant what you do not hold: {}", describe(&missing))))
}

/// A 403 `escalation` unless `actor` may take away everything in `taken`:
/// they hold it, or `policy:manage` where it is.
pub fn forbid_removal(state: &AppState, actor: Holder<'_>, taken: &[Binding]) -> Result<(), AppError> {
    let kept = not_removable(&state.access.read(), actor, taken);
    if kept.is_empty() {
        return Ok(());
    }
    Err(AppError::forbidden(
        "escalation",
        format!(
            "you cannot take away what you could not grant (you need these, or policy:manage where they are): {}",
            describe(&kept)
        ),
    ))
}

/// What an invitation confers: its role at its scope, and its team's policies.
pub fn invitation_grants(
    index: &AccessIndex,
    role: &crate::domain::RoleKey,
    scope: &Scope,
    team: Option<&TeamKey>,
) -> Vec<Binding> {
    let mut grants = vec![Binding::of_role(index.role_permissions(role).unwrap_or_default(), scope.clone())];
    if let Some(team) = team {
        grants.extend(index.bindings_of_team(team));
    }
    grants
}
