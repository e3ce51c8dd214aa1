//! One module per area; each function is one use case: load the facts, decide,
//! write the change and its audit entry in one transaction, then update the
//! in-memory index.

pub mod account;
pub mod audit;
pub mod catalog;
pub mod dashboard;
pub mod decisions;
pub mod escalation;
pub mod fields;
pub mod guard;
pub mod identities;
pub mod invitations;
pub mod mail;
pub mod named;
/// What the operator does from the command line and at start-up (the first
/// admin, passwords); managing users in the product is `people`.
pub mod operator;
pub mod palette;
pub mod password_login;
pub mod people;
pub mod policies;
pub mod roles;
pub mod service_accounts;
pub mod sign_ins;
pub mod teams;
pub mod tokens;
pub mod versions;
pub mod workspaces;
