//! Two `portcullis` processes over one Postgres: how long a change made
//! through one takes to be visible on the other, and how many checks per
//! second the two answer together against one alone.
//!
//! `cargo bench -p server --bench cluster` (needs Postgres, as the tests:
//! `TEST_DATABASE_URL`). `CHANGES` (default 1000) and `LOAD_SECONDS`
//! (default 10) resize it.

#[path = "../tests/cluster/node.rs"]
mod node;
#[path = "../tests/support/mod.rs"]
mod support;

use node::{written, Database, Node};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn post(node: &Node, path: &str, body: Value) -> (StatusCode, Value, i64) {
    written(node.client.post(node.url(path)).json(&body).send().await.expect("post")).await
}

/// Quiet processes: a log line per request would measure the disk.
const QUIET: &[(&str, &str)] = &[("PORTCULLIS_LOG", "warn")];

#[tokio::main]
async fn main() {
    let changes = env_number("CHANGES", 1000) as usize;
    let load_seconds = env_number("LOAD_SECONDS", 10);
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUIET).await;
    let b = Node::start("b", db.url("portcullis-b"), QUIET).await;

    // A workspace, a developer and a checking service account.
    a.login_admin().await;
    let (status, _, _) = post(&a, "/api/v1/workspaces", json!({"key": "ml", "name": "ML"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, dev, _) = post(
        &a,
        "/api/v1/users",
        json!({"email": "dev@bench.test", "name": "Dev", "password": "developer-password-1"}),
    )
    .await;
    let dev = dev["id"].as_str().expect("dev id").to_owned();
    let (_, checker, _) = post(&a, "/api/v1/service-accounts", json!({"key": "checker", "name": "Gateway"})).await;
    let checker = checker["id"].as_str().expect("checker id").to_owned();
    post(&a, "/api/v1/policies", json!({"subject": {"user_id": checker}, "role": "auditor"})).await;
    let (_, token, _) = post(
        &a,
        &format!("/api/v1/service-accounts/{checker}/tokens"),
        json!({"name": "checks", "scope": "custom", "permissions": ["policy:read"]}),
    )
    .await;
    let token = token["secret"].as_str().expect("token").to_owned();
    let question = json!({"user_id": dev, "permission": "endpoint:create", "workspace": "ml"});
    let poller = Client::new();
    let ask = |node: &Node| poller.post(node.url("/api/v1/authz/check")).bearer_auth(&token).json(&question).send();

    // Propagation: grant and revoke in turn on A; after A answers, ask B
    // (without the revision) until it agrees.
    let mut delays = Vec::with_capacity(changes);
    let mut writes = Vec::with_capacity(changes);
    let mut policy: Option<i64> = None;
    for _ in 0..changes {
        let started = Instant::now();
        let expected = match policy.take() {
            None => {
                let (status, body, _) = post(
                    &a,
                    "/api/v1/policies",
                    json!({"subject": {"user_id": dev}, "role": "developer", "workspace": "ml"}),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                policy = body["id"].as_i64();
                true
            }
            Some(id) => {
                let response = a.client.delete(a.url(&format!("/api/v1/policies/{id}"))).send().await.expect("revoke");
                assert_eq!(response.status(), StatusCode::OK);
                false
            }
        };
        let committed = Instant::now();
        writes.push(committed - started);
        loop {
            let answer: Value = ask(&b).await.expect("check").json().await.expect("json");
            if answer["allowed"].as_bool() == Some(expected) {
                break;
            }
            assert!(committed.elapsed() < Duration::from_secs(10), "B never saw the change:\n{}", b.log());
        }
        delays.push(committed.elapsed());
    }
    delays.sort();
    writes.sort();
    let metrics = b.metrics().await;
    let metric = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.trim().parse().ok()))
            .unwrap_or(f64::NAN)
    };
    let applied_mean =
        metric("portcullis_index_propagation_seconds_sum") / metric("portcullis_index_propagation_seconds_count");

    println!("## Propagation over {changes} changes (grant/revoke on A, seen on B)");
    println!();
    println!("| measure | p50 | p90 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    for (what, sample) in [("A's answer → B answers the same (polling B)", &delays), ("the write on A itself", &writes)]
    {
        println!(
            "| {what} | {} | {} | {} | {} |",
            ms(percentile(sample, 0.5)),
            ms(percentile(sample, 0.9)),
            ms(percentile(sample, 0.99)),
            ms(*sample.last().expect("samples"))
        );
    }
    println!();
    println!(
        "B's own histogram (commit timestamp on A → applied on B, ms clock): mean {:.2} ms over {} revisions",
        applied_mean * 1000.0,
        metric("portcullis_index_propagation_seconds_count")
    );

    // Throughput: the same load against A alone, then spread over A and B.
    let one = load(&[&a], &token, &question, load_seconds).await;
    let two = load(&[&a, &b], &token, &question, load_seconds).await;
    println!();
    println!("## Checks per second ({load_seconds} s each, 64 connections, generator on the same machine)");
    println!();
    println!("| target | checks/s | p50 | p99 |");
    println!("| --- | --- | --- | --- |");
    for (what, result) in [("one process", &one), ("two processes", &two)] {
        println!("| {what} | {:.0} | {} | {} |", result.per_second, ms(result.p50), ms(result.p99));
    }
    println!();
    println!("two / one = {:.2}", two.per_second / one.per_second);
    drop((a, b));
    db.drop().await;
}

struct LoadResult {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// 64 keep-alive connections spread over `nodes`, asking the same question
/// as fast as they can for `seconds`.
async fn load(nodes: &[&Node], token: &str, question: &Value, seconds: u64) -> LoadResult {
    const CONNECTIONS: usize = 64;
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for i in 0..CONNECTIONS {
        let url = nodes[i % nodes.len()].url("/api/v1/authz/check");
        let (stop, answered, token, question) = (stop.clone(), answered.clone(), token.to_owned(), question.clone());
        tasks.push(tokio::spawn(async move {
            let client = Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&question).send().await.expect("check");
                assert_eq!(response.status(), StatusCode::OK);
                let _ = response.bytes().await;
                latencies.push(started.elapsed());
                answered.fetch_add(1, Ordering::Relaxed);
            }
            latencies
        }));
    }
    // Warm up, then count.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = answered.load(Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let counted = answered.load(Ordering::Relaxed) - before;
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("load task"));
    }
    latencies.sort();
    LoadResult {
        per_second: counted as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}
