//! One module per page.

mod account;
mod audit;
mod dashboard;
mod login;
mod not_found;
mod policies;
mod roles;
mod user_detail;
mod users;
mod workspaces;

pub use account::AccountPage;
pub use audit::AuditPage;
pub use dashboard::DashboardPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use policies::PoliciesPage;
pub use roles::RolesPage;
pub use user_detail::UserDetailPage;
pub use users::UsersPage;
pub use workspaces::WorkspacesPage;
