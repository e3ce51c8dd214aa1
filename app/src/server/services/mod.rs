//! One module per area; each function is one use case: load the facts, decide,
//! write the change in one transaction.

pub mod account;
pub mod auth;
pub mod dashboard;
pub mod users;
