//! Server-rendered pages and the server functions behind their forms.

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::backend_tests;
use crate::helpers::{session_cookie, Backend, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

backend_tests!(
    signed_out_visitors_are_sent_to_login,
    dashboard_shows_counts_from_the_database,
    dashboard_lists_what_needs_attention_to_those_who_may_read_it,
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
    teams_page_manages_teams_and_members_by_email,
    workspace_page_shows_policies_and_people_with_access,
    access_explorer_explains_and_finds_holders,
    users_are_renamed_from_the_console,
    users_sort_by_name_or_newest_and_page_by_key,
    teams_workspaces_and_policies_sort,
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
    app::server::services::operator::create_with_password(
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
    // The same for a team's save and an answer to an invitation: a mode or
    // answer that is not one of the choices never reaches a use case.
    for (path, form) in [
        ("/sfn/teams/save", vec![("mode", "rename"), ("key", "ops"), ("name", "Ops")]),
        ("/sfn/me/invitation", vec![("id", "00000000-0000-0000-0000-000000000000"), ("answer", "maybe")]),
    ] {
        let odd = app.client.post(app.url(path)).form(&form).send().await.unwrap();
        assert_eq!(odd.status(), StatusCode::BAD_REQUEST, "{path}");
    }

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
    // 409: well formed, but naming no one there is.
    assert_eq!(unknown.status(), StatusCode::CONFLICT);
    let error: Value = unknown.json().await.unwrap();
    assert_eq!((error["kind"].as_str(), error["code"].as_str()), (Some("conflict"), Some("unknown_reference")));
    assert_eq!(error["field"], "subject");
    assert!(error["message"].as_str().unwrap().contains("ghost@example.com"), "{error}");
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

async fn post_form(client: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(app.url(path)).form(form).send().await.unwrap()
}

async fn get_json(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The field a validation error names, or a 409 naming something that
/// does not exist.
async fn invalid_field(response: reqwest::Response) -> String {
    let status = response.status();
    let body = response.text().await.unwrap();
    let error: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    match status {
        StatusCode::BAD_REQUEST => error["fields"][0]["field"].as_str(),
        StatusCode::CONFLICT if error["code"] == "unknown_reference" => error["field"].as_str(),
        other => panic!("{other}: {body}"),
    }
    .map(str::to_owned)
    .unwrap_or_else(|| panic!("{body}"))
}

async fn teams_page_manages_teams_and_members_by_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let admin = &app.client;
    let bad =
        post_form(admin, &app, "/sfn/teams/save", &[("mode", "create"), ("key", "Bad Key"), ("name", "ML")]).await;
    assert_eq!(invalid_field(bad).await, "key");
    let created =
        post_form(admin, &app, "/sfn/teams/save", &[("mode", "create"), ("key", "ml-eng"), ("name", "ML engineers")])
            .await;
    assert_eq!(created.status(), StatusCode::OK);
    let (_, found) = get_json(admin, &app, "/sfn/teams/list?q=engineers").await;
    assert_eq!(found["items"][0]["key"], "ml-eng", "{found}");
    let (_, none) = get_json(admin, &app, "/sfn/teams/list?q=nothing-like-it").await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);

    create_member(&app, "ada@example.com", "Ada").await;
    let unknown = post_form(
        admin,
        &app,
        "/sfn/teams/members/put",
        &[("key", "ml-eng"), ("email", "nobody@example.com"), ("team_role", "member")],
    )
    .await;
    assert_eq!(invalid_field(unknown).await, "email");
    let added = post_form(
        admin,
        &app,
        "/sfn/teams/members/put",
        &[("key", "ml-eng"), ("email", " ada@example.com "), ("team_role", "member")],
    )
    .await;
    assert_eq!(added.status(), StatusCode::OK);
    let (status, detail) = get_json(admin, &app, "/sfn/teams/detail?key=ml-eng").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["members"][0]["email"], "ada@example.com", "{detail}");
    assert_eq!(detail["may_manage"], true);
    assert_eq!(detail["policies"].as_array().unwrap().len(), 0);

    // A plain member may read the team but not add people, nor learn who exists.
    let ada = signed_in(&app, "ada@example.com").await;
    let refused = post_form(
        &ada,
        &app,
        "/sfn/teams/members/put",
        &[("key", "ml-eng"), ("email", "nobody@example.com"), ("team_role", "member")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let renamed = post_form(
        admin,
        &app,
        "/sfn/teams/save",
        &[("mode", "update"), ("key", "ml-eng"), ("name", "ML"), ("description", "Model people")],
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let empty_name =
        post_form(admin, &app, "/sfn/teams/save", &[("mode", "update"), ("key", "ml-eng"), ("name", " ")]).await;
    assert_eq!(invalid_field(empty_name).await, "name");
    let ada_id = detail["members"][0]["user_id"].as_str().unwrap().to_owned();
    let removed = post_form(admin, &app, "/sfn/teams/members/remove", &[("key", "ml-eng"), ("user_id", &ada_id)]).await;
    assert_eq!(removed.status(), StatusCode::OK);
    let (_, detail) = get_json(admin, &app, "/sfn/teams/detail?key=ml-eng").await;
    assert_eq!(detail["team"]["name"], "ML");
    assert_eq!(detail["members"].as_array().unwrap().len(), 0);
    let deleted = post_form(admin, &app, "/sfn/teams/delete", &[("key", "ml-eng")]).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    let (status, _) = get_json(admin, &app, "/sfn/teams/detail?key=ml-eng").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn workspace_page_shows_policies_and_people_with_access(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let admin = &app.client;
    for key in ["ws-a", "ws-b"] {
        let created = post_form(admin, &app, "/sfn/workspaces/create", &[("key", key), ("name", key)]).await;
        assert_eq!(created.status(), StatusCode::OK);
    }
    for email in ["one@example.com", "two@example.com", "three@example.com"] {
        create_member(&app, email, email).await;
    }
    post_form(admin, &app, "/sfn/teams/save", &[("mode", "create"), ("key", "builders"), ("name", "Builders")]).await;
    let added = post_form(
        admin,
        &app,
        "/sfn/teams/members/put",
        &[("key", "builders"), ("email", "two@example.com"), ("team_role", "member")],
    )
    .await;
    assert_eq!(added.status(), StatusCode::OK);
    for (subject, ws) in [("one@example.com", "ws-a"), ("team:builders", "ws-a"), ("three@example.com", "ws-b")] {
        let granted = post_form(
            admin,
            &app,
            "/sfn/policies/create",
            &[("subject", subject), ("role", "developer"), ("workspace", ws)],
        )
        .await;
        assert_eq!(granted.status(), StatusCode::OK);
    }
    let (status, detail) = get_json(admin, &app, "/sfn/workspaces/detail?key=ws-a").await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["policies"].as_array().unwrap().len(), 2, "{detail}");
    let people = &detail["people"]["people"];
    let emails: Vec<&str> = people.as_array().unwrap().iter().map(|p| p["email"].as_str().unwrap()).collect();
    assert_eq!(emails, [ADMIN_EMAIL, "one@example.com", "two@example.com"], "{detail}");
    assert_eq!(detail["people"]["total"], 3);
    let two = people.as_array().unwrap().iter().find(|p| p["email"] == "two@example.com").unwrap();
    assert_eq!(two["grants"][0]["team"], "builders", "{two}");
    assert_eq!(detail["may_update"], true);

    let empty = post_form(admin, &app, "/sfn/workspaces/update", &[("key", "ws-a"), ("name", "")]).await;
    assert_eq!(invalid_field(empty).await, "name");
    let renamed =
        post_form(admin, &app, "/sfn/workspaces/update", &[("key", "ws-a"), ("name", "Alpha"), ("description", "A")])
            .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let (_, found) = get_json(admin, &app, "/sfn/workspaces/list?q=alpha").await;
    let keys: Vec<&str> = found["items"].as_array().unwrap().iter().map(|w| w["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["ws-a"], "{found}");

    // A developer of ws-b cannot open ws-a's page; in their own they may
    // edit it (developers hold workspace:update) but not delete it.
    let three = signed_in(&app, "three@example.com").await;
    let (status, _) = get_json(&three, &app, "/sfn/workspaces/detail?key=ws-a").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, own) = get_json(&three, &app, "/sfn/workspaces/detail?key=ws-b").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!((own["may_update"].as_bool(), own["may_delete"].as_bool()), (Some(true), Some(false)), "{own}");
    let (status, _) = get_json(admin, &app, "/sfn/workspaces/detail?key=no-such-place").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn access_explorer_explains_and_finds_holders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let admin = &app.client;
    post_form(admin, &app, "/sfn/workspaces/create", &[("key", "ws-a"), ("name", "A")]).await;
    create_member(&app, "one@example.com", "One").await;
    let granted = post_form(
        admin,
        &app,
        "/sfn/policies/create",
        &[("subject", "one@example.com"), ("role", "developer"), ("workspace", "ws-a")],
    )
    .await;
    assert_eq!(granted.status(), StatusCode::OK);

    let (status, answer) = get_json(admin, &app, "/sfn/access/explain?user=one%40example.com&workspace=ws-a").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let create = answer["effective"].as_array().unwrap().iter().find(|e| e["permission"] == "endpoint:create");
    assert_eq!(create.unwrap()["granted_by"][0]["role"], "developer", "{answer}");
    let (_, global) = get_json(admin, &app, "/sfn/access/explain?user=one%40example.com&workspace=").await;
    assert_eq!(global["effective"].as_array().unwrap().len(), 0, "{global}");
    let unknown = admin.get(app.url("/sfn/access/explain?user=ghost%40example.com")).send().await.unwrap();
    assert_eq!(invalid_field(unknown).await, "user");

    let (status, holders) =
        get_json(admin, &app, "/sfn/access/holders?permission=endpoint%3Acreate&workspace=ws-a").await;
    assert_eq!(status, StatusCode::OK, "{holders}");
    let emails: Vec<&str> =
        holders["holders"]["people"].as_array().unwrap().iter().map(|p| p["email"].as_str().unwrap()).collect();
    assert_eq!(emails, [ADMIN_EMAIL, "one@example.com"], "{holders}");
    let (_, global) = get_json(admin, &app, "/sfn/access/holders?permission=endpoint%3Acreate").await;
    assert_eq!(global["holders"]["total"], 1, "only the admin holds it globally: {global}");
    let bad = admin.get(app.url("/sfn/access/holders?permission=endpoint%3Afly")).send().await.unwrap();
    assert_eq!(invalid_field(bad).await, "permission");
    // A workspace that does not exist is named so, not answered "no permission".
    for question in [
        "/sfn/access/explain?user=one%40example.com&workspace=no-such",
        "/sfn/access/holders?permission=endpoint%3Acreate&workspace=no-such",
    ] {
        let nowhere = admin.get(app.url(question)).send().await.unwrap();
        assert_eq!(invalid_field(nowhere).await, "workspace", "{question}");
    }

    // A developer of ws-a reads policies there, not globally.
    let one = signed_in(&app, "one@example.com").await;
    let (status, _) = get_json(&one, &app, "/sfn/access/holders?permission=endpoint%3Acreate&workspace=ws-a").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get_json(&one, &app, "/sfn/access/holders?permission=endpoint%3Acreate").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor may they learn which workspaces exist by asking about others.
    let (status, _) = get_json(&one, &app, "/sfn/access/holders?permission=endpoint%3Acreate&workspace=no-such").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn users_are_renamed_from_the_console(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    create_member(&app, "ada@example.com", "Ada").await;
    let (_, page) = get_json(&app.client, &app, "/sfn/users/list?q=ada%40").await;
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let renamed = post_form(&app.client, &app, "/sfn/users/rename", &[("id", &id), ("name", "Ada Lovelace")]).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let user: Value = renamed.json().await.unwrap();
    assert_eq!(user["name"], "Ada Lovelace");
    let empty = post_form(&app.client, &app, "/sfn/users/rename", &[("id", &id), ("name", "  ")]).await;
    assert_eq!(invalid_field(empty).await, "name");
    let ada = signed_in(&app, "ada@example.com").await;
    let refused = post_form(&ada, &app, "/sfn/users/rename", &[("id", &id), ("name", "Someone else")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn users_sort_by_name_or_newest_and_page_by_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    for (email, name) in
        [("a-sorty@example.com", "Zed"), ("m-sorty@example.com", "Amy"), ("z-sorty@example.com", "Mid")]
    {
        create_member(&app, email, name).await;
    }
    // Walks every page of one order, one user per page, by the REST API.
    async fn walk(app: &TestApp, sort: &str) -> Vec<String> {
        let mut emails = Vec::new();
        let mut cursor = String::new();
        loop {
            let path = format!("/api/v1/users?q=sorty&sort={sort}&limit=1&cursor={cursor}");
            let (status, page) = get_json(&app.client, app, &path).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert!(
                page["items"].as_array().is_some_and(|items| !items.is_empty()) || page["next_cursor"].is_null(),
                "{path}: {page}"
            );
            emails.extend(page["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.replace('@', "%40"),
                None => return emails,
            }
        }
    }
    assert_eq!(walk(&app, "email").await, ["a-sorty@example.com", "m-sorty@example.com", "z-sorty@example.com"]);
    assert_eq!(walk(&app, "name").await, ["m-sorty@example.com", "z-sorty@example.com", "a-sorty@example.com"]);
    assert_eq!(walk(&app, "newest").await, ["z-sorty@example.com", "m-sorty@example.com", "a-sorty@example.com"]);
    let (_, console) = get_json(&app.client, &app, "/sfn/users/list?q=sorty&sort=name").await;
    assert_eq!(console["items"][0]["name"], "Amy", "{console}");
    let bad = app.client.get(app.url("/sfn/users/list?sort=shoe-size")).send().await.unwrap();
    assert_eq!(invalid_field(bad).await, "sort");
}

async fn teams_workspaces_and_policies_sort(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    for (key, name) in [("b-team", "Alpha"), ("a-team", "Zulu"), ("c-team", "Mike")] {
        let saved =
            post_form(&app.client, &app, "/sfn/teams/save", &[("mode", "create"), ("key", key), ("name", name)]).await;
        assert_eq!(saved.status(), StatusCode::OK);
        let created = post_form(&app.client, &app, "/sfn/workspaces/create", &[("key", key), ("name", name)]).await;
        assert_eq!(created.status(), StatusCode::OK);
    }
    for path in ["/api/v1/teams", "/api/v1/workspaces"] {
        for (sort, expected) in [("key", ["a-team", "b-team", "c-team"]), ("name", ["b-team", "c-team", "a-team"])] {
            // One per page, to walk the keyset cursor too.
            let mut keys = Vec::new();
            let mut cursor = String::new();
            loop {
                let (status, page) =
                    get_json(&app.client, &app, &format!("{path}?sort={sort}&limit=1&cursor={cursor}")).await;
                assert_eq!(status, StatusCode::OK, "{page}");
                keys.extend(page["items"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap().to_owned()));
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = next.to_owned(),
                    None => break,
                }
            }
            assert_eq!(keys, expected, "{path} by {sort}");
        }
    }
    let (_, by_name) = get_json(&app.client, &app, "/sfn/teams/list?sort=name").await;
    assert_eq!(by_name["items"][0]["key"], "b-team");
    let bad = app.client.get(app.url("/sfn/workspaces/list?sort=size")).send().await.unwrap();
    assert_eq!(invalid_field(bad).await, "sort");

    let granted = post_form(
        &app.client,
        &app,
        "/sfn/policies/create",
        &[("subject", "team:a-team"), ("role", "viewer"), ("workspace", "")],
    )
    .await;
    assert_eq!(granted.status(), StatusCode::OK);
    let (_, newest) = get_json(&app.client, &app, "/sfn/policies/list?sort=newest").await;
    let ids: Vec<i64> =
        newest["items"].as_array().unwrap().iter().map(|p| p["policy"]["id"].as_i64().unwrap()).collect();
    assert!(ids.len() >= 2 && ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let bad = app.client.get(app.url("/sfn/policies/list?sort=random")).send().await.unwrap();
    assert_eq!(invalid_field(bad).await, "sort");
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

async fn dashboard_lists_what_needs_attention_to_those_who_may_read_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let admin = &app.client;
    create_member(&app, "idle@example.com", "Idle").await;
    create_member(&app, "gone@example.com", "Gone").await;
    let granted =
        post_form(admin, &app, "/sfn/policies/create", &[("subject", "gone@example.com"), ("role", "viewer")]).await;
    assert_eq!(granted.status(), StatusCode::OK);
    let (_, users) = get_json(admin, &app, "/sfn/users/list?q=gone").await;
    let gone = users["items"][0]["id"].as_str().unwrap().to_owned();
    let disabled = post_form(admin, &app, "/sfn/users/status", &[("id", gone.as_str()), ("status", "disabled")]).await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let invited =
        post_form(admin, &app, "/sfn/invitations/create", &[("emails", "soon@example.com"), ("role", "viewer")]).await;
    assert_eq!(invited.status(), StatusCode::OK);
    // A refusal: a member who may not create users tries.
    let idle = signed_in(&app, "idle@example.com").await;
    let refused = post_form(&idle, &app, "/sfn/users/create", &[("email", "x@example.com"), ("name", "X")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let (status, attention) = get_json(admin, &app, "/sfn/dashboard/attention").await;
    assert_eq!(status, StatusCode::OK, "{attention}");
    let emails = |part: &str| -> Vec<String> {
        attention[part]["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(emails("users_without_access"), ["idle@example.com"], "{attention}");
    assert_eq!(emails("disabled_with_access"), ["gone@example.com"], "{attention}");
    assert_eq!(attention["invitations"][0], 1, "{attention}");
    assert!(attention["refusals"].as_i64().unwrap() >= 1, "{attention}");
    assert!(!attention["recent"].as_array().unwrap().is_empty(), "{attention}");

    // A member without those permissions is shown none of it.
    let (status, theirs) = get_json(&idle, &app, "/sfn/dashboard/attention").await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    for part in ["users_without_access", "disabled_with_access", "invitations", "refusals", "recent"] {
        assert!(theirs[part].is_null(), "{part}: {theirs}");
    }
}
