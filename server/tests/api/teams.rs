//! Teams: membership confers the team's policies; maintainers' limits; the
//! team that carries the last admin keeps them.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp};

backend_tests!(membership_confers_team_policies, maintainers_limits, team_carrying_the_last_admin_keeps_them);

const PASSWORD: &str = "a long enough password";

async fn send(request: reqwest::RequestBuilder, expected: StatusCode) -> Value {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body}");
    body
}

async fn user(app: &TestApp, email: &str) -> (String, Client) {
    let body = send(
        app.client.post(app.url("/api/v1/users")).json(&json!({ "email": email, "name": email, "password": PASSWORD })),
        StatusCode::CREATED,
    )
    .await;
    let client = app.new_client();
    assert_eq!(app.login_with(&client, email, PASSWORD).await.status(), StatusCode::OK);
    (body["id"].as_str().unwrap().to_owned(), client)
}

async fn allowed(app: &TestApp, user: &str, permission: &str, workspace: Option<&str>) -> bool {
    let body = send(
        app.client
            .post(app.url("/api/v1/authz/check"))
            .json(&json!({ "user_id": user, "permission": permission, "workspace": workspace })),
        StatusCode::OK,
    )
    .await;
    body["allowed"].as_bool().unwrap()
}

async fn setup_team(app: &TestApp, key: &str, role: &str, workspace: Option<&str>) {
    send(app.client.post(app.url("/api/v1/teams")).json(&json!({ "key": key, "name": key })), StatusCode::CREATED)
        .await;
    if let Some(ws) = workspace {
        let _ = app
            .client
            .post(app.url("/api/v1/workspaces"))
            .json(&json!({ "key": ws, "name": ws }))
            .send()
            .await
            .unwrap();
    }
    send(
        app.client
            .post(app.url("/api/v1/policies"))
            .json(&json!({ "subject": { "team": key }, "role": role, "workspace": workspace })),
        StatusCode::CREATED,
    )
    .await;
}

async fn membership_confers_team_policies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    setup_team(&app, "ml", "developer", Some("ml-prod")).await;
    let (ada, _) = user(&app, "ada@example.com").await;
    assert!(!allowed(&app, &ada, "model:push", Some("ml-prod")).await);
    let member = send(
        app.client.put(app.url(&format!("/api/v1/teams/ml/members/{ada}"))).json(&json!({ "team_role": "member" })),
        StatusCode::OK,
    )
    .await;
    assert_eq!(member["team_role"], "member");
    assert!(allowed(&app, &ada, "model:push", Some("ml-prod")).await);
    let explained = send(
        app.client.get(app.url(&format!("/api/v1/users/{ada}/effective-permissions?workspace=ml-prod"))),
        StatusCode::OK,
    )
    .await;
    let push = explained["items"].as_array().unwrap().iter().find(|i| i["permission"] == "model:push").unwrap();
    assert_eq!(push["granted_by"][0]["team"], "ml");
    let members = send(app.client.get(app.url("/api/v1/teams/ml/members")), StatusCode::OK).await;
    assert_eq!(members["items"][0]["email"], "ada@example.com");

    send(app.client.delete(app.url(&format!("/api/v1/teams/ml/members/{ada}"))), StatusCode::OK).await;
    assert!(!allowed(&app, &ada, "model:push", Some("ml-prod")).await);

    // Deleting a team removes what it conferred.
    send(app.client.put(app.url(&format!("/api/v1/teams/ml/members/{ada}"))).json(&json!({})), StatusCode::OK).await;
    send(app.client.delete(app.url("/api/v1/teams/ml")), StatusCode::OK).await;
    assert!(!allowed(&app, &ada, "model:push", Some("ml-prod")).await);
    let policies = send(app.client.get(app.url("/api/v1/policies?team=ml")), StatusCode::OK).await;
    assert_eq!(policies["items"], json!([]));
}

async fn maintainers_limits(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    setup_team(&app, "search", "viewer", Some("search-ws")).await;
    let (maintainer, maintainer_client) = user(&app, "maintainer@example.com").await;
    let (newcomer, _) = user(&app, "newcomer@example.com").await;
    let (outsider, outsider_client) = user(&app, "outsider@example.com").await;
    send(
        app.client
            .put(app.url(&format!("/api/v1/teams/search/members/{maintainer}")))
            .json(&json!({ "team_role": "maintainer" })),
        StatusCode::OK,
    )
    .await;

    // A maintainer holds what the team confers (they are in it): adding a member works.
    send(
        maintainer_client
            .put(app.url(&format!("/api/v1/teams/search/members/{newcomer}")))
            .json(&json!({ "team_role": "member" })),
        StatusCode::OK,
    )
    .await;
    // But cannot make maintainers.
    let (status, _, _) = error_of(
        maintainer_client
            .put(app.url(&format!("/api/v1/teams/search/members/{outsider}")))
            .json(&json!({ "team_role": "maintainer" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A non-maintainer cannot add anyone.
    let response = outsider_client
        .put(app.url(&format!("/api/v1/teams/search/members/{outsider}")))
        .json(&json!({ "team_role": "member" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A holder of team:manage who lacks what the team confers cannot add
    // anyone to it: that would hand out access they do not have.
    send(
        app.client
            .post(app.url("/api/v1/roles"))
            .json(&json!({ "key": "team-admin", "name": "Team admin", "permissions": ["team:read", "team:manage"] })),
        StatusCode::CREATED,
    )
    .await;
    let (manager, manager_client) = user(&app, "manager@example.com").await;
    send(
        app.client
            .post(app.url("/api/v1/policies"))
            .json(&json!({ "subject": { "user_id": manager }, "role": "team-admin" })),
        StatusCode::CREATED,
    )
    .await;
    let (status, code, message) = error_of(
        manager_client
            .put(app.url(&format!("/api/v1/teams/search/members/{outsider}")))
            .json(&json!({ "team_role": "member" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"));
    assert!(message.contains("search-ws"), "{message}");
    assert!(!allowed(&app, &outsider, "workspace:read", Some("search-ws")).await);
    // The same manager may manage a team that confers nothing.
    send(
        manager_client.post(app.url("/api/v1/teams")).json(&json!({ "key": "empty", "name": "Empty" })),
        StatusCode::CREATED,
    )
    .await;
    send(
        manager_client.put(app.url(&format!("/api/v1/teams/empty/members/{outsider}"))).json(&json!({})),
        StatusCode::OK,
    )
    .await;
}

async fn team_carrying_the_last_admin_keeps_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let me = me["user"]["id"].as_str().unwrap().to_owned();
    setup_team(&app, "root", "admin", None).await;
    send(app.client.put(app.url(&format!("/api/v1/teams/root/members/{me}"))).json(&json!({})), StatusCode::OK).await;
    // Drop the direct admin policy: the team now carries the only admin.
    let policies = send(app.client.get(app.url(&format!("/api/v1/policies?user_id={me}"))), StatusCode::OK).await;
    let direct = policies["items"][0]["id"].as_i64().unwrap();
    send(app.client.delete(app.url(&format!("/api/v1/policies/{direct}"))), StatusCode::OK).await;
    assert!(allowed(&app, &me, "user:manage", None).await);

    let (status, code, _) =
        error_of(app.client.delete(app.url(&format!("/api/v1/teams/root/members/{me}"))).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "last_admin"));
    let (status, code, _) = error_of(app.client.delete(app.url("/api/v1/teams/root")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "last_admin"));
    assert!(allowed(&app, &me, "user:manage", None).await, "nothing was lost");
}
