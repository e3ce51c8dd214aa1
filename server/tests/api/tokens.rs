//! Personal API tokens: made once, kept only as a hash, and never allowed
//! more than their owner, their scope and their workspace.

use reqwest::{header::AUTHORIZATION, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp};

backend_tests!(
    a_token_does_what_its_scope_owner_and_workspace_allow,
    revoked_expired_and_disabled_stop_at_once,
    the_secret_is_shown_once_and_stored_as_a_hash,
    a_platform_service_asks_what_a_token_may_do,
    sessions_are_listed_and_ended,
    service_accounts_hold_policies_and_act_through_tokens,
    members_leave_teams_answer_invitations_and_set_a_picture,
);

/// A member with a password and the given policies; returns their client and id.
pub(crate) async fn member(app: &TestApp, email: &str, grants: &[(&str, Option<&str>)]) -> (reqwest::Client, String) {
    let created: Value = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": email, "name": email, "password": "member long password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    for (role, workspace) in grants {
        let granted = app
            .client
            .post(app.url("/api/v1/policies"))
            .json(&json!({"subject": {"user_id": id}, "role": role, "workspace": workspace}))
            .send()
            .await
            .unwrap();
        assert_eq!(granted.status(), StatusCode::CREATED);
    }
    let client = app.new_client();
    assert_eq!(app.login_with(&client, email, "member long password").await.status(), StatusCode::OK);
    (client, id)
}

pub(crate) async fn workspace(app: &TestApp, key: &str) {
    let created =
        app.client.post(app.url("/api/v1/workspaces")).json(&json!({"key": key, "name": key})).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
}

pub(crate) async fn make_token(app: &TestApp, client: &reqwest::Client, body: Value) -> (String, Value) {
    let response = client.post(app.url("/api/v1/me/tokens")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    let created: Value = response.json().await.unwrap();
    (created["secret"].as_str().unwrap().to_owned(), created["token"].clone())
}

fn bearer(app: &TestApp, method: reqwest::Method, path: &str, secret: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().request(method, app.url(path)).header(AUTHORIZATION, format!("Bearer {secret}"))
}

async fn create_endpointish(app: &TestApp, secret: &str, key: &str) -> StatusCode {
    // Creating a workspace needs workspace:create (global); updating one
    // needs workspace:update there: both stand in for "change things".
    bearer(app, reqwest::Method::PATCH, &format!("/api/v1/workspaces/{key}"), secret)
        .json(&json!({"name": "changed"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn a_token_does_what_its_scope_owner_and_workspace_allow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    workspace(&app, "ml").await;
    workspace(&app, "other").await;
    let (dev, _) = member(&app, "dev@example.com", &[("developer", Some("ml")), ("developer", Some("other"))]).await;

    // Protected endpoint access: endpoint:invoke only, even though the owner may change the workspace.
    let (invoke_only, view) = make_token(&app, &dev, json!({"name": "ci", "scope": "endpoint"})).await;
    assert!(invoke_only.starts_with("pcs_"), "{invoke_only}");
    assert_eq!(view["permissions"], json!([]), "the named scope is stored by name");
    let refused = bearer(&app, reqwest::Method::PATCH, "/api/v1/workspaces/ml", &invoke_only)
        .json(&json!({"name": "changed"}))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(refused).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "token_scope"));

    // Developer operations, restricted to one workspace.
    let (ml_only, _) =
        make_token(&app, &dev, json!({"name": "deploy ml", "scope": "developer", "workspace": "ml"})).await;
    assert_eq!(create_endpointish(&app, &ml_only, "ml").await, StatusCode::OK);
    assert_eq!(create_endpointish(&app, &ml_only, "other").await, StatusCode::FORBIDDEN);
    let listed: Value =
        bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", &ml_only).send().await.unwrap().json().await.unwrap();
    let keys: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|w| w["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["ml"], "a workspace-bound token sees only its workspace");

    // Never more than the owner: a custom scope naming what the owner lacks.
    let (wide, _) = make_token(
        &app,
        &dev,
        json!({"name": "wide", "scope": "custom", "permissions": ["workspace:create", "workspace:read"]}),
    )
    .await;
    let denied = bearer(&app, reqwest::Method::POST, "/api/v1/workspaces", &wide)
        .json(&json!({"key": "sneaky", "name": "Sneaky"}))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(denied).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));

    // Losing a permission takes effect at once.
    let policies: Value =
        app.client.get(app.url("/api/v1/policies?workspace=ml")).send().await.unwrap().json().await.unwrap();
    let id = policies["items"][0]["id"].as_i64().unwrap();
    let deleted = app.client.delete(app.url(&format!("/api/v1/policies/{id}"))).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(create_endpointish(&app, &ml_only, "ml").await, StatusCode::FORBIDDEN);

    // Bad requests are named.
    let bad = dev
        .post(app.url("/api/v1/me/tokens"))
        .json(&json!({"name": "", "scope": "custom", "permissions": ["fly:away"], "expires_in_days": 9999}))
        .send()
        .await
        .unwrap();
    let body: Value = bad.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "permissions", "expires_in_days"], "{body}");
    // A token cannot make tokens.
    let minted = bearer(&app, reqwest::Method::POST, "/api/v1/me/tokens", &ml_only)
        .json(&json!({"name": "child", "scope": "endpoint"}))
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), StatusCode::FORBIDDEN);
}

