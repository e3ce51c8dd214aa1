//! Both backends migrate from empty with the same numbered steps.

use sqlx::Row;

use crate::backend_tests;
use crate::helpers::{fresh_database, Backend};
use app::server::store::Db;

backend_tests!(migrates_from_empty_and_again, rebuilding_the_invitations_keeps_them_and_their_mail);

fn step_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_steps() {
    let sqlite = step_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, step_names("postgres"));
}

async fn migrates_from_empty_and_again(backend: Backend) {
    let (url, _dir) = fresh_database(backend).await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    let applied: i64 =
        sqlx::query("select count(*) as n from _sqlx_migrations").fetch_one(db.pool()).await.unwrap().get("n");
    assert_eq!(applied as usize, step_names("sqlite").len());
    for table in ["users", "sessions"] {
        let n: i64 =
            sqlx::query(&format!("select count(*) as n from {table}")).fetch_one(db.pool()).await.unwrap().get("n");
        assert_eq!(n, 0, "{table} starts empty");
    }
    db.close().await;
}

/// Postgres over TLS when the URL asks for it (`sslmode=require`).
#[tokio::test]
async fn postgres_connections_can_require_tls() {
    let (url, _) = fresh_database(Backend::Postgres).await;
    let db = Db::connect(&format!("{url}?sslmode=require")).await.unwrap();
    let row =
        sqlx::query("select case when ssl then 1 else 0 end as tls from pg_stat_ssl where pid = pg_backend_pid()")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(row.get::<i32, _>("tls"), 1, "the connection is encrypted");
    db.close().await;
}

/// Step 12 rebuilds `invitations` on SQLite (and the outbox that hangs on
/// it): what was there before stays, and the role they name can go.
async fn rebuilding_the_invitations_keeps_them_and_their_mail(backend: Backend) {
    let (url, _dir) = fresh_database(backend).await;
    let db = Db::connect(&url).await.unwrap();
    let folder = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(folder);
    let mut before = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let older: Vec<_> = before.migrations.iter().filter(|m| m.version < 12).cloned().collect();
    before.migrations = older.into();
    before.run(db.pool()).await.unwrap();
    for sql in [
        "insert into roles (key, name, created_at) values ('temp', 'Temp', 1)",
        "insert into users (id, email, name, created_at) values ('u1', 'a@example.com', 'A', 1)",
        "insert into invitations (id, email, role_key, token_hash, status, invited_by, invited_by_email, \
         created_at, expires_at) values ('i1', 'b@example.com', 'temp', 'h1', 'revoked', 'u1', 'a@example.com', 1, 2)",
        "insert into outbox (to_address, subject, body, invitation_id, status, created_at, next_attempt_at) \
         values ('b@example.com', 'Invited', 'body', 'i1', 'sent', 1, 1)",
    ] {
        sqlx::query(sql).execute(db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    db.migrate().await.unwrap();
    let count = |sql: &'static str| async { sqlx::query_scalar::<_, i64>(sql).fetch_one(db.pool()).await.unwrap() };
    assert_eq!(count("select count(*) from invitations where id = 'i1' and role_key = 'temp'").await, 1);
    assert_eq!(count("select count(*) from outbox where invitation_id = 'i1'").await, 1, "the mail stays");
    sqlx::query("delete from roles where key = 'temp'").execute(db.pool()).await.unwrap();
    // The outbox still follows its invitation.
    sqlx::query("delete from invitations where id = 'i1'").execute(db.pool()).await.unwrap();
    assert_eq!(count("select count(*) from outbox").await, 0);
    db.close().await;
}
