//! Both backends migrate from empty with the same numbered steps.

use sqlx::Row;

use crate::backend_tests;
use crate::helpers::{fresh_database, Backend};
use app::server::store::Db;

backend_tests!(migrates_from_empty_and_again);

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
