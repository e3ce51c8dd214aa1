//! Shared by the API tests, the two-process tests and the cluster bench:
//! the Postgres server they use, and how a write's revision is read.

#![allow(dead_code)]

use reqwest::{Response, StatusCode};
use serde_json::Value;
use sqlx::Connection;

/// The response header that carries the access revision after a write.
pub const REVISION_HEADER: &str = "portcullis-revision";

/// The Postgres server tests use (`TEST_DATABASE_URL`).
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A connection to that server's administrative database.
pub async fn admin_connection() -> Result<sqlx::PgConnection, sqlx::Error> {
    sqlx::PgConnection::connect(&postgres_admin_url()).await
}

/// Creates the database `name` on that server and gives its URL.
pub async fn create_database(name: &str) -> String {
    let mut conn = admin_connection()
        .await
        .unwrap_or_else(|e| panic!("Postgres tests need a server at {}: {e}", postgres_admin_url()));
    sqlx::query(&format!("create database {name}")).execute(&mut conn).await.expect("create database");
    let base = postgres_admin_url();
    let root = base.rsplit_once('/').map(|(root, _)| root).unwrap_or(&base);
    format!("{root}/{name}")
}

/// Drops the database `name`, closing its connections.
pub async fn drop_database(conn: &mut sqlx::PgConnection, name: &str) {
    let _ = sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&mut *conn).await;
}

/// A write's answer: its status, body and the revision it returned (the
/// header, checked equal to the JSON field on success; -1 when absent).
pub async fn written(response: Response) -> (StatusCode, Value, i64) {
    let status = response.status();
    let header: Option<i64> =
        response.headers().get(REVISION_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        assert_eq!(body["revision"].as_i64(), header, "the header and the JSON field agree: {body}");
    }
    (status, body, header.unwrap_or(-1))
}
