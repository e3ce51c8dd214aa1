//! How long the console's list pages take at scale: seeds 100,000 users,
//! 1,000 workspaces, 2,000 teams, 1,000,000 policies and 1,000,000 audit
//! entries, starts a real server over them, and times the first page of
//! Users, Policies and Audit (each unfiltered and filtered) as the console
//! asks for it: the server functions behind the pages, plus the full
//! server-rendered pages, over HTTP on loopback (so each figure is server
//! time plus a loopback round trip).
//!
//! `cargo bench -p server --bench list_pages` runs both backends; set
//! `LIST_BENCH_BACKENDS=sqlite` (or `postgres`) for one, and
//! `TEST_DATABASE_URL` for another Postgres than the local one.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use app::server::{AppState, Config};
use sqlx::{Connection, Executor};

const USERS: usize = 100_000;
const WORKSPACES: usize = 1_000;
const TEAMS: usize = 2_000;
const POLICIES_PER_USER: usize = 9;
const POLICIES_PER_TEAM: usize = 50;
const AUDIT_ENTRIES: usize = 1_000_000;
const TEAMS_PER_USER: usize = 2;
/// Timed requests per page (after a few warm-up ones).
const SAMPLES: usize = 200;
const ADMIN_EMAIL: &str = "admin@example.com";
const ADMIN_PASSWORD: &str = "list bench admin password";
const ROLES: [&str; 5] = ["admin", "developer", "auditor", "endpoint-user", "viewer"];

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let wanted = std::env::var("LIST_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    for backend in wanted.split(',').map(str::trim).filter(|b| !b.is_empty()) {
        runtime.block_on(run(backend));
    }
}

