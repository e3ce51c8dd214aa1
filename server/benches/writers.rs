//! N concurrent writers (N = 1, 4, 16, 64) against one `portcullis`
//! process, on the embedded SQLite file and on Postgres: writes per second,
//! p50/p99 latency and errors (issue 14's target: none at 64 writers).
//! Each writer edits a shared workspace, edits a shared team and sends
//! invitations in turn, over the REST API; afterwards the audit log must
//! hold exactly one entry per write that answered 2xx.
//!
//! `cargo bench -p server --bench writers` (needs Postgres, as the tests:
//! `TEST_DATABASE_URL`). `WRITES` (per writer, default 30) resizes it.

// Shared with the cluster tests; this bench uses part of it.
#[allow(unused_imports)]
#[path = "../tests/cluster/node.rs"]
mod node;
#[path = "../tests/support/mod.rs"]
mod support;

use node::{Database, Node};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

const QUIET: &[(&str, &str)] = &[("PORTCULLIS_LOG", "warn")];

struct Round {
    writers: usize,
    writes: usize,
    errors: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

async fn round(node: &Node, writers: usize, per_writer: usize, tag: &str) -> Round {
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let client = node.client.clone();
            let base = node.base_url.clone();
            let tag = tag.to_owned();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_writer);
                let mut errors = 0;
                for n in 0..per_writer {
                    let body = json!({ "description": format!("{tag} writer {w} write {n}") });
                    let request = match n % 3 {
                        0 => client.patch(format!("{base}/api/v1/workspaces/bench")).json(&body),
                        1 => client.patch(format!("{base}/api/v1/teams/bench")).json(&body),
                        _ => client.post(format!("{base}/api/v1/invitations")).json(&json!({
                            "emails": [format!("{tag}-{w}-{n}@bench.test")], "role": "viewer"
                        })),
                    };
                    let sent = Instant::now();
                    match request.send().await {
                        Ok(answer) if answer.status().is_success() => {}
                        Ok(answer) => {
                            errors += 1;
                            eprintln!("{}: {}", answer.status(), answer.text().await.unwrap_or_default());
                        }
                        Err(error) => {
                            errors += 1;
                            eprintln!("{error}");
                        }
                    }
                    latencies.push(sent.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.expect("writer");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Round {
        writers,
        writes: latencies.len(),
        errors,
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}

/// Successful writes the audit log holds, read from the database itself.
async fn audited_writes(database_url: &str) -> i64 {
    let db = app::server::store::Db::connect(database_url).await.expect("connect");
    let total = sqlx::query_scalar::<_, i64>(
        "select count(*) from audit_log where outcome = 'success' \
         and action in ('workspace.update', 'team.update', 'invitation.create')",
    )
    .fetch_one(db.pool())
    .await
    .expect("count");
    db.close().await;
    total
}

async fn bench(label: &str, node: &Node, database_url: &str, per_writer: usize) -> Vec<Round> {
    node.login_admin().await;
    for path in ["/api/v1/workspaces", "/api/v1/teams"] {
        let answer = node.client.post(node.url(path)).json(&json!({"key": "bench", "name": "Bench"})).send().await;
        assert_eq!(answer.expect("create").status(), StatusCode::CREATED);
    }
    let mut rounds = Vec::new();
    let mut succeeded = 0;
    for writers in [1, 4, 16, 64] {
        let r = round(node, writers, per_writer, &format!("{label}{writers}")).await;
        println!(
            "{label:8} {writers:>3} writers: {:>5} writes, {:>7.0} writes/s, p50 {:>7.2} ms, p99 {:>7.2} ms, {} errors",
            r.writes,
            r.per_second,
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
            r.errors
        );
        succeeded += r.writes - r.errors;
        rounds.push(r);
    }
    let audited = audited_writes(database_url).await;
    println!("{label:8} audited writes: {audited} of {succeeded} that answered 2xx");
    assert_eq!(audited, succeeded as i64, "every write that succeeded was applied and audited exactly once");
    rounds
}

#[tokio::main]
async fn main() {
    let per_writer = env_number("WRITES", 30) as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}/bench.db", dir.path().display());
    let sqlite = Node::start("sqlite", sqlite_url.clone(), QUIET).await;
    let sqlite_rounds = bench("sqlite", &sqlite, &sqlite_url, per_writer).await;
    drop(sqlite);
    let db = Database::create().await;
    let postgres_url = db.url("portcullis-bench");
    let postgres = Node::start("postgres", postgres_url.clone(), QUIET).await;
    let postgres_rounds = bench("postgres", &postgres, &postgres_url, per_writer).await;
    drop(postgres);
    db.drop().await;

    println!();
    println!("| writers | SQLite writes/s | SQLite p99 | SQLite errors | Postgres writes/s | Postgres p99 | Postgres errors | SQLite ÷ Postgres |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (s, p) in sqlite_rounds.iter().zip(&postgres_rounds) {
        println!(
            "| {} | {:.0} | {:.1} ms | {} | {:.0} | {:.1} ms | {} | {:.2} |",
            s.writers,
            s.per_second,
            s.p99.as_secs_f64() * 1e3,
            s.errors,
            p.per_second,
            p.p99.as_secs_f64() * 1e3,
            p.errors,
            s.per_second / p.per_second
        );
    }
    let errors: usize = sqlite_rounds.iter().chain(&postgres_rounds).map(|r| r.errors).sum();
    assert_eq!(errors, 0, "no write may fail");
}
