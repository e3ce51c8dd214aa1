//! Delegated administration tried as an attacker would: every path that
//! confers or takes away access, by someone who holds less than it needs.
//! Each test failed on the code before the escalation release.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::fake_oauth::{FakeAccount, FakeOAuth};
use crate::helpers::{error_of, Backend, TestApp};

backend_tests!(
    an_inviter_cannot_take_over_an_invitation_beyond_them,
    accepting_rechecks_what_the_inviter_holds,
    service_account_tokens_confer_no_more_than_their_maker_holds,
    accounts_are_not_made_or_used_under_someone_elses_invitation,
    a_password_an_administrator_chose_dies_when_the_owner_signs_in_with_a_provider,
    access_is_not_taken_away_through_teams_or_accounts,
    service_accounts_do_not_count_as_the_last_administrator,
    tokens_do_only_what_their_scope_names,
    refusals_tell_nothing_of_what_exists,
    the_policy_form_refuses_before_looking_the_subject_up,
    a_one_time_password_is_set_only_by_one_who_holds_all_the_accounts_access,
    a_user_is_created_with_no_grant_beyond_the_creator,
);

const PASSWORD: &str = "a long enough password";

async fn send(client: &Client, app: &TestApp, method: &str, path: &str, body: Option<Value>) -> reqwest::Response {
    let request = match method {
        "GET" => client.get(app.url(path)),
        "POST" => client.post(app.url(path)),
        "PUT" => client.put(app.url(path)),
        "PATCH" => client.patch(app.url(path)),
        "DELETE" => client.delete(app.url(path)),
        other => panic!("{other}"),
    };
    match body {
        Some(body) => request.json(&body),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

async fn ok(response: reqwest::Response, expected: StatusCode) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body}");
    body
}

/// A custom role of `permissions`, made by the admin.
async fn role(app: &TestApp, key: &str, permissions: &[&str]) {
    let body = json!({"key": key, "name": key, "permissions": permissions});
    ok(send(&app.client, app, "POST", "/api/v1/roles", Some(body)).await, StatusCode::CREATED).await;
}

/// A user made by the admin with `grants` (role, workspace), signed in.
async fn member(app: &TestApp, email: &str, grants: &[(&str, Option<&str>)]) -> (Client, String) {
    let body = json!({"email": email, "name": email, "password": PASSWORD});
    let created = ok(send(&app.client, app, "POST", "/api/v1/users", Some(body)).await, StatusCode::CREATED).await;
    let id = created["id"].as_str().unwrap().to_owned();
    for (role, workspace) in grants {
        grant(app, &json!({"user_id": id}), role, *workspace).await;
    }
    let client = app.new_client();
    assert_eq!(app.login_with(&client, email, PASSWORD).await.status(), StatusCode::OK);
    (client, id)
}

async fn grant(app: &TestApp, subject: &Value, role: &str, workspace: Option<&str>) -> i64 {
    let body = json!({"subject": subject, "role": role, "workspace": workspace});
    let policy = ok(send(&app.client, app, "POST", "/api/v1/policies", Some(body)).await, StatusCode::CREATED).await;
    policy["id"].as_i64().unwrap()
}

async fn allowed(app: &TestApp, user: &str, permission: &str, workspace: Option<&str>) -> bool {
    let body = json!({"user_id": user, "permission": permission, "workspace": workspace});
    ok(send(&app.client, app, "POST", "/api/v1/authz/check", Some(body)).await, StatusCode::OK).await["allowed"]
        .as_bool()
        .unwrap()
}

async fn invite(app: &TestApp, client: &Client, email: &str, role: &str, workspace: Option<&str>) -> reqwest::Response {
    let body = json!({"emails": [email], "role": role, "workspace": workspace});
    send(client, app, "POST", "/api/v1/invitations", Some(body)).await
}

fn token_of(invitation: &Value) -> String {
    invitation["link"].as_str().unwrap_or_else(|| panic!("no link in {invitation}")).rsplit('/').next().unwrap().into()
}

async fn accept_with_password(app: &TestApp, token: &str) -> reqwest::Response {
    app.new_client()
        .post(app.url("/sfn/invitations/accept-password"))
        .form(&[("token", token), ("name", "Invitee"), ("password", "invitee long password")])
        .send()
        .await
        .unwrap()
}

