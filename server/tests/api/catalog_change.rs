//! A catalog that changes between starts, through real `portcullis`
//! processes: start-up refuses a change that would take access from stored
//! roles and tokens, `catalog migrate` shows and applies it (audited), and
//! the new catalog's renamed keys and aliases answer checks.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::{
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use crate::backend_tests;
use crate::helpers::{fresh_database, Backend};
use crate::node::Node;

backend_tests!(a_catalog_that_takes_access_stops_start_up_until_migrate_applies_it);

/// Neutree with `endpoint:invoke` renamed `endpoint:call` and `model:push`
/// removed.
fn renamed_catalog() -> String {
    let neutree = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalogs/neutree.toml")).unwrap();
    let changed = neutree
        .replace("name = \"neutree\"", "name = \"neutree_next\"")
        .replace("\"endpoint:invoke\"", "\"endpoint:call\"")
        .replace(
            "{ key = \"invoke\", description = \"Call inference endpoints\" },",
            "{ key = \"call\", description = \"Call inference endpoints\", renamed_from = \"endpoint:invoke\" },",
        )
        .replace("  { key = \"push\", description = \"Upload model versions\" },\n", "");
    assert!(changed.contains("renamed_from") && !changed.contains("Upload model versions"));
    changed
}

/// `portcullis serve` over `database_url` that is expected to stop: its exit
/// status and everything it printed.
fn serve_expecting_exit(database_url: &str, catalog: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("serve")
        .env_remove("PORTCULLIS_CONFIG")
        .env("DATABASE_URL", database_url)
        .env("PORTCULLIS_CATALOG", catalog)
        .env("PORTCULLIS_LISTEN", format!("127.0.0.1:{}", crate::node::free_port()))
        .env("PORTCULLIS_SITE_ROOT", dir.path())
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("portcullis kept serving:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.code(), std::fs::read_to_string(&log).unwrap_or_default())
}

fn migrate(database_url: &str, catalog: &str, dry_run: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
    command.args(["catalog", "migrate"]);
    if dry_run {
        command.arg("--dry-run");
    }
    command
        .env_remove("PORTCULLIS_CONFIG")
        .env("DATABASE_URL", database_url)
        .env("PORTCULLIS_CATALOG", catalog)
        .env("PORTCULLIS_LOG", "error")
        .output()
        .unwrap()
}

async fn get(node: &Node, path: &str) -> Value {
    let response = node.client.get(node.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn role_permissions(node: &Node, key: &str) -> Vec<String> {
    let role = get(node, &format!("/api/v1/roles/{key}")).await;
    let keys = role["permissions"].as_array().unwrap_or_else(|| panic!("{role}"));
    keys.iter().map(|p| p.as_str().unwrap().to_owned()).collect()
}

async fn a_catalog_that_takes_access_stops_start_up_until_migrate_applies_it(backend: Backend) {
    let (url, _dir) = fresh_database(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let next = dir.path().join("next.toml");
    std::fs::write(&next, renamed_catalog()).unwrap();
    let next = next.to_string_lossy().into_owned();
    let checked = Command::new(env!("CARGO_BIN_EXE_portcullis")).args(["catalog", "check", &next]).output().unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));

    // Under the default catalog: a custom role and a custom-scope token that
    // name what the next catalog renames and removes.
    let node = Node::start("first", url.clone(), &[]).await;
    node.login_admin().await;
    let runner =
        json!({"key": "runner", "name": "Runner", "permissions": ["endpoint:invoke", "model:push", "model:read"]});
    let created = node.client.post(node.url("/api/v1/roles")).json(&runner).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let token = json!({"name": "ci", "scope": "custom", "permissions": ["model:push", "endpoint:read"]});
    let created = node.client.post(node.url("/api/v1/me/tokens")).json(&token).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    drop(node);

    // Start-up refuses, naming the role and the token.
    let (code, log) = serve_expecting_exit(&url, &next);
    assert_ne!(code, Some(0), "{log}");
    assert!(log.contains("role runner: loses model:push, endpoint:invoke becomes endpoint:call"), "{log}");
    assert!(log.contains("token \"ci\" of admin@cluster.test: loses model:push"), "{log}");
    assert!(log.contains("portcullis catalog migrate --dry-run"), "{log}");

    // The dry run shows the same plan and changes nothing.
    let dry = migrate(&url, &next, true);
    let printed = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(printed.contains("role runner: loses model:push, endpoint:invoke becomes endpoint:call"), "{printed}");
    assert!(printed.contains("replaces the catalog \"neutree\""), "{printed}");
    assert!(printed.contains("nothing was changed"), "{printed}");
    let node = Node::start("unchanged", url.clone(), &[]).await;
    node.login_admin().await;
    assert_eq!(role_permissions(&node, "runner").await, ["endpoint:invoke", "model:read", "model:push"]);
    drop(node);

    // Applied: the role keeps what was renamed and loses what was removed,
    // the token likewise, one audit entry each and one for the catalog.
    let applied = migrate(&url, &next, false);
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    let node = Node::start("next", url.clone(), &[("PORTCULLIS_CATALOG", &next)]).await;
    node.login_admin().await;
    assert_eq!(role_permissions(&node, "runner").await, ["endpoint:call", "model:read"]);
    let tokens = get(&node, "/api/v1/me/tokens").await;
    let ci = tokens["items"].as_array().unwrap().iter().find(|t| t["name"] == "ci").unwrap().clone();
    assert_eq!(ci["permissions"], json!(["endpoint:read"]), "{ci}");
    let updates = get(&node, "/api/v1/audit?action=role.update").await;
    let runner_entries: Vec<&Value> =
        updates["items"].as_array().unwrap().iter().filter(|e| e["target_id"] == "runner").collect();
    assert_eq!(runner_entries.len(), 1, "{updates}");
    assert_eq!(runner_entries[0]["reason"], "portcullis catalog migrate", "{updates}");
    let installs = get(&node, "/api/v1/audit?action=catalog.install").await;
    assert!(installs["items"].as_array().unwrap().iter().any(|e| e["target_id"] == "neutree_next"), "{installs}");
    // The developer role, rewritten from the catalog, has the renamed key.
    assert!(role_permissions(&node, "developer").await.contains(&"endpoint:call".to_owned()));
    assert!(!role_permissions(&node, "developer").await.contains(&"model:push".to_owned()));

    // Started again with the old catalog: refused the same way (the role
    // names endpoint:call, which neutree lacks).
    drop(node);
    let (code, log) = serve_expecting_exit(&url, "neutree");
    assert_ne!(code, Some(0), "{log}");
    assert!(log.contains("role runner: loses endpoint:call"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_catalog_stops_start_up_naming_the_file_line_and_key() {
    let (url, _db) = fresh_database(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    std::fs::write(
        &file,
        "name = \"broken\"\ntitle = \"Broken\"\n\n[[resource]]\nkey = \"job\"\nname = \"Jobs\"\nscope = \"workspace\"\n\
         actions = [{ key = \"run\", description = \"Run\" }, { key = \"run\", description = \"Again\" }]\n\n\
         [[role]]\nkey = \"runner\"\nname = \"Runner\"\npermissions = [\"job:fly\"]\n",
    )
    .unwrap();
    let path = file.to_string_lossy().into_owned();
    let (code, log) = serve_expecting_exit(&url, &path);
    assert_ne!(code, Some(0), "{log}");
    assert!(log.contains(&format!("{path}:8: `run`: job:run is declared twice")), "{log}");
    assert!(log.contains(&format!("{path}:13: `job:fly`: names no permission of this catalog")), "{log}");
    // An unknown preset name is read as a path, and says which presets exist.
    let (code, log) = serve_expecting_exit(&url, "adaptiv");
    assert_ne!(code, Some(0), "{log}");
    assert!(log.contains("the presets are neutree, adaptive, bentocloud, neptune"), "{log}");
}
