//! Domain types shared by the server and the browser. Each parses once and is
//! valid from then on.

mod email;
mod user;

pub use email::{Email, EmailError};
pub use user::{DashboardStats, DisplayName, DisplayNameError, UserId, UserStatus, UserView};