async fn sfn_code(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().or(body["kind"].as_str()).unwrap_or_default().to_owned())
}

async fn an_inviter_cannot_take_over_an_invitation_beyond_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    role(&app, "inviter", &["invite:manage", "user:read"]).await;
    let (helpdesk, _) = member(&app, "helpdesk@example.com", &[("inviter", None), ("viewer", None)]).await;
    let created = ok(invite(&app, &app.client, "cfo@example.com", "admin", None).await, StatusCode::CREATED).await;
    let id = created[0]["id"].as_str().unwrap().to_owned();
    let token = token_of(&created[0]);

    // Reading the link: the admin sees it, the helpdesk does not.
    let listed = ok(send(&helpdesk, &app, "GET", "/api/v1/invitations", None).await, StatusCode::OK).await;
    let row = listed["items"].as_array().unwrap().iter().find(|i| i["id"] == id.as_str()).unwrap().clone();
    assert_eq!(row["link"], Value::Null, "{row}");
    let listed = ok(send(&app.client, &app, "GET", "/api/v1/invitations", None).await, StatusCode::OK).await;
    assert!(listed["items"][0]["link"].is_string());

    // Resending: a fresh link is as good as a new invitation.
    let resent = send(&helpdesk, &app, "POST", &format!("/api/v1/invitations/{id}/resend"), None).await;
    let (status, code, message) = error_of(resent).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"), "{message}");

    // Re-inviting the same email with a lesser role neither renews the old
    // invitation nor replaces it.
    let again = invite(&app, &helpdesk, "cfo@example.com", "viewer", None).await;
    let (status, code, message) = error_of(again).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "invitation_pending"), "{message}");
    assert!(message.contains(&id), "names the existing invitation: {message}");
    // Nor with the same admin role.
    let same = invite(&app, &helpdesk, "cfo@example.com", "admin", None).await;
    assert_eq!(error_of(same).await.1, "escalation");

    // The real invitee's link still works, and lands them as admin.
    let joined = accept_with_password(&app, &token).await;
    assert_eq!(joined.status(), StatusCode::OK, "{}", joined.text().await.unwrap());
    // The refusals are audited.
    let audit =
        ok(send(&app.client, &app, "GET", "/api/v1/audit?action=invitation.resend", None).await, StatusCode::OK).await;
    let refused = audit["items"].as_array().unwrap().iter().filter(|e| e["outcome"] == "denied").count();
    assert_eq!(refused, 1, "{audit}");
}

async fn accepting_rechecks_what_the_inviter_holds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let (second_admin, _) = member(&app, "second@example.com", &[]).await;
    let me = ok(send(&second_admin, &app, "GET", "/api/v1/me", None).await, StatusCode::OK).await;
    let second_id = me["user"]["id"].as_str().unwrap().to_owned();
    let policy = grant(&app, &json!({"user_id": second_id}), "admin", None).await;
    let created = ok(invite(&app, &second_admin, "friend@example.com", "admin", None).await, StatusCode::CREATED).await;
    let token = token_of(&created[0]);
    // The inviter loses admin before the link is used.
    ok(send(&app.client, &app, "DELETE", &format!("/api/v1/policies/{policy}"), None).await, StatusCode::OK).await;
    let (status, code) = sfn_code(accept_with_password(&app, &token).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "inviter_lacks_access"));
    // Nothing was created on the way.
    let users = ok(send(&app.client, &app, "GET", "/api/v1/users?q=friend", None).await, StatusCode::OK).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 0, "{users}");
    // Resent by someone who holds it, it works (the resender vouches for it).
    let id = created[0]["id"].as_str().unwrap();
    let resent =
        ok(send(&app.client, &app, "POST", &format!("/api/v1/invitations/{id}/resend"), None).await, StatusCode::OK)
            .await;
    let joined = accept_with_password(&app, &token_of(&resent)).await;
    assert_eq!(joined.status(), StatusCode::OK, "{}", joined.text().await.unwrap());
}

