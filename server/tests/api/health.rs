//! Liveness and readiness.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

backend_tests!(alive_and_ready_with_the_index_revision);

async fn alive_and_ready_with_the_index_revision(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let alive = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], true);
    // The first admin and their policy were the first change.
    assert_eq!(body["revision"], 1, "{body}");
    assert_eq!(body["database_revision"], 1, "{body}");
}

/// Over Postgres other processes may change access data: without the
/// database the index cannot be known fresh, so after the allowed
/// staleness the process is no longer ready and refuses to answer.
#[tokio::test]
async fn not_ready_once_the_index_is_too_stale() {
    let app = TestApp::spawn_with(
        Backend::Postgres,
        &[("PORTCULLIS_MAX_STALENESS", "1s"), ("PORTCULLIS_SYNC_HEARTBEAT", "100ms")],
    )
    .await;
    app.login_admin().await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    app.state.db.close().await;
    // What needs the database says so with a 503 a client may retry.
    let me = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    let (status, code, message) = crate::helpers::error_of(me).await;
    assert_eq!((status, code.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"), "{message}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["reason"], "index_stale", "{body}");
    assert!(body["staleness_seconds"].as_f64().unwrap() > 1.0, "{body}");
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("portcullis_index_usable 0"), "{metrics}");
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/permissions",
        "/api/v1/roles/{key}",
        "/api/v1/users/{id}/effective-permissions",
        "/api/v1/teams/{key}/members/{user_id}",
        "/api/v1/policies",
        "/api/v1/authz/check",
        "/api/v1/authz/check-batch",
        "/api/v1/audit/export.csv",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert!(paths["/api/v1/policies"]["post"]["responses"]["409"].is_object());
    // Every `{name}` of every operation's path is declared as a path
    // parameter (issue 14, item 8).
    let mut undeclared = Vec::new();
    for (path, operations) in paths {
        let names: Vec<&str> = path.split('{').skip(1).filter_map(|rest| rest.split('}').next()).collect();
        for (method, operation) in operations.as_object().unwrap() {
            let declared: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for name in &names {
                if !declared.contains(name) {
                    undeclared.push(format!("{method} {path}: {name}"));
                }
            }
        }
    }
    assert!(undeclared.is_empty(), "path parameters not declared: {undeclared:?}");
    // Every operation says what its success looks like, which errors it
    // gives, and every create takes an Idempotency-Key (issue 14, item 8).
    let mut vague = Vec::new();
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let success = responses.iter().find(|(status, _)| status.starts_with('2'));
            // A body, or (a gateway's answer, `/authz/forward`) headers only.
            if !success.is_some_and(|(_, r)| r["content"].is_object() || r["headers"].is_object()) {
                vague.push(format!("{method} {path}: no success schema"));
            }
            let takes_input = operation["requestBody"].is_object() || operation["parameters"].is_array();
            if takes_input && !responses.contains_key("400") {
                vague.push(format!("{method} {path}: no 400"));
            }
            if path.contains('{') && !responses.contains_key("404") {
                vague.push(format!("{method} {path}: no 404"));
            }
            if operation["requestBody"].is_object() && !responses.contains_key("413") {
                vague.push(format!("{method} {path}: no 413"));
            }
            let creates = method == "post" && !path.contains("/authz/") && !path.contains("/auth/");
            let idempotent = operation["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"));
            if creates && !(idempotent && responses.contains_key("422")) {
                vague.push(format!("{method} {path}: no Idempotency-Key and 422"));
            }
            // A query string or header cannot be null.
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["schema"]["type"].as_array().is_some_and(|t| t.contains(&"null".into())) {
                    vague.push(format!("{method} {path}: {} may be null", parameter["name"]));
                }
            }
        }
    }
    assert!(vague.is_empty(), "{vague:#?}");
    // Constraints a client can check before sending.
    let role = &schemas_of(&doc)["NewRoleBody"]["properties"];
    assert_eq!(role["key"]["pattern"], "^[a-z0-9][a-z0-9_-]{0,62}$", "{role}");
    assert_eq!(role["name"]["maxLength"], 100, "{role}");
    let token = &schemas_of(&doc)["TokenBody"]["oneOf"][1]["properties"];
    assert_eq!(token["permissions"]["minItems"], 1, "{token}");
    assert_eq!(token["expires_in_days"]["maximum"], 365, "the configured maximum: {token}");
    let limit = doc["paths"]["/api/v1/users"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()
        .clone();
    assert_eq!((limit["schema"]["minimum"].as_i64(), limit["schema"]["maximum"].as_i64()), (Some(1), Some(500)));
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in ["PolicyView", "ErrorBody", "CheckRequest", "Subject", "AuditRow"] {
        assert!(schemas.contains_key(schema), "{schema} is missing");
    }
}

/// The served document is the checked-in `docs/openapi.json`, so that any
/// change to the API's contract shows in review as a change to that file.
/// `UPDATE_OPENAPI=1` rewrites the copy instead.
#[tokio::test]
async fn openapi_document_is_the_checked_in_copy() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    let served: serde_json::Value = response.json().await.unwrap();
    let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &text).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    let first_difference = text.lines().zip(kept.lines()).position(|(a, b)| a != b);
    assert!(
        kept == text,
        "the served OpenAPI document is not docs/openapi.json (first differing line: {first_difference:?}): \
         if the change is meant, run this test with UPDATE_OPENAPI=1 and review the diff"
    );
}

fn schemas_of(doc: &serde_json::Value) -> &serde_json::Map<String, serde_json::Value> {
    doc["components"]["schemas"].as_object().unwrap()
}
