//! Two real `portcullis` processes over one Postgres database: changes made
//! through one are seen by the other, at once with the revision the write
//! returned and within a short bound without it; restarts, killed
//! connections and a lost database are survived, failing closed meanwhile.

mod node;
#[path = "../support/mod.rs"]
mod support;

use node::{written, Database, Node, Proxy};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const QUICK: &[(&str, &str)] = &[("PORTCULLIS_REVISION_WAIT", "500ms")];

/// What the tests act on: a workspace, a developer and a checking service.
struct World {
    dev_id: String,
    dev_email: String,
    /// An API token of the `checker` service account (global auditor).
    checker_token: String,
    checker_id: String,
}

const DEV_PASSWORD: &str = "developer-password-1";

async fn post(node: &Node, path: &str, body: Value) -> (StatusCode, Value, i64) {
    written(node.client.post(node.url(path)).json(&body).send().await.expect("post")).await
}

/// Seeds the world through `node` (signed in as the admin).
async fn world(node: &Node) -> World {
    node.login_admin().await;
    let (status, body, _) = post(node, "/api/v1/workspaces", json!({"key": "ml", "name": "ML"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let dev_email = "dev@cluster.test".to_owned();
    let (status, dev, _) =
        post(node, "/api/v1/users", json!({"email": dev_email, "name": "Dev", "password": DEV_PASSWORD})).await;
    assert_eq!(status, StatusCode::CREATED, "{dev}");
    let (status, checker, _) =
        post(node, "/api/v1/service-accounts", json!({"key": "checker", "name": "Gateway"})).await;
    assert_eq!(status, StatusCode::CREATED, "{checker}");
    let checker_id = checker["id"].as_str().unwrap().to_owned();
    let (status, body, _) =
        post(node, "/api/v1/policies", json!({"subject": {"user_id": checker_id}, "role": "auditor"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let checker_token = token_for(node, &checker_id).await.0;
    World { dev_id: dev["id"].as_str().unwrap().to_owned(), dev_email, checker_token, checker_id }
}

/// A new API token of the service account `id` (secret, token id).
async fn token_for(node: &Node, id: &str) -> (String, String) {
    let (status, token, _) = post(
        node,
        &format!("/api/v1/service-accounts/{id}/tokens"),
        json!({"name": "checks", "scope": "custom", "permissions": ["policy:read"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    (token["secret"].as_str().unwrap().to_owned(), token["token"]["id"].as_str().unwrap_or_default().to_owned())
}

/// `POST /authz/check` on `node` with the checker's token.
async fn check(node: &Node, token: &str, user: &str, at_least: Option<i64>) -> (StatusCode, Value) {
    let mut body = json!({"user_id": user, "permission": "endpoint:create", "workspace": "ml"});
    if let Some(revision) = at_least {
        body["at_least_revision"] = json!(revision);
    }
    ask(node, token, "/api/v1/authz/check", &body).await
}

/// `POST path` on `node` with `token` as the bearer.
async fn ask(node: &Node, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let response = node.client.post(node.url(path)).bearer_auth(token).json(body).send().await.expect("ask");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn allowed(node: &Node, world: &World, at_least: Option<i64>) -> bool {
    let (status, body) = check(node, &world.checker_token, &world.dev_id, at_least).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["allowed"].as_bool().unwrap()
}

/// Polls `node` (no revision given) until the answer is `expected`; how long it took.
async fn until_answer(node: &Node, world: &World, expected: bool, limit: Duration) -> Duration {
    let started = Instant::now();
    while allowed(node, world, None).await != expected {
        assert!(started.elapsed() < limit, "{} did not answer {expected} within {limit:?}:\n{}", node.name, node.log());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    started.elapsed()
}

async fn grant_developer(node: &Node, world: &World) -> (i64, i64) {
    let (status, policy, revision) = post(
        node,
        "/api/v1/policies",
        json!({"subject": {"user_id": world.dev_id}, "role": "developer", "workspace": "ml"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{policy}");
    (policy["id"].as_i64().unwrap(), revision)
}

async fn revoke(node: &Node, policy: i64) -> i64 {
    let response = node.client.delete(node.url(&format!("/api/v1/policies/{policy}"))).send().await.unwrap();
    let (status, body, revision) = written(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    revision
}

#[tokio::test]
async fn a_revocation_on_one_process_is_seen_by_the_other() {
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    let b = Node::start("b", db.url("portcullis-b"), QUICK).await;
    let world = world(&a).await;

    // Granted on A; with A's revision, B answers from after the grant.
    let (policy, granted) = grant_developer(&a, &world).await;
    assert!(granted > 0);
    assert!(allowed(&b, &world, Some(granted)).await);

    // Revoked on A: the revision is in the header and the JSON body, and
    // B never answers from before it once asked for it.
    let revoked = revoke(&a, policy).await;
    assert!(revoked > granted);
    assert!(!allowed(&b, &world, Some(revoked)).await, "B denies at once with A's revision");
    let batch = json!({
        "checks": [{"user_id": world.dev_id, "permission": "endpoint:create", "workspace": "ml"}],
        "at_least_revision": revoked,
    });
    let (_, answer) = ask(&b, &world.checker_token, "/api/v1/authz/check-batch", &batch).await;
    assert_eq!(answer["results"][0]["allowed"], false, "{answer}");

    // Without the revision, B learns of changes within a short bound.
    let (policy, _) = grant_developer(&a, &world).await;
    until_answer(&b, &world, true, Duration::from_secs(1)).await;
    revoke(&a, policy).await;
    let took = until_answer(&b, &world, false, Duration::from_secs(1)).await;
    eprintln!("B saw the revocation {took:?} after A's answer");

    // A revision nobody made: refused at once (409), never a guess, and
    // never a wait for something that cannot come.
    let started = Instant::now();
    let (status, body) = check(&b, &world.checker_token, &world.dev_id, Some(revoked + 1000)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "revision_unknown", "{body}");
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(450), "{waited:?}");

    // Both report where they are.
    let metrics = b.metrics().await;
    assert!(metrics.contains("portcullis_index_revision "), "{metrics}");
    assert!(metrics.contains("portcullis_authz_checks_total{decision=\"allowed\"}"), "{metrics}");
    assert!(metrics.contains("portcullis_authz_checks_refused_total{reason=\"revision_unknown\"} 1"), "{metrics}");
    assert!(metrics.contains("portcullis_index_propagation_seconds_count"), "{metrics}");
    let (_, a_ready) = a.readiness().await;
    let (_, b_ready) = b.readiness().await;
    assert_eq!(a_ready["revision"], b_ready["revision"], "{a_ready} {b_ready}");
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn disabling_a_user_on_one_process_ends_their_session_and_tokens_on_the_other() {
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    let b = Node::start("b", db.url("portcullis-b"), QUICK).await;
    let world = world(&a).await;

    // Signed in through A, signed in on B too (sessions live in the database;
    // cookies are per host, not per port, so one client carries it to both).
    let dev = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let login = dev
        .post(a.url("/api/v1/auth/login"))
        .json(&json!({"email": world.dev_email, "password": DEV_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(dev.get(b.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
    let (status, token, _) = written(
        dev.post(b.url("/api/v1/me/tokens"))
            .json(&json!({"name": "laptop", "scope": "developer"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["secret"].as_str().unwrap().to_owned();
    let me_with_token = || b.client.get(b.url("/api/v1/me")).bearer_auth(&secret).send();
    assert_eq!(me_with_token().await.unwrap().status(), StatusCode::OK);

    // Disabled through A.
    let response = a
        .client
        .patch(a.url(&format!("/api/v1/users/{}", world.dev_id)))
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    let (status, body, disabled_at) = written(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The session is read from the database on every request: gone at once.
    assert_eq!(dev.get(b.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // The token stops as soon as B has the revision.
    let started = Instant::now();
    while me_with_token().await.unwrap().status() != StatusCode::UNAUTHORIZED {
        assert!(started.elapsed() < Duration::from_secs(1), "B still took the token:\n{}", b.log());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let body =
        json!({"token": secret, "permission": "workspace:read", "workspace": "ml", "at_least_revision": disabled_at});
    let (_, answer) = ask(&b, &world.checker_token, "/api/v1/authz/check", &body).await;
    assert_eq!(answer["allowed"], false, "{answer}");

    // A token revoked on A stops on B, which had it cached.
    let (second, second_id) = token_for(&a, &world.checker_id).await;
    let me = |token: String| b.client.get(b.url("/api/v1/me")).bearer_auth(token).send();
    assert_eq!(me(second.clone()).await.unwrap().status(), StatusCode::OK);
    let response =
        a.client.delete(a.url(&format!("/api/v1/users/{}/tokens/{second_id}", world.checker_id))).send().await.unwrap();
    let (status, body, _) = written(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let started = Instant::now();
    while me(second.clone()).await.unwrap().status() != StatusCode::UNAUTHORIZED {
        assert!(started.elapsed() < Duration::from_secs(1), "B still took the revoked token:\n{}", b.log());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn a_restarted_process_catches_up_with_changes_made_meanwhile() {
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    let mut b = Node::start("b", db.url("portcullis-b"), QUICK).await;
    let world = world(&a).await;
    assert!(!allowed(&b, &world, None).await);

    b.kill();
    let (policy, granted) = grant_developer(&a, &world).await;
    b.restart().await;
    assert!(allowed(&b, &world, Some(granted)).await);

    // Again, with a revocation made while B was down.
    b.kill();
    let revoked = revoke(&a, policy).await;
    b.restart().await;
    let (_, ready) = b.readiness().await;
    assert!(ready["revision"].as_i64().unwrap() >= revoked, "{ready}");
    assert!(!allowed(&b, &world, Some(revoked)).await);
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn a_process_whose_connections_are_killed_listens_again() {
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    // A heartbeat this slow leaves only notifications to bring changes fast.
    let slow_heartbeat = [("PORTCULLIS_SYNC_HEARTBEAT", "30s"), ("PORTCULLIS_MAX_STALENESS", "60s")];
    let b = Node::start("b", db.url("portcullis-b"), &slow_heartbeat).await;
    let world = world(&a).await;
    b.login_admin().await;

    let killed = db.terminate_connections_of("portcullis-b").await;
    assert!(killed >= 1, "B holds at least its LISTEN connection");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (policy, _) = grant_developer(&a, &world).await;
    let took = until_answer(&b, &world, true, Duration::from_secs(3)).await;
    eprintln!("after its connections were killed, B saw a grant {took:?} after A's answer");
    revoke(&a, policy).await;
    until_answer(&b, &world, false, Duration::from_secs(1)).await;
    // Its pool reconnected too: B's own database reads work.
    assert_eq!(b.client.get(b.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn a_process_cut_off_from_postgres_answers_for_a_while_then_fails_closed_and_recovers() {
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    let postgres = node::postgres_admin_url();
    let target = postgres.split('@').nth(1).and_then(|r| r.split('/').next()).unwrap_or("127.0.0.1:5432").to_owned();
    let proxy = Proxy::start(&target).await;
    let b = Node::start(
        "b",
        db.url_via(&proxy.address(), "portcullis-b"),
        &[
            ("PORTCULLIS_MAX_STALENESS", "2s"),
            ("PORTCULLIS_SYNC_HEARTBEAT", "200ms"),
            ("PORTCULLIS_REVISION_WAIT", "500ms"),
        ],
    )
    .await;
    let world = world(&a).await;
    let (policy, granted) = grant_developer(&a, &world).await;
    assert!(allowed(&b, &world, Some(granted)).await, "B knows the grant and has the checker's token cached");

    proxy.cut();
    // Within the allowed staleness, B answers from its index.
    assert!(allowed(&b, &world, None).await, "B answers while the database is briefly away");
    let revoked = revoke(&a, policy).await;

    // Past it, B refuses rather than answer from stale data.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, body) = check(&b, &world.checker_token, &world.dev_id, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "index_stale", "{body}");
    let (status, ready) = b.readiness().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready["reason"], "index_stale");
    let metrics = b.metrics().await;
    assert!(metrics.contains("portcullis_index_usable 0"), "{metrics}");
    assert!(metrics.contains("portcullis_authz_checks_refused_total{reason=\"index_stale\"}"), "{metrics}");

    // Meanwhile the log is pruned down to its newest row (as retention does
    // after a week): B cannot catch up row by row and must reload.
    let (status, _, newest) =
        post(&a, "/api/v1/users", json!({"email": "late@cluster.test", "name": "Late", "password": DEV_PASSWORD}))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(db.execute(&format!("delete from access_log where revision < {newest}")).await >= 2);

    // The database is back: B reconnects by itself and has the revocation.
    proxy.restore().await;
    b.wait_ready(Duration::from_secs(15)).await;
    assert!(!allowed(&b, &world, Some(revoked)).await);
    let (_, ready) = b.readiness().await;
    assert!(ready["revision"].as_i64().unwrap() >= newest, "{ready}");
    assert!(b.metrics().await.contains("portcullis_index_reloads_total 1"), "B reloaded over the gap");
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn failed_sign_ins_count_against_the_limit_on_every_process() {
    let db = Database::create().await;
    let limit = [("PORTCULLIS_LOGIN_MAX_FAILURES", "3")];
    let a = Node::start("a", db.url("portcullis-a"), &limit).await;
    let b = Node::start("b", db.url("portcullis-b"), &limit).await;
    let world = world(&a).await;
    let attempt = |node: &Node, password: &str| {
        reqwest::Client::new()
            .post(node.url("/api/v1/auth/login"))
            .json(&json!({"email": world.dev_email, "password": password}))
            .send()
    };
    for node in [&a, &a, &b] {
        assert_eq!(attempt(node, "not the password").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    // Three failures spread over two processes reach the limit of three on both.
    for node in [&a, &b] {
        let refused = attempt(node, DEV_PASSWORD).await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "on {}", node.name);
        assert!(refused.headers().contains_key("retry-after"));
    }
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn a_process_is_not_ready_until_its_index_is_loaded() {
    use sqlx::Connection;
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    let world = world(&a).await;
    let (_, granted) = grant_developer(&a, &world).await;

    // Hold B's first load: the policies cannot be read until this commits.
    let mut locker = sqlx::PgConnection::connect(&db.url("locker")).await.unwrap();
    sqlx::query("begin").execute(&mut locker).await.unwrap();
    sqlx::query("lock table policies in access exclusive mode").execute(&mut locker).await.unwrap();
    let b = Node::launch("b", db.url("portcullis-b"), QUICK);
    let started = Instant::now();
    let (status, ready) = loop {
        if let Ok(response) = b.client.get(b.url("/readyz")).send().await {
            break (response.status(), response.json::<Value>().await.unwrap());
        }
        assert!(started.elapsed() < Duration::from_secs(30), "B never answered:\n{}", b.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready["reason"], "index_loading", "{ready}");
    let alive = b.client.get(b.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK, "alive while loading");
    let (status, body) = check(&b, &world.checker_token, &world.dev_id, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "index_loading", "{body}");

    sqlx::query("commit").execute(&mut locker).await.unwrap();
    b.wait_ready(Duration::from_secs(10)).await;
    assert!(allowed(&b, &world, Some(granted)).await);
    drop((a, b));
    db.drop().await;
}

/// `GET /readyz` until it answers `status` (or the limit passes).
async fn until_readiness(node: &Node, status: StatusCode, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        // Not listening yet counts as not ready.
        if let Ok(response) = node.client.get(node.url("/readyz")).send().await {
            let now = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            if now == status {
                return body;
            }
        }
        assert!(started.elapsed() < limit, "{} did not answer {status}:\n{}", node.name, node.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_process_with_another_catalog_is_not_ready_until_migrate_switches_the_installation() {
    let db = Database::create().await;
    let a = Node::start("a", db.url("portcullis-a"), QUICK).await;
    let world = world(&a).await;
    // Neutree with one more action: a change that takes nothing away.
    let dir = tempfile::tempdir().unwrap();
    let plus = dir.path().join("plus.toml");
    let neutree = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalogs/neutree.toml")).unwrap();
    let added = neutree.replace("name = \"neutree\"", "name = \"neutree_plus\"").replace(
        "  { key = \"invoke\", description = \"Call inference endpoints\" },\n",
        "  { key = \"invoke\", description = \"Call inference endpoints\" },\n  { key = \"scale\", description = \"Scale endpoints\" },\n",
    );
    assert_ne!(added, neutree);
    std::fs::write(&plus, added).unwrap();
    let plus = plus.to_string_lossy().into_owned();
    let other = [("PORTCULLIS_REVISION_WAIT", "500ms"), ("PORTCULLIS_CATALOG", plus.as_str())];

    // B runs another catalog over A's installation: it starts, answers no
    // check, and says why.
    let b = Node::launch("b", db.url("portcullis-b"), &other);
    let ready = until_readiness(&b, StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)).await;
    assert_eq!(ready["reason"], "catalog_mismatch", "{ready}");
    let (status, body) = check(&b, &world.checker_token, &world.dev_id, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "catalog_mismatch", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("portcullis catalog migrate"), "{body}");
    assert_eq!(a.readiness().await.0, StatusCode::OK, "A keeps answering: its catalog is the recorded one");

    // The operator switches the installation: A stops answering within a
    // heartbeat, B starts.
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["catalog", "migrate"])
        .env_remove("PORTCULLIS_CONFIG")
        .env("DATABASE_URL", db.url("migrate"))
        .env("PORTCULLIS_CATALOG", &plus)
        .env("PORTCULLIS_LOG", "error")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&migrated.stdout);
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    assert!(printed.contains("replaces the catalog \"neutree\""), "{printed}");
    let ready = until_readiness(&a, StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(10)).await;
    assert_eq!(ready["reason"], "catalog_mismatch", "{ready}");
    until_readiness(&b, StatusCode::OK, Duration::from_secs(10)).await;
    b.login_admin().await;
    let developer: Value = b.client.get(b.url("/api/v1/roles/developer")).send().await.unwrap().json().await.unwrap();
    assert!(developer["permissions"].as_array().unwrap().contains(&json!("endpoint:scale")), "{developer}");
    let (status, body) = check(&b, &world.checker_token, &world.dev_id, None).await;
    assert_eq!(status, StatusCode::OK, "B answers under the adopted catalog: {body}");
    drop((a, b));
    db.drop().await;
}