async fn service_account_tokens_confer_no_more_than_their_maker_holds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    ok(
        send(&app.client, &app, "POST", "/api/v1/workspaces", Some(json!({"key": "ml", "name": "ML"}))).await,
        StatusCode::CREATED,
    )
    .await;
    role(&app, "helpdesk", &["user:manage", "user:read"]).await;
    let (helpdesk, helpdesk_id) = member(&app, "helpdesk@example.com", &[("helpdesk", None)]).await;
    let account = ok(
        send(&app.client, &app, "POST", "/api/v1/service-accounts", Some(json!({"key": "ops-bot", "name": "Ops"})))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let account_id = account["id"].as_str().unwrap().to_owned();
    grant(&app, &json!({"user_id": account_id}), "admin", None).await;

    let path = format!("/api/v1/service-accounts/{account_id}/tokens");
    for body in [
        json!({"name": "all", "scope": "custom", "permissions": ["policy:manage"]}),
        json!({"name": "dev", "scope": "developer", "workspace": "ml"}),
        json!({"name": "call", "scope": "endpoint"}),
    ] {
        let refused = send(&helpdesk, &app, "POST", &path, Some(body.clone())).await;
        let (status, code, message) = error_of(refused).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"), "{body}: {message}");
    }
    // Within what the maker holds, a token is made.
    let within = json!({"name": "users", "scope": "custom", "permissions": ["user:read"]});
    ok(send(&helpdesk, &app, "POST", &path, Some(within)).await, StatusCode::CREATED).await;
    // And the helpdesk gained nothing.
    assert!(!allowed(&app, &helpdesk_id, "policy:manage", None).await);
    // Binding a role to the account is the policy rule, as for anyone.
    let bind = json!({"subject": {"user_id": account_id}, "role": "developer", "workspace": "ml"});
    role(&app, "binder", &["policy:manage"]).await;
    let (binder, _) = member(&app, "binder@example.com", &[("binder", None)]).await;
    assert_eq!(error_of(send(&binder, &app, "POST", "/api/v1/policies", Some(bind)).await).await.1, "escalation");
}

async fn accounts_are_not_made_or_used_under_someone_elses_invitation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    role(&app, "helpdesk", &["user:manage", "user:read"]).await;
    let (helpdesk, _) = member(&app, "helpdesk@example.com", &[("helpdesk", None)]).await;
    let created = ok(invite(&app, &app.client, "ceo@example.com", "admin", None).await, StatusCode::CREATED).await;

    // No account under a pending invitation's email.
    let body = json!({"email": "ceo@example.com", "name": "CEO", "password": PASSWORD});
    let refused = send(&helpdesk, &app, "POST", "/api/v1/users", Some(body)).await;
    let (status, code, message) = error_of(refused).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "invitation_pending"), "{message}");
    assert!(message.contains(created[0]["id"].as_str().unwrap()), "{message}");

    // An account made first, invited after: its maker signed in as it
    // cannot accept (or decline) without the link.
    let body = json!({"email": "cto@example.com", "name": "CTO", "password": PASSWORD});
    ok(send(&helpdesk, &app, "POST", "/api/v1/users", Some(body)).await, StatusCode::CREATED).await;
    let invited = ok(invite(&app, &app.client, "cto@example.com", "admin", None).await, StatusCode::CREATED).await;
    let id = invited[0]["id"].as_str().unwrap().to_owned();
    let impostor = app.new_client();
    assert_eq!(app.login_with(&impostor, "cto@example.com", PASSWORD).await.status(), StatusCode::OK);
    for answer in ["accept", "decline"] {
        let response = impostor
            .post(app.url("/sfn/me/invitation"))
            .form(&[("id", id.as_str()), ("answer", answer)])
            .send()
            .await
            .unwrap();
        assert_eq!(sfn_code(response).await, (StatusCode::FORBIDDEN, "email_unverified".to_owned()), "{answer}");
    }
    let me = ok(send(&impostor, &app, "GET", "/api/v1/me", None).await, StatusCode::OK).await;
    assert!(!allowed(&app, me["user"]["id"].as_str().unwrap(), "user:manage", None).await);
    // Through the mailed link (it proves the mailbox), signed in, it works.
    let accepted = impostor
        .post(app.url("/sfn/invitations/accept"))
        .form(&[("token", token_of(&invited[0]).as_str())])
        .send()
        .await
        .unwrap();
    assert!(accepted.status().is_success() || accepted.status().is_redirection(), "{}", accepted.status());
    assert!(allowed(&app, me["user"]["id"].as_str().unwrap(), "user:manage", None).await);
}

