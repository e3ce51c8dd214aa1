//! Domain types shared by the server and the browser. Each parses once and is
//! valid from then on.

mod email;
mod keys;
mod permission;
mod user;
mod version;
mod views;

pub use email::{Email, EmailError};
pub use keys::{KeyError, PolicyId, RoleKey, Scope, Subject, TeamKey, WorkspaceKey};
pub use permission::{BuiltinRole, Permission, PermissionSet, ScopeKind};
pub use user::{DashboardStats, DisplayName, DisplayNameError, SignedInUser, UserId, UserPage, UserStatus, UserView};
pub use version::{etag, Expected};
pub use views::{
    AccessExplanation, AuditEntryView, AuditPage, CreatedToken, EffectivePermission, GrantView, IdentityView,
    InvitationPage, InvitationPreview, InvitationView, MemberView, MembershipView, PeopleWithAccess, PermissionHolders,
    PersonAccess, PolicyChoices, PolicyListing, PolicyPage, PolicyView, RoleView, SessionView, SignInMethods,
    TeamDetail, TeamPage, TeamView, TokenView, UserDetail, WorkspaceDetail, WorkspacePage, WorkspaceView,
};
