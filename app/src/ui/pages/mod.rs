//! One module per page.

mod account;
mod audit;
mod dashboard;
mod explorer;
mod invitations;
mod invite;
mod login;
mod not_found;
mod policies;
mod roles;
mod teams;
mod tokens;
mod user_detail;
mod users;
mod workspace_detail;
mod workspaces;

pub use account::AccountPage;
pub use audit::AuditPage;
pub use dashboard::DashboardPage;
pub use explorer::ExplorerPage;
pub use invitations::InvitationsPage;
pub use invite::InvitePage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use policies::PoliciesPage;
pub use roles::RolesPage;
pub use teams::{TeamDetailPage, TeamsPage};
pub use user_detail::UserDetailPage;
pub use users::UsersPage;
pub use workspace_detail::WorkspaceDetailPage;
pub use workspaces::WorkspacesPage;