async fn revoked_expired_and_disabled_stop_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let (owner, owner_id) = member(&app, "owner@example.com", &[("viewer", None)]).await;
    let (secret, view) = make_token(&app, &owner, json!({"name": "reader", "scope": "developer"})).await;
    let me = bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", &secret).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let listed: Value = owner.get(app.url("/api/v1/me/tokens")).send().await.unwrap().json().await.unwrap();
    assert!(listed["items"][0]["last_used_at"].is_i64(), "last use recorded: {listed}");
    assert_eq!(listed["items"][0]["last_used_address"], "127.0.0.1");

    // Disabled owner.
    let disabled = app
        .client
        .patch(app.url(&format!("/api/v1/users/{owner_id}")))
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    let (status, _, message) =
        error_of(bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", &secret).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("disabled"), "{message}");
    app.client
        .patch(app.url(&format!("/api/v1/users/{owner_id}")))
        .json(&json!({"status": "active"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", &secret).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Revoked by a user manager.
    let id = view["id"].as_str().unwrap();
    let others: Value = app
        .client
        .get(app.url(&format!("/api/v1/users/{owner_id}/tokens")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(others["items"][0]["id"], id);
    let revoked = app.client.delete(app.url(&format!("/api/v1/users/{owner_id}/tokens/{id}"))).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let (status, _, message) =
        error_of(bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", &secret).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("revoked"), "{message}");
    // A member cannot see or revoke someone else's tokens (disabling ended
    // the owner's sessions: sign in again).
    assert_eq!(app.login_with(&owner, "owner@example.com", "member long password").await.status(), StatusCode::OK);
    let peek = owner.get(app.url("/api/v1/users/00000000-0000-4000-8000-000000000000/tokens")).send().await.unwrap();
    assert_eq!(peek.status(), StatusCode::FORBIDDEN);

    // Expired: made to expire by moving its end into the past.
    let (short, view) =
        make_token(&app, &owner, json!({"name": "short", "scope": "developer", "expires_in_days": 1})).await;
    sqlx::query("update api_tokens set expires_at = 1 where id = $1")
        .bind(view["id"].as_str().unwrap().to_owned())
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (status, _, message) =
        error_of(bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", &short).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("expired"), "{message}");
    let (status, _, _) =
        error_of(bearer(&app, reqwest::Method::GET, "/api/v1/workspaces", "pcs_not-a-token").send().await.unwrap())
            .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_secret_is_shown_once_and_stored_as_a_hash(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let (secret, view) = make_token(&app, &app.client, json!({"name": "once", "scope": "endpoint"})).await;
    let listed: Value = app.client.get(app.url("/api/v1/me/tokens")).send().await.unwrap().json().await.unwrap();
    assert!(!listed.to_string().contains(&secret), "the list never shows the secret");
    assert_eq!(listed["items"][0]["prefix"], &secret[..12]);
    assert_eq!(view["status"], "active");
    let mut conn = app.state.db.read().await.unwrap();
    for column in ["id", "name", "prefix", "secret_hash", "scope", "permissions"] {
        let found: i64 = sqlx::query_scalar::<_, i64>(&format!("select count(*) from api_tokens where {column} = $1"))
            .bind(secret.clone())
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(found, 0, "{column} does not hold the secret");
    }
}

async fn a_platform_service_asks_what_a_token_may_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    workspace(&app, "ml").await;
    let (dev, _) = member(&app, "svc-dev@example.com", &[("developer", Some("ml"))]).await;
    let (secret, _) = make_token(&app, &dev, json!({"name": "invoke", "scope": "endpoint", "workspace": "ml"})).await;
    let ask = |permission: &str, workspace: Option<&str>| json!({"token": secret, "permission": permission, "workspace": workspace});
    // The admin (policy:read) asks on behalf of a platform service.
    for (permission, workspace, allowed) in [
        ("endpoint:invoke", Some("ml"), true),
        ("endpoint:create", Some("ml"), false),
        ("endpoint:invoke", None, false),
    ] {
        let answer: Value = app
            .client
            .post(app.url("/api/v1/authz/check"))
            .json(&ask(permission, workspace))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["allowed"], allowed, "{permission} {workspace:?}: {answer}");
    }
    let unknown: Value = app
        .client
        .post(app.url("/api/v1/authz/check"))
        .json(&json!({"token": "pcs_nothing", "permission": "endpoint:invoke", "workspace": "ml"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["allowed"], false);
    assert!(unknown["reason"].as_str().unwrap().contains("unknown"), "{unknown}");
    let both = app
        .client
        .post(app.url("/api/v1/authz/check"))
        .json(&json!({"permission": "endpoint:invoke"}))
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), StatusCode::BAD_REQUEST);
}

async fn sessions_are_listed_and_ended(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let laptop = app.new_client();
    assert_eq!(
        app.login_with(&laptop, crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await.status(),
        StatusCode::OK
    );
    let listed: Value = app.client.get(app.url("/api/v1/me/sessions")).send().await.unwrap().json().await.unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{listed}");
    assert_eq!(items[0]["current"], true);
    assert_eq!(items[1]["address"], "127.0.0.1");
    let cookie_value = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(cookie_value.status(), StatusCode::OK);
    let other = items[1]["id"].as_str().unwrap();
    // The handle is not the session's secret id.
    let stored: i64 = sqlx::query_scalar::<_, i64>("select count(*) from sessions where id = $1")
        .bind(other.to_owned())
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let ended = app.client.delete(app.url(&format!("/api/v1/me/sessions/{other}"))).send().await.unwrap();
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(laptop.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.client.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
    let again = app.client.delete(app.url(&format!("/api/v1/me/sessions/{other}"))).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    // The profile over REST: the name changes, an empty one is refused.
    let renamed: Value = app
        .client
        .patch(app.url("/api/v1/me"))
        .json(&json!({"name": "Ada L."}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["user"]["name"], "Ada L.");
    let empty = app.client.patch(app.url("/api/v1/me")).json(&json!({"name": " "})).send().await.unwrap();
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
}

async fn service_accounts_hold_policies_and_act_through_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    workspace(&app, "ml").await;
    let created = app
        .client
        .post(app.url("/api/v1/service-accounts"))
        .json(&json!({"key": "ci-deployer", "name": "CI deployer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let account: Value = created.json().await.unwrap();
    assert_eq!(account["kind"], "service");
    let id = account["id"].as_str().unwrap().to_owned();
    let again = app
        .client
        .post(app.url("/api/v1/service-accounts"))
        .json(&json!({"key": "ci-deployer", "name": "Again"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let bad = app
        .client
        .post(app.url("/api/v1/service-accounts"))
        .json(&json!({"key": "Not A Key", "name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // A policy like anyone's, and a token made by a user manager.
    let granted = app
        .client
        .post(app.url("/api/v1/policies"))
        .json(&json!({"subject": {"user_id": id}, "role": "developer", "workspace": "ml"}))
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::CREATED);
    let token: Value = app
        .client
        .post(app.url(&format!("/api/v1/service-accounts/{id}/tokens")))
        .json(&json!({"name": "deploys", "scope": "developer", "workspace": "ml"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = token["secret"].as_str().unwrap().to_owned();
    assert_eq!(create_endpointish(&app, &secret, "ml").await, StatusCode::OK);
    let listed: Value = app.client.get(app.url("/api/v1/service-accounts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"][0]["email"], "ci-deployer@service.portcullis.local");
    let users: Value =
        app.client.get(app.url("/api/v1/users?q=ci-deployer")).send().await.unwrap().json().await.unwrap();
    assert_eq!(users["items"][0]["kind"], "service", "shown among users, marked");

    // No sign-in, and tokens for people are not made here.
    let login = app.login_with(&app.new_client(), "ci-deployer@service.portcullis.local", "anything at all").await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let human = app
        .client
        .post(app.url(&format!("/api/v1/service-accounts/{}/tokens", me["user"]["id"].as_str().unwrap())))
        .json(&json!({"name": "x", "scope": "endpoint"}))
        .send()
        .await
        .unwrap();
    assert_eq!(human.status(), StatusCode::BAD_REQUEST);
    // Only user managers make service accounts.
    let (member_client, _) = member(&app, "plain@example.com", &[("viewer", None)]).await;
    let refused = member_client
        .post(app.url("/api/v1/service-accounts"))
        .json(&json!({"key": "sneaky", "name": "Sneaky"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn members_leave_teams_answer_invitations_and_set_a_picture(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    workspace(&app, "ml").await;
    let (mia, mia_id) = member(&app, "mia@example.com", &[]).await;
    let team =
        app.client.post(app.url("/api/v1/teams")).json(&json!({"key": "crew", "name": "Crew"})).send().await.unwrap();
    assert_eq!(team.status(), StatusCode::CREATED);
    let put = app
        .client
        .put(app.url(&format!("/api/v1/teams/crew/members/{mia_id}")))
        .json(&json!({"team_role": "member"}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let mut link = String::new();
    for _ in 0..2 {
        let invited = app
            .client
            .post(app.url("/api/v1/invitations"))
            .json(&json!({"emails": ["mia@example.com"], "role": "viewer", "workspace": "ml"}))
            .send()
            .await
            .unwrap();
        assert_eq!(invited.status(), StatusCode::CREATED);
        let invited: Value = invited.json().await.unwrap();
        link = invited[0]["link"].as_str().unwrap().to_owned();
    }
    let (status, mine) = {
        let response = mia.get(app.url("/sfn/me/memberships")).send().await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine[0][0]["team"], "crew");
    let invitation = mine[1][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(mine[1].as_array().unwrap().len(), 1, "inviting again resent the same one");

    // Mia's account was made by an administrator: until she opens the
    // mailed link, nothing proves the mailbox is hers.
    let unproven = mia
        .post(app.url("/sfn/me/invitation"))
        .form(&[("id", invitation.as_str()), ("answer", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(unproven.status(), StatusCode::FORBIDDEN);
    let token = link.rsplit('/').next().unwrap();
    let accepted = mia.post(app.url("/sfn/invitations/accept")).form(&[("token", token)]).send().await.unwrap();
    assert!(accepted.status().is_success() || accepted.status().is_redirection(), "{}", accepted.status());
    let check: Value = mia
        .post(app.url("/api/v1/authz/check"))
        .json(&json!({"user_id": mia_id, "permission": "endpoint:read", "workspace": "ml"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(check["allowed"], true);
    let twice = mia
        .post(app.url("/sfn/me/invitation"))
        .form(&[("id", invitation.as_str()), ("answer", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::GONE);

    let left = mia.post(app.url("/sfn/me/leave-team")).form(&[("team", "crew")]).send().await.unwrap();
    assert_eq!(left.status(), StatusCode::OK);
    let again = mia.post(app.url("/sfn/me/leave-team")).form(&[("team", "crew")]).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    // The last administrator cannot leave the team that makes them one.
    let admins = app
        .client
        .post(app.url("/api/v1/teams"))
        .json(&json!({"key": "admins", "name": "Admins"}))
        .send()
        .await
        .unwrap();
    assert_eq!(admins.status(), StatusCode::CREATED);
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let admin_id = me["user"]["id"].as_str().unwrap().to_owned();
    app.client
        .put(app.url(&format!("/api/v1/teams/admins/members/{admin_id}")))
        .json(&json!({"team_role": "member"}))
        .send()
        .await
        .unwrap();
    let team_policy = app
        .client
        .post(app.url("/api/v1/policies"))
        .json(&json!({"subject": {"team": "admins"}, "role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(team_policy.status(), StatusCode::CREATED);
    let policies: Value = app
        .client
        .get(app.url(&format!("/api/v1/policies?user_id={admin_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own = policies["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.client.delete(app.url(&format!("/api/v1/policies/{own}"))).send().await.unwrap().status(),
        StatusCode::OK
    );
    let refused = app.client.post(app.url("/sfn/me/leave-team")).form(&[("team", "admins")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);

    // A picture: https only.
    let bad = mia.post(app.url("/sfn/me/avatar")).form(&[("avatar_url", "javascript:alert(1)")]).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let set: Value = mia
        .post(app.url("/sfn/me/avatar"))
        .form(&[("avatar_url", "https://example.com/mia.png")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["avatar_url"], "https://example.com/mia.png");
}
