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