async fn run(backend: &str) {
    let scratch = tempfile::tempdir().expect("scratch dir");
    let (database_url, postgres_name) = match backend {
        "sqlite" => (format!("sqlite://{}/bench.db", scratch.path().display()), None),
        "postgres" => {
            let admin = std::env::var("TEST_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
            let name = format!("portcullis_list_bench_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to Postgres");
            conn.execute(format!("create database {name}").as_str()).await.expect("create database");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
            (format!("{base}/{name}"), Some((admin.clone(), name)))
        }
        other => panic!("unknown backend {other}: use sqlite or postgres"),
    };
    println!("\n## {backend}");

    let config = config(&database_url, scratch.path());
    let state = portcullis::connect(config.clone()).await.expect("connect");
    portcullis::announce_first_admin(&state).await.expect("first admin");
    let started = Instant::now();
    seed(&state).await;
    println!("seeded in {:.0?}", started.elapsed());
    state.db.close().await;
    drop(state);

    // A fresh process view: the index is built from what was seeded.
    let started = Instant::now();
    let state = portcullis::connect(config).await.expect("reconnect");
    println!("server ready (index loaded) in {:.1?}: {:?}", started.elapsed(), state.access.read().stats());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let served = state.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        portcullis::serve(served, listener, async move {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });

    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert!(login.status().is_success(), "login: {}", login.status());

    let some_user = "user-042424@example.com";
    let pages: &[(&str, String)] = &[
        ("Users, first page (server function)", "/sfn/users/list".to_owned()),
        ("Users, search `user-04242` (11 matches)", "/sfn/users/list?q=user-04242".to_owned()),
        ("Users, status disabled", "/sfn/users/list?status=disabled".to_owned()),
        ("Users page, server-rendered HTML", "/users".to_owned()),
        ("Policies, first page (server function)", "/sfn/policies/list".to_owned()),
        ("Policies, workspace ws-0421", "/sfn/policies/list?workspace=ws-0421".to_owned()),
        ("Policies, subject (a user's email)", format!("/sfn/policies/list?subject={}", some_user.replace('@', "%40"))),
        ("Policies, subject team:team-0777", "/sfn/policies/list?subject=team%3Ateam-0777".to_owned()),
        ("Policies, role auditor", "/sfn/policies/list?role=auditor".to_owned()),
        ("Policies page, server-rendered HTML", "/policies".to_owned()),
        ("Audit, first page (server function)", "/sfn/audit/list".to_owned()),
        ("Audit, actor (a user's email)", format!("/sfn/audit/list?actor={}", some_user.replace('@', "%40"))),
        ("Audit, action team.member.put", "/sfn/audit/list?action=team.member.put".to_owned()),
        ("Audit, workspace ws-0421", "/sfn/audit/list?workspace=ws-0421".to_owned()),
        ("Audit, one day (2026-03-01)", "/sfn/audit/list?since=2026-03-01&until=2026-03-01".to_owned()),
        ("Audit page, server-rendered HTML", "/audit".to_owned()),
    ];
    println!("\n| page | items | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|");
    for (label, path) in pages {
        let url = format!("{base}{path}");
        let mut items = 0;
        for _ in 0..5 {
            let response = client.get(&url).header("accept", "application/json").send().await.expect("request");
            assert!(response.status().is_success(), "{path}: {}", response.status());
            let body = response.text().await.expect("body");
            items = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["items"].as_array().map(Vec::len))
                .unwrap_or(0);
        }
        let mut times = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let response = client.get(&url).send().await.expect("request");
            let status = response.status();
            response.bytes().await.expect("body");
            times.push(started.elapsed());
            assert!(status.is_success(), "{path}: {status}");
        }
        times.sort();
        let at = |q: f64| ms(times[((times.len() as f64 * q).ceil() as usize).min(times.len()) - 1]);
        let items = if path.starts_with("/sfn/") { items.to_string() } else { "HTML".to_owned() };
        println!("| {label} | {items} | {:.1} | {:.1} | {:.1} | {:.1} |", at(0.50), at(0.95), at(0.99), at(1.0));
    }

    let _ = stop.send(());
    let _ = server.await;
    state.db.close().await;
    if let Some((admin, name)) = postgres_name {
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to Postgres");
        let _ = conn.execute(format!("drop database if exists {name} with (force)").as_str()).await;
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

fn config(database_url: &str, site: &std::path::Path) -> Config {
    let env: BTreeMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("PORTCULLIS_LISTEN", "127.0.0.1:0"),
        ("PORTCULLIS_SITE_ROOT", &site.display().to_string()),
        ("PORTCULLIS_ADMIN_EMAIL", ADMIN_EMAIL),
        ("PORTCULLIS_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("PORTCULLIS_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Config::from_sources(None, &env).expect("bench config")
}

/// A deterministic UUID for user `i`, so policies and memberships can name it.
fn user_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

/// Inserts `rows` (each a list of SQL literals' values) into `table` in
/// batches, in one transaction.
async fn insert_rows(state: &AppState, table: &str, columns: &[&str], rows: impl Iterator<Item = Vec<Value>>) {
    let mut tx = state.db.write().await.expect("begin");
    let per_batch = 30_000 / columns.len();
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        batch.clear();
        batch.extend(rows.by_ref().take(per_batch));
        let mut sql = format!("insert into {table} ({}) values ", columns.join(", "));
        for (r, _) in batch.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            let placeholders: Vec<String> =
                (0..columns.len()).map(|c| format!("${}", r * columns.len() + c + 1)).collect();
            sql.push_str(&format!("({})", placeholders.join(", ")));
        }
        let mut query = sqlx::query(&sql);
        for value in batch.iter().flatten() {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(n) => query.bind(*n),
                Value::Null => query.bind(None::<String>),
            };
        }
        query.execute(&mut *tx).await.unwrap_or_else(|e| panic!("insert into {table}: {e}"));
    }
    tx.commit().await.expect("commit");
}

