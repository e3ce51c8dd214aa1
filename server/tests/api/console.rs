//! Server-rendered pages and the server functions behind their forms.

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::backend_tests;
use crate::helpers::{session_cookie, Backend, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

backend_tests!(
    signed_out_visitors_are_sent_to_login,
    dashboard_shows_counts_from_the_database,
    account_rename_through_the_server_function,
    server_functions_need_a_session,
    login_form_works_without_javascript,
    unknown_pages_are_404,
    users_page_server_functions_enforce_permissions,
    deleting_a_workspace_from_the_console_needs_its_key_typed,
    roles_page_saves_ticked_permissions_and_counts_policies,
    policies_page_names_subjects_and_refuses_what_the_caller_may_not_do,
    user_detail_explains_each_permission,
    workspace_viewers_see_only_their_workspaces_policies,
);

/// The number shown in the dashboard card `name`.
fn stat(html: &str, name: &str) -> Option<i64> {
    let start = html.find(&format!(r#"data-stat="{name}""#))?;
    let after = &html[start..];
    let open = after.find('>')? + 1;
    let close = after[open..].find('<')?;
    after[open..open + close].trim().parse().ok()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app.client.get(app.url(path)).header(header::ACCEPT, "text/html").send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn signed_out_visitors_are_sent_to_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/account")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()[header::LOCATION], "/login?next=/account");
    let (status, html) = page(&app, "/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Sign in"));
    assert!(html.contains(r#"name="password""#));
}

async fn dashboard_shows_counts_from_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let (status, html) = page(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stat(&html, "users"), Some(1), "{html}");
    assert_eq!(stat(&html, "sessions"), Some(1), "{html}");
    // A second user changes the count the page reads.
    app::server::services::users::create_with_password(
        &app.state,
        app::domain::Email::parse("grace@example.com").unwrap(),
        app::domain::DisplayName::parse("Grace").unwrap(),
        secrecy::SecretString::from("another long password".to_owned()),
        false,
    )
    .await
    .unwrap();
    let (_, html) = page(&app, "/").await;
    assert_eq!(stat(&html, "users"), Some(2), "{html}");
}

async fn account_rename_through_the_server_function(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let response =
        app.client.post(app.url("/sfn/account/name")).form(&[("name", "  Ada Lovelace ")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["name"], "Ada Lovelace");
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["name"], "Ada Lovelace");
    let (_, html) = page(&app, "/account").await;
    assert!(html.contains("Ada Lovelace") && html.contains(ADMIN_EMAIL));

    let refused = app.client.post(app.url("/sfn/account/name")).form(&[("name", "   ")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["kind"], "validation");
    assert_eq!(error["fields"][0]["field"], "name");
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["name"], "Ada Lovelace", "a refused change loses nothing");
}

async fn server_functions_need_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.post(app.url("/sfn/account/name")).form(&[("name", "Mallory")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = app.client.get(app.url("/sfn/dashboard")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn login_form_works_without_javascript(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let referer = app.url("/login?next=/account");
    // A plain form post, as a browser without the wasm sends it.
    let wrong = app
        .client
        .post(app.url("/sfn/login"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, &referer)
        .form(&[("email", ADMIN_EMAIL), ("password", "wrong wrong wrong"), ("next", "/account")])
        .send()
        .await
        .unwrap();
    assert!(wrong.status().is_redirection());
    let location = wrong.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with(&referer) && location.contains("__err="), "{location}");
    let right = app
        .client
        .post(app.url("/sfn/login"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, &referer)
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", "/account")])
        .send()
        .await
        .unwrap();
    assert!(right.status().is_redirection());
    assert_eq!(right.headers()[header::LOCATION], "/account");
    assert!(session_cookie(&right).is_some());
    // An open redirect is not possible through `next`.
    let evil = app
        .new_client()
        .post(app.url("/sfn/login"))
        .header(header::ACCEPT, "text/html")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.headers()[header::LOCATION], "/");
}

async fn unknown_pages_are_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, html) = page(&app, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    let api = app.client.get(app.url("/api/v1/no-such-route")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

async fn users_page_server_functions_enforce_permissions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let (status, html) = page(&app, "/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("admin@example.com") && html.contains("New user"), "{html}");

    // A member without user:read or user:manage: the page shows a 403 panel, and
    // a forged server-function call is refused whatever the page offers.
    let created = app
        .client
        .post(app.url("/sfn/users/create"))
        .form(&[("email", "member@example.com"), ("name", "Member"), ("password", "member password 1")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let member = app.new_client();
    assert_eq!(app.login_with(&member, "member@example.com", "member password 1").await.status(), StatusCode::OK);
    let html =
        member.get(app.url("/users")).header(header::ACCEPT, "text/html").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Not allowed") && !html.contains("New user"), "{html}");
    let forged = member
        .post(app.url("/sfn/users/create"))
        .form(&[("email", "intruder@example.com"), ("name", "Intruder"), ("password", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let listed: Value = app.client.get(app.url("/api/v1/users?q=intruder")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"], serde_json::json!([]));
}

async fn deleting_a_workspace_from_the_console_needs_its_key_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let created = app
        .client
        .post(app.url("/sfn/workspaces/create"))
        .form(&[("key", "ml-prod"), ("name", "ML")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let refused = app
        .client
        .post(app.url("/sfn/workspaces/delete"))
        .form(&[("key", "ml-prod"), ("confirm", "ml-pro")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "confirm");
    assert_eq!(app.client.get(app.url("/api/v1/workspaces/ml-prod")).send().await.unwrap().status(), StatusCode::OK);
    let deleted = app
        .client
        .post(app.url("/sfn/workspaces/delete"))
        .form(&[("key", "ml-prod"), ("confirm", "ml-prod")])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        app.client.get(app.url("/api/v1/workspaces/ml-prod")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

async fn roles_page_saves_ticked_permissions_and_counts_policies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    // The matrix posts its ticked boxes as `permissions[]`, once each.
    let form = "mode=create&key=operator&name=Operator&description=&permissions%5B%5D=endpoint%3Aread&permissions%5B%5D=endpoint%3Ainvoke";
    let response = app
        .client
        .post(app.url("/sfn/roles/save"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let role: Value = response.json().await.unwrap();
    assert_eq!(role["permissions"], serde_json::json!(["endpoint:read", "endpoint:invoke"]));
    assert_eq!(role["used_by"], 0);

    // No box ticked: an empty role, not an error; unknown mode: 400 naming it.
    let emptied = app
        .client
        .post(app.url("/sfn/roles/save"))
        .form(&[("mode", "update"), ("key", "operator"), ("name", "Operator")])
        .send()
        .await
        .unwrap();
    assert_eq!(emptied.status(), StatusCode::OK);
    let role: Value = emptied.json().await.unwrap();
    assert_eq!(role["permissions"], serde_json::json!([]));
    let odd = app
        .client
        .post(app.url("/sfn/roles/save"))
        .form(&[("mode", "rename"), ("key", "operator"), ("name", "Operator")])
        .send()
        .await
        .unwrap();
    assert_eq!(odd.status(), StatusCode::BAD_REQUEST);

    // "Used by" comes from the index and follows policies as they come and go.
    let ws = app
        .client
        .post(app.url("/api/v1/workspaces"))
        .json(&serde_json::json!({"key": "ml", "name": "ML"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ws.status(), StatusCode::CREATED);
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let policy = app
        .client
        .post(app.url("/api/v1/policies"))
        .json(&serde_json::json!({"subject": {"user_id": me["user"]["id"]}, "role": "operator", "workspace": "ml"}))
        .send()
        .await
        .unwrap();
    assert_eq!(policy.status(), StatusCode::CREATED);
    let roles: Vec<Value> = app.client.get(app.url("/sfn/roles/list")).send().await.unwrap().json().await.unwrap();
    let operator = roles.iter().find(|r| r["key"] == "operator").unwrap();
    assert_eq!(operator["used_by"], 1);
    let admin = roles.iter().find(|r| r["key"] == "admin").unwrap();
    assert_eq!(admin["used_by"], 1);
    let refused = app.client.post(app.url("/sfn/roles/delete")).form(&[("key", "operator")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

async fn policies_page_names_subjects_and_refuses_what_the_caller_may_not_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    create_member(&app, "member@example.com", "Member").await;

    // The subject is typed as an email (or team:key); unknown ones name the field.
    let unknown = app
        .client
        .post(app.url("/sfn/policies/create"))
        .form(&[("subject", "ghost@example.com"), ("role", "viewer"), ("workspace", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let error: Value = unknown.json().await.unwrap();
    assert_eq!(error["kind"], "validation");
    assert_eq!(error["fields"][0]["field"], "subject");
    assert!(error["fields"][0]["message"].as_str().unwrap().contains("ghost@example.com"), "{error}");
    let granted = app
        .client
        .post(app.url("/sfn/policies/create"))
        .form(&[("subject", "member@example.com"), ("role", "viewer"), ("workspace", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::OK);

    let page: Value = app
        .client
        .get(app.url("/sfn/policies/list?subject=member%40example.com"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["subject_label"], "member@example.com (Member)");
    assert_eq!(items[0]["policy"]["role"], "viewer");

    // The member (a global viewer) may not grant anything: a forged call is refused.
    let member = signed_in(&app, "member@example.com").await;
    let forged = member
        .post(app.url("/sfn/policies/create"))
        .form(&[("subject", "member@example.com"), ("role", "admin"), ("workspace", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let id = items[0]["policy"]["id"].as_i64().unwrap().to_string();
    let forged = member.post(app.url("/sfn/policies/delete")).form(&[("id", id.as_str())]).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

async fn user_detail_explains_each_permission(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let id = me["user"]["id"].as_str().unwrap().to_owned();
    let detail: Value = app
        .client
        .get(app.url(&format!("/sfn/users/detail?id={id}&workspace=ml")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["workspace"], "ml");
    assert_eq!(detail["policies"][0]["policy"]["role"], "admin");
    let invoke = detail["effective"].as_array().unwrap().iter().find(|e| e["permission"] == "endpoint:invoke").unwrap();
    assert_eq!(invoke["granted_by"][0]["role"], "admin");

    // A member without user:read may see themselves, not others.
    create_member(&app, "member@example.com", "Member").await;
    let member = signed_in(&app, "member@example.com").await;
    let refused = member.get(app.url(&format!("/sfn/users/detail?id={id}"))).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let missing = app.client.get(app.url("/sfn/users/detail?id=not-a-uuid")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn workspace_viewers_see_only_their_workspaces_policies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    for key in ["ws-a", "ws-b"] {
        let created = app
            .client
            .post(app.url("/api/v1/workspaces"))
            .json(&serde_json::json!({"key": key, "name": key}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    for (email, ws) in [("one@example.com", "ws-a"), ("two@example.com", "ws-a"), ("three@example.com", "ws-b")] {
        create_member(&app, email, email).await;
        let granted = app
            .client
            .post(app.url("/sfn/policies/create"))
            .form(&[("subject", email), ("role", "developer"), ("workspace", ws)])
            .send()
            .await
            .unwrap();
        assert_eq!(granted.status(), StatusCode::OK);
    }
    let one = signed_in(&app, "one@example.com").await;
    let page: Value = one.get(app.url("/sfn/policies/list")).send().await.unwrap().json().await.unwrap();
    let workspaces: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|p| p["policy"]["workspace"].as_str().unwrap()).collect();
    assert_eq!(workspaces, ["ws-a", "ws-a"], "{page}");
    let rest: Value = one.get(app.url("/api/v1/policies")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2, "{rest}");
    let other = one.get(app.url("/sfn/policies/list?workspace=ws-b")).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);

    // Someone with no policy:read anywhere is refused, not shown an empty list.
    create_member(&app, "none@example.com", "None").await;
    let none = signed_in(&app, "none@example.com").await;
    let refused = none.get(app.url("/sfn/policies/list")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

/// Creates a user with the password "member password 1" through the console.
async fn create_member(app: &TestApp, email: &str, name: &str) {
    let created = app
        .client
        .post(app.url("/sfn/users/create"))
        .form(&[("email", email), ("name", name), ("password", "member password 1")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
}

/// A client of its own, signed in as a member made by `create_member`.
async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.new_client();
    assert_eq!(app.login_with(&client, email, "member password 1").await.status(), StatusCode::OK);
    client
}
