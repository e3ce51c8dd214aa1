//! Domain types shared by the server and the browser. Each parses once and is
//! valid from then on.

pub mod catalog;
pub mod dates;
pub mod device;
mod email;
mod keys;
mod page;
pub mod permission;
mod user;
mod version;
mod views;

pub use email::{Email, EmailError};
pub use keys::{
    optional_key, Identifier, InvitationId, KeyError, PolicyId, RoleKey, Scope, Subject, TeamKey, TokenId, WorkspaceKey,
};
pub use page::{parse_order, ListParams, ListQuery, NamedOrder, Page, MAX_LIMIT};
pub use permission::{Permission, PermissionSet, ScopeKind};
pub use user::{DashboardStats, DisplayName, DisplayNameError, SignedInUser, UserId, UserStatus, UserView};
pub use version::{etag, Expected};
pub use views::{
    AccessExplanation, Attention, AuditEntryView, AuditPage, CreatedToken, EffectivePermission, GrantView,
    IdentityView, InvitationPage, InvitationPreview, InvitationView, Jump, Listed, MemberView, MembershipView, Outcome,
    PeopleWithAccess, PermissionHolders, PersonAccess, PolicyChoices, PolicyListing, PolicyView, RoleView, SessionView,
    SignInMethods, TeamDetail, TeamView, TokenView, UserDetail, WorkspaceDetail, WorkspaceView,
};

/// Whether a save form makes a new thing or edits one (`create`, `update`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaveMode {
    Create,
    Update,
}

/// A request's text field, trimmed, when it says anything: a form sends
/// its empty fields, and blank filters nothing.
pub fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// What a person typed, trimmed: `empty` when nothing is left, `too_long`
/// over `max` characters.
fn trimmed_within<E>(input: &str, max: usize, empty: E, too_long: E) -> Result<&str, E> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        Err(empty)
    } else if trimmed.chars().count() > max {
        Err(too_long)
    } else {
        Ok(trimmed)
    }
}