#[derive(Clone)]
enum Value {
    Text(String),
    Int(i64),
    Null,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

async fn seed(state: &AppState) {
    // 2026-01-01, and one entry per ~10 s after it.
    let epoch_2026 = 1_767_225_600_000_i64;
    insert_rows(
        state,
        "users",
        &["id", "email", "name", "status", "created_at"],
        (0..USERS).map(|i| {
            let status = if i % 50 == 0 { "disabled" } else { "active" };
            vec![
                text(user_id(i)),
                text(format!("user-{i:06}@example.com")),
                text(format!("User {i}")),
                text(status),
                Value::Int(epoch_2026 + i as i64),
            ]
        }),
    )
    .await;
    insert_rows(
        state,
        "workspaces",
        &["key", "name", "description", "created_at"],
        (0..WORKSPACES).map(|w| {
            vec![text(format!("ws-{w:04}")), text(format!("Workspace {w}")), text(""), Value::Int(epoch_2026)]
        }),
    )
    .await;
    insert_rows(
        state,
        "teams",
        &["key", "name", "description", "created_at"],
        (0..TEAMS)
            .map(|t| vec![text(format!("team-{t:04}")), text(format!("Team {t}")), text(""), Value::Int(epoch_2026)]),
    )
    .await;
    insert_rows(
        state,
        "team_members",
        &["team_key", "user_id", "team_role", "added_at"],
        (0..USERS).flat_map(|u| {
            (0..TEAMS_PER_USER).map(move |k| {
                let team = (u * 31 + k * 997) % TEAMS;
                vec![text(format!("team-{team:04}")), text(user_id(u)), text("member"), Value::Int(epoch_2026)]
            })
        }),
    )
    .await;
    // Each user: nine policies in nine different workspaces (one in ten
    // users also has a global one instead of the ninth); each team: fifty.
    let user_policies = (0..USERS).flat_map(|u| {
        (0..POLICIES_PER_USER).map(move |k| {
            let role = ROLES[1 + (u + k) % 4];
            let workspace = (u * 7 + k * 113) % WORKSPACES;
            let (scope, ws_value) = if k == POLICIES_PER_USER - 1 && u % 10 == 0 {
                ("*".to_owned(), Value::Null)
            } else {
                let key = format!("ws-{workspace:04}");
                (key.clone(), text(key))
            };
            let id = user_id(u);
            vec![
                text(id.clone()),
                Value::Null,
                text(role),
                ws_value,
                text(format!("user:{id}|{role}|{scope}")),
                Value::Int(epoch_2026),
            ]
        })
    });
    let team_policies = (0..TEAMS).flat_map(|t| {
        (0..POLICIES_PER_TEAM).map(move |k| {
            let role = ROLES[1 + (t + k) % 4];
            let key = format!("ws-{:04}", (t * 13 + k * 19) % WORKSPACES);
            let team = format!("team-{t:04}");
            vec![
                Value::Null,
                text(team.clone()),
                text(role),
                text(key.clone()),
                text(format!("team:{team}|{role}|{key}")),
                Value::Int(epoch_2026),
            ]
        })
    });
    insert_rows(
        state,
        "policies",
        &["subject_user_id", "subject_team_key", "role_key", "workspace_key", "binding", "created_at"],
        user_policies.chain(team_policies),
    )
    .await;
    let actions = ["policy.create", "policy.delete", "user.update", "team.member.put", "workspace.update"];
    insert_rows(
        state,
        "audit_log",
        &[
            "at",
            "actor_id",
            "actor_email",
            "action",
            "outcome",
            "target_type",
            "target_id",
            "workspace_key",
            "after_json",
        ],
        (0..AUDIT_ENTRIES).map(|i| {
            let actor = (i * 7919) % USERS;
            let action = actions[i % actions.len()];
            let outcome = if i % 40 == 0 { "denied" } else { "success" };
            vec![
                Value::Int(epoch_2026 + i as i64 * 10_000),
                text(user_id(actor)),
                text(format!("user-{actor:06}@example.com")),
                text(action),
                text(outcome),
                text("policy"),
                text(i.to_string()),
                text(format!("ws-{:04}", i % WORKSPACES)),
                text(r#"{"role":"developer"}"#),
            ]
        }),
    )
    .await;
    // The planner's statistics, as a long-running database would have them.
    sqlx::query("analyze").execute(state.db.pool()).await.expect("analyze");
}
