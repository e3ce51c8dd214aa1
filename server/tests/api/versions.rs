//! Optimistic concurrency (issue 14, item 3): every editable thing has a
//! version, GET answers it as `ETag`, and a write sent with `If-Match`
//! applies only to that version; otherwise 412 with the thing as it is now.

use futures_util::future::join_all;
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

backend_tests!(
    a_role_saved_from_an_old_version_is_refused_with_what_is_there_now,
    teams_workspaces_users_and_the_profile_carry_versions,
    of_writes_made_from_one_version_at_once_exactly_one_lands,
    an_unreadable_if_match_is_refused_not_ignored,
    the_console_sends_the_version_it_showed,
);

fn etag(response: &Response) -> String {
    response.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn json_of(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body}");
    body
}

async fn a_role_saved_from_an_old_version_is_refused_with_what_is_there_now(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let role = json!({"key": "ops", "name": "Ops", "permissions": ["endpoint:read"]});
    let created = app.client.post(app.url("/api/v1/roles")).json(&role).send().await.unwrap();
    assert_eq!(json_of(created, StatusCode::CREATED).await["version"], 1);
    let read = app.client.get(app.url("/api/v1/roles/ops")).send().await.unwrap();
    assert_eq!(etag(&read), "\"1\"");

    // Two people opened version 1; the first save lands and moves it to 2.
    let first = app
        .client
        .patch(app.url("/api/v1/roles/ops"))
        .header(header::IF_MATCH, "\"1\"")
        .json(&json!({"name": "Operators", "permissions": ["endpoint:read", "model:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(etag(&first), "\"2\"");
    assert_eq!(json_of(first, StatusCode::OK).await["version"], 2);

    // The second, made from version 1, is refused with what is there now.
    let second = app
        .client
        .patch(app.url("/api/v1/roles/ops"))
        .header(header::IF_MATCH, "\"1\"")
        .json(&json!({"description": "mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(etag(&second), "\"2\"", "the 412 carries the current ETag");
    let body = json_of(second, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(body["error"]["code"], "version_mismatch");
    assert_eq!(body["error"]["current_version"], 2);
    assert_eq!(body["error"]["current"]["name"], "Operators", "{body}");
    assert_eq!(body["error"]["current"]["permissions"], json!(["endpoint:read", "model:read"]));
    let now = json_of(app.client.get(app.url("/api/v1/roles/ops")).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(now["description"], "", "the refused save changed nothing");
    assert_eq!(now["version"], 2);

    // Reapplied from version 2 it lands; a list of tags matches any of them.
    let again = app
        .client
        .patch(app.url("/api/v1/roles/ops"))
        .header(header::IF_MATCH, "\"7\", \"2\"")
        .json(&json!({"description": "mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(again, StatusCode::OK).await["version"], 3);
    // Without If-Match a write applies to whatever is there, as before.
    let blind = app.client.patch(app.url("/api/v1/roles/ops")).json(&json!({"name": "Ops"})).send().await.unwrap();
    assert_eq!(json_of(blind, StatusCode::OK).await["version"], 4);

    // Deleting from an old version is refused too; `*` means any version.
    let stale = app.client.delete(app.url("/api/v1/roles/ops")).header(header::IF_MATCH, "\"3\"").send();
    json_of(stale.await.unwrap(), StatusCode::PRECONDITION_FAILED).await;
    let gone = app.client.delete(app.url("/api/v1/roles/ops")).header(header::IF_MATCH, "*").send();
    assert_eq!(gone.await.unwrap().status(), StatusCode::OK);

    // Each refusal is in the audit log.
    let denied: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where outcome = 'denied' and reason like 'version_mismatch%'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(denied, 2);
}

/// GET's ETag, then a write from it (200 and the next ETag), then the same
/// write again from the old one (412).
async fn edit_twice_from(app: &TestApp, path: &str, method: reqwest::Method, body: Value) -> String {
    let read = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK, "{path}");
    let seen = etag(&read);
    assert!(seen.starts_with('"'), "{path} has an ETag: {seen:?}");
    let write = |tag: String| {
        app.client.request(method.clone(), app.url(path)).header(header::IF_MATCH, tag).json(&body).send()
    };
    let first = write(seen.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK, "{path}");
    let next = etag(&first);
    assert_ne!(next, seen, "{path}: a write moves the version on");
    let second = write(seen).await.unwrap();
    assert_eq!(second.status(), StatusCode::PRECONDITION_FAILED, "{path}");
    assert_eq!(etag(&second), next, "{path}");
    next
}

async fn teams_workspaces_users_and_the_profile_carry_versions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let created = app.client.post(app.url("/api/v1/workspaces")).json(&json!({"key": "w2", "name": "W2"})).send();
    json_of(created.await.unwrap(), StatusCode::CREATED).await;
    let created = app.client.post(app.url("/api/v1/teams")).json(&json!({"key": "crew", "name": "Crew"})).send();
    json_of(created.await.unwrap(), StatusCode::CREATED).await;
    let user = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "grace@example.com", "name": "Grace"}))
        .send()
        .await
        .unwrap();
    let user_id = json_of(user, StatusCode::CREATED).await["id"].as_str().unwrap().to_owned();

    let patch = reqwest::Method::PATCH;
    edit_twice_from(&app, "/api/v1/workspaces/w2", patch.clone(), json!({"description": "d"})).await;
    edit_twice_from(&app, &format!("/api/v1/users/{user_id}"), patch.clone(), json!({"name": "G"})).await;
    edit_twice_from(&app, "/api/v1/me", patch.clone(), json!({"name": "Admin"})).await;
    let team = edit_twice_from(&app, "/api/v1/teams/crew", patch, json!({"description": "d"})).await;

    // A team's version covers its members: a member added from an old
    // version is refused, and adding one moves the team's version on.
    let member = format!("/api/v1/teams/crew/members/{user_id}");
    let stale = app.client.put(app.url(&member)).header(header::IF_MATCH, "\"1\"").json(&json!({})).send();
    json_of(stale.await.unwrap(), StatusCode::PRECONDITION_FAILED).await;
    let added = app.client.put(app.url(&member)).header(header::IF_MATCH, team.as_str()).json(&json!({})).send();
    json_of(added.await.unwrap(), StatusCode::OK).await;
    let after = app.client.get(app.url("/api/v1/teams/crew")).send().await.unwrap();
    assert_ne!(etag(&after), team);
    let removed = app.client.delete(app.url(&member)).header(header::IF_MATCH, team.as_str()).send();
    json_of(removed.await.unwrap(), StatusCode::PRECONDITION_FAILED).await;
    let removed = app.client.delete(app.url(&member)).header(header::IF_MATCH, etag(&after)).send();
    assert_eq!(removed.await.unwrap().status(), StatusCode::OK);

    // Disabling from an old version of the user is refused; they stay active.
    let path = format!("/api/v1/users/{user_id}");
    let disable =
        app.client.patch(app.url(&path)).header(header::IF_MATCH, "\"1\"").json(&json!({"status": "disabled"}));
    json_of(disable.send().await.unwrap(), StatusCode::PRECONDITION_FAILED).await;
    let now = json_of(app.client.get(app.url(&path)).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(now["status"], "active");

    // Deletes of workspaces, teams and users take If-Match as well.
    for path in ["/api/v1/workspaces/w2", "/api/v1/teams/crew", path.as_str()] {
        let stale = app.client.delete(app.url(path)).header(header::IF_MATCH, "\"1\"").send();
        assert_eq!(stale.await.unwrap().status(), StatusCode::PRECONDITION_FAILED, "{path}");
        let current = etag(&app.client.get(app.url(path)).send().await.unwrap());
        let deleted = app.client.delete(app.url(path)).header(header::IF_MATCH, current).send();
        assert_eq!(deleted.await.unwrap().status(), StatusCode::OK, "{path}");
    }
}

async fn of_writes_made_from_one_version_at_once_exactly_one_lands(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    for (path, body) in [
        ("/api/v1/roles", json!({"key": "ops", "name": "Ops", "permissions": ["endpoint:read"]})),
        ("/api/v1/workspaces", json!({"key": "w2", "name": "W2"})),
        ("/api/v1/teams", json!({"key": "crew", "name": "Crew"})),
    ] {
        json_of(app.client.post(app.url(path)).json(&body).send().await.unwrap(), StatusCode::CREATED).await;
    }
    // Eight saves of each, all made from version 1, sent at once: one lands,
    // seven are told it moved on; nothing is overwritten silently.
    const EACH: usize = 8;
    for path in ["/api/v1/roles/ops", "/api/v1/workspaces/w2", "/api/v1/teams/crew"] {
        let writes = (0..EACH).map(|n| {
            let body = json!({ "description": format!("edit {n}") });
            app.client.patch(app.url(path)).header(header::IF_MATCH, "\"1\"").json(&body).send()
        });
        let answers = join_all(writes).await;
        let mut landed = Vec::new();
        let mut refused = 0;
        for answer in answers.into_iter().map(Result::unwrap) {
            match answer.status() {
                StatusCode::OK => landed.push(answer.json::<Value>().await.unwrap()["description"].clone()),
                StatusCode::PRECONDITION_FAILED => refused += 1,
                other => panic!("{path}: {other}: {}", answer.text().await.unwrap_or_default()),
            }
        }
        assert_eq!((landed.len(), refused), (1, EACH - 1), "{path}");
        let now = json_of(app.client.get(app.url(path)).send().await.unwrap(), StatusCode::OK).await;
        assert_eq!(now["description"], landed[0], "{path}: the one that landed is what is there");
        assert_eq!(now["version"], 2, "{path}");
    }
}

async fn an_unreadable_if_match_is_refused_not_ignored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let created = app.client.post(app.url("/api/v1/teams")).json(&json!({"key": "crew", "name": "Crew"})).send();
    json_of(created.await.unwrap(), StatusCode::CREATED).await;
    for tag in ["W/\"1\"", "1", "\"one\"", "\"1\", 2"] {
        let sent = app
            .client
            .patch(app.url("/api/v1/teams/crew"))
            .header(header::IF_MATCH, tag)
            .json(&json!({"name": "Changed"}))
            .send()
            .await
            .unwrap();
        let body = json_of(sent, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["error"]["fields"][0]["field"], "If-Match", "{tag}: {body}");
    }
    let now = json_of(app.client.get(app.url("/api/v1/teams/crew")).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!((now["name"].as_str(), now["version"].as_i64()), (Some("Crew"), Some(1)));
}

async fn the_console_sends_the_version_it_showed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let created = app.client.post(app.url("/api/v1/workspaces")).json(&json!({"key": "w2", "name": "W2"})).send();
    json_of(created.await.unwrap(), StatusCode::CREATED).await;
    let save = |name: &'static str, version: &'static str| {
        app.client
            .post(app.url("/sfn/workspaces/update"))
            .form(&[("key", "w2"), ("name", name), ("version", version)])
            .send()
    };
    let first = save("First", "1").await.unwrap();
    assert_eq!(json_of(first, StatusCode::OK).await["version"], 2);
    // The console's error carries the workspace as it is now, to show what
    // changed; the form's version then moves on and the save goes through.
    let second = save("Second", "1").await.unwrap();
    let error = json_of(second, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(error["kind"], "stale", "{error}");
    assert_eq!(error["version"], 2);
    let current: Value = serde_json::from_str(error["current"].as_str().unwrap()).unwrap();
    assert_eq!(current["name"], "First");
    let again = save("Second", "2").await.unwrap();
    assert_eq!(json_of(again, StatusCode::OK).await["name"], "Second");
}
