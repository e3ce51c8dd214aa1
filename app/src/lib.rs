//! Portcullis: the shared crate. Domain types, the error type and the console
//! pages compile for both the server and the browser; `server` (database,
//! services, sessions) only with the `ssr` feature.

pub mod api;
pub mod authz;
pub mod domain;
pub mod error;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

pub use error::AppError;
