//! One module per page.

mod account;
mod dashboard;
mod login;
mod not_found;

pub use account::AccountPage;
pub use dashboard::DashboardPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
