//! Consistency tokens on one process: every successful write returns the
//! access revision (header and JSON field); checks wait for a revision or
//! refuse with 503, never answering from before it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp};
use crate::support::written;

backend_tests!(writes_return_their_revision_and_checks_wait_for_it);

async fn writes_return_their_revision_and_checks_wait_for_it(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_REVISION_WAIT", "200ms")]).await;
    app.login_admin().await;
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let admin = me["user"]["id"].as_str().unwrap().to_owned();

    // Reads carry no revision; a write that changes no access returns the current one.
    let listed = app.client.get(app.url("/api/v1/workspaces")).send().await.unwrap();
    assert!(listed.headers().get("portcullis-revision").is_none());
    let (status, _, first) = written(
        app.client.post(app.url("/api/v1/workspaces")).json(&json!({"key": "ml", "name": "ML"})).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, first), (StatusCode::CREATED, 1), "the first admin was revision 1");

    // Access changes each make the next revision; a bodyless answer becomes {"revision": N}.
    let created = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "dev@example.com", "name": "Dev", "password": "developer password 1"}))
        .send()
        .await
        .unwrap();
    let (status, dev, second) = written(created).await;
    assert_eq!((status, second), (StatusCode::CREATED, 2));
    let policy = json!({"subject": {"user_id": dev["id"]}, "role": "developer", "workspace": "ml"});
    let (_, policy, third) =
        written(app.client.post(app.url("/api/v1/policies")).json(&policy).send().await.unwrap()).await;
    assert_eq!(third, 3);
    let deleted = app.client.delete(app.url(&format!("/api/v1/policies/{}", policy["id"]))).send().await.unwrap();
    let (status, body, fourth) = written(deleted).await;
    assert_eq!((status, fourth), (StatusCode::OK, 4));
    assert_eq!(body, json!({"revision": 4}));

    // A reached revision answers; one no write has made is refused at once.
    let check = |at_least: Value| {
        app.client
            .post(app.url("/api/v1/authz/check"))
            .json(&json!({"user_id": admin, "permission": "user:manage", "at_least_revision": at_least}))
            .send()
    };
    let answered: Value = check(json!(4)).await.unwrap().json().await.unwrap();
    assert_eq!(answered["allowed"], true, "{answered}");
    let (status, code, message) = error_of(check(json!(5)).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "revision_unknown"), "{message}");
    assert!(message.contains("revision 5") && message.contains("the newest is 4"), "{message}");
    let (status, code, _) = error_of(check(json!(-1)).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "validation"));
    let batch = app
        .client
        .post(app.url("/api/v1/authz/check-batch"))
        .json(&json!({"checks": [{"user_id": admin, "permission": "user:manage"}], "at_least_revision": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(batch.status(), StatusCode::CONFLICT);

    // The audit log and the metrics see it all.
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("portcullis_index_revision 4"), "{metrics}");
    assert!(metrics.contains("portcullis_authz_checks_refused_total{reason=\"revision_unknown\"} 2"), "{metrics}");
    assert!(metrics.contains("portcullis_authz_check_duration_seconds_count{endpoint=\"check\"}"), "{metrics}");
}