async fn a_password_an_administrator_chose_dies_when_the_owner_signs_in_with_a_provider(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let settings = fake.settings();
    let borrowed: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &borrowed).await;
    app.login_admin().await;
    let (creator_view, _) = member(&app, "dana@example.com", &[]).await;
    // The real Dana signs in with GitHub: linked by her verified email.
    fake.will_sign_in(FakeAccount {
        id: "77".into(),
        login: "dana".into(),
        email: "dana@example.com".into(),
        verified: true,
    });
    let browser = app.new_client();
    let start = browser.get(app.url("/auth/github/start?next=/account")).send().await.unwrap();
    let authorize = start.headers()["location"].to_str().unwrap().to_owned();
    let back = browser.get(&authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let landed = browser.get(&callback).send().await.unwrap();
    assert!(landed.status().is_redirection(), "{}", landed.status());
    let me = ok(send(&browser, &app, "GET", "/api/v1/me", None).await, StatusCode::OK).await;
    assert_eq!(me["user"]["email"], "dana@example.com");
    // The password the administrator chose no longer opens her account,
    // and the session it opened has ended.
    assert_eq!(
        app.login_with(&app.new_client(), "dana@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(&creator_view, &app, "GET", "/api/v1/me", None).await.status(), StatusCode::UNAUTHORIZED);
}

async fn access_is_not_taken_away_through_teams_or_accounts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    role(&app, "team-admin", &["team:manage", "team:read", "user:read"]).await;
    role(&app, "helpdesk", &["user:manage", "user:read"]).await;
    let (teams, _) = member(&app, "teams@example.com", &[("team-admin", None)]).await;
    let (helpdesk, _) = member(&app, "helpdesk@example.com", &[("helpdesk", None)]).await;
    let (_, other_admin) = member(&app, "other-admin@example.com", &[("admin", None)]).await;
    ok(
        send(&app.client, &app, "POST", "/api/v1/teams", Some(json!({"key": "admins", "name": "Admins"}))).await,
        StatusCode::CREATED,
    )
    .await;
    let put = send(
        &app.client,
        &app,
        "PUT",
        &format!("/api/v1/teams/admins/members/{other_admin}"),
        Some(json!({"team_role": "member"})),
    )
    .await;
    assert!(put.status().is_success());
    grant(&app, &json!({"team": "admins"}), "admin", None).await;

    for (client, method, path) in [
        (&teams, "DELETE", format!("/api/v1/teams/admins/members/{other_admin}")),
        (&teams, "DELETE", "/api/v1/teams/admins".to_owned()),
        (&helpdesk, "DELETE", format!("/api/v1/users/{other_admin}")),
    ] {
        let (status, code, message) = error_of(send(client, &app, method, &path, None).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"), "{method} {path}: {message}");
    }
    let disable =
        send(&helpdesk, &app, "PATCH", &format!("/api/v1/users/{other_admin}"), Some(json!({"status": "disabled"})))
            .await;
    assert_eq!(error_of(disable).await.1, "escalation");
    assert!(allowed(&app, &other_admin, "settings:manage", None).await, "still an admin");

    // A disabled admin is not enabled again by someone who holds less.
    ok(
        send(&app.client, &app, "PATCH", &format!("/api/v1/users/{other_admin}"), Some(json!({"status": "disabled"})))
            .await,
        StatusCode::OK,
    )
    .await;
    let enable =
        send(&helpdesk, &app, "PATCH", &format!("/api/v1/users/{other_admin}"), Some(json!({"status": "active"})))
            .await;
    assert_eq!(error_of(enable).await.1, "escalation");
    // What the actor may take away, they may: a plain member of a policy-less team.
    let (_, plain) = member(&app, "plain@example.com", &[]).await;
    ok(
        send(&app.client, &app, "POST", "/api/v1/teams", Some(json!({"key": "crew", "name": "Crew"}))).await,
        StatusCode::CREATED,
    )
    .await;
    send(
        &app.client,
        &app,
        "PUT",
        &format!("/api/v1/teams/crew/members/{plain}"),
        Some(json!({"team_role": "member"})),
    )
    .await;
    ok(send(&teams, &app, "DELETE", &format!("/api/v1/teams/crew/members/{plain}"), None).await, StatusCode::OK).await;
    ok(
        send(&helpdesk, &app, "PATCH", &format!("/api/v1/users/{plain}"), Some(json!({"status": "disabled"}))).await,
        StatusCode::OK,
    )
    .await;
}

async fn service_accounts_do_not_count_as_the_last_administrator(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let account = ok(
        send(&app.client, &app, "POST", "/api/v1/service-accounts", Some(json!({"key": "robot", "name": "Robot"})))
            .await,
        StatusCode::CREATED,
    )
    .await;
    grant(&app, &json!({"user_id": account["id"]}), "admin", None).await;
    let me = ok(send(&app.client, &app, "GET", "/api/v1/me", None).await, StatusCode::OK).await;
    let policies = ok(
        send(
            &app.client,
            &app,
            "GET",
            &format!("/api/v1/policies?user_id={}", me["user"]["id"].as_str().unwrap()),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let own = policies["items"][0]["id"].as_i64().unwrap();
    let (status, code, _) =
        error_of(send(&app.client, &app, "DELETE", &format!("/api/v1/policies/{own}"), None).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "last_admin"));
}

async fn tokens_do_only_what_their_scope_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let make = |name: &str| json!({"name": name, "scope": "endpoint"});
    let leaked =
        ok(send(&app.client, &app, "POST", "/api/v1/me/tokens", Some(make("leaked"))).await, StatusCode::CREATED).await;
    let other =
        ok(send(&app.client, &app, "POST", "/api/v1/me/tokens", Some(make("other"))).await, StatusCode::CREATED).await;
    let secret = leaked["secret"].as_str().unwrap();
    let other_id = other["token"]["id"].as_str().unwrap();
    let bearer = |method: reqwest::Method, path: &str| {
        reqwest::Client::new().request(method, app.url(path)).header("authorization", format!("Bearer {secret}"))
    };
    for (request, what) in [
        (bearer(reqwest::Method::GET, "/api/v1/me/tokens"), "list tokens"),
        (bearer(reqwest::Method::DELETE, &format!("/api/v1/me/tokens/{other_id}")), "revoke a token"),
        (bearer(reqwest::Method::GET, "/api/v1/me/sessions"), "list sessions"),
        (bearer(reqwest::Method::PATCH, "/api/v1/me").json(&json!({"name": "Hijacked"})), "rename"),
        (bearer(reqwest::Method::POST, "/api/v1/invitations/accept").json(&json!({"token": "x"})), "accept"),
    ] {
        let (status, code, message) = error_of(request.send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "token_scope"), "{what}: {message}");
    }
    // The other token still works; the name is unchanged.
    let tokens = ok(send(&app.client, &app, "GET", "/api/v1/me/tokens", None).await, StatusCode::OK).await;
    assert!(tokens["items"].as_array().unwrap().iter().all(|t| t["status"] == "active"), "{tokens}");
    let me = ok(send(&app.client, &app, "GET", "/api/v1/me", None).await, StatusCode::OK).await;
    assert_ne!(me["user"]["name"], "Hijacked");
}

async fn refusals_tell_nothing_of_what_exists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    ok(
        send(&app.client, &app, "POST", "/api/v1/workspaces", Some(json!({"key": "ml", "name": "ML"}))).await,
        StatusCode::CREATED,
    )
    .await;
    let me = ok(send(&app.client, &app, "GET", "/api/v1/me", None).await, StatusCode::OK).await;
    let admin_id = me["user"]["id"].as_str().unwrap().to_owned();
    let (nobody, _) = member(&app, "nobody@example.com", &[]).await;

    // The policy list refuses before looking the subject up.
    for subject in ["admin@example.com", "ghost@example.com"] {
        let response = nobody.get(app.url(&format!("/sfn/policies/list?subject={subject}"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{subject}");
    }
    // The dashboard counts only what the viewer may read.
    let stats: Value = nobody.get(app.url("/sfn/dashboard")).send().await.unwrap().json().await.unwrap();
    for key in ["users_total", "sessions_active", "roles", "teams", "workspaces", "policies"] {
        assert_eq!(stats[key], Value::Null, "{key}: {stats}");
    }
    let admin_stats: Value = app.client.get(app.url("/sfn/dashboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(admin_stats["workspaces"], 1, "{admin_stats}");

    // A policy one may not read is as absent as an unknown one.
    role(&app, "ml-granter", &["policy:manage"]).await;
    let (ml_manager, _) = member(&app, "ml-manager@example.com", &[("ml-granter", Some("ml"))]).await;
    let policies =
        ok(send(&app.client, &app, "GET", &format!("/api/v1/policies?user_id={admin_id}"), None).await, StatusCode::OK)
            .await;
    let global = policies["items"][0]["id"].as_i64().unwrap();
    let hidden = error_of(send(&ml_manager, &app, "DELETE", &format!("/api/v1/policies/{global}"), None).await).await;
    let unknown = error_of(send(&ml_manager, &app, "DELETE", "/api/v1/policies/999999", None).await).await;
    assert_eq!(hidden.0, StatusCode::NOT_FOUND, "{}", hidden.2);
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    assert!(!hidden.2.contains("globally"), "{}", hidden.2);
}

/// The console's New policy form names its subject by email: one who may
/// not manage policies learns nothing of who has an account from it, and
/// the refusal is audited.
async fn the_policy_form_refuses_before_looking_the_subject_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let (nobody, _) = member(&app, "nobody@example.com", &[]).await;
    for subject in ["admin@example.com", "ghost@example.com", "team:ghosts"] {
        let response = nobody
            .post(app.url("/sfn/policies/create"))
            .form(&[("subject", subject), ("role", "viewer"), ("workspace", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{subject}: {}", response.text().await.unwrap());
    }
    let refused = ok(
        send(&app.client, &app, "GET", "/api/v1/audit?action=policy.create&actor=nobody@example.com", None).await,
        StatusCode::OK,
    )
    .await;
    let outcomes: Vec<&str> =
        refused["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["denied", "denied", "denied"], "{refused}");
}

/// Whoever knows an account's password can act as it: setting a one-time
/// password confers the account's access, and is bounded like enabling it.
async fn a_one_time_password_is_set_only_by_one_who_holds_all_the_accounts_access(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    role(&app, "user-admin", &["user:read", "user:manage"]).await;
    let (manager, manager_id) = member(&app, "manager@example.com", &[("user-admin", None)]).await;
    let (_, lead) = member(&app, "lead@example.com", &[("admin", None)]).await;
    let (_, plain) = member(&app, "plain@example.com", &[]).await;
    let set = |id: &str, password: &str| {
        let form = [("id", id.to_owned()), ("password", password.to_owned())];
        manager.post(app.url("/sfn/users/one-time-password")).form(&form).send()
    };
    let (status, code) = sfn_code(set(&lead, "one time password").await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"));
    let (status, code) = sfn_code(set(&manager_id, "one time password").await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "own_password"));
    assert_eq!(set(&plain, "one time password").await.unwrap().status(), StatusCode::OK);

    // The one-time password signs in only with a new password of one's own.
    let login = |body: Value| app.new_client().post(app.url("/api/v1/auth/login")).json(&body).send();
    let once = json!({"email": "plain@example.com", "password": "one time password"});
    let (status, code, message) = error_of(login(once.clone()).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "validation"), "{message}");
    assert!(message.contains("new_password"), "{message}");
    let mut same = once.clone();
    same["new_password"] = json!("one time password");
    assert_eq!(login(same).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let mut own = once.clone();
    own["new_password"] = json!("my very own password");
    assert_eq!(login(own).await.unwrap().status(), StatusCode::OK);
    assert_eq!(login(once).await.unwrap().status(), StatusCode::UNAUTHORIZED, "the one-time password is spent");
    let again = json!({"email": "plain@example.com", "password": "my very own password"});
    assert_eq!(login(again).await.unwrap().status(), StatusCode::OK);

    let refused =
        ok(send(&app.client, &app, "GET", "/api/v1/audit?action=user.password.set", None).await, StatusCode::OK).await;
    let outcomes: Vec<&str> =
        refused["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["success", "denied", "denied"], "{refused}");
}

/// `POST /users` with `grants`: each is a policy under the rules of
/// `POST /policies`, all made with the user in one transaction, or none
/// and no user.
async fn a_user_is_created_with_no_grant_beyond_the_creator(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    for ws in ["ml", "web"] {
        let body = json!({"key": ws, "name": ws});
        ok(send(&app.client, &app, "POST", "/api/v1/workspaces", Some(body)).await, StatusCode::CREATED).await;
    }
    // A people lead: makes accounts, and manages access in ml with
    // endpoint-user's permissions only.
    role(&app, "people", &["user:read", "user:manage"]).await;
    role(
        &app,
        "ml-lead",
        &["workspace:read", "policy:read", "policy:manage", "endpoint:read", "endpoint:invoke", "model:read"],
    )
    .await;
    let (lead, _) = member(&app, "lead@example.com", &[("people", None), ("ml-lead", Some("ml"))]).await;
    let create =
        |email: &str, grants: Value| json!({"email": email, "name": "New", "password": PASSWORD, "grants": grants});
    let count_users = |app: &TestApp| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/users?limit=500"));
        async move {
            client.get(url).send().await.unwrap().json::<Value>().await.unwrap()["items"].as_array().unwrap().len()
        }
    };
    let before = count_users(&app).await;

    // Beyond the lead: developer in ml confers endpoint:create.
    let refused = send(
        &lead,
        &app,
        "POST",
        "/api/v1/users",
        Some(create(
            "a@example.com",
            json!([
                {"role": "endpoint-user", "workspace": "ml"}, {"role": "developer", "workspace": "ml"}
            ]),
        )),
    )
    .await;
    let (status, code, message) = error_of(refused).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"), "{message}");
    assert!(message.contains("endpoint:create"), "{message}");
    // Where the lead may not manage policies, and globally.
    for grants in [json!([{"role": "endpoint-user", "workspace": "web"}]), json!([{"role": "endpoint-user"}])] {
        let refused = send(&lead, &app, "POST", "/api/v1/users", Some(create("a@example.com", grants))).await;
        assert_eq!(error_of(refused).await.0, StatusCode::FORBIDDEN);
    }
    // Nothing was made: no user, so the email is still free.
    assert_eq!(count_users(&app).await, before);

    // Bad grants are named, field by field.
    let bad = send(
        &lead,
        &app,
        "POST",
        "/api/v1/users",
        Some(create(
            "a@example.com",
            json!([
                {"role": "Not A Key"}, {"role": "viewer", "workspace": "ml"}, {"role": "viewer", "workspace": "ml"}
            ]),
        )),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["grants[0].role"], "{body}");
    let unknown = send(
        &lead,
        &app,
        "POST",
        "/api/v1/users",
        Some(create("a@example.com", json!([{"role": "no-such-role", "workspace": "ml"}]))),
    )
    .await;
    let (status, code, _) = error_of(unknown).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "unknown_reference"));

    // Within the lead's reach: made with the user, audited each (a grant
    // given twice is one policy).
    let twice = json!([{"role": "endpoint-user", "workspace": "ml"}, {"role": "endpoint-user", "workspace": "ml"}]);
    let made = send(&lead, &app, "POST", "/api/v1/users", Some(create("a@example.com", twice))).await;
    let user = ok(made, StatusCode::CREATED).await;
    let id = user["id"].as_str().unwrap();
    let policies =
        ok(send(&app.client, &app, "GET", &format!("/api/v1/policies?user_id={id}"), None).await, StatusCode::OK).await;
    assert_eq!(policies["items"].as_array().unwrap().len(), 1, "{policies}");
    assert!(allowed(&app, id, "endpoint:invoke", Some("ml")).await);
    assert!(!allowed(&app, id, "endpoint:invoke", Some("web")).await);
    let audit =
        ok(send(&app.client, &app, "GET", "/api/v1/audit?action=policy.create", None).await, StatusCode::OK).await;
    let entry = audit["items"].as_array().unwrap().iter().find(|e| e["actor_email"] == "lead@example.com").cloned();
    assert_eq!(entry.as_ref().map(|e| e["workspace"].clone()), Some(json!("ml")), "{audit}");
}
