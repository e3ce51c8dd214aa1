//! Liveness and readiness.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

backend_tests!(alive_and_ready_while_the_database_answers);

async fn alive_and_ready_while_the_database_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let alive = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    app.state.db.close().await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
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
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in ["PolicyView", "ErrorBody", "CheckRequest", "Subject", "AuditRow"] {
        assert!(schemas.contains_key(schema), "{schema} is missing");
    }
}
