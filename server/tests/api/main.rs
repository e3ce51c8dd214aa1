//! API tests: the real router on a random port, over a fresh database of each
//! backend. `backend_tests!` runs every listed test on SQLite and on Postgres.

mod helpers;
// Real `portcullis` processes, for the catalog-change tests.
#[path = "../cluster/node.rs"]
#[allow(unused_imports)]
mod node;
#[path = "../support/mod.rs"]
mod support;

mod access;
mod auth;
mod catalog;
mod catalog_change;
mod catalog_presets;
mod concurrency;
mod console;
mod csrf;
mod escalation;
mod escalation_model;
mod fake_oauth;
mod forward;
mod gateway_nginx;
mod hardening;
mod health;
mod invitations;
mod malformed;
mod migrations;
mod oauth;
mod readme;
mod revisions;
mod sessions;
mod smtp_sink;
mod teams;
mod tokens;
mod versions;
